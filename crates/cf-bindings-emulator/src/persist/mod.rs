//! Persistence: the document format of seed and state files, and the store that
//! keeps the state in memory or in a state file saved atomically after every change.

mod document;
mod store;

pub(crate) use store::{Store, StoreError};
