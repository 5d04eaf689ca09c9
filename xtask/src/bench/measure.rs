//! The measurements, in the order a run makes them; each records its figures in the
//! run's report, or why it was skipped.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
};

use super::{
    ACCOUNT, BASE_BINDING, Bench, CDN_SERVICE, IPV6_PREFIX, IPV6_PREFIX_CIDR,
    MAGIC_TRANSIT_SERVICE, PREFIX, TOKEN, footprint, python,
    record::time_runs,
    tools::{self, command_works, parse_wrk},
};

/// The wrk script of the read load: the bearer token.
fn read_lua() -> String {
    format!("wrk.headers[\"Authorization\"] = \"Bearer {TOKEN}\"\n")
}

/// The wrk script of the write load: creates of distinct /64s of the demo IPv6
/// prefix (its base binding made first), each thread of each run (its index, the
/// script's argument) in a range of 10,000 of its own, so no create repeats another.
/// `@…@` stand for the token, the prefix's /48 without `::/48`, and the service.
const CREATE_LUA: &str = r#"
local counter = 0
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  counter = ((tonumber(args[1]) or 0) * 2 + id) * 10000
end
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer @TOKEN@"
wrk.headers["Content-Type"] = "application/json"
function request()
  counter = counter + 1
  local body = string.format('{"cidr":"@NETWORK@:%x::/64","service_id":"@SERVICE@"}', counter)
  return wrk.format(nil, nil, nil, body)
end
"#;

/// [`CREATE_LUA`] for the demo seed's IPv6 prefix, the token and the CDN service.
fn create_lua() -> Result<String, String> {
    let network = IPV6_PREFIX_CIDR.strip_suffix("::/48").ok_or_else(|| {
        format!("the write load needs a /48 written `…::/48`, not {IPV6_PREFIX_CIDR}")
    })?;
    Ok(CREATE_LUA
        .replace("@TOKEN@", TOKEN)
        .replace("@NETWORK@", network)
        .replace("@SERVICE@", CDN_SERVICE))
}

impl Bench {
    /// Every measurement, in order.
    pub(super) fn measure_all(&mut self) -> Result<(), String> {
        {
            let emulator = self.emulator(&[])?;
            let url = emulator.base_url.clone();
            self.requests(&url)?;
            self.cli(&url)?;
            self.read_load(&url)?;
        }
        self.write_load()?;
        self.decode()?;
        self.routing()?;
        if self.quick {
            self.report
                .skip("footprint skipped: --quick (a cold release build takes minutes)");
        } else {
            eprintln!("== 6. footprint");
            footprint::footprint(&mut self.report, &self.root, &self.dir)?;
        }
        self.bindings_as_code()?;
        self.client_cpu()?;
        Ok(())
    }

    fn emulator(&mut self, extra: &[&str]) -> Result<tools::Server, String> {
        tools::start_emulator(&mut self.report, &self.root, &self.bin, extra)
    }

    /// A script of `text` in the scratch directory.
    fn script(&self, name: &str, text: &str) -> Result<PathBuf, String> {
        let path = self.dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }

    fn requests(&mut self, url: &str) -> Result<(), String> {
        eprintln!("== 1. request overhead: wrapper and baseline, taking turns");
        let s = &self.settings;
        let (runs, sequential, concurrent) = (
            s.runs.to_string(),
            s.sequential.to_string(),
            s.concurrent.to_string(),
        );
        self.report.collect(
            &self.root,
            Command::new(self.bin.join("bench-requests")).args([
                "--clients",
                "wrapper,baseline",
                "--base-url",
                url,
                "--account",
                ACCOUNT,
                "--prefix",
                PREFIX,
                "--token",
                TOKEN,
                "--runs",
                &runs,
                "--sequential",
                &sequential,
                "--concurrent",
                &concurrent,
                "--concurrency",
                "64",
            ]),
        )?;
        let Some(python) = self.python.clone() else {
            return Ok(());
        };
        eprintln!("== 1. request overhead: Python SDK");
        let script = self.script("python_requests.py", python::REQUESTS)?;
        let result = self.report.collect(
            &self.root,
            Command::new(python)
                .env("CLOUDFLARE_API_TOKEN", TOKEN)
                .arg(&script)
                .args([
                    url,
                    ACCOUNT,
                    PREFIX,
                    &runs,
                    &self.settings.python_sequential.to_string(),
                    &self.settings.python_concurrent.to_string(),
                    "64",
                ]),
        );
        if let Err(e) = result {
            self.report
                .skip(&format!("Python SDK request overhead failed: {e}"));
        }
        Ok(())
    }

