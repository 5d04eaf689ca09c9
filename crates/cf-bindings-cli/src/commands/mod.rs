//! What each command does, one module per command group; this module dispatches
//! and holds what the commands that talk to the API share.

mod bindings;
mod completions;
mod route;
mod services;

use std::time::Duration;

use cf_bindings::{Account, Bindings, Client};

use crate::args::{Cli, Command, Global, Output, PrefixArg};
use crate::failure::Failure;
use crate::session::Session;

/// Runs the command of the command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let Cli { global, command } = cli;
    match command {
        // Offline: no runtime, no client, no credentials.
        Command::Completions(args) => completions::run(&args),
        Command::Services(command) => online(&global, async move |context| {
            services::run(context, command).await
        }),
        Command::Bindings(command) => online(&global, async move |context| {
            bindings::run(context, command).await
        }),
        Command::Route(args) => online(&global, async move |context| {
            route::run(context, args).await
        }),
    }
}

/// Runs a command that talks to the API (real or embedded): starts a runtime, opens
/// a session for the command and closes it after, whatever the outcome.
fn online(
    global: &Global,
    command: impl AsyncFnOnce(&Context) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::unfulfilled(format!("cannot start: {e}")))?;
    runtime.block_on(async {
        let session = Session::open(global).await?;
        let outcome = command(session.context()).await;
        session.close().await;
        outcome
    })
}

/// What every command that talks to the API needs.
pub struct Context {
    client: Client,
    account: String,
    default_prefix: Option<&'static str>,
    output: Output,
    /// `--timeout`, which also bounds waits (the library's default otherwise).
    timeout: Option<Duration>,
}

impl Context {
    /// A context for `client` on `account`; `default_prefix` serves when `--prefix`
    /// is not given (the emulator's demo prefix).
    pub fn new(
        client: Client,
        account: String,
        default_prefix: Option<&'static str>,
        global: &Global,
    ) -> Context {
        Context {
            client,
            account,
            default_prefix,
            output: global.output,
            timeout: global.timeout,
        }
    }

    /// The bindings of the prefix given with `--prefix`, or of the default one.
    fn bindings(&self, prefix: &PrefixArg) -> Result<Bindings, Failure> {
        let prefix = prefix
            .prefix
            .as_deref()
            .or(self.default_prefix)
            .ok_or_else(|| Failure::usage("no prefix: pass --prefix ID"))?;
        Ok(self.account().prefix(prefix).bindings())
    }

    fn account(&self) -> Account {
        self.client.account(self.account.as_str())
    }
}
