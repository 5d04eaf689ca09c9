//! How the program exits: the exit codes documented in `--help` ([`Exit`]), and
//! [`Failure`], why a command failed, as one line for stderr and its exit code.

use std::process::ExitCode;

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The command ran but did not get what it asked.
    Unfulfilled = 1,
    /// Bad arguments, invalid input or configuration; nothing was sent.
    Usage = 2,
    /// Cloudflare rejected the request (HTTP 4xx).
    Api = 3,
    /// Network failure, timeout, server error, a redirect (never followed) or a
    /// response that is not the envelope.
    Network = 4,
    /// A create or delete may or may not have taken effect: list before retrying.
    OutcomeUnknown = 5,
    /// `plan --exit-code`: the live bindings differ from the file.
    Drift = 6,
    /// `apply` or a wait stopped by SIGINT (Ctrl-C): 128 + 2, as a shell reports a
    /// program the signal ended.
    Interrupted = 130,
    /// `apply` or a wait stopped by SIGTERM: 128 + 15.
    Terminated = 143,
}

impl Exit {
    /// The code the process exits with.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Why the program ends before its command is done.
#[derive(Debug)]
pub enum Failure {
    /// The reader of standard output went away (`| head`): a normal end, status 0,
    /// with nothing to say.
    Closed,
    /// A failed command.
    Failed {
        /// The exit code.
        exit: Exit,
        /// One line: what failed, why, and what to do.
        message: String,
    },
}

impl Failure {
    /// A failure with this exit code and message.
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure::Failed {
            exit,
            message: message.into(),
        }
    }

    /// A usage or configuration error.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Exit::Usage, message)
    }

    /// The command ran but did not get what it asked.
    pub fn unfulfilled(message: impl Into<String>) -> Failure {
        Failure::new(Exit::Unfulfilled, message)
    }

    /// The same failure, its message preceded by `context: `.
    pub fn context(self, context: impl std::fmt::Display) -> Failure {
        match self {
            Failure::Closed => Failure::Closed,
            Failure::Failed { exit, message } => Failure::Failed {
                exit,
                message: format!("{context}: {message}"),
            },
        }
    }

    /// The same failure with another exit code (a closed stdout stays as it is).
    pub fn with_exit(self, exit: Exit) -> Failure {
        match self {
            Failure::Closed => Failure::Closed,
            Failure::Failed { message, .. } => Failure::Failed { exit, message },
        }
    }

    /// What to print on stderr, if anything.
    pub fn message(&self) -> Option<&str> {
        match self {
            Failure::Closed => None,
            Failure::Failed { message, .. } => Some(message),
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Closed => ExitCode::SUCCESS,
            Failure::Failed { exit, .. } => ExitCode::from(exit.code()),
        }
    }
}

impl Failure {
    /// The failure of a request about the bindings of `prefix`: as any API error,
    /// except that the advice after an unknown outcome names the prefix to check
    /// (`cf-bindings bindings list -p PREFIX`).
    pub fn in_prefix(error: cf_bindings::Error, prefix: Option<&cf_bindings::PrefixId>) -> Failure {
        if error.is_outcome_unknown() {
            let what = match error.operation() {
                Some(cf_bindings::error::Operation::DeleteBinding) => "the binding may still exist",
                _ => "the binding may exist",
            };
            let list = match prefix {
                Some(prefix) => format!("cf-bindings bindings list -p {prefix}"),
                None => "cf-bindings bindings list".to_owned(),
            };
            return Failure::new(
                Exit::OutcomeUnknown,
                format!("{error}; {what}: check with `{list}` before trying again"),
            );
        }
        Failure::from(error)
    }
}

impl From<cf_bindings::Error> for Failure {
    fn from(error: cf_bindings::Error) -> Failure {
        use cf_bindings::Error;
        if error.is_outcome_unknown() {
            return Failure::in_prefix(error, None);
        }
        let exit = match &error {
            Error::InvalidInput(_) | Error::Config(_) | Error::ServiceNotFound { .. } => {
                Exit::Usage
            }
            Error::RouteMissing { .. } | Error::BindingGone { .. } | Error::WaitTimeout { .. } => {
                Exit::Unfulfilled
            }
            // Refused: every 4xx, whatever its body (a 431 from a proxy has no
            // envelope), and a 2xx envelope with `success: false`.
            _ if error.status().is_some_and(|s| (400..500).contains(&s)) => Exit::Api,
            Error::Api(_) if error.status().is_none_or(|s| s < 500) => Exit::Api,
            _ => Exit::Network,
        };
        let mut message = error.to_string();
        if error.is_auth() {
            message.push_str(
                " (check the credentials, and that the token has IP Prefixes: Read or Write)",
            );
        }
        Failure::new(exit, message)
    }
}

#[cfg(test)]
mod documented {
    use std::collections::BTreeSet;

    use super::Exit;

    /// Every exit code but 0 (success), in order: the one list `--help` and the
    /// README's "Exit codes" are checked against.
    const ALL: [Exit; 8] = [
        Exit::Unfulfilled,
        Exit::Usage,
        Exit::Api,
        Exit::Network,
        Exit::OutcomeUnknown,
        Exit::Drift,
        Exit::Interrupted,
        Exit::Terminated,
    ];

    /// The codes of the definition, 0 included.
    fn defined() -> BTreeSet<u8> {
        std::iter::once(0)
            .chain(ALL.iter().map(|e| e.code()))
            .collect()
    }

    /// Where each code is in `ALL`. Exhaustive: a new code does not compile here
    /// until it is listed, and then `--help` and the README are checked for it.
    fn position(exit: Exit) -> usize {
        match exit {
            Exit::Unfulfilled => 0,
            Exit::Usage => 1,
            Exit::Api => 2,
            Exit::Network => 3,
            Exit::OutcomeUnknown => 4,
            Exit::Drift => 5,
            Exit::Interrupted => 6,
            Exit::Terminated => 7,
        }
    }

    #[test]
    fn all_lists_each_code_once() {
        for (i, exit) in ALL.iter().enumerate() {
            assert_eq!(position(*exit), i, "{exit:?}");
        }
        let codes: BTreeSet<u8> = ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), ALL.len());
    }

    #[test]
    fn help_lists_exactly_the_defined_codes() {
        let help = crate::args::AFTER_HELP;
        let (_, section) = help
            .split_once("Exit codes:\n")
            .expect("an exit code section");
        let listed: BTreeSet<u8> = section
            .lines()
            .filter_map(|line| line.strip_prefix("  "))
            .filter_map(|line| line.split_whitespace().next()?.parse().ok())
            .collect();
        assert_eq!(listed, defined());
    }

    #[test]
    fn readme_names_every_defined_code() {
        let readme = include_str!("../../../README.md");
        let (_, section) = readme
            .split_once("## Exit codes")
            .expect("the README's section");
        let section = section.split("\n## ").next().unwrap_or(section);
        let named: BTreeSet<u8> = section
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|word| word.parse().ok())
            .collect();
        assert_eq!(named, defined(), "the README's exit codes");
    }
}
