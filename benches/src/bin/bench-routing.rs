//! Routing: `RoutingTable` build time and lookups per second for 100,000 bindings
//! (three in four IPv4, one in four IPv6) and 1,000,000 random addresses, against
//! a naive scan of every binding (measured on a sample: it is slow).
//!
//! ```text
//! bench-routing [--bindings 100000] [--lookups 1000000] [--naive 1000] [--runs 5]
//! ```
#![forbid(unsafe_code)]

use std::{
    hint::black_box,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    time::Instant,
};

use cf_bindings::{Cidr, ProvisioningState, RoutingTable, ServiceBinding};
use cf_bindings_benches::{Args, BoxError, emit};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

fn bindings(count: usize) -> Result<Vec<ServiceBinding>, BoxError> {
    let service: cf_bindings::ServiceId = "2db684ee7ca04e159946fd05b99e1bcd".parse()?;
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let net = if i % 4 == 3 {
            let bits = (0x2001_0db8u128 << 96) | (u128::from(fastrand::u32(..)) << 64);
            IpNet::V6(Ipv6Net::new(Ipv6Addr::from(bits), fastrand::u8(32..=64))?)
        } else {
            IpNet::V4(Ipv4Net::new(
                Ipv4Addr::from(fastrand::u32(..)),
                fastrand::u8(16..=32),
            )?)
        };
        out.push(ServiceBinding::new(
            format!("{i:032x}").parse()?,
            Cidr::new(net.trunc())?,
            service.clone(),
            "Magic Transit",
            ProvisioningState::Active,
        ));
    }
    Ok(out)
}

/// Addresses: half inside a random binding, half uniformly random (IPv4 anywhere,
/// IPv6 in 2001:db8::/32); three in four IPv4.
fn addresses(count: usize, bindings: &[ServiceBinding]) -> Vec<IpAddr> {
    (0..count)
        .map(|i| {
            let v6 = i % 4 == 3;
            if i % 2 == 0 && !bindings.is_empty() {
                // Inside a random binding of the right family, if one comes up.
                let b = &bindings[fastrand::usize(..bindings.len())];
                match b.cidr.as_ipnet() {
                    IpNet::V4(net) => {
                        let host = fastrand::u32(..) & !u32::from(net.netmask());
                        return IpAddr::V4(Ipv4Addr::from(u32::from(net.network()) | host));
                    }
                    IpNet::V6(net) => {
                        let host = fastrand::u128(..) & !u128::from(net.netmask());
                        return IpAddr::V6(Ipv6Addr::from(u128::from(net.network()) | host));
                    }
                }
            }
            if v6 {
                let bits = (0x2001_0db8u128 << 96) | u128::from(fastrand::u64(..));
                IpAddr::V6(Ipv6Addr::from(bits))
            } else {
                IpAddr::V4(Ipv4Addr::from(fastrand::u32(..)))
            }
        })
        .collect()
}

/// The most specific binding containing `ip`, first given among equals.
fn naive(bindings: &[ServiceBinding], ip: IpAddr) -> Option<&ServiceBinding> {
    let mut best: Option<&ServiceBinding> = None;
    for b in bindings {
        if b.cidr.contains(ip) && best.is_none_or(|x| b.cidr.prefix_len() > x.cidr.prefix_len()) {
            best = Some(b);
        }
    }
    best
}

fn main() -> Result<(), BoxError> {
    let args = Args::parse(std::env::args().skip(1))?;
    let count = args.count("bindings", 100_000)?;
    let lookups = args.count("lookups", 1_000_000)?;
    let sample = args.count("naive", 1_000)?;
    let runs = args.count("runs", 5)?;
    fastrand::seed(6);

    let bindings = bindings(count)?;
    let addrs = addresses(lookups, &bindings);

    let mut build_ms = Vec::new();
    let mut lookup_rate = Vec::new();
    let mut naive_rate = Vec::new();
    let mut table = RoutingTable::default();
    for _ in 0..runs {
        let input = bindings.clone();
        let start = Instant::now();
        table = RoutingTable::new(input);
        build_ms.push(start.elapsed().as_secs_f64() * 1e3);

        let start = Instant::now();
        let mut hits = 0usize;
        for ip in &addrs {
            if black_box(table.route(black_box(*ip))).is_some() {
                hits += 1;
            }
        }
        lookup_rate.push(addrs.len() as f64 / start.elapsed().as_secs_f64());
        black_box(hits);

        let start = Instant::now();
        for ip in addrs.iter().take(sample) {
            black_box(naive(&bindings, black_box(*ip)));
        }
        naive_rate.push(sample.min(addrs.len()) as f64 / start.elapsed().as_secs_f64());
    }
    // Both agree on the sample (same binding, or same CIDR among duplicates).
    let disagreements = addrs
        .iter()
        .take(sample)
        .filter(|ip| table.route(**ip).map(|b| &b.cidr) != naive(&bindings, **ip).map(|b| &b.cidr))
        .count();
    let hits = addrs
        .iter()
        .filter(|ip| table.route(**ip).is_some())
        .count();
    emit("routing.build", "ms", build_ms)?;
    emit("routing.table", "lookups/s", lookup_rate)?;
    emit("routing.naive", "lookups/s", naive_rate)?;
    emit(
        "routing.hit_ratio",
        "fraction",
        vec![hits as f64 / addrs.len().max(1) as f64],
    )?;
    emit("routing.disagreements", "count", vec![disagreements as f64])?;
    Ok(())
}
