//! A failure ends in one line on stderr and the documented exit code: bad input
//! (2), missing credentials (2), an unreachable server (4), a token from standard
//! input that Cloudflare refuses (3, the token never printed; the right one
//! works).

use super::{BASE_BINDING, Emulated, PREFIX, assert_fails, bare, stderr};

#[test]
fn bad_input_gives_one_line_and_the_documented_exit_code() {
    let emulated = Emulated::new();
    let create = |cidr: &str, service: &str| {
        emulated.run(&["bindings", "create", "--cidr", cidr, "--service", service])
    };
    assert_fails(
        &create("203.0.113.7/24", "CDN"),
        2,
        "203.0.113.7/24 has host bits set; did you mean 203.0.113.0/24?",
    );
    assert_fails(&create("203.0.113.300/32", "CDN"), 2, "invalid CIDR");
    assert_fails(
        &create("203.0.113.8/32", "Teleport"),
        2,
        "no service named \"Teleport\"; available: Magic Transit, CDN, Spectrum",
    );
    assert_fails(
        &emulated.run(&[
            "bindings",
            "list",
            "--prefix",
            "ffffffffffffffffffffffffffffffff",
        ]),
        3,
        "HTTP 404: Cloudflare error 1002",
    );
    assert_fails(&emulated.run(&["bindings", "get", "../x"]), 2, "../x");
    assert_fails(
        &emulated.run(&["route", "203.0.113.7", "1.2.3"]),
        2,
        "`1.2.3` is not an IPv4 or IPv6 address",
    );
    // In none of the account's prefixes: refused before anything is sent.
    assert_fails(
        &create("198.51.100.0/24", "CDN"),
        2,
        "198.51.100.0/24 is in none of the account's 2 prefixes (203.0.113.0/24, 2001:db8:1000::/48): nothing was created",
    );
    // Sent to a prefix it is not in: a rule of Cloudflare's, enforced by the emulator.
    assert_fails(
        &emulated.run(&[
            "bindings",
            "create",
            "--prefix",
            PREFIX,
            "--cidr",
            "198.51.100.0/24",
            "--service",
            "CDN",
        ]),
        3,
        "HTTP 400",
    );
    // A binding in none of the prefixes.
    assert_fails(
        &emulated.run(&["bindings", "get", "ffffffffffffffffffffffffffffffff"]),
        3,
        "binding ffffffffffffffffffffffffffffffff is in none of the account's 2 prefixes",
    );
    assert_fails(
        &emulated.run(&[
            "route",
            "--prefix",
            "ffffffffffffffffffffffffffffffff",
            "203.0.113.7",
        ]),
        3,
        "get prefix details: HTTP 404",
    );
    assert_fails(
        &emulated.run(&["export", "--prefix", "ffffffffffffffffffffffffffffffff"]),
        3,
        "prefix ffffffffffffffffffffffffffffffff is not one of the account's 2 prefixes",
    );
    // No terminal to confirm on.
    assert_fails(
        &emulated.run(&["bindings", "delete", BASE_BINDING]),
        2,
        "no terminal to confirm on; pass --yes",
    );
}

#[test]
fn missing_credentials() {
    let output = bare()
        .args([
            "--account",
            "023e105f4ecef8ad9ca31a8372d0c353",
            "bindings",
            "list",
        ])
        .args(["--prefix", PREFIX])
        .output()
        .expect("runs");
    assert_fails(&output, 2, "no credentials");
    assert!(stderr(&output).contains("set CLOUDFLARE_API_TOKEN"));
    assert!(stderr(&output).contains("or try --emulated"));
}

#[test]
fn unreachable_base_url() {
    // Port 9 (discard) on loopback: nothing listens there.
    let output = bare()
        .env("CLOUDFLARE_API_TOKEN", "a-token")
        .env("CLOUDFLARE_ACCOUNT_ID", "023e105f4ecef8ad9ca31a8372d0c353")
        .args([
            "--base-url",
            "http://127.0.0.1:9/client/v4",
            "--timeout",
            "5s",
        ])
        .args(["services", "list"])
        .output()
        .expect("runs");
    assert_fails(&output, 4, "could not connect");
}

#[test]
fn a_token_from_stdin_against_a_running_emulator() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let emulator = runtime
        .block_on(cf_bindings_emulator::Emulator::start(Default::default()))
        .expect("the emulator starts");
    let base = ["--base-url", &emulator.base_url()].map(str::to_owned);
    let account = ["--account", cf_bindings_emulator::DEMO_ACCOUNT_ID];

    let good = bare()
        .args(&base)
        .args(account)
        .args(["--token-file", "-", "bindings", "list", "--prefix", PREFIX])
        .write_stdin(format!("{}\n", cf_bindings_emulator::DEFAULT_API_TOKEN))
        .output()
        .expect("runs");
    assert!(good.status.success(), "{}", stderr(&good));
    assert!(String::from_utf8_lossy(&good.stdout).contains(BASE_BINDING));

    let secret = "wrong-token-never-printed";
    let bad = bare()
        .args(&base)
        .args(account)
        .args(["--token-file", "-", "services", "list"])
        .write_stdin(secret)
        .output()
        .expect("runs");
    assert_fails(&bad, 3, "HTTP 403");
    assert!(stderr(&bad).contains("check the credentials"));
    assert!(
        !stderr(&bad).contains(secret) && !String::from_utf8_lossy(&bad.stdout).contains(secret)
    );
    drop(emulator);
}
