//! Bindings as code: `plan` of 10,000 desired against 10,000 live bindings (pure
//! computation), and `apply` of 1,000 creates against a running emulator with no
//! pacing: creates per second and the client's own CPU time per create.
//!
//! The planned prefix is a /8 of /32s: of the live bindings, a quarter stay, a
//! quarter change service (replaces) and half are not listed (deletes, with
//! `prune`); a quarter of the desired ones are new (creates).
//!
//! The applied prefix is the emulator's empty demo IPv6 prefix: each run creates
//! its base binding and 999 /64s inside it, then (not measured) deletes them all.
//!
//! ```text
//! bench-desired [--runs 5] [--plan-size 10000]
//!     [--base-url URL --account ID --prefix ID --prefix-cidr CIDR --token TOKEN --creates 1000]
//! ```
#![forbid(unsafe_code)]

use std::{hint::black_box, net::Ipv4Addr, time::Instant};

use cf_bindings::{
    Cidr, Client, PrefixId, ProvisioningState, Service, ServiceBinding, ServiceId,
    desired::{Desired, DesiredBinding, DesiredPrefix, Live, apply, plan},
};
use cf_bindings_benches::{Args, BoxError, cpu_seconds, emit};

const PREFIX: &str = "2af39739cc4e3b5910c918468bb89828";
const SERVICES: [(&str, &str); 3] = [
    ("2db684ee7ca04e159946fd05b99e1bcd", "Magic Transit"),
    ("7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b", "CDN"),
    ("c4e8a2f6b0d14e3a9c7b5d2f8e6a4c1d", "Spectrum"),
];

fn main() -> Result<(), BoxError> {
    let args = Args::parse(std::env::args().skip(1))?;
    let runs = args.count("runs", 5)?;
    bench_plan(runs, args.count("plan-size", 10_000)?)?;
    if args.string("base-url").is_ok() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        runtime.block_on(bench_apply(&args, runs))?;
    }
    Ok(())
}

/// The `i`-th /32 of 10.0.0.0/8 (skipping the base at 10.0.0.0).
fn host(i: usize) -> Result<Cidr, BoxError> {
    let n = 0x0a00_0001u32 + u32::try_from(i)?;
    Ok(format!("{}/32", Ipv4Addr::from(n)).parse()?)
}

fn bench_plan(runs: usize, size: usize) -> Result<(), BoxError> {
    let services: Vec<Service> = SERVICES
        .iter()
        .map(|(id, name)| Ok(Service::new(id.parse()?, *name)))
        .collect::<Result<_, BoxError>>()?;
    let base: Cidr = "10.0.0.0/8".parse()?;
    let prefix: PrefixId = PREFIX.parse()?;
    let service_of =
        |i: usize| -> Result<ServiceId, BoxError> { Ok(SERVICES[1 + i % 2].0.parse()?) };

    // Live: the base, and `size - 1` /32s from 0.
    let mut live_bindings = vec![ServiceBinding::new(
        format!("{:032x}", 1u128 << 100).parse()?,
        base,
        SERVICES[0].0.parse()?,
        SERVICES[0].1,
        ProvisioningState::Active,
    )];
    for i in 0..size.saturating_sub(1) {
        let id = service_of(i)?;
        let name = if i % 2 == 0 { "CDN" } else { "Spectrum" };
        live_bindings.push(ServiceBinding::new(
            format!("{:032x}", i + 1).parse()?,
            host(i)?,
            id,
            name,
            ProvisioningState::Active,
        ));
    }
    // Desired: the base; the first quarter unchanged, the second with the other
    // service, the third left out (pruned), then new ones up to `size`.
    let quarter = size / 4;
    let mut desired_prefix = DesiredPrefix::new(prefix.clone());
    desired_prefix.prune = true;
    desired_prefix
        .bindings
        .push(DesiredBinding::new(base, "Magic Transit"));
    for i in 0..size.saturating_sub(1) {
        let (index, other) = match i / quarter.max(1) {
            0 => (i, false),
            1 => (i, true),
            2 => continue,
            _ => (i + size, false),
        };
        let service = if (index % 2 == 0) != other {
            "CDN"
        } else {
            "Spectrum"
        };
        desired_prefix
            .bindings
            .push(DesiredBinding::new(host(index)?, service));
    }
    let mut desired = Desired::new();
    desired.prefixes.push(desired_prefix);
    let live: Live = [(prefix, live_bindings)].into_iter().collect();

    let planned = plan(&desired, &live, &services).map_err(|d| d.to_string())?;
    let changes = planned.changes().count();
    let mut kinds = std::collections::BTreeMap::new();
    for (_, change) in planned.changes() {
        *kinds.entry(change.kind.to_string()).or_insert(0usize) += 1;
    }
    let mut values = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        black_box(
            plan(black_box(&desired), black_box(&live), &services).map_err(|d| d.to_string())?,
        );
        values.push(started.elapsed().as_secs_f64() * 1e3);
    }
    eprintln!("plan: {size} desired against {size} live, {changes} changes {kinds:?}");
    emit("desired.plan_10k", "ms", values)
}

async fn bench_apply(args: &Args, runs: usize) -> Result<(), BoxError> {
    let client = Client::builder()
        .base_url(args.string("base-url")?)
        .api_token(args.string("token")?)
        .build()?;
    let account = client.account(args.string("account")?);
    let prefix: PrefixId = args.string("prefix")?.parse()?;
    let cidr: Cidr = args.string("prefix-cidr")?.parse()?;
    let creates = args.count("creates", 1000)?;
    let services = account.services().list().await?.into_inner();

    // The base binding and `creates - 1` /64s of the /48, CDN and Spectrum in turn.
    let ipnet::IpNet::V6(net) = cidr.as_ipnet() else {
        return Err("--prefix-cidr must be an IPv6 prefix of /48 or shorter".into());
    };
    let mut full = DesiredPrefix::new(prefix.clone());
    full.bindings
        .push(DesiredBinding::new(cidr, "Magic Transit"));
    for (i, subnet) in net
        .subnets(64)?
        .skip(1)
        .take(creates.saturating_sub(1))
        .enumerate()
    {
        let service = if i % 2 == 0 { "CDN" } else { "Spectrum" };
        full.bindings.push(DesiredBinding::new(
            Cidr::new(ipnet::IpNet::V6(subnet))?,
            service,
        ));
    }

    let mut rates = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    for _ in 0..runs {
        let bindings = account.prefix(prefix.clone()).bindings();
        let live: Live = [(prefix.clone(), bindings.list().await?.into_inner())]
            .into_iter()
            .collect();
        let mut desired = Desired::new();
        desired.prefixes.push(full.clone());
        let planned = plan(&desired, &live, &services).map_err(|d| d.to_string())?;
        let steps = planned.steps().count();

        let cpu_before = cpu_seconds();
        let started = Instant::now();
        apply(&account, &planned, |_| {}).await?;
        let wall = started.elapsed().as_secs_f64();
        let cpu_used = cpu_seconds() - cpu_before;
        rates.push(steps as f64 / wall);
        cpu.push(cpu_used * 1e6 / steps as f64);

        // Back to an empty prefix (not measured): most specific first, the base last.
        let mut left = bindings.list().await?.into_inner();
        left.sort_by_key(|b| std::cmp::Reverse(b.cidr.prefix_len()));
        for binding in left {
            bindings.delete(&binding.id).await?;
        }
    }
    emit("desired.apply_1k.rate", "creates/s", rates)?;
    emit("desired.apply_1k.cpu", "µs CPU/create", cpu)
}