    /// One `bindings list` from process start to exit: the CLI, the Python SDK, and
    /// curl, the floor for any process that makes one request.
    fn cli(&mut self, url: &str) -> Result<(), String> {
        eprintln!("== 4. one-shot: the CLI, a Python SDK script, curl");
        let runs = self.settings.cli_runs;
        let mut cli = Command::new(self.bin.join("cf-bindings"));
        cli.env("CLOUDFLARE_API_TOKEN", TOKEN).args([
            "--base-url",
            url,
            "--account",
            ACCOUNT,
            "bindings",
            "list",
            "--prefix",
            PREFIX,
        ]);
        let times = time_runs(&mut self.report, &self.root, &mut cli, runs)?;
        self.report.add("cli.wrapper", "ms", times);
        if let Some(python) = self.python.clone() {
            let script = self.script("python_one_shot.py", python::ONE_SHOT)?;
            let mut one_shot = Command::new(python);
            one_shot
                .env("CLOUDFLARE_API_TOKEN", TOKEN)
                .arg(&script)
                .args([url, ACCOUNT, PREFIX]);
            match time_runs(&mut self.report, &self.root, &mut one_shot, runs) {
                Ok(v) => self.report.add("cli.python", "ms", v),
                Err(e) => self.report.skip(&format!("Python one-shot failed: {e}")),
            }
        }
        if !command_works("curl", &["--version"]) {
            self.report
                .skip("curl one-shot skipped: curl is not installed");
            return Ok(());
        }
        let mut curl = Command::new("curl");
        curl.args(["--silent", "--fail", "--header"])
            .arg(format!("Authorization: Bearer {TOKEN}"))
            .arg(format!(
                "{url}/accounts/{ACCOUNT}/addressing/prefixes/{PREFIX}/bindings"
            ));
        let times = time_runs(&mut self.report, &self.root, &mut curl, runs)?;
        self.report.add("cli.curl", "ms", times);
        Ok(())
    }

    /// wrk: `-t2 -c64` on `url` for the configured time, per run; `prefix` names the
    /// figures (`.rps`, `.p99`, `.errors`).
    fn wrk(&mut self, prefix: &str, script: &str, url: &str) -> Result<(), String> {
        let lua = self.script(&format!("{prefix}.lua"), script)?;
        let (mut rps, mut p99, mut errors) = (Vec::new(), Vec::new(), Vec::new());
        for run in 0..self.settings.wrk_runs {
            let out = self.report.run(
                &self.root,
                Command::new("wrk")
                    .args(["-t2", "-c64"])
                    .arg(format!("-d{}s", self.settings.wrk_seconds))
                    .arg("--latency")
                    .arg("-s")
                    .arg(&lua)
                    .arg(url)
                    .args(["--", &run.to_string()]),
            )?;
            let (r, p, e) =
                parse_wrk(&out).ok_or_else(|| format!("cannot read wrk's output:\n{out}"))?;
            rps.push(r);
            p99.push(p);
            errors.push(e as f64);
        }
        self.report.add(&format!("{prefix}.rps"), "req/s", rps);
        self.report.add(&format!("{prefix}.p99"), "ms", p99);
        self.report
            .add(&format!("{prefix}.errors"), "errors", errors);
        Ok(())
    }

    /// The emulator's list under wrk, and the same answer from the smallest server.
    fn read_load(&mut self, url: &str) -> Result<(), String> {
        if !self.have_wrk {
            return Ok(());
        }
        eprintln!("== 5. emulator under load, and a fixed-body server beside it");
        let list_url = format!("{url}/accounts/{ACCOUNT}/addressing/prefixes/{PREFIX}/bindings");
        self.wrk("emulator", &read_lua(), &list_url)?;
        let fixed = start_fixed_server(&self.bin.join("bench-fixed-server"), &list_url)?;
        let fixed_url = format!("{}/fixed", fixed.base_url);
        self.wrk("fixed_server", &read_lua(), &fixed_url)
    }

