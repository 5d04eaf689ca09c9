//! [`StateSharing`]: how a state file is shared, which the configuration sets and
//! an error about a busy file explains.

/// How a state file may be shared between processes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StateSharing {
    /// One emulator owns the file (and its lock) for its whole life.
    #[default]
    Exclusive,
    /// Several processes share the file; every request locks it and re-reads it.
    Shared,
}
