//! Where the state lives: in memory, or in a state file saved atomically after every
//! change (optionally shared by several processes through a lock file).

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use super::document::Document;
use crate::{Error, MAX_STATE_FILE_BYTES, StateSharing, domain::State, files};

/// The state could not be read or saved: the request fails, nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoreError(pub(crate) String);

/// The state behind one mutex, plus how it is persisted.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    inner: Arc<Mutex<State>>,
    file: Option<Arc<StateFile>>,
}

#[derive(Debug)]
struct StateFile {
    path: PathBuf,
    lock_path: PathBuf,
    sharing: StateSharing,
    /// In exclusive mode: the lock file, locked for the emulator's whole life.
    held_lock: Mutex<Option<LockGuard>>,
}

impl Store {
    /// A store that keeps the state in memory only.
    pub(crate) fn in_memory(state: State) -> Self {
        Self {
            inner: Arc::new(Mutex::new(state)),
            file: None,
        }
    }

    /// A store backed by `path`: loads it if it exists (the seed is then ignored),
    /// otherwise writes `seed` to it. Missing directories of `path` are created
    /// (0700); a `path` that exists and is not a regular file is refused before its
    /// lock file is made.
    pub(crate) fn open(path: &Path, sharing: StateSharing, seed: State) -> Result<Self, Error> {
        let path = path.to_owned();
        files::ensure_regular_or_missing(&path).map_err(|source| Error::StateIo {
            path: path.clone(),
            source,
        })?;
        let dir = dir_of(&path);
        files::create_private_dirs(&dir).map_err(|source| Error::StateDir { path: dir, source })?;
        let lock_path = lock_path_of(&path);
        let lock_file = files::open_lock_file(&lock_path).map_err(|source| Error::StateIo {
            path: lock_path.clone(),
            source,
        })?;
        match sharing {
            StateSharing::Exclusive => match lock_file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::StateFileInUse { path, sharing });
                }
                Err(std::fs::TryLockError::Error(source)) => {
                    return Err(Error::StateIo {
                        path: lock_path,
                        source,
                    });
                }
            },
            StateSharing::Shared => match lock_waiting(&lock_file, true) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::TimedOut => {
                    return Err(Error::StateFileInUse { path, sharing });
                }
                Err(source) => {
                    return Err(Error::StateIo {
                        path: lock_path,
                        source,
                    });
                }
            },
        }
        let guard = LockGuard(lock_file);
        // Holding the lock exclusively, no save is under way: any temporary file of
        // ours is left over from a process that was killed mid-save.
        remove_stale_temporaries(&path);
        let state = match read_state(&path)? {
            Some(state) => state,
            None => {
                save_atomically(&path, &seed).map_err(|source| Error::StateIo {
                    path: path.clone(),
                    source,
                })?;
                seed
            }
        };
        let held = match sharing {
            StateSharing::Exclusive => Some(guard),
            // Dropping the guard releases the lock taken for the initial load.
            StateSharing::Shared => None,
        };
        Ok(Self {
            inner: Arc::new(Mutex::new(state)),
            file: Some(Arc::new(StateFile {
                path,
                lock_path,
                sharing,
                held_lock: Mutex::new(held),
            })),
        })
    }

    fn guard(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied change: changes
        // are applied to a copy when persisted, and rules never panic.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the current state (blocking: call from a blocking thread).
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> Result<R, StoreError> {
        let mut guard = self.guard();
        if let Some(file) = self.shared_file() {
            let _lock = file.lock(false)?;
            refresh(&file.path, &mut guard)?;
            return Ok(f(&guard));
        }
        Ok(f(&guard))
    }

    /// Applies the change `f`; if it succeeds and the store has a file, saves the new
    /// state before returning (blocking: call from a blocking thread). A failed save
    /// leaves the state unchanged.
    pub(crate) fn write<R, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut State) -> Result<R, E>,
    ) -> Result<R, E> {
        let mut guard = self.guard();
        let Some(file) = &self.file else {
            return f(&mut guard);
        };
        let _lock = match file.sharing {
            StateSharing::Shared => {
                let lock = file.lock(true)?;
                refresh(&file.path, &mut guard)?;
                Some(lock)
            }
            StateSharing::Exclusive => None,
        };
        let mut next = guard.clone();
        let result = f(&mut next)?;
        save_atomically(&file.path, &next).map_err(|err| {
            tracing::error!(path = %file.path.display(), error = %err, "could not save the state file");
            StoreError(format!(
                "The state could not be saved ({err}); nothing was changed"
            ))
        })?;
        *guard = next;
        Ok(result)
    }

    /// Releases the exclusive lock (after the server stopped), so that another
    /// emulator can open the file at once.
    pub(crate) fn release(&self) {
        if let Some(file) = &self.file {
            let held = file
                .held_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take();
            drop(held);
        }
    }

    fn shared_file(&self) -> Option<&StateFile> {
        self.file
            .as_deref()
            .filter(|f| f.sharing == StateSharing::Shared)
    }
}

