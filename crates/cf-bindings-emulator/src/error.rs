//! [`Error`]: why the emulator could not start or stop.

use std::{net::SocketAddr, path::PathBuf};

use crate::sharing::StateSharing;

/// Why the emulator could not start or stop.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The seed file could not be read, is not a regular file, or is larger than
    /// [`MAX_SEED_FILE_BYTES`](crate::MAX_SEED_FILE_BYTES).
    #[error("cannot read seed file {}: {source}", path.display())]
    SeedIo {
        /// The seed file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The seed is not valid.
    #[error("invalid seed{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    InvalidSeed {
        /// The seed file, if it came from one.
        path: Option<PathBuf>,
        /// What is wrong.
        message: String,
    },
    /// The state file exists but is not a valid state; it was left untouched.
    #[error("state file {} is corrupt and was left untouched: {message}", path.display())]
    CorruptState {
        /// The state file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The directory of the state file could not be created.
    #[error("cannot create the state file's directory {}: {source}", path.display())]
    StateDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A credential file could not be read, or does not hold one credential.
    #[error("credential file {}: {source}", path.display())]
    CredentialFile {
        /// The file.
        path: PathBuf,
        /// The cause (never the file's content).
        source: std::io::Error,
    },
    /// The state file (or its lock file) could not be read or written, or is not a
    /// regular file, or is larger than [`MAX_STATE_FILE_BYTES`](crate::MAX_STATE_FILE_BYTES); or the lock file is
    /// a symbolic link.
    #[error("state file {}: {source}", path.display())]
    StateIo {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Another emulator holds the state file's lock: at once in exclusive mode, or
    /// for longer than the lock timeout in shared mode (an emulator that owns the
    /// file exclusively).
    #[error("state file {} is {}", path.display(), in_use_advice(*sharing))]
    StateFileInUse {
        /// The state file.
        path: PathBuf,
        /// The mode this emulator asked for.
        sharing: StateSharing,
    },
    /// A setting of [`EmulatorConfig`](crate::EmulatorConfig) is out of its range.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// The server failed while running.
    #[error("server error: {0}")]
    Server(std::io::Error),
}

/// What [`Error::StateFileInUse`] says after the file's name.
fn in_use_advice(sharing: StateSharing) -> &'static str {
    match sharing {
        StateSharing::Exclusive => {
            "in use by another emulator (to share it, start every emulator on it in shared mode)"
        }
        StateSharing::Shared => {
            "held by another emulator that does not share it (it stayed locked past the lock timeout): stop that emulator, or start it in shared mode too"
        }
    }
}
