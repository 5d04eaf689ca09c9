//! `bindings list | get | create | delete | wait`.

use std::time::{Duration, Instant};

use cf_bindings::{BindingId, Bindings, Error, ProvisioningState, ServiceBinding, WaitOptions};
use serde_json::json;

use super::file::{self, plural};
use super::{Context, account};
use crate::args::{BindingsCommand, Output};
use crate::exit::Failure;
use crate::output;
use crate::signals::{Signal, Signals};
use crate::table::{Table, Tone};

/// Runs a `bindings` command. With `--prefix`, on that prefix; without, across the
/// account (see each command's help for the requests it makes).
pub async fn run(context: &Context, command: BindingsCommand) -> Result<(), Failure> {
    match command {
        BindingsCommand::List { prefix } => match prefix.prefix {
            Some(prefix) => {
                let mut list = context.bindings(&prefix).list().await?.into_inner();
                sort_by_address(&mut list);
                print(context, &list, true)
            }
            None => list_account(context).await,
        },
        BindingsCommand::Get { prefix, id } => {
            let binding = match prefix.prefix {
                Some(prefix) => context
                    .bindings(&prefix)
                    .get(id.as_str())
                    .await?
                    .into_inner(),
                None => account::find_binding(context, &binding_id(&id)?).await?.1,
            };
            print(context, &[binding], false)
        }
        BindingsCommand::Create {
            prefix,
            cidr,
            service,
            wait,
        } => {
            // Check the CIDR before any request, so a typo costs nothing.
            let cidr: cf_bindings::Cidr = cidr.parse().map_err(Error::from)?;
            let bindings = match prefix.prefix {
                Some(prefix) => context.bindings(&prefix),
                None => {
                    let prefixes = account::prefixes(context).await?;
                    let holding = account::holding_cidr(&prefixes, &cidr).ok_or_else(|| {
                        Failure::usage(format!(
                            "{cidr} is in none of {}: nothing was created",
                            account::listed(&prefixes)
                        ))
                    })?;
                    context.bindings(holding.id.as_str())
                }
            };
            let service = context.account().services().find(&service).await?;
            let created = bindings
                .create(cidr, &service.id)
                .await
                .map_err(|e| Failure::in_prefix(e, bindings.prefix_id().ok()))?
                .into_inner();
            let binding = if wait {
                wait_or_stop(context, &bindings, &created).await?
            } else {
                created
            };
            print(context, &[binding], false)
        }
        BindingsCommand::Delete { prefix, id, yes } => {
            let (bindings, found) = match prefix.prefix {
                Some(prefix) => (context.bindings(&prefix), None),
                None => {
                    let (prefix, binding) =
                        account::find_binding(context, &binding_id(&id)?).await?;
                    (context.bindings(prefix.id.as_str()), Some(binding))
                }
            };
            if !yes {
                let binding = match found {
                    Some(binding) => binding,
                    None => bindings.get(id.as_str()).await?.into_inner(),
                };
                confirm_delete(&binding)?;
            }
            bindings
                .delete(id.as_str())
                .await
                .map_err(|e| Failure::in_prefix(e, bindings.prefix_id().ok()))?;
            match context.output {
                Output::Json => output::json(&json!({ "deleted": id })),
                Output::Table => output::line(&format!("deleted binding {id}")),
            }
        }
        BindingsCommand::Wait { prefix, id } => {
            let (bindings, current) = match prefix.prefix {
                Some(prefix) => {
                    let bindings = context.bindings(&prefix);
                    let current = bindings.get(id.as_str()).await?.into_inner();
                    (bindings, current)
                }
                None => {
                    let (prefix, binding) =
                        account::find_binding(context, &binding_id(&id)?).await?;
                    (context.bindings(prefix.id.as_str()), binding)
                }
            };
            let active = wait_or_stop(context, &bindings, &current).await?;
            print(context, &[active], false)
        }
    }
}

/// A binding id from the command line, checked before any request.
fn binding_id(text: &str) -> Result<BindingId, Failure> {
    Ok(text.parse::<BindingId>().map_err(Error::from)?)
}

/// `bindings list` without `--prefix`: every prefix of the account with its
/// bindings, by address (one List Prefixes request, then one list per prefix).
async fn list_account(context: &Context) -> Result<(), Failure> {
    let prefixes = account::prefixes(context).await?;
    let mut groups = Vec::with_capacity(prefixes.len());
    for prefix in prefixes {
        let mut list = context
            .bindings(prefix.id.as_str())
            .list()
            .await
            .map_err(|e| {
                Failure::from(e)
                    .context(format!("cannot list the bindings of prefix {}", prefix.id))
            })?
            .into_inner();
        sort_by_address(&mut list);
        groups.push((prefix, list));
    }
    match context.output {
        Output::Json => {
            let groups: Vec<_> = groups
                .iter()
                .map(|(prefix, bindings)| {
                    json!({ "prefix": account::json(prefix), "bindings": bindings })
                })
                .collect();
            output::json(&json!(groups))
        }
        Output::Table => {
            if groups.is_empty() {
                return output::line("The account has no prefixes.");
            }
            for (i, (prefix, bindings)) in groups.iter().enumerate() {
                if i > 0 {
                    output::line("")?;
                }
                let count = match bindings.len() {
                    0 => "no bindings".to_owned(),
                    n => file::plural(n, "binding", "bindings"),
                };
                output::line(&format!("{}: {count}", account::heading(prefix)))?;
                if !bindings.is_empty() {
                    output::table(&table(bindings))?;
                }
            }
            Ok(())
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
        Output::Table => output::table(&table(bindings)),
    }
}

/// One row per binding.
fn table(bindings: &[ServiceBinding]) -> Table {
    let mut table = Table::new(vec!["ID", "CIDR", "SERVICE", "STATE"]);
    for b in bindings {
        table.toned_row(vec![
            (b.id.to_string(), Tone::Plain),
            (b.cidr.to_string(), Tone::Plain),
            (b.service_name.clone(), Tone::Plain),
            (b.state.to_string(), tone(&b.state)),
        ]);
    }
    table
}

fn tone(state: &ProvisioningState) -> Tone {
    match state {
        ProvisioningState::Active => Tone::Good,
        ProvisioningState::Provisioning => Tone::Pending,
        _ => Tone::Bad,
    }
}
