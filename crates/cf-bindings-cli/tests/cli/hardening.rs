//! Secrets stay out of help, inputs that cannot work are refused, exit codes and
//! messages say what happened.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Stdio;

use super::{Emulated, assert_fails, bare, bare_std, stderr};

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";

#[test]
fn help_shows_no_value_of_any_environment_variable() {
    let secrets = [
        ("CLOUDFLARE_API_TOKEN", "token-secret-0001"),
        ("CLOUDFLARE_EMAIL", "email-secret-0002@example.com"),
        ("CLOUDFLARE_API_KEY", "key-secret-0003"),
        (
            "CLOUDFLARE_BASE_URL",
            "http://user:password-secret-0004@127.0.0.1:9/client/v4",
        ),
        ("CLOUDFLARE_ACCOUNT_ID", "account-secret-0005"),
    ];
    let commands: &[&[&str]] = &[
        &["--help"],
        &["-h"],
        &["help"],
        &["services", "--help"],
        &["services", "list", "--help"],
        &["bindings", "--help"],
        &["bindings", "list", "--help"],
        &["bindings", "get", "-h"],
        &["bindings", "create", "--help"],
        &["bindings", "delete", "--help"],
        &["bindings", "wait", "--help"],
        &["route", "--help"],
        &["completions", "--help"],
    ];
    for args in commands {
        let mut command = bare();
        command.args(*args);
        for (name, value) in secrets {
            command.env(name, value);
        }
        let output = command.output().expect("runs");
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        );
        // The options read from the environment are described in the program's
        // help; a command's help names them.
        if args.len() == 1 {
            assert!(shown.contains("CLOUDFLARE_BASE_URL"), "{args:?}: {shown}");
        } else {
            assert!(
                shown.contains("Global options, described in `cf-bindings --help`:")
                    && shown.contains("--base-url"),
                "{args:?}: {shown}"
            );
        }
        for (name, value) in secrets {
            let secret = value.split(['@', ':']).find(|part| part.contains("secret"));
            let secret = secret.unwrap_or(value);
            assert!(!shown.contains(secret), "{args:?} shows {name}: {shown}");
        }
    }
}

/// A token file of 20 MB, or a token on stdin that does not end, is refused after
/// the first 64 KiB.
#[test]
fn a_token_file_larger_than_the_cap_is_refused_unread() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("token");
    std::fs::write(&path, vec![b'a'; 20 * 1024 * 1024]).expect("written");
    let base = ["--base-url", "http://127.0.0.1:9/client/v4"];
    let output = bare()
        .args(base)
        .args(["--account", ACCOUNT, "--token-file"])
        .arg(&path)
        .args(["services", "list"])
        .output()
        .expect("runs");
    assert_fails(
        &output,
        2,
        "is larger than 64 KiB: an API token is about 40 bytes",
    );
    assert!(!stderr(&output).contains("aaaa"));

    let mut child = bare_std()
        .args(base)
        .args([
            "--account",
            ACCOUNT,
            "--token-file",
            "-",
            "services",
            "list",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdin = child.stdin.take().expect("a stdin");
    // 64 MiB, far more than the cap: a reader that stops at the cap closes the
    // pipe long before the writer is done; one that reads everything takes it all.
    let writer = std::thread::spawn(move || {
        let block = vec![b'a'; 64 * 1024];
        (0..1024).all(|_| stdin.write_all(&block).is_ok())
    });
    let output = child.wait_with_output().expect("runs");
    let all_taken = writer.join().expect("the writer ends");
    assert!(!all_taken, "the whole of stdin was read");
    assert_fails(&output, 2, "is larger than 64 KiB");
}

#[test]
fn a_zero_timeout_is_a_usage_error() {
    let emulated = Emulated::new();
    for zero in ["0", "0s", "0ms"] {
        let output = emulated.run(&["--timeout", zero, "services", "list"]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains("no time at all"), "{err}");
        assert!(output.stdout.is_empty());
    }
}

/// A local server that answers each request with what `respond` gives for its
/// request line (`GET /client/v4/...`), or closes the connection without an
/// answer when it gives `None`. Returns the base URL.
pub(super) fn raw_server(respond: fn(&str) -> Option<String>) -> String {
    head_server(move |head| respond(head.lines().next().unwrap_or_default()))
}

/// Like [`raw_server`], `respond` seeing the whole head of each request: its
/// request line and headers, as sent.
pub(super) fn head_server(respond: impl Fn(&str) -> Option<String> + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = listener.local_addr().expect("an address");
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request);
            if let Some(response) = respond(&text) {
                let _ = stream.write_all(response.as_bytes());
            }
        }
    });
    format!("http://{address}/client/v4")
}

#[test]
fn every_http_4xx_exits_3_even_without_the_envelope() {
    let base = raw_server(|_| {
        Some(
            "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/html\r\n\
             content-length: 23\r\nconnection: close\r\n\r\n<h1>431 Too Large</h1>\n"
                .to_owned(),
        )
    });
    let output = bare()
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
    assert_fails(&output, 3, "HTTP 431");
}

