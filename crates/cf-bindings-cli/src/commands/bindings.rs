//! `bindings list | get | create | delete | wait`.

use std::time::{Duration, Instant};

use cf_bindings::{Bindings, Error, ProvisioningState, ServiceBinding, WaitOptions};
use serde_json::json;

use super::Context;
use super::file::plural;
use crate::args::{BindingsCommand, Output};
use crate::failure::Failure;
use crate::output;
use crate::signals::{Signal, Signals};
use crate::table::{Table, Tone};

/// Runs a `bindings` command.
pub async fn run(context: &Context, command: BindingsCommand) -> Result<(), Failure> {
    match command {
        BindingsCommand::List { prefix } => {
            let mut list = context.bindings(&prefix)?.list().await?.into_inner();
            sort_by_address(&mut list);
            print(context, &list, true)
        }
        BindingsCommand::Get { prefix, id } => {
            let binding = context
                .bindings(&prefix)?
                .get(id.as_str())
                .await?
                .into_inner();
            print(context, &[binding], false)
        }
        BindingsCommand::Create {
            prefix,
            cidr,
            service,
            wait,
        } => {
            let bindings = context.bindings(&prefix)?;
            // Check the CIDR before asking for the services, so a typo costs nothing.
            let cidr: cf_bindings::Cidr = cidr.parse().map_err(Error::from)?;
            let service = context.account().services().find(&service).await?;
            let created = bindings.create(cidr, &service.id).await?.into_inner();
            let binding = if wait {
                wait_or_stop(context, &bindings, &created).await?
            } else {
                created
            };
            print(context, &[binding], false)
        }
        BindingsCommand::Delete { prefix, id, yes } => {
            let bindings = context.bindings(&prefix)?;
            if !yes {
                let binding = bindings.get(id.as_str()).await?.into_inner();
                confirm_delete(&binding)?;
            }
            bindings.delete(id.as_str()).await?;
            match context.output {
                Output::Json => output::json(&json!({ "deleted": id })),
                Output::Table => output::line(&format!("deleted binding {id}")),
            }
        }
        BindingsCommand::Wait { prefix, id } => {
            let bindings = context.bindings(&prefix)?;
            let current = bindings.get(id.as_str()).await?.into_inner();
            let active = wait_or_stop(context, &bindings, &current).await?;
            print(context, &[active], false)
        }
    }
}

/// Asks on the terminal; without one, refuses.
fn confirm_delete(binding: &ServiceBinding) -> Result<(), Failure> {
    let what = format!(
        "binding {} ({} → {})",
        binding.id, binding.cidr, binding.service_name
    );
    super::confirm(
        &format!("Delete {what}? [y/N] "),
        &format!("not deleting {what}"),
    )
}

/// Waits for one binding; a signal stops the wait, saying it is not yet active.
async fn wait_or_stop(
    context: &Context,
    bindings: &Bindings,
    binding: &ServiceBinding,
) -> Result<ServiceBinding, Failure> {
    // From here SIGINT and SIGTERM stop the wait instead of ending the program.
    let mut signals = Signals::listen();
    match wait_until_active(context, bindings, binding, &mut signals).await? {
        Waited::Active(active) => Ok(active),
        Waited::Stopped { signal, last_seen } => Err(stopped_waiting(signal, &[(last_seen, true)])),
    }
}

/// How a wait ended, when it did not fail.
pub(super) enum Waited {
    /// The binding is active.
    Active(ServiceBinding),
    /// A signal stopped the wait at once (a poll in flight is a read: it is
    /// dropped); the binding as last seen, not active yet.
    Stopped {
        /// The signal.
        signal: Signal,
        /// The binding as the last poll saw it (or as given, before any poll).
        last_seen: ServiceBinding,
    },
}

