//! Against a server that misbehaves on a fifth of all requests (the emulator's chaos
//! mode, every fault kind), randomized applies make no duplicate, report nothing the
//! server's state contradicts, and converge within two runs: a small run of
//! `cargo xtask chaos`, with its harness.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use cf_bindings_emulator::{Emulator, EmulatorConfig};
use xtask::chaos::{Server, Settings, Target, measure};

/// Three files at rate 0.2 (seed 1: 46 changes, 73 requests, a dozen faults of
/// several kinds, the same on every run since the CLI sends its requests in order);
/// `Retry-After: 0` and delays of at most 50 ms keep it to a few seconds, the
/// client's own backoff being most of it. The full run is `cargo xtask chaos`
/// (BENCHMARKS.md).
#[test]
fn applies_under_chaos_converge_and_report_the_truth() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let running = runtime
        .block_on(Emulator::start(EmulatorConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            faults: true,
            provisioning_delay: Duration::ZERO,
            ..EmulatorConfig::default()
        }))
        .expect("the emulator starts");
    let server = Server::new(&running.base_url()).expect("the harness's client");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let settings = Settings {
        rate: 0.2,
        files: 3,
        seed: 1,
        max_runs: 2,
        kinds: Vec::new(),
        retry_after: Some(0),
        max_delay_ms: Some(50),
    };
    let target = Target {
        cli: Path::new(env!("CARGO_BIN_EXE_cf-bindings")),
        server: &server,
        workdir: dir.path(),
    };
    let measured = measure(&target, &settings, &mut |_| {}).expect("the harness runs");
    let table = measured.table();
    let injected: u64 = measured
        .files
        .iter()
        .flat_map(|f| &f.runs)
        .map(|r| r.injected)
        .sum();
    assert!(injected >= 5, "the run met faults: {table}");
    assert!(measured.duplicates().is_empty(), "{table}");
    assert!(measured.contradictions().is_empty(), "{table}");
    assert_eq!(
        measured.converged_within(settings.max_runs),
        settings.files,
        "{table}"
    );
    drop(server);
    runtime
        .block_on(running.shutdown())
        .expect("the emulator stops");
}