    /// The emulator saving its state file (an fsync per write) under creates.
    fn write_load(&mut self) -> Result<(), String> {
        if !self.have_wrk {
            return Ok(());
        }
        eprintln!("== 5. emulator with --state FILE under a write-heavy load (creates)");
        let state = self.dir.join("write-load-state.json");
        let _ = std::fs::remove_file(&state);
        let state_arg = state.to_string_lossy().into_owned();
        let emulator = self.emulator(&["--state", &state_arg])?;
        let bindings = format!(
            "{}/accounts/{ACCOUNT}/addressing/prefixes/{IPV6_PREFIX}/bindings",
            emulator.base_url
        );
        // The base binding first: the creates go inside it.
        tools::post_json(
            &mut self.report,
            &bindings,
            TOKEN,
            &format!(r#"{{"cidr":"{IPV6_PREFIX_CIDR}","service_id":"{MAGIC_TRANSIT_SERVICE}"}}"#),
        )?;
        self.wrk("emulator_writes", &create_lua()?, &bindings)
    }

    fn decode(&mut self) -> Result<(), String> {
        eprintln!("== 2. decode");
        self.in_memory("bench-decode", "--samples", ["20", "400"])
    }

    fn routing(&mut self) -> Result<(), String> {
        eprintln!("== 3. routing");
        self.in_memory("bench-routing", "--lookups", ["200000", "1000000"])
    }

    /// A benchmark program that needs no server: `--runs`, and `option` with its
    /// value for `--quick` or for a full run.
    fn in_memory(
        &mut self,
        program: &str,
        option: &str,
        [quick, full]: [&str; 2],
    ) -> Result<(), String> {
        let runs = self.settings.runs.to_string();
        self.report.collect(
            &self.root,
            Command::new(self.bin.join(program)).args([
                "--runs",
                &runs,
                option,
                if self.quick { quick } else { full },
            ]),
        )
    }

    fn bindings_as_code(&mut self) -> Result<(), String> {
        eprintln!("== 7. bindings as code: plan, and apply against a fresh emulator");
        let emulator = self.emulator(&[])?;
        let (runs, creates) = (
            self.settings.runs.to_string(),
            self.settings.creates.to_string(),
        );
        self.report.collect(
            &self.root,
            Command::new(self.bin.join("bench-desired")).args([
                "--runs",
                &runs,
                "--plan-size",
                "10000",
                "--base-url",
                &emulator.base_url,
                "--account",
                ACCOUNT,
                "--prefix",
                IPV6_PREFIX,
                "--prefix-cidr",
                IPV6_PREFIX_CIDR,
                "--token",
                TOKEN,
                "--creates",
                &creates,
            ]),
        )
    }

    /// CPU per call of the wrapper and the baseline (one process, taking turns),
    /// then of the Python SDK, against one fresh emulator.
    fn client_cpu(&mut self) -> Result<(), String> {
        eprintln!("== 8. client CPU per call: wrapper, baseline, Python SDK");
        let emulator = self.emulator(&[])?;
        let s = &self.settings;
        let (runs, calls, large) = (
            s.runs.to_string(),
            s.cpu_calls.to_string(),
            s.cpu_large_calls.to_string(),
        );
        self.report.collect(
            &self.root,
            Command::new(self.bin.join("bench-cpu")).args([
                "--clients",
                "wrapper,baseline",
                "--base-url",
                &emulator.base_url,
                "--account",
                ACCOUNT,
                "--token",
                TOKEN,
                "--small-prefix",
                PREFIX,
                "--binding",
                BASE_BINDING,
                "--large-prefix",
                IPV6_PREFIX,
                "--large-cidr",
                IPV6_PREFIX_CIDR,
                "--runs",
                &runs,
                "--calls",
                &calls,
                "--large-calls",
                &large,
            ]),
        )?;
        let Some(python) = self.python.clone() else {
            return Ok(());
        };
        let script = self.script("python_cpu.py", python::CPU)?;
        let result = self.report.collect(
            &self.root,
            Command::new(python)
                .env("CLOUDFLARE_API_TOKEN", TOKEN)
                .arg(&script)
                .args([
                    emulator.base_url.as_str(),
                    ACCOUNT,
                    PREFIX,
                    BASE_BINDING,
                    IPV6_PREFIX,
                    IPV6_PREFIX_CIDR,
                    &runs,
                    &calls,
                    &large,
                ]),
        );
        if let Err(e) = result {
            self.report.skip(&format!("Python SDK CPU failed: {e}"));
        }
        Ok(())
    }
}

/// `bench-fixed-server`, started with the token, answering what `from` answers;
/// killed when dropped.
fn start_fixed_server(program: &std::path::Path, from: &str) -> Result<tools::Server, String> {
    let mut child = Command::new(program)
        .args(["--from", from, "--token", TOKEN])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    // Killed when dropped, on the error below too.
    let server = tools::Server {
        child,
        base_url: line.trim().to_owned(),
    };
    if !server.base_url.starts_with("http://") {
        return Err(format!("{} did not start", program.display()));
    }
    Ok(server)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_load_script_is_filled_in() {
        let lua = create_lua().expect("the demo prefix is a /48");
        assert!(!lua.contains('@'), "a placeholder is left:\n{lua}");
        assert!(lua.contains(r#""Bearer emulator-token""#));
        assert!(lua.contains(
            r#"'{"cidr":"2001:db8:1000:%x::/64","service_id":"7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b"}'"#
        ));
        assert_eq!(
            read_lua(),
            "wrk.headers[\"Authorization\"] = \"Bearer emulator-token\"\n"
        );
    }
}
