//! What a client costs: the CPU time (user + system, from the operating system's
//! accounting of this process) that each client spends per call, with the API (the
//! emulator) in another process, over the same sequence of calls for each client:
//! one-binding lists, 1,000-binding lists, gets and creates. Also the sequential
//! rate of the 1,000-binding list. The clients take turns within each run.
//!
//! The 1,000-binding list and the creates use the emulator's empty demo IPv6 prefix:
//! the program first binds its whole CIDR and 999 /64s in it (`--setup`); each run's
//! creates then bind further /64s, deleted after the run (not measured).
//!
//! ```text
//! bench-cpu --clients wrapper,baseline --base-url URL --account ID --token TOKEN
//!     --small-prefix ID --binding ID --large-prefix ID --large-cidr CIDR
//!     [--setup 1] [--runs 5] [--calls 200] [--large-calls 50]
//! ```
#![forbid(unsafe_code)]

use std::{net::Ipv6Addr, time::Instant};

use cf_bindings::{Cidr, Client};
use cf_bindings_benches::{Args, BoxError, baseline, cpu_seconds, emit};

const CDN: &str = "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b";
const MAGIC_TRANSIT: &str = "2db684ee7ca04e159946fd05b99e1bcd";

/// The calls measured, in the order each run makes them.
#[derive(Debug, Clone, Copy)]
enum Op {
    ListSmall,
    ListLarge,
    Get,
    Create,
}

impl Op {
    const ALL: [Op; 4] = [Op::ListSmall, Op::ListLarge, Op::Get, Op::Create];

    fn name(self) -> &'static str {
        match self {
            Op::ListSmall => "list_1",
            Op::ListLarge => "list_1000",
            Op::Get => "get",
            Op::Create => "create",
        }
    }
}

/// Where the calls go.
struct Target {
    base_url: String,
    account: String,
    token: String,
    small_prefix: String,
    binding: String,
    large_prefix: String,
    large_cidr: ipnet::Ipv6Net,
}

impl Target {
    fn bindings_url(&self, prefix: &str) -> String {
        format!(
            "{}/accounts/{}/addressing/prefixes/{prefix}/bindings",
            self.base_url, self.account
        )
    }

    /// The `n`-th /64 of the large prefix (0 is its first /64).
    fn subnet(&self, n: u128) -> String {
        let network = u128::from(self.large_cidr.network()) + (n << 64);
        format!("{}/64", Ipv6Addr::from(network))
    }
}

enum Caller {
    Wrapper(Client),
    Baseline(reqwest::Client),
}

impl Caller {
    async fn call(&self, target: &Target, op: Op, n: u128) -> Result<usize, BoxError> {
        match self {
            Caller::Wrapper(client) => {
                let account = client.account(target.account.as_str());
                let prefix = match op {
                    Op::ListSmall | Op::Get => target.small_prefix.as_str(),
                    Op::ListLarge | Op::Create => target.large_prefix.as_str(),
                };
                let bindings = account.prefix(prefix).bindings();
                Ok(match op {
                    Op::ListSmall | Op::ListLarge => bindings.list().await?.len(),
                    Op::Get => bindings
                        .get(target.binding.as_str())
                        .await?
                        .cidr
                        .prefix_len()
                        .into(),
                    Op::Create => {
                        let cidr: Cidr = target.subnet(n).parse()?;
                        bindings.create(cidr, CDN).await?.cidr.prefix_len().into()
                    }
                })
            }
            Caller::Baseline(http) => {
                let auth = format!("Bearer {}", target.token);
                let request = match op {
                    Op::ListSmall => http.get(target.bindings_url(&target.small_prefix)),
                    Op::ListLarge => http.get(target.bindings_url(&target.large_prefix)),
                    Op::Get => http.get(format!(
                        "{}/{}",
                        target.bindings_url(&target.small_prefix),
                        target.binding
                    )),
                    Op::Create => http
                        .post(target.bindings_url(&target.large_prefix))
                        .json(&serde_json::json!({ "cidr": target.subnet(n), "service_id": CDN })),
                };
                let body = request
                    .header(reqwest::header::AUTHORIZATION, auth)
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                Ok(match op {
                    Op::ListSmall | Op::ListLarge => {
                        baseline::decode::<Vec<baseline::Binding>>(&body)?.len()
                    }
                    Op::Get | Op::Create => {
                        baseline::decode::<baseline::Binding>(&body)?.cidr.len()
                    }
                })
            }
        }
    }
}

