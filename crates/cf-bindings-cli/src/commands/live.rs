//! The live state that `plan`, `apply` and `export` start from: the account's
//! prefixes, the bindings of some of them, and the account's services.

use cf_bindings::{
    IpPrefix, PrefixId, Service,
    desired::{Live, Location},
};

use super::{Context, account};
use crate::exit::Failure;

/// A prefix to read, and where a file names it (for errors).
pub struct Wanted<'a> {
    /// The prefix.
    pub id: &'a PrefixId,
    /// Where the file names it, if a file does.
    pub location: Option<&'a Location>,
}

/// Reads the account's prefixes (one List Prefixes request), the bindings of each
/// wanted prefix the account has (one request each, in order) and the account's
/// services (one request). A wanted prefix the account does not have is not read:
/// the planner refuses it, where the file names it, and a saved plan that names it
/// is stale.
pub async fn read(
    context: &Context,
    wanted: &[Wanted<'_>],
) -> Result<(Live, Vec<Service>), Failure> {
    let prefixes = account::prefixes(context).await?;
    let known: Vec<&Wanted<'_>> = wanted
        .iter()
        .filter(|w| prefixes.iter().any(|p| &p.id == w.id))
        .collect();
    let mut live = Live::new();
    for wanted in known {
        let bindings = list(context, wanted.id, wanted.location).await?;
        live.insert(wanted.id.clone(), bindings);
    }
    finish(context, live, prefixes).await
}

/// Reads the bindings of the given prefixes of the account (`prefixes`, as
/// [`account::prefixes`] read them), one request each, and the services.
pub async fn read_prefixes(
    context: &Context,
    prefixes: Vec<IpPrefix>,
    chosen: &[PrefixId],
) -> Result<(Live, Vec<Service>), Failure> {
    let mut live = Live::new();
    for id in chosen {
        let bindings = list(context, id, None).await?;
        live.insert(id.clone(), bindings);
    }
    finish(context, live, prefixes).await
}

/// Records the account's prefixes in `live`, and lists the services.
async fn finish(
    context: &Context,
    mut live: Live,
    prefixes: Vec<IpPrefix>,
) -> Result<(Live, Vec<Service>), Failure> {
    live.set_account_prefixes(prefixes);
    let services = context.account().services().list().await?.into_inner();
    Ok((live, services))
}

/// The bindings of prefix `id`; a failure names the prefix, and where the file
/// names it.
async fn list(
    context: &Context,
    id: &PrefixId,
    location: Option<&Location>,
) -> Result<Vec<cf_bindings::ServiceBinding>, Failure> {
    let listed = context.account().prefix(id.clone()).bindings().list().await;
    let bindings = listed.map_err(|error| {
        let not_found = error.is_not_found();
        let failure = Failure::from(error);
        let place = location.map(|l| format!("{l}: ")).unwrap_or_default();
        if not_found {
            failure.context(format!(
                "{place}prefix {id} was not found in account {}",
                context.account
            ))
        } else {
            failure.context(format!("{place}cannot list the bindings of prefix {id}"))
        }
    })?;
    Ok(bindings.into_inner())
}
