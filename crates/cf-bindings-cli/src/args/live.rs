//! The arguments of the commands on the live state: `services`, `prefixes`,
//! `bindings` and `route`.

use clap::{Args, Subcommand};

/// `services ...`
#[derive(Debug, Subcommand)]
pub enum ServicesCommand {
    /// List the services of the account (Magic Transit, CDN, Spectrum, ...).
    List,
}

/// `prefixes ...`
#[derive(Debug, Subcommand)]
pub enum PrefixesCommand {
    /// List the account's prefixes, with their CIDRs (one List Prefixes request).
    List,
    /// Show one prefix's details.
    Get {
        /// The prefix id.
        #[arg(value_name = "ID")]
        id: String,
    },
}

/// The prefix a command works on.
#[derive(Debug, Args)]
pub struct PrefixArg {
    /// The IP prefix id [default: across the account: see above].
    #[arg(long, short, value_name = "ID")]
    pub prefix: Option<String>,
}

/// `bindings ...`
#[derive(Debug, Subcommand)]
pub enum BindingsCommand {
    /// List the bindings of every prefix of the account, or of one.
    ///
    /// Without --prefix: every prefix of the account, sorted by address, each
    /// headed by its id, CIDR and description, with its bindings sorted by address
    /// (one List Prefixes request, then one list per prefix). With --output json:
    /// an array of {"prefix": {"id", "cidr", "description"}, "bindings": [...]}.
    ///
    /// With --prefix: that prefix's bindings (one request); with --output json, an
    /// array of bindings.
    List {
        #[command(flatten)]
        prefix: PrefixArg,
    },
    /// Show one binding.
    ///
    /// Without --prefix, the binding is looked for across the account: one List
    /// Prefixes request, then one list per prefix until it is found.
    Get {
        #[command(flatten)]
        prefix: PrefixArg,
        /// The binding id.
        id: String,
    },
    /// Bind a CIDR of a prefix to a service.
    ///
    /// Without --prefix, the prefix is the account's prefix that holds the CIDR
    /// (one List Prefixes request first); a CIDR in none of them is refused.
    Create {
        #[command(flatten)]
        prefix: PrefixArg,
        /// The CIDR to bind, inside the prefix (the first binding must be the prefix).
        #[arg(long, value_name = "CIDR")]
        cidr: String,
        /// The service, by name (case-insensitive, e.g. CDN) or id.
        #[arg(long, value_name = "SERVICE")]
        service: String,
        /// Wait until the new binding is active (at most --wait-timeout).
        #[arg(long)]
        wait: bool,
    },
    /// Delete a binding.
    ///
    /// Without --prefix, the binding is looked for across the account: one List
    /// Prefixes request, then one list per prefix until it is found.
    Delete {
        #[command(flatten)]
        prefix: PrefixArg,
        /// The binding id.
        id: String,
        /// Do not ask for confirmation (required without a terminal).
        #[arg(long, short)]
        yes: bool,
    },
    /// Wait until a binding is active (at most --wait-timeout), showing its state
    /// on stderr.
    ///
    /// Without --prefix, the binding is looked for across the account first: one
    /// List Prefixes request, then one list per prefix until it is found.
    ///
    /// SIGINT (Ctrl-C) or SIGTERM stops the wait at once, saying the binding is not
    /// active yet: exit 130 (SIGINT) or 143 (SIGTERM).
    Wait {
        #[command(flatten)]
        prefix: PrefixArg,
        /// The binding id.
        id: String,
    },
}

/// `route ...`
#[derive(Debug, Args)]
pub struct RouteArgs {
    #[command(flatten)]
    pub prefix: PrefixArg,
    /// List every binding containing each address, least specific first.
    #[arg(long)]
    pub explain: bool,
    /// The IP addresses (IPv4 or IPv6).
    #[arg(required = true, value_name = "IP")]
    pub ips: Vec<String>,
}
