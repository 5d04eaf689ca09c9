//! The binary's chaos options, from flags or the environment, and their refusals.

use super::*;

/// Starts the binary with `args` and `env`; returns it and its base URL.
fn spawn_binary(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cf-bindings-emulator"));
    for name in [
        "CF_EMULATOR_CHAOS",
        "CF_EMULATOR_CHAOS_SEED",
        "CF_EMULATOR_CHAOS_KINDS",
    ] {
        command.env_remove(name);
    }
    let mut child = command
        .args(["--listen", "127.0.0.1:0", "--provisioning-delay", "0"])
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_owned())
}

#[tokio::test]
async fn the_binary_takes_chaos_from_flags_or_the_environment() {
    let flags: &[&str] = &[
        "--chaos",
        "1",
        "--chaos-kinds",
        "rate_limit",
        "--chaos-retry-after",
        "4",
    ];
    let env: &[(&str, &str)] = &[
        ("CF_EMULATOR_CHAOS", "1"),
        ("CF_EMULATOR_CHAOS_KINDS", "rate_limit"),
        ("CF_EMULATOR_CHAOS_RETRY_AFTER", "4"),
    ];
    for (args, env) in [(flags, &[][..]), (&[][..], env)] {
        let (mut child, base) = spawn_binary(args, env);
        let emu = Emu {
            running: None,
            root: base.trim_end_matches("/client/v4").to_owned(),
            base,
            client: reqwest::Client::new(),
        };
        let answer = list(&emu).await;
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(
            answer,
            Seen::Answer {
                status: 429,
                json: true,
                success: Some(false),
                retry_after: Some("4".to_owned()),
                html: false
            },
            "{args:?} {env:?}"
        );
    }
}

#[test]
fn the_binary_refuses_bad_chaos_options() {
    for (args, expected) in [
        (&["--chaos", "1.5"][..], "must be from 0 to 1"),
        (
            &["--chaos", "0.2", "--chaos-kinds", "delay,boom"][..],
            "unknown fault kind \"boom\"",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_cf-bindings-emulator"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env_remove("CF_EMULATOR_CHAOS")
            .env_remove("CF_EMULATOR_CHAOS_KINDS")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}
