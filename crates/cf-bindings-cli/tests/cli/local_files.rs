//! The files the CLI writes and reads on this machine: a saved plan and an export
//! are new files of mode 0600 whatever the umask, written whole, never through a
//! planted symbolic link, and never over an existing file without `--force`; a
//! FIFO or a device given as a file to read is refused at once; a token file that
//! other users may read is warned of.
#![cfg(unix)]

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::{Emulated, PREFIX, assert_fails, bare_std, scrubbed, stderr};

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
/// Nothing listens on port 9 (discard) of loopback.
const NOWHERE: &str = "http://127.0.0.1:9/client/v4";

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// The file names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("a directory")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("the file")
        .permissions()
        .mode()
        & 0o7777
}

/// A directory with a bindings file for the demo prefix (one CDN binding more
/// than the seed), and the emulated account.
struct Work {
    dir: tempfile::TempDir,
    emulated: Emulated,
}

impl Work {
    fn new() -> Work {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(
            dir.path().join("bindings.toml"),
            format!(
                "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"203.0.113.0/24\"\nbindings = [\n  {{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" }},\n  {{ cidr = \"203.0.113.7/32\", service = \"CDN\" }},\n]\n"
            ),
        )
        .expect("written");
        Work {
            dir,
            emulated: Emulated::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `plan --out OUT` with `extra` arguments.
    fn plan(&self, out: &Path, extra: &[&str]) -> Output {
        let bindings = self.path("bindings.toml");
        let mut args = vec!["plan", "-f", arg(&bindings), "--out", arg(out)];
        args.extend_from_slice(extra);
        self.emulated.run(&args)
    }

    /// `export -f OUT` with `extra` arguments.
    fn export(&self, out: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["export", "-f", arg(out)];
        args.extend_from_slice(extra);
        self.emulated.run(&args)
    }

    /// [`Work::plan`] and [`Work::export`].
    fn writers(&self, out: &Path, extra: &[&str]) -> [Output; 2] {
        [self.plan(out, extra), self.export(out, extra)]
    }
}

/// [`Work::plan`] or [`Work::export`].
type Writer = fn(&Work, &Path, &[&str]) -> Output;

#[test]
fn a_planted_symlink_is_left_alone_and_its_target_unchanged() {
    let work = Work::new();
    let victim = work.path("victim");
    std::fs::write(&victim, "precious\n").expect("written");
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let link = work.path("out");
    symlink(&victim, &link).expect("a symbolic link");
    let dangling = work.path("dangling");
    let nowhere = work.path("nowhere");
    symlink(&nowhere, &dangling).expect("a symbolic link");

    for path in [&link, &dangling] {
        for output in work.writers(path, &[]) {
            assert_fails(
                &output,
                2,
                &format!(
                    "to {}: it is a symbolic link, and a file is never written through one (the link and its target are left as they are)",
                    path.display()
                ),
            );
        }
    }
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "precious\n"
    );
    assert_eq!(mode(&victim), 0o644);
    assert_eq!(std::fs::read_link(&link).expect("a link"), victim);
    assert!(!nowhere.exists());
    assert_eq!(
        names(work.dir.path()),
        ["bindings.toml", "dangling", "out", "victim"]
    );

    // With --force the link itself is replaced by the file; its target is not
    // written.
    let commands: [Writer; 2] = [Work::plan, Work::export];
    for command in commands {
        std::fs::remove_file(&link).expect("removed");
        symlink(&victim, &link).expect("a symbolic link");
        let output = command(&work, &link, &["--force"]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!(
                "{} (it was a symbolic link: the link was replaced, its target was not written)",
                link.display()
            )),
            "{}",
            stderr(&output)
        );
        let kind = std::fs::symlink_metadata(&link)
            .expect("the path")
            .file_type();
        assert!(kind.is_file());
        assert_eq!(mode(&link), 0o600);
        assert_eq!(
            std::fs::read_to_string(&victim).expect("read"),
            "precious\n"
        );
    }
}

#[test]
fn written_files_are_0600_under_umask_000_and_leave_no_temporary_file() {
    let work = Work::new();
    let state = work.path("state").join("emulator.json");
    let bindings = work.path("bindings.toml");
    let (plan, export) = (work.path("plan.json"), work.path("export.toml"));
    let binary = env!("CARGO_BIN_EXE_cf-bindings");
    let under_umask_000 = |args: &[&str]| {
        let output = scrubbed("sh")
            .args(["-c", "umask 000; exec \"$0\" \"$@\"", binary])
            .args(["--emulated", "--state", arg(&state)])
            .args(args)
            .output()
            .expect("sh runs");
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    };
    under_umask_000(&["plan", "-f", arg(&bindings), "--out", arg(&plan)]);
    under_umask_000(&["export", "-f", arg(&export)]);
    assert_eq!(mode(&plan), 0o600);
    assert_eq!(mode(&export), 0o600);
    // The state directory the CLI made for the embedded emulator.
    assert_eq!(mode(&work.path("state")), 0o700);
    assert_eq!(
        names(work.dir.path()),
        ["bindings.toml", "export.toml", "plan.json", "state"]
    );
    // What was written is whole: the plan applies, the export plans nothing new.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).expect("read")).expect("JSON");
    assert_eq!(saved["prefixes"][0]["changes"][0]["cidr"], "203.0.113.7/32");
    assert!(
        std::fs::read_to_string(&export)
            .expect("read")
            .contains(&format!("id = \"{PREFIX}\""))
    );
}

