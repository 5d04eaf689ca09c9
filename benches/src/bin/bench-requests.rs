//! Request overhead: `list bindings` against a running API (the emulator), done by
//! the wrapper and by a raw baseline (reqwest + serde_json into plain structs, no
//! wrapper logic), taking turns within each run. Prints requests per second,
//! sequential and 64-way concurrent, per client.
//!
//! ```text
//! bench-requests --clients wrapper,baseline --base-url URL --account ID --prefix ID
//!     --token TOKEN [--runs 5] [--sequential 2000] [--concurrent 6400] [--concurrency 64]
//! ```
#![forbid(unsafe_code)]

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Instant,
};

use cf_bindings_benches::{Args, BoxError, baseline, emit};

#[derive(Clone)]
enum Caller {
    Wrapper(cf_bindings::Bindings),
    Baseline {
        http: reqwest::Client,
        url: Arc<str>,
        auth: Arc<str>,
    },
}

impl Caller {
    async fn call(&self) -> Result<usize, BoxError> {
        match self {
            Caller::Wrapper(bindings) => Ok(bindings.list().await?.len()),
            Caller::Baseline { http, url, auth } => {
                let response = http
                    .get(&**url)
                    .header(reqwest::header::AUTHORIZATION, &**auth)
                    .send()
                    .await?
                    .error_for_status()?;
                let body = response.bytes().await?;
                Ok(baseline::decode::<Vec<baseline::Binding>>(&body)?.len())
            }
        }
    }
}

async fn sequential(caller: &Caller, n: usize) -> Result<f64, BoxError> {
    let start = Instant::now();
    for _ in 0..n {
        caller.call().await?;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

async fn concurrent(caller: &Caller, total: usize, concurrency: usize) -> Result<f64, BoxError> {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let caller = caller.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < total {
                caller.call().await?;
            }
            Ok::<(), BoxError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = Args::parse(std::env::args().skip(1))?;
    let kinds = args.string("clients")?;
    let base_url = args.string("base-url")?;
    let account = args.string("account")?;
    let prefix = args.string("prefix")?;
    let token = args.string("token")?;
    let runs = args.count("runs", 5)?;
    let n = args.count("sequential", 2000)?;
    let total = args.count("concurrent", 6400)?;
    let concurrency = args.count("concurrency", 64)?;

    let mut callers = Vec::new();
    for kind in kinds.split(',') {
        let caller = match kind {
            "wrapper" => {
                let client = cf_bindings::Client::builder()
                    .base_url(base_url.clone())
                    .api_token(token.clone())
                    .build()?;
                Caller::Wrapper(
                    client
                        .account(account.as_str())
                        .prefix(prefix.as_str())
                        .bindings(),
                )
            }
            "baseline" => Caller::Baseline {
                http: reqwest::Client::builder().build()?,
                url: format!("{base_url}/accounts/{account}/addressing/prefixes/{prefix}/bindings")
                    .into(),
                auth: format!("Bearer {token}").into(),
            },
            other => return Err(format!("unknown client {other}").into()),
        };
        // Warm up: connections, allocator, page cache.
        sequential(&caller, 50).await?;
        concurrent(&caller, concurrency * 4, concurrency).await?;
        callers.push((
            kind,
            caller,
            Vec::with_capacity(runs),
            Vec::with_capacity(runs),
        ));
    }

    // The clients take turns within each run, so that drift in the machine's load
    // falls on all of them alike.
    for _ in 0..runs {
        for (_, caller, seq, conc) in &mut callers {
            seq.push(sequential(caller, n).await?);
            conc.push(concurrent(caller, total, concurrency).await?);
        }
    }
    for (kind, _, seq, conc) in callers {
        emit(&format!("requests.{kind}.sequential"), "req/s", seq)?;
        emit(&format!("requests.{kind}.concurrent"), "req/s", conc)?;
    }
    Ok(())
}
