//! What each command does, one module per command group; this module dispatches
//! and holds what the commands that talk to the API share.

mod account;
mod apply;
mod bindings;
mod completions;
mod counts;
mod export;
mod file;
mod live;
mod markdown;
mod plan;
mod prefixes;
mod refused;
mod route;
mod services;
mod source;
mod traffic;
mod validate;

use std::time::Duration;

use cf_bindings::{Account, Bindings, Client};

use crate::args::{Cli, Command, Format, Global, Output};
use crate::exit::Failure;
use crate::output;
use crate::session::{Session, Setup};

/// Runs the command of the command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let Cli { global, command } = cli;
    let output = output(global.output, &command)?;
    match command {
        // Offline: no runtime, no client, no credentials.
        Command::Completions(args) => completions::run(&args, output),
        Command::Validate(args) => validate::run(&args, output),
        Command::Services(command) => online(&global, Setup::default(), async move |context| {
            services::run(context, command).await
        }),
        Command::Prefixes(command) => online(&global, Setup::default(), async move |context| {
            prefixes::run(context, command).await
        }),
        Command::Bindings(command) => online(&global, Setup::default(), async move |context| {
            bindings::run(context, command).await
        }),
        Command::Route(args) => online(&global, Setup::default(), async move |context| {
            route::run(context, args).await
        }),
        Command::Export(args) => online(&global, Setup::default(), async move |context| {
            export::run(context, args).await
        }),
        // The file is read and checked before anything is sent.
        Command::Plan(args) => {
            let file = file::DesiredFile::load(&args.file.file)?;
            online(&global, file.setup(None), async move |context| {
                plan::run(context, &file, args).await
            })
        }
        Command::Apply(args) => {
            let input = apply::Input::load(&args)?;
            let retry = Some(cf_bindings::RetryPolicy::patient());
            online(&global, input.setup(retry), async move |context| {
                apply::run(context, input, args).await
            })
        }
    }
}

/// How `command` prints its results, for `--output FORMAT`: Markdown is `plan`'s
/// alone (which prints its notes as with tables); any other command refuses it
/// before anything is read or sent, as a command without a JSON form refuses JSON.
fn output(format: Format, command: &Command) -> Result<Output, Failure> {
    if format == Format::Markdown && !matches!(command, Command::Plan(_)) {
        return Err(Failure::usage(format!(
            "cf-bindings {} has no Markdown form: drop --output markdown (only plan prints Markdown, for a pull-request comment)",
            name(command)
        )));
    }
    Ok(printed(format))
}

/// Tables or JSON: with Markdown, what is not the plan prints as with tables.
fn printed(format: Format) -> Output {
    match format {
        Format::Json => Output::Json,
        Format::Table | Format::Markdown => Output::Table,
    }
}

/// The name of a command, as typed.
fn name(command: &Command) -> &'static str {
    match command {
        Command::Services(_) => "services",
        Command::Prefixes(_) => "prefixes",
        Command::Bindings(_) => "bindings",
        Command::Route(_) => "route",
        Command::Validate(_) => "validate",
        Command::Plan(_) => "plan",
        Command::Apply(_) => "apply",
        Command::Export(_) => "export",
        Command::Completions(_) => "completions",
    }
}

/// Runs a command that talks to the API (real or embedded): starts a runtime, opens
/// a session for the command and closes it after, whatever the outcome.
fn online(
    global: &Global,
    setup: Setup,
    command: impl AsyncFnOnce(&Context) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::unfulfilled(format!("cannot start: {e}")))?;
    runtime.block_on(async {
        let session = Session::open(global, setup).await?;
        let context = Context::new(session.client.clone(), session.account.clone(), global);
        let outcome = command(&context).await;
        session.close().await;
        outcome
    })
}

/// What every command that talks to the API needs.
pub struct Context {
    client: Client,
    account: String,
    output: Output,
    /// `--output markdown`: `plan` prints its plan as Markdown (no other command
    /// runs with it).
    markdown: bool,
    /// `--wait-timeout`: how long to wait for a binding to become active (the
    /// library's default otherwise).
    wait_timeout: Option<Duration>,
}

impl Context {
    /// A context for `client` on `account`. A command given no prefix works across
    /// the account (the embedded emulator's as well), reading its prefixes.
    pub fn new(client: Client, account: String, global: &Global) -> Context {
        Context {
            client,
            account,
            output: printed(global.output),
            markdown: global.output == Format::Markdown,
            wait_timeout: global.wait_timeout,
        }
    }

    /// The bindings of the prefix `prefix` (its id, as given with `--prefix`).
    fn bindings(&self, prefix: &str) -> Bindings {
        self.account().prefix(prefix).bindings()
    }

    fn account(&self) -> Account {
        self.client.account(self.account.as_str())
    }
}

/// Asks `question` on the terminal and goes on only on `y` or `yes`; without a
/// terminal, refuses. `refusal` starts the error (`not deleting binding …`).
fn confirm(question: &str, refusal: &str) -> Result<(), Failure> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(format!(
            "{refusal}: no terminal to confirm on; pass --yes"
        )));
    }
    output::prompt(question);
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Failure::usage(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::unfulfilled(format!("{refusal}: not confirmed")))
    }
}

/// Refuses `--output json` for a command whose output has a format of its own (a
/// bindings file, a shell script): a script that asks for JSON gets an error to
/// act on, not text it cannot read. `instead` says where the JSON is, if anywhere.
fn no_json(output: Output, what: &str, instead: &str) -> Result<(), Failure> {
    match output {
        Output::Table => Ok(()),
        Output::Json => Err(Failure::usage(format!(
            "{what}, which has no JSON form: drop --output json{instead}"
        ))),
    }
}
