//! The programs a run needs besides the benchmark programs: the emulator, the Python
//! SDK in a virtualenv, wrk; and a description of the machine.

use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use super::record::{Report, describe, relative};

/// A server a run started (the emulator, the fixed-body server): killed when dropped.
pub struct Server {
    pub child: Child,
    pub base_url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Starts the emulator built in `bin` on a free port (provisioning delay 0, the
/// demo seed), with `extra` arguments, and waits until it listens.
pub fn start_emulator(
    report: &mut Report,
    root: &Path,
    bin: &Path,
    extra: &[&str],
) -> Result<Server, String> {
    let port = free_port()?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut cmd = Command::new(bin.join("cf-bindings-emulator"));
    cmd.args(["--listen", &addr.to_string(), "--provisioning-delay", "0"])
        .args(extra);
    let line = describe(&cmd);
    report.commands.push(relative(root, &line) + " &");
    eprintln!("$ {line} &");
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{line}: {e}"))?;
    let emulator = Server {
        child,
        base_url: format!("http://{addr}/client/v4"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("the emulator did not listen on {addr} within 20 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(emulator)
}

/// POSTs the JSON `body` to `url` with the bearer `token`, made here rather than by a
/// program such as curl (which a fresh machine may lack); recorded in the report as
/// the equivalent request.
pub fn post_json(report: &mut Report, url: &str, token: &str, body: &str) -> Result<(), String> {
    let line = format!("# POST {url} '{body}' (a bearer token; made by xtask itself)");
    report.commands.push(line.clone());
    eprintln!("{line}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
    let request = async {
        let response = reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            let text = response.text().await.unwrap_or_default();
            Err(format!("HTTP {status}: {text}"))
        }
    };
    runtime
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(20), request)
                .await
                .unwrap_or_else(|_| Err("no answer within 20 s".to_owned()))
        })
        .map_err(|e| format!("POST {url}: {e}"))
}

pub fn command_works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The pinned Python SDK and everything it installs, shared with the interop check.
pub const PYTHON_REQUIREMENTS: &str = "interop/python/requirements.txt";

/// A virtualenv with the official `cloudflare` SDK at the version pinned in
/// [`PYTHON_REQUIREMENTS`], or why there is none. An existing one is reused while
/// its copy of the requirements matches the file.
pub fn python_sdk(report: &mut Report, root: &Path, dir: &Path) -> Result<PathBuf, String> {
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    let requirements = root.join(PYTHON_REQUIREMENTS);
    let pinned = std::fs::read(&requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let stamp = venv.join("requirements.txt");
    let installed = std::fs::read(&stamp).ok();
    if installed.as_deref() == Some(pinned.as_slice())
        && command_works(&python.to_string_lossy(), &["-c", "import cloudflare"])
    {
        eprintln!("reusing {}", venv.display());
    } else {
        if !command_works("python3", &["--version"]) {
            return Err("python3 is not installed".to_owned());
        }
        let _ = std::fs::remove_dir_all(&venv);
        report
            .run(
                root,
                Command::new("python3").args(["-m", "venv"]).arg(&venv),
            )
            .map_err(|e| {
                format!("cannot create a virtualenv ({e}); on Debian: apt-get install python3-venv")
            })?;
        report
            .run(
                root,
                Command::new(&python)
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        "--require-virtualenv",
                        "-r",
                    ])
                    .arg(&requirements),
            )
            .map_err(|e| {
                format!(
                    "cannot install the `cloudflare` SDK from PyPI ({PYTHON_REQUIREMENTS}): {e}"
                )
            })?;
        std::fs::write(&stamp, &pinned).map_err(|e| format!("{}: {e}", stamp.display()))?;
    }
    let version = Command::new(&python)
        .args(["-c", "import cloudflare; print(cloudflare.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    report.notes.push(format!(
        "Python SDK: `cloudflare` {version} from PyPI, pinned in `{PYTHON_REQUIREMENTS}`"
    ));
    Ok(python)
}

/// `wrk`, installed from Debian's packages when missing.
pub fn wrk(report: &mut Report, root: &Path) -> Result<(), String> {
    if command_works("wrk", &["--version"]) || Command::new("wrk").output().is_ok() {
        return Ok(());
    }
    let install = |report: &mut Report| {
        report.run(
            root,
            Command::new("apt-get").args(["install", "-y", "-q", "wrk"]),
        )
    };
    if install(report).is_err() {
        let _ = report.run(root, Command::new("apt-get").args(["update", "-q"]));
        install(report).map_err(|e| format!("cannot install wrk with apt-get ({e})"))?;
    }
    Ok(())
}

/// Parses wrk's `--latency` output: requests/s, p99 in ms, errors.
pub fn parse_wrk(output: &str) -> Option<(f64, f64, u64)> {
    let mut rps = None;
    let mut p99 = None;
    let mut errors = 0u64;
    for line in output.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            rps = rest.trim().parse().ok();
        } else if let Some(rest) = line.strip_prefix("99%") {
            p99 = parse_wrk_duration(rest.trim());
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += rest.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            errors += rest
                .split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Some((rps?, p99?, errors))
}

/// `1.23ms`, `456.00us`, `1.2s` → milliseconds.
pub fn parse_wrk_duration(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.trim().parse().ok()?;
    Some(match unit {
        "us" => value / 1e3,
        "ms" => value,
        "s" => value * 1e3,
        "m" => value * 60e3,
        _ => return None,
    })
}

pub fn machine() -> Vec<String> {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown", |(_, m)| m.trim())
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let mem = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or("unknown".to_owned(), |kb| {
            format!("{:.1} GiB", kb / 1048576.0)
        });
    let output = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    vec![
        format!("CPU: {model}, {cores} cores available"),
        format!("Memory: {mem}"),
        format!("OS: {}", output("uname", &["-srm"])),
        format!("Rust: {}", output("rustc", &["--version"])),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrk() {
        let out = "Running 10s test @ http://127.0.0.1:1/x\n  Latency Distribution\n     50%    1.00ms\n     99%  850.00us\n  12 requests\nRequests/sec:  41234.56\nTransfer/sec:      9.00MB\n";
        assert_eq!(parse_wrk(out), Some((41234.56, 0.85, 0)));
        let out = "  Socket errors: connect 0, read 2, write 0, timeout 1\nNon-2xx or 3xx responses: 4\n     99%    2.5s\nRequests/sec: 10\n";
        assert_eq!(parse_wrk(out), Some((10.0, 2500.0, 7)));
    }
}