#[test]
fn an_existing_file_is_refused_without_force_and_replaced_with_it() {
    let work = Work::new();
    let out = work.path("out");
    std::fs::write(&out, "mine\n").expect("written");
    for output in work.writers(&out, &[]) {
        assert_fails(&output, 2, "it exists; pass --force to replace it");
        // Refused before any request: nothing on stdout.
        assert!(output.stdout.is_empty());
    }
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "mine\n");

    let [plan, export] = work.writers(&out, &["--force"]);
    assert!(plan.status.success(), "{}", stderr(&plan));
    assert!(export.status.success(), "{}", stderr(&export));
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(text.contains(&format!("id = \"{PREFIX}\"")), "{text}");
    assert_eq!(mode(&out), 0o600);
    assert_eq!(names(work.dir.path()), ["bindings.toml", "out"]);

    // A directory is never replaced; --force needs a file to write.
    let sub = work.path("sub");
    std::fs::create_dir(&sub).expect("a directory");
    for output in work.writers(&sub, &["--force"]) {
        assert_fails(&output, 2, "it is a directory, not a regular file");
    }
    let output = work.emulated.run(&["export", "--force"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--file <FILE>"),
        "{}",
        stderr(&output)
    );
}

/// Runs `command`, killing it and failing the test if it has not ended after a
/// minute: what is tested is that it ends, with an error, instead of blocking.
fn run_bounded(mut command: Command) -> Output {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    super::wait_bounded(child)
}

/// A FIFO at `path`, that nobody writes to.
fn fifo(path: &Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .expect("a FIFO");
}

/// `args` with a token file, against a base URL where nothing listens: the token
/// file is read before anything is sent.
fn with_token_file(token: &Path, args: &[&str]) -> Command {
    let mut command = bare_std();
    command
        .args([
            "--base-url",
            NOWHERE,
            "--account",
            ACCOUNT,
            "--timeout",
            "5s",
        ])
        .arg("--token-file")
        .arg(token);
    command.args(args);
    command
}

#[test]
fn a_fifo_or_a_device_as_a_file_to_read_is_refused_at_once() {
    let work = Work::new();
    let pipe = work.path("pipe");
    fifo(&pipe);
    let zero = Path::new("/dev/zero");

    for (file, kind) in [(pipe.as_path(), "a FIFO"), (zero, "a character device")] {
        let expected = |what: &str| {
            format!(
                "the {what} {} is {kind}, not a regular file: give a file, or `-` to read standard input",
                file.display()
            )
        };
        let output = run_bounded(with_token_file(file, &["services", "list"]));
        assert_fails(&output, 2, &expected("token file"));

        let mut validate = bare_std();
        validate.args(["validate", "-f"]).arg(file);
        assert_fails(&run_bounded(validate), 2, &expected("bindings file"));

        let mut plan = bare_std();
        plan.args(["--emulated", "--state"])
            .arg(work.path("state.json"))
            .args(["plan", "-f"])
            .arg(file);
        assert_fails(&run_bounded(plan), 2, &expected("bindings file"));

        let mut apply = bare_std();
        apply
            .args(["--emulated", "--state"])
            .arg(work.path("state.json"))
            .arg("apply")
            .arg(file)
            .arg("--yes");
        assert_fails(&run_bounded(apply), 2, &expected("plan"));
    }

    // A directory is not a file either.
    let output = run_bounded(with_token_file(work.dir.path(), &["services", "list"]));
    assert_fails(&output, 2, "is a directory, not a regular file");
}

#[test]
fn a_token_file_other_users_may_read_is_warned_of_once_and_used() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let token = dir.path().join("token");
    std::fs::write(&token, "a-token-of-forty-bytes-or-so\n").expect("written");
    let warning = format!(
        "warning: the token file {} is readable by other users (mode 0644): anyone who can read it can use the token; run `chmod 600 {}`",
        token.display(),
        token.display()
    );

    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let output = run_bounded(with_token_file(&token, &["services", "list"]));
    let err = stderr(&output);
    // Used: the request was tried (nothing listens there).
    assert_eq!(output.status.code(), Some(4), "{err}");
    assert_eq!(err.matches("warning: the token file").count(), 1, "{err}");
    assert!(err.starts_with(&format!("{warning}\n")), "{err}");
    assert!(!err.contains("a-token-of-forty"), "{err}");

    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let output = run_bounded(with_token_file(&token, &["services", "list"]));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(4), "{err}");
    assert!(!err.contains("warning"), "{err}");
}
