//! What each command does, and how its result is printed.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use cf_bindings::{
    Account, Bindings, Client, Error, ProvisioningState, RoutingTable, ServiceBinding, WaitOptions,
};
use serde_json::{Value, json};

use crate::args::{
    BindingsCommand, Command, Global, Output, PrefixArg, RouteArgs, ServicesCommand,
};
use crate::failure::Failure;
use crate::table::{Table, Tone, colour_enabled};

/// What every command needs.
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

    fn print_json(&self, value: &Value) {
        // A Value always serializes.
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    }
}

/// Runs one command.
pub async fn run(context: &Context, command: Command) -> Result<(), Failure> {
    match command {
        Command::Services(ServicesCommand::List) => services_list(context).await,
        Command::Bindings(command) => bindings(context, command).await,
        Command::Route(args) => route(context, args).await,
        // Handled before a runtime or a client exists.
        Command::Completions { .. } => Ok(()),
    }
}

async fn services_list(context: &Context) -> Result<(), Failure> {
    let mut services = context.account().services().list().await?.into_inner();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    match context.output {
        Output::Json => context.print_json(&json!(services)),
        Output::Table => {
            let mut table = Table::new(vec!["ID", "NAME"]);
            for service in &services {
                table.row(vec![service.id.to_string(), service.name.clone()]);
            }
            print!("{}", table.render(colour_enabled()));
        }
    }
    Ok(())
}

async fn bindings(context: &Context, command: BindingsCommand) -> Result<(), Failure> {
    match command {
        BindingsCommand::List { prefix } => {
            let mut list = context.bindings(&prefix)?.list().await?.into_inner();
            sort_by_address(&mut list);
            print_bindings(context, &list, true);
        }
        BindingsCommand::Get { prefix, id } => {
            let binding = context
                .bindings(&prefix)?
                .get(id.as_str())
                .await?
                .into_inner();
            print_bindings(context, &[binding], false);
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
                wait_until_active(context, &bindings, &created).await?
            } else {
                created
            };
            print_bindings(context, &[binding], false);
        }
        BindingsCommand::Delete { prefix, id, yes } => {
            let bindings = context.bindings(&prefix)?;
            if !yes {
                let binding = bindings.get(id.as_str()).await?.into_inner();
                confirm_delete(&binding)?;
            }
            bindings.delete(id.as_str()).await?;
            match context.output {
                Output::Json => context.print_json(&json!({ "deleted": id })),
                Output::Table => println!("deleted binding {id}"),
            }
        }
        BindingsCommand::Wait { prefix, id } => {
            let bindings = context.bindings(&prefix)?;
            let current = bindings.get(id.as_str()).await?.into_inner();
            let active = wait_until_active(context, &bindings, &current).await?;
            print_bindings(context, &[active], false);
        }
    }
    Ok(())
}

/// Asks on the terminal; without one, refuses.
fn confirm_delete(binding: &ServiceBinding) -> Result<(), Failure> {
    let what = format!(
        "binding {} ({} → {})",
        binding.id, binding.cidr, binding.service_name
    );
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(format!(
            "not deleting {what}: no terminal to confirm on; pass --yes"
        )));
    }
    eprint!("Delete {what}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Failure::usage(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::unfulfilled(format!(
            "not deleting {what}: not confirmed"
        )))
    }
}

/// Waits with a spinner on a terminal, or a line per state change otherwise.
async fn wait_until_active(
    context: &Context,
    bindings: &Bindings,
    binding: &ServiceBinding,
) -> Result<ServiceBinding, Failure> {
    let started = Instant::now();
    let spinner = std::io::stderr().is_terminal().then(|| {
        let spinner = indicatif::ProgressBar::new_spinner();
        spinner.enable_steady_tick(Duration::from_millis(120));
        spinner
    });
    let mut last: Option<ProvisioningState> = None;
    // Poll soon at first (the emulator activates in seconds), then every 30 s at
    // most (Cloudflare takes hours).
    let mut options = WaitOptions::new()
        .with_initial_interval(Duration::from_millis(500))
        .with_max_interval(Duration::from_secs(30));
    if let Some(timeout) = context.timeout {
        options = options.with_timeout(timeout);
    }
    let outcome = bindings
        .wait_until_active(&binding.id, &options, |seen| {
            let line = format!(
                "binding {} ({}): {} after {}s",
                seen.id,
                seen.cidr,
                seen.state,
                started.elapsed().as_secs()
            );
            match &spinner {
                Some(spinner) => spinner.set_message(line),
                None if last.as_ref() != Some(&seen.state) => eprintln!("{line}"),
                None => {}
            }
            last = Some(seen.state.clone());
        })
        .await;
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    Ok(outcome?)
}

async fn route(context: &Context, args: RouteArgs) -> Result<(), Failure> {
    // Every address is checked before any request is sent.
    let ips = args
        .ips
        .iter()
        .map(|text| {
            text.trim()
                .parse::<IpAddr>()
                .map_err(|_| Failure::usage(format!("`{text}` is not an IPv4 or IPv6 address")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let table = context.bindings(&args.prefix)?.routing_table().await?;
    match context.output {
        Output::Json => {
            let routes: Vec<Value> = ips
                .iter()
                .map(|ip| route_json(&table, *ip, args.explain))
                .collect();
            context.print_json(&json!(routes));
        }
        Output::Table if args.explain => {
            let mut out = Table::new(vec!["IP", "CIDR", "SERVICE", "BINDING", "DECIDES"]);
            for ip in &ips {
                let matches = table.explain(*ip);
                if matches.is_empty() {
                    out.row(vec![
                        ip.to_string(),
                        "-".into(),
                        "(no binding)".into(),
                        "-".into(),
                        "-".into(),
                    ]);
                }
                let last = matches.len().saturating_sub(1);
                for (i, binding) in matches.iter().enumerate() {
                    let decides = if i == last { "yes" } else { "" };
                    out.row(vec![
                        ip.to_string(),
                        binding.cidr.to_string(),
                        binding.service_name.clone(),
                        binding.id.to_string(),
                        decides.into(),
                    ]);
                }
            }
            print!("{}", out.render(colour_enabled()));
        }
        Output::Table => {
            let mut out = Table::new(vec!["IP", "SERVICE", "CIDR", "BINDING"]);
            for ip in &ips {
                match table.route(*ip) {
                    Some(b) => out.row(vec![
                        ip.to_string(),
                        b.service_name.clone(),
                        b.cidr.to_string(),
                        b.id.to_string(),
                    ]),
                    None => out.row(vec![
                        ip.to_string(),
                        "(no binding)".into(),
                        "-".into(),
                        "-".into(),
                    ]),
                }
            }
            print!("{}", out.render(colour_enabled()));
        }
    }
    Ok(())
}

fn route_json(table: &RoutingTable, ip: IpAddr, explain: bool) -> Value {
    let mut value = json!({ "ip": ip, "binding": table.route(ip) });
    if explain {
        value["matches"] = json!(table.explain(ip));
    }
    value
}

/// IPv4 before IPv6, then by network address, then shorter prefixes first.
fn sort_by_address(bindings: &mut [ServiceBinding]) {
    bindings.sort_by_key(|b| (!b.cidr.is_ipv4(), b.cidr.network(), b.cidr.prefix_len()));
}

fn print_bindings(context: &Context, bindings: &[ServiceBinding], as_list: bool) {
    match context.output {
        Output::Json if as_list => context.print_json(&json!(bindings)),
        Output::Json => {
            for binding in bindings {
                context.print_json(&json!(binding));
            }
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
            print!("{}", table.render(colour_enabled()));
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
