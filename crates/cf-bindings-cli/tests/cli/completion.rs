//! `completions SHELL`: each script, loaded into the real shell, completes a
//! subcommand, an option and an option's value after the first word, for the
//! program's name as it is (with its hyphen).
//!
//! bash is always there. zsh and fish are run when installed, and must be under
//! CI (`.ci/run` installs them from Debian's packages).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::bare;

/// What each shell must complete: the words typed so far (the last one being
/// completed), and the one completion expected.
const CASES: [(&str, &str); 7] = [
    // The first word's subcommand, which worked before.
    ("cf-bindings bind", "bindings"),
    // A subcommand of a subcommand.
    ("cf-bindings bindings li", "list"),
    // An option of a subcommand, and of a subcommand's subcommand.
    ("cf-bindings plan --ex", "--exit-code"),
    ("cf-bindings bindings create --ci", "--cidr"),
    // A global option after a subcommand.
    ("cf-bindings bindings list --emu", "--emulated"),
    // An option's value, and a positional one.
    ("cf-bindings plan --output j", "json"),
    ("cf-bindings completions zs", "zsh"),
];

/// The script of `shell`, in a file of `dir`.
fn script(dir: &Path, shell: &str, file: &str) -> PathBuf {
    let output = bare()
        .args(["completions", shell])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{output:?}");
    let path = dir.join(file);
    std::fs::write(&path, &output.stdout).expect("written");
    path
}

/// The shell's program, when installed; under CI it must be.
fn installed(shell: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(shell))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{shell} is needed under CI: .ci/run installs it"
        );
        println!("{shell} is not installed: its completion is not tried");
    }
    found
}

/// Runs `program` with `args`, ended after a minute should the shell hang.
fn run(program: &Path, args: &[&str]) -> String {
    let output = Command::new("timeout")
        .arg("60")
        .arg(program)
        .args(args)
        .env_remove("CI")
        .output()
        .expect("coreutils' timeout runs the shell");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Loads the script, finds the function it registers for `cf-bindings` (`complete
/// -p` fails when none is), and calls it as bash's programmable completion does,
/// with the words of the line; prints its replies one per line.
const BASH_DRIVER: &str = r#"
source "$1"; shift
spec=$(complete -p cf-bindings) || exit 3
function=${spec#*-F }; function=${function%% *}
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
"$function" cf-bindings "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;

#[test]
fn bash_completes_after_the_first_word() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let script = script(dir.path(), "bash", "cf-bindings.bash");
    let bash = installed("bash").expect("bash");
    for (line, expected) in CASES {
        let mut args = vec!["--norc", "--noprofile", "-c", BASH_DRIVER, "bash"];
        let script = script.to_str().expect("a UTF-8 path");
        args.push(script);
        args.extend(line.split(' '));
        let replies = run(&bash, &args);
        assert_eq!(replies.lines().collect::<Vec<_>>(), [expected], "{line}");
    }
}

/// An interactive zsh on a pseudo-terminal (zsh's own zpty), with the script in
/// its `fpath` and compinit loaded: the line is typed, then Tab, then a key bound
/// to a widget that writes the edited line to a file.
#[test]
fn zsh_completes_after_the_first_word() {
    let Some(zsh) = installed("zsh") else { return };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let functions = dir.path().join("functions");
    std::fs::create_dir(&functions).expect("a directory");
    script(&functions, "zsh", "_cf-bindings");
    let lines = dir.path().join("lines");
    let quoted = |path: &Path| format!("'{}'", path.display().to_string().replace('\'', r"'\''"));
    std::fs::write(
        dir.path().join(".zshrc"),
        format!(
            "fpath=({} $fpath)\n\
             autoload -Uz compinit && compinit -u -d {}\n\
             PROMPT='> '\n\
             write-line() {{ print -r -- \"$BUFFER\" >> {}; BUFFER= }}\n\
             zle -N write-line\n\
             bindkey '^T' write-line\n",
            quoted(&functions),
            quoted(&dir.path().join(".zcompdump")),
            quoted(&lines),
        ),
    )
    .expect("written");
    let driver = format!(
        "zmodload zsh/zpty\n\
         zpty shell 'ZDOTDIR={} zsh -d -i'\n\
         zpty -r shell prompt '*> '\n\
         zpty -w -n shell \"$1\"$'\\t\\x14exit\\n'\n\
         while zpty -r shell chunk; do :; done\n",
        quoted(dir.path())
    );
    for (line, _) in CASES {
        run(&zsh, &["-f", "-c", &driver, "zsh", line]);
    }
    let completed = std::fs::read_to_string(&lines).expect("the lines written");
    let completed: Vec<&str> = completed.lines().collect();
    assert_eq!(completed.len(), CASES.len(), "{completed:?}");
    for ((line, completion), completed) in CASES.iter().zip(completed) {
        let start = line.rsplit_once(' ').map_or("", |(start, _)| start);
        // An option that takes a value completes with `=` after it, zsh's way.
        let value_next = format!("{start} {completion}=");
        assert!(
            completed == format!("{start} {completion} ") || completed == value_next,
            "{line:?} became {completed:?}"
        );
    }
}

#[test]
fn fish_completes_after_the_first_word() {
    let Some(fish) = installed("fish") else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let script = script(dir.path(), "fish", "cf-bindings.fish");
    let script = script.to_str().expect("a UTF-8 path");
    for (line, expected) in CASES {
        let replies = run(
            &fish,
            &[
                "--no-config",
                "-c",
                "source $argv[1]; complete --do-complete=$argv[2]",
                script,
                line,
            ],
        );
        // Each reply is the completion, a tab and its description.
        let completions: Vec<&str> = replies
            .lines()
            .map(|reply| reply.split('\t').next().unwrap_or(reply))
            .collect();
        assert_eq!(completions, [expected], "{line}");
    }
}

#[test]
fn completions() {
    let output = bare().args(["completions", "bash"]).output().expect("runs");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("cf-bindings"));
}