/// Binds the large prefix's whole CIDR and its /64s 1 to 999, with the wrapper.
async fn setup(client: &Client, target: &Target) -> Result<(), BoxError> {
    let bindings = client
        .account(target.account.as_str())
        .prefix(target.large_prefix.as_str())
        .bindings();
    let cidr = Cidr::new(ipnet::IpNet::V6(target.large_cidr))?;
    bindings.create(cidr, MAGIC_TRANSIT).await?;
    for n in 1..1000u128 {
        let cidr: Cidr = target.subnet(n).parse()?;
        bindings.create(cidr, CDN).await?;
    }
    Ok(())
}

/// Deletes the bindings of the large prefix past the first 1,000 (the run's creates).
async fn clean_up(client: &Client, target: &Target) -> Result<(), BoxError> {
    let bindings = client
        .account(target.account.as_str())
        .prefix(target.large_prefix.as_str())
        .bindings();
    let first_kept = u128::from(target.large_cidr.network()) + (1000u128 << 64);
    for binding in bindings.list().await?.into_inner() {
        if let std::net::IpAddr::V6(address) = binding.cidr.network()
            && u128::from(address) >= first_kept
        {
            bindings.delete(&binding.id).await?;
        }
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let args = Args::parse(std::env::args().skip(1))?;
    let large_cidr: Cidr = args.string("large-cidr")?.parse()?;
    let ipnet::IpNet::V6(large_cidr) = large_cidr.as_ipnet() else {
        return Err("--large-cidr must be IPv6 (the demo IPv6 prefix)".into());
    };
    let target = Target {
        base_url: args.string("base-url")?,
        account: args.string("account")?,
        token: args.string("token")?,
        small_prefix: args.string("small-prefix")?,
        binding: args.string("binding")?,
        large_prefix: args.string("large-prefix")?,
        large_cidr,
    };
    let runs = args.count("runs", 5)?;
    let calls = args.count("calls", 200)?;
    let large_calls = args.count("large-calls", 50)?;

    let wrapper = Client::builder()
        .base_url(target.base_url.clone())
        .api_token(target.token.clone())
        .build()?;
    if args.number("setup", 1)? == 1 {
        setup(&wrapper, &target).await?;
    }
    let mut callers = Vec::new();
    for kind in args.string("clients")?.split(',') {
        let caller = match kind {
            "wrapper" => Caller::Wrapper(wrapper.clone()),
            "baseline" => Caller::Baseline(reqwest::Client::builder().build()?),
            other => return Err(format!("unknown client {other}").into()),
        };
        callers.push((kind.to_owned(), caller));
    }

    // cpu[client][op] and the large list's rate, one value per run.
    let mut cpu = vec![vec![Vec::with_capacity(runs); Op::ALL.len()]; callers.len()];
    let mut large_rate = vec![Vec::with_capacity(runs); callers.len()];
    let mut next_subnet = 1000u128;
    for run in 0..=runs {
        for (c, (_, caller)) in callers.iter().enumerate() {
            for (o, op) in Op::ALL.into_iter().enumerate() {
                let n = if matches!(op, Op::ListLarge) {
                    large_calls
                } else {
                    calls
                };
                let cpu_before = cpu_seconds();
                let started = Instant::now();
                for _ in 0..n {
                    caller.call(&target, op, next_subnet).await?;
                    next_subnet += 1;
                }
                let wall = started.elapsed().as_secs_f64();
                let used = cpu_seconds() - cpu_before;
                // Run 0 warms up: connections, allocator, page cache.
                if run > 0 {
                    cpu[c][o].push(used * 1e6 / n as f64);
                    if matches!(op, Op::ListLarge) {
                        large_rate[c].push(n as f64 / wall);
                    }
                }
            }
            clean_up(&wrapper, &target).await?;
        }
    }
    for (c, (kind, _)) in callers.iter().enumerate() {
        for (o, op) in Op::ALL.into_iter().enumerate() {
            emit(
                &format!("cpu.{kind}.{}", op.name()),
                "µs CPU/call",
                std::mem::take(&mut cpu[c][o]),
            )?;
        }
        emit(
            &format!("large_list.{kind}.sequential"),
            "req/s",
            std::mem::take(&mut large_rate[c]),
        )?;
    }
    Ok(())
}
