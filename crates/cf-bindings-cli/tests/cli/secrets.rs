//! A server that feeds the client's own credentials back through every header and
//! field it can: none of it reaches stdout or stderr, at any verbosity, in tables
//! or JSON. And an answer with a thousand messages logs a few lines, not a
//! thousand.

use std::process::Output;

use super::hardening::head_server;
use super::{bare, stderr};

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const SERVICE: &str = "0ee3c9d2ed4e4ad4b8fcbe9a1e4b3e1c";
const BINDING: &str = "0429b49b6a5155297b78e75a44b09e14";

/// The credentials: mixed case (a host name in a redirect comes back lowercased),
/// and no run of eight characters of them is likely in ordinary output.
const TOKEN: &str = "TOKzXqWvLmRwKpNjYtGhQsVbXz";
const EMAIL: &str = "opsQzXwVyJk@QzMbRtWx.test";
const KEY: &str = "KEYgHqZwXvJkRtYpLmNbVcXsQw";

/// What the server does, by the prefix of the request.
const PREFIXES: [(&str, &str); 7] = [
    ("echoed", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01"),
    ("refused", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa02"),
    ("html", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa03"),
    ("bad cidr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa04"),
    ("redirect", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa05"),
    ("not json", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa06"),
    ("bad state", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa07"),
];

fn prefix(scenario: &str) -> &'static str {
    PREFIXES
        .iter()
        .find(|(name, _)| *name == scenario)
        .map(|(_, id)| *id)
        .expect("a scenario")
}

/// The value of header `name` in a request head, if sent.
fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn response(status: &str, content_type: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Answers with the request's credentials in every header and field: `cf-ray`,
/// `content-type`, messages, errors, service names, states, CIDRs, HTML bodies and
/// a redirect's `Location`.
fn echo(head: &str) -> Option<String> {
    let line = head.lines().next().unwrap_or_default();
    // The credentials as sent: `Bearer <token>`, or the email and the key.
    let echo = match header(head, "authorization") {
        Some(bearer) => bearer.to_owned(),
        None => format!(
            "{} {}",
            header(head, "x-auth-email").unwrap_or_default(),
            header(head, "x-auth-key").unwrap_or_default()
        ),
    };
    let last = echo.rsplit(' ').next().unwrap_or_default().to_owned();
    let text = serde_json::Value::String(format!("echo: {echo}")).to_string();
    let json_type = format!("application/json; charset={echo}");
    // Cut after 64 characters, in the middle of the echo.
    let ray = format!("cf-ray: ray-{}-{echo}\r\n", "0".repeat(40));
    let messages = format!(
        r#"[{{"code":1,"message":{text},"documentation_url":{text},"source":{{"pointer":{text}}}}}]"#
    );
    let binding = |cidr: &str, state: &str| {
        format!(
            r#"{{"id":"{BINDING}","cidr":{cidr},"service_id":"{SERVICE}","service_name":{text},"provisioning":{{"state":{state}}}}}"#
        )
    };
    let echoed = binding(r#""192.0.2.0/24""#, r#""active""#);
    let success = |result: &str| {
        format!(r#"{{"success":true,"errors":[],"messages":{messages},"result":{result}}}"#)
    };
    let refusal = format!(
        r#"{{"success":false,"errors":[{{"code":1000,"message":{text}}}],"messages":{messages},"result":null}}"#
    );
    let scenario = PREFIXES
        .iter()
        .find(|(_, id)| line.contains(id))
        .map_or("services", |(name, _)| *name);
    Some(match scenario {
        "echoed" if line.starts_with("POST ") => {
            response("201 Created", &json_type, &ray, &success(&echoed))
        }
        "echoed" if line.contains(BINDING) => {
            response("200 OK", &json_type, &ray, &success(&echoed))
        }
        "echoed" => response("200 OK", &json_type, &ray, &success(&format!("[{echoed}]"))),
        "refused" => response("400 Bad Request", &json_type, &ray, &refusal),
        "html" => response(
            "403 Forbidden",
            &format!("text/html; {echo}"),
            &ray,
            &format!("<html><pre>{echo}</pre></html>"),
        ),
        "bad cidr" => response(
            "200 OK",
            &json_type,
            &ray,
            &success(&format!("[{}]", binding(&text, r#""active""#))),
        ),
        "redirect" => response(
            "307 Temporary Redirect",
            "text/html",
            &format!("location: http://{last}.invalid/{last}?{last}\r\n{ray}"),
            "",
        ),
        "not json" => response("200 OK", &json_type, &ray, &format!("<p>{echo}</p>")),
        "bad state" => response(
            "200 OK",
            &json_type,
            &ray,
            &success(&format!("[{}]", binding(r#""192.0.2.0/24""#, &text))),
        ),
        _ => response(
            "200 OK",
            &json_type,
            &ray,
            &success(&format!(r#"[{{"id":"{SERVICE}","name":{text}}}]"#)),
        ),
    })
}

/// What no output may hold of `secret`: itself in any case, or any eight
/// characters of it in a row.
fn assert_hidden(shown: &str, secret: &str, what: &str) {
    let shown = shown.to_ascii_lowercase();
    let secret = secret.to_ascii_lowercase();
    for window in secret.as_bytes().windows(8) {
        let part = String::from_utf8_lossy(window);
        assert!(
            !shown.contains(part.as_ref()),
            "{what}: {part:?} in {shown}"
        );
    }
}

#[test]
fn credentials_echoed_by_the_server_never_print() {
    let base = head_server(echo);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, TOKEN).expect("written");

    // Each command, and whether it succeeds.
    let commands: Vec<(Vec<&str>, bool)> = vec![
        (vec!["services", "list"], true),
        (vec!["bindings", "list", "--prefix", prefix("echoed")], true),
        (
            vec!["bindings", "get", "--prefix", prefix("echoed"), BINDING],
            true,
        ),
        (
            vec![
                "bindings",
                "create",
                "--prefix",
                prefix("echoed"),
                "--cidr",
                "192.0.2.0/24",
                "--service",
                SERVICE,
            ],
            true,
        ),
        (
            vec!["bindings", "list", "--prefix", prefix("bad state")],
            true,
        ),
        (
            vec!["bindings", "list", "--prefix", prefix("refused")],
            false,
        ),
        (
            vec![
                "bindings",
                "create",
                "--prefix",
                prefix("refused"),
                "--cidr",
                "192.0.2.0/24",
                "--service",
                SERVICE,
            ],
            false,
        ),
        (vec!["bindings", "list", "--prefix", prefix("html")], false),
        (
            vec!["bindings", "list", "--prefix", prefix("bad cidr")],
            false,
        ),
        (
            vec!["bindings", "get", "--prefix", prefix("redirect"), BINDING],
            false,
        ),
        (
            vec!["bindings", "list", "--prefix", prefix("not json")],
            false,
        ),
    ];
    let auths: [(&str, &[&str]); 2] = [("token", &[TOKEN]), ("email and key", &[EMAIL, KEY])];
    let run = |auth: &str, verbosity: Option<&str>, output: &str, args: &[&str]| -> Output {
        let mut command = bare();
        command.args(["--base-url", &base, "--account", ACCOUNT]);
        command.args(["--timeout", "10s", "--rate", "off", "--output", output]);
        match auth {
            "token" => {
                command.arg("--token-file").arg(&token_file);
            }
            _ => {
                command
                    .env("CLOUDFLARE_EMAIL", EMAIL)
                    .env("CLOUDFLARE_API_KEY", KEY);
            }
        }
        command.args(verbosity).args(args).output().expect("runs")
    };
    // One thread per credential kind and verbosity: 132 runs of the binary.
    std::thread::scope(|scope| {
        for (auth, secrets) in auths {
            for verbosity in [None, Some("-v"), Some("-vv")] {
                let (run, commands) = (&run, &commands);
                scope.spawn(move || {
                    for output in ["table", "json"] {
                        for (args, succeeds) in commands {
                            let what = format!("{auth}, {verbosity:?}, {output}, {args:?}");
                            let done = run(auth, verbosity, output, args);
                            let err = stderr(&done);
                            assert_eq!(done.status.success(), *succeeds, "{what}: {err}");
                            let shown = format!("{}{err}", String::from_utf8_lossy(&done.stdout));
                            // The echo reached the output, masked.
                            assert!(shown.contains("[redacted]"), "{what}: {shown}");
                            for secret in secrets {
                                assert_hidden(&shown, secret, &what);
                            }
                            // A loopback base URL in plain HTTP is not worth a warning.
                            assert!(!err.contains("not loopback"), "{what}: {err}");
                        }
                    }
                });
            }
        }
    });
}

/// Services listed with a thousand messages.
fn chatty(_: &str) -> Option<String> {
    let messages: Vec<String> = (0..1000)
        .map(|i| format!(r#"{{"code":{i},"message":"note {i}"}}"#))
        .collect();
    let body = format!(
        r#"{{"success":true,"errors":[],"messages":[{}],"result":[{{"id":"{SERVICE}","name":"CDN"}}]}}"#,
        messages.join(",")
    );
    Some(response("200 OK", "application/json", "", &body))
}

#[test]
fn a_thousand_messages_log_a_few_lines() {
    let base = head_server(chatty);
    let run = bare()
        .env("CLOUDFLARE_API_TOKEN", "a-token")
        .args([
            "--base-url",
            &base,
            "--account",
            ACCOUNT,
            "--timeout",
            "10s",
        ])
        .args(["services", "list"])
        .output()
        .expect("runs");
    let err = stderr(&run);
    assert!(run.status.success(), "{err}");
    assert_eq!(err.lines().count(), 4, "{err}");
    for shown in [
        "note 0",
        "note 1",
        "note 2",
        "… and 997 more Cloudflare messages",
    ] {
        assert!(err.contains(shown), "{shown:?} not in {err}");
    }
    assert!(!err.contains("note 3"), "{err}");
}