/// Waits with a spinner on a terminal, or a line per state change otherwise,
/// until the binding is active or one of `signals` comes.
pub(super) async fn wait_until_active(
    context: &Context,
    bindings: &Bindings,
    binding: &ServiceBinding,
    signals: &mut Signals,
) -> Result<Waited, Failure> {
    let started = Instant::now();
    let spinner = output::stderr_is_terminal().then(output::Progress::spinner);
    let mut last: Option<ProvisioningState> = None;
    let mut last_seen = binding.clone();
    // Poll soon at first (the emulator activates in seconds), then every 30 s at
    // most (Cloudflare takes hours). Each pause of more than two seconds is told
    // by the client (`output::long_wait`).
    let mut options = WaitOptions::new()
        .with_initial_interval(Duration::from_millis(500))
        .with_max_interval(Duration::from_secs(30));
    if let Some(timeout) = context.wait_timeout {
        options = options.with_timeout(timeout);
    }
    let wait = bindings.wait_until_active(&binding.id, &options, |seen| {
        let line = format!(
            "binding {} ({}): {} after {}s",
            seen.id,
            seen.cidr,
            seen.state,
            started.elapsed().as_secs()
        );
        match &spinner {
            Some(spinner) => spinner.set_message(line),
            None if last.as_ref() != Some(&seen.state) => output::note(&line),
            None => {}
        }
        last = Some(seen.state.clone());
        last_seen = seen.clone();
    });
    let outcome = tokio::select! {
        outcome = wait => Ok(outcome),
        signal = signals.next() => Err(signal),
    };
    drop(spinner);
    match outcome {
        Ok(outcome) => Ok(Waited::Active(outcome?)),
        Err(signal) => Ok(Waited::Stopped { signal, last_seen }),
    }
}

/// The failure of a wait that `signal` stopped: the bindings not yet seen active
/// on stderr, each with its state as last polled (`true`) or as created (`false`:
/// not polled since).
pub(super) fn stopped_waiting(signal: Signal, pending: &[(ServiceBinding, bool)]) -> Failure {
    output::note(&format!(
        "{} received: stopped waiting; not yet active:",
        signal.name()
    ));
    for (b, polled) in pending {
        let when = if *polled {
            ""
        } else {
            " (as created; not polled since)"
        };
        output::note(&format!(
            "  binding {} ({} → {}): {}{when}",
            b.id, b.cidr, b.service_name, b.state
        ));
    }
    Failure::new(
        signal.exit(),
        format!(
            "interrupted by {}: stopped waiting with {} not yet active; the bindings are made and become active on their own (`cf-bindings bindings wait ID` waits again)",
            signal.name(),
            plural(pending.len(), "binding", "bindings")
        ),
    )
}

/// IPv4 before IPv6, then by network address, then shorter prefixes first.
fn sort_by_address(bindings: &mut [ServiceBinding]) {
    bindings.sort_by_key(|b| (!b.cidr.is_ipv4(), b.cidr.network(), b.cidr.prefix_len()));
}

/// Prints bindings: a JSON array for a list, one JSON object per binding otherwise,
/// or a table.
fn print(context: &Context, bindings: &[ServiceBinding], as_list: bool) -> Result<(), Failure> {
    match context.output {
        Output::Json if as_list => output::json(&json!(bindings)),
        Output::Json => {
            for binding in bindings {
                output::json(&json!(binding))?;
            }
            Ok(())
        }
        Output::Table => {
            let mut table = Table::new(vec!["ID", "CIDR", "SERVICE", "STATE"]);
            for b in bindings {
                table.toned_row(vec![
                    (b.id.to_string(), Tone::Plain),
                    (b.cidr.to_string(), Tone::Plain),
                    (b.service_name.clone(), Tone::Plain),
                    (b.state.to_string(), tone(&b.state)),
                ]);
            }
            output::table(&table)
        }
    }
}

fn tone(state: &ProvisioningState) -> Tone {
    match state {
        ProvisioningState::Active => Tone::Good,
        ProvisioningState::Provisioning => Tone::Pending,
        _ => Tone::Bad,
    }
}