#[test]
fn logs_have_no_colour_codes_when_stderr_is_not_a_terminal() {
    let emulated = Emulated::new();
    let output = emulated
        .command()
        .env_remove("NO_COLOR")
        .args(["-v", "services", "list"])
        .output()
        .expect("runs");
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(err.contains("DEBUG"), "no log lines: {err}");
    assert!(!err.contains('\x1b'), "{err:?}");
}

#[test]
fn one_v_logs_the_client_not_the_embedded_emulator_and_two_log_both() {
    let emulated = Emulated::new();
    let run = |verbose: &str| {
        let output = emulated
            .command()
            .args([verbose, "services", "list"])
            .output()
            .expect("runs");
        assert!(output.status.success(), "{}", stderr(&output));
        stderr(&output)
    };
    let one = run("-v");
    assert!(one.contains("sending request"), "{one}");
    // The emulator's request log has the path; the client's lines do not.
    assert!(!one.contains("path=\"/client/v4"), "{one}");
    let two = run("-vv");
    assert!(two.contains("sending request"), "{two}");
    assert!(two.contains("path=\"/client/v4"), "{two}");
}

#[test]
fn missing_credentials_are_said_once() {
    let run = |env: &[(&str, &str)]| {
        let mut command = bare();
        command.args(["--account", ACCOUNT, "services", "list"]);
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().expect("runs")
    };
    let none = run(&[]);
    assert_eq!(none.status.code(), Some(2));
    assert_eq!(
        stderr(&none),
        "error: no credentials: set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and \
         CLOUDFLARE_API_KEY), pass --token-file, or try --emulated\n"
    );
    let half = run(&[("CLOUDFLARE_EMAIL", "someone@example.com")]);
    assert_fails(&half, 2, "CLOUDFLARE_API_KEY");
    let err = stderr(&half);
    assert!(err.contains("--emulated needs no credentials"), "{err}");
    assert!(!err.contains("someone@example.com"), "{err}");
    assert_eq!(err.matches("credentials").count(), 1, "{err}");
}

/// Services named with terminal escape sequences and a right-to-left override,
/// listed with a message holding a bidirectional isolate and a control character;
/// a binding list refused with an error message holding an escape sequence and an
/// override.
fn hostile(request_line: &str) -> Option<String> {
    let (status, body) = if request_line.contains("/addressing/services") {
        (
            "200 OK",
            r#"{"success":true,"errors":[],"messages":[{"code":1,"message":"\u2066isolated\u0001\u2069 note"}],"result":[{"id":"0ee3c9d2ed4e4ad4b8fcbe9a1e4b3e1c","name":"\u001b[31mEvil\u001b]0;title\u0007\u202egnp.exe"}]}"#,
        )
    } else {
        (
            "400 Bad Request",
            r#"{"success":false,"errors":[{"code":1000,"message":"\u001b[2Jcleared\rforged\u202e"}],"messages":[],"result":null}"#,
        )
    };
    Some(format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    ))
}

#[test]
fn escape_sequences_from_the_server_do_not_reach_the_terminal() {
    let base = raw_server(hostile);
    let run = |args: &[&str]| {
        bare()
            .env("CLOUDFLARE_API_TOKEN", "a-token")
            .args([
                "--base-url",
                &base,
                "--account",
                ACCOUNT,
                "--timeout",
                "10s",
            ])
            .args(args)
            .output()
            .expect("runs")
    };
    let unsafe_char = |c: char| {
        c.is_control() && c != '\n' || ('\u{2066}'..='\u{2069}').contains(&c) || c == '\u{202e}'
    };
    let listed = run(&["services", "list"]);
    let out = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(!out.contains(unsafe_char), "{out:?}");
    assert!(
        out.contains("\\u{1b}[31mEvil\\u{1b}]0;title\\u{7}\\u{202e}gnp.exe"),
        "{out}"
    );
    // The message, logged on stderr at the default verbosity, is escaped too.
    let err = stderr(&listed);
    assert!(!err.contains(unsafe_char), "{err:?}");
    assert!(
        err.contains("\\u{2066}isolated\\u{1}\\u{2069} note"),
        "{err}"
    );
    // JSON keeps the name as it is, escaped by JSON itself.
    let json = run(&["--output", "json", "services", "list"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        value[0]["name"],
        "\u{1b}[31mEvil\u{1b}]0;title\u{7}\u{202e}gnp.exe"
    );

    let refused = run(&[
        "bindings",
        "list",
        "--prefix",
        "2af39739cc4e3b5910c918468bb89828",
    ]);
    let err = stderr(&refused);
    assert_eq!(refused.status.code(), Some(3), "{err}");
    assert!(!err.contains(unsafe_char), "{err:?}");
    assert!(err.contains("\\u{1b}[2Jcleared forged\\u{202e}"), "{err}");
}
