//! The live state that `plan`, `apply` and `export` start from: the bindings of
//! some prefixes, and the account's services.

use cf_bindings::{Live, Location, PrefixId, Service};

use super::Context;
use crate::failure::Failure;

/// A prefix to read, and where a file names it (for errors).
pub struct Wanted<'a> {
    /// The prefix.
    pub id: &'a PrefixId,
    /// Where the file names it, if a file does.
    pub location: Option<&'a Location>,
}

/// Lists the bindings of every prefix (one request each, in order) and the
/// account's services. A prefix that does not exist is an error naming it, and
/// where the file names it.
pub async fn read(
    context: &Context,
    prefixes: &[Wanted<'_>],
) -> Result<(Live, Vec<Service>), Failure> {
    let account = context.account();
    let mut live = Live::new();
    for wanted in prefixes {
        let listed = account.prefix(wanted.id.clone()).bindings().list().await;
        let bindings = listed.map_err(|error| {
            let not_found = error.is_not_found();
            let failure = Failure::from(error);
            let place = wanted
                .location
                .map(|l| format!("{l}: "))
                .unwrap_or_default();
            if not_found {
                failure.context(format!(
                    "{place}prefix {} was not found in account {}",
                    wanted.id, context.account
                ))
            } else {
                failure.context(format!(
                    "{place}cannot list the bindings of prefix {}",
                    wanted.id
                ))
            }
        })?;
        live.insert(wanted.id.clone(), bindings.into_inner());
    }
    let services = account.services().list().await?.into_inner();
    Ok((live, services))
}
