//! Measures [`RoutingTable`]: build time for 100,000 bindings and the rate of
//! `route` lookups. Prints figures; asserts nothing.
//!
//! ```text
//! cargo run --release -p cf-bindings --example routing_bench
//! ```

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    time::Instant,
};

use cf_bindings::{Cidr, ProvisioningState, RoutingTable, ServiceBinding};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

const BINDINGS: usize = 100_000;
const LOOKUPS: usize = 2_000_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let service: cf_bindings::ServiceId = "2db684ee7ca04e159946fd05b99e1bcd".parse()?;
    let mut bindings = Vec::with_capacity(BINDINGS);
    for i in 0..BINDINGS {
        let random = fastrand::u32(..);
        let net = if i % 4 == 3 {
            let bits = (0x2001_0db8u128 << 96) | (u128::from(random) << 64);
            IpNet::V6(Ipv6Net::new(Ipv6Addr::from(bits), fastrand::u8(32..=64))?)
        } else {
            IpNet::V4(Ipv4Net::new(Ipv4Addr::from(random), fastrand::u8(16..=32))?)
        };
        bindings.push(ServiceBinding::new(
            format!("b{i}").parse()?,
            Cidr::new(net.trunc())?,
            service.clone(),
            "Magic Transit",
            ProvisioningState::Active,
        ));
    }
    let addrs: Vec<IpAddr> = (0..LOOKUPS)
        .map(|i| {
            if i % 4 == 3 {
                let bits = (0x2001_0db8u128 << 96) | u128::from(fastrand::u64(..));
                IpAddr::V6(Ipv6Addr::from(bits))
            } else {
                IpAddr::V4(Ipv4Addr::from(fastrand::u32(..)))
            }
        })
        .collect();

    let start = Instant::now();
    let table = RoutingTable::new(bindings);
    let built = start.elapsed();

    let start = Instant::now();
    let hits = addrs
        .iter()
        .filter(|ip| table.route(**ip).is_some())
        .count();
    let looked = start.elapsed();

    println!("built {BINDINGS} bindings in {built:?}");
    println!(
        "{LOOKUPS} lookups in {looked:?} ({:.0} ns each, {hits} routed)",
        looked.as_nanos() as f64 / LOOKUPS as f64
    );
    Ok(())
}
