//! Against a server that misbehaves on a fifth of all requests (the emulator's chaos
//! mode, every fault kind), randomized applies make no duplicate, report nothing the
//! server's state contradicts, and converge within a few runs: a small run of
//! `cargo xtask chaos`, with its harness.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use cf_bindings_emulator::{Emulator, EmulatorConfig};
use xtask::chaos::{Server, Settings, Target, measure};

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
        files: 5,
        seed: 1,
        max_runs: 6,
        kinds: Vec::new(),
        retry_after: None,
        max_delay_ms: None,
    };
    let target = Target {
        cli: Path::new(env!("CARGO_BIN_EXE_cf-bindings")),
        server: &server,
        workdir: dir.path(),
    };
    let measured = measure(&target, &settings, &mut |_| {}).expect("the harness runs");
    let table = measured.table();
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