impl StateFile {
    /// Locks the lock file (exclusive for writers, shared for readers) until the
    /// returned file is dropped.
    fn lock(&self, exclusive: bool) -> Result<LockGuard, StoreError> {
        let fail = |err: std::io::Error| {
            StoreError(format!(
                "Could not lock {}: {err}",
                self.lock_path.display()
            ))
        };
        let file = files::open_lock_file(&self.lock_path).map_err(fail)?;
        lock_waiting(&file, exclusive).map_err(fail)?;
        Ok(LockGuard(file))
    }
}

/// A locked lock file, unlocked explicitly on drop: a child process forked at that
/// moment would otherwise keep the lock alive through its copy of the descriptor.
#[derive(Debug)]
struct LockGuard(File);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// How long a shared-mode emulator waits for the lock file before giving up (an
/// exclusive emulator on the same file would otherwise block it forever).
const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// Locks `file` (exclusive or shared), polling so that a lock held forever by an
/// exclusive-mode emulator ends in a `TimedOut` error instead of a hang.
fn lock_waiting(file: &File, exclusive: bool) -> std::io::Result<()> {
    let started = Instant::now();
    let mut pause = Duration::from_micros(200);
    loop {
        let attempt = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match attempt {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::Error(err)) => return Err(err),
            Err(std::fs::TryLockError::WouldBlock) => {
                if started.elapsed() >= LOCK_TIMEOUT {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the state file stayed locked by another emulator",
                    ));
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(10));
            }
        }
    }
}

/// Replaces `state` with the file's content (shared mode, under the lock).
fn refresh(path: &Path, state: &mut State) -> Result<(), StoreError> {
    match read_state(path) {
        Ok(Some(loaded)) => {
            *state = loaded;
            Ok(())
        }
        // The file was removed behind our back: keep the state we have; the next
        // change writes it again.
        Ok(None) => Ok(()),
        Err(err) => Err(StoreError(err.to_string())),
    }
}

/// The lock file beside a state file: `state.json` → `state.json.lock`.
fn lock_path_of(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_owned()).unwrap_or_default();
    name.push(".lock");
    path.with_file_name(name)
}

/// Reads and validates a state file; `None` if it does not exist. Anything but a
/// regular file of at most [`MAX_STATE_FILE_BYTES`] is refused without blocking.
fn read_state(path: &Path) -> Result<Option<State>, Error> {
    let bytes = match files::read_regular(path, MAX_STATE_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::StateIo {
                path: path.to_owned(),
                source,
            });
        }
    };
    let corrupt = |message: String| Error::CorruptState {
        path: path.to_owned(),
        message,
    };
    let doc: Document = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    State::from_document(doc).map(Some).map_err(corrupt)
}

/// Writes the state to a temporary file in the same directory (created anew, mode
/// 0600), fsyncs it, renames it over `path` and (on Unix) fsyncs the directory: a
/// crash leaves either the old or the new file, plus at most a temporary file that
/// the next start removes. A state larger than [`MAX_STATE_FILE_BYTES`] (which could
/// not be read back) is refused and nothing is written.
fn save_atomically(path: &Path, state: &State) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(&state.to_document())?;
    bytes.push(b'\n');
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_STATE_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "the state would take more than {}, the most a state file may hold",
                files::human_size(MAX_STATE_FILE_BYTES)
            ),
        ));
    }
    let dir = dir_of(path);
    let tmp = dir.join(format!(
        "{}{}.{:08x}",
        temporary_prefix(path),
        std::process::id(),
        fastrand::u32(..)
    ));
    let written = (|| {
        let mut file = files::create_new_private(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if let Err(err) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(err);
    }
    sync_dir(&dir)
}

/// Makes a rename in `dir` durable. Only Unix can open a directory to fsync it; on
/// other systems the rename is as durable as the platform makes it.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// The name every temporary file of `path` starts with: `.NAME.tmp.`.
fn temporary_prefix(path: &Path) -> String {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    format!(".{file_name}.tmp.")
}

/// Removes the temporary files that a save killed before its rename left beside
/// `path` (each a full copy of the state). Call only while holding the lock
/// exclusively. Failures are logged, never fatal: the state file itself is intact.
fn remove_stale_temporaries(path: &Path) {
    let prefix = temporary_prefix(path);
    let Ok(entries) = std::fs::read_dir(dir_of(path)) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => {
                    tracing::info!(file = %entry.path().display(), "removed a stale temporary state file")
                }
                Err(err) => {
                    tracing::warn!(file = %entry.path().display(), %err, "could not remove a stale temporary state file")
                }
            }
        }
    }
}
