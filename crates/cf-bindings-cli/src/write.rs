//! Writing the files the user names (`plan --out`, `export -f`) and the
//! directories this program makes: the one way it writes to the file system.
//!
//! A file is written whole or not at all, and only by its owner: into a new
//! temporary file in the same directory, created exclusively (`O_EXCL`, and
//! `O_NOFOLLOW`: a symbolic link planted under its name is never followed) with mode
//! 0600 whatever the umask, then synced, moved to the path (a rename, which does
//! not follow a symbolic link there either), and the directory synced. A path that
//! exists is refused unless the caller was told to replace it (`--force`); then a
//! regular file is replaced, and a symbolic link is replaced by the file, its
//! target left as it was. A directory, a FIFO or a device is never replaced.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::exit::Failure;
use crate::output;

/// What the path held before it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replaced {
    /// Nothing: a new file.
    Nothing,
    /// A regular file, replaced (`--force`).
    File,
    /// A symbolic link, replaced by the file; its target was not written (`--force`).
    Symlink,
}

impl Replaced {
    /// ` (replacing the symbolic link that was there; its target was not written)`,
    /// or nothing, for the note saying where the file went.
    pub fn note(self) -> &'static str {
        match self {
            Replaced::Nothing | Replaced::File => "",
            Replaced::Symlink => {
                " (it was a symbolic link: the link was replaced, its target was not written)"
            }
        }
    }
}

/// Refuses a path this program may not write `what` to: an existing one unless
/// `force`, and a directory or special file always. Called before any request is
/// sent, so that a command does not do its work only to fail at the end; [`file()`]
/// checks again.
pub fn check(path: &Path, what: &str, force: bool) -> Result<Replaced, Failure> {
    let name = path.display();
    let refuse = |why: String| Failure::usage(format!("not writing the {what} to {name}: {why}"));
    if path.file_name().is_none() {
        return Err(refuse("it names no file".to_owned()));
    }
    let kind = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata.file_type(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Replaced::Nothing),
        Err(e) => return Err(refuse(e.to_string())),
    };
    if kind.is_symlink() {
        if force {
            return Ok(Replaced::Symlink);
        }
        return Err(refuse(
            "it is a symbolic link, and a file is never written through one (the link and its target are left as they are); remove it, or pass --force to replace the link itself with the file".to_owned(),
        ));
    }
    if !kind.is_file() {
        return Err(refuse(format!(
            "it is {}, not a regular file",
            crate::input::describe(&kind)
        )));
    }
    if force {
        Ok(Replaced::File)
    } else {
        Err(refuse("it exists; pass --force to replace it".to_owned()))
    }
}

/// Writes `contents` to `path` as described in the module's documentation; `what`
/// names the file in messages (`plan`, `bindings file`). Returns what the path
/// held before.
pub fn file(path: &Path, contents: &[u8], what: &str, force: bool) -> Result<Replaced, Failure> {
    let replaced = check(path, what, force)?;
    let cannot = |e: io::Error| {
        Failure::usage(format!(
            "cannot write the {what} to {}: {e}",
            path.display()
        ))
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path.file_name().unwrap_or_default();
    let (mut file, temp) = create_temp(dir, file_name).map_err(cannot)?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(cannot)?;
    drop(file);
    if force {
        fs::rename(&temp.path, path).map_err(cannot)?;
    } else {
        // A link fails if the path was made in the meantime: never replaces it.
        match fs::hard_link(&temp.path, path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(check(path, what, false).err().unwrap_or_else(|| cannot(e)));
            }
            // A file system without hard links: the path was free a moment ago.
            Err(_) => fs::rename(&temp.path, path).map_err(cannot)?,
        }
    }
    drop(temp);
    sync_dir(dir);
    Ok(replaced)
}

/// A temporary file, removed when dropped unless it was moved away.
struct Temp {
    path: PathBuf,
}

impl Drop for Temp {
    fn drop(&mut self) {
        // After a rename it is gone; after a hard link, this drops the second name.
        let _ = fs::remove_file(&self.path);
    }
}

/// Distinguishes the temporary files of one process.
static NEXT: AtomicU32 = AtomicU32::new(0);

/// Creates `.NAME.PID-N.tmp` in `dir`, new (never an existing file or link), with
/// mode 0600.
fn create_temp(dir: &Path, file_name: &std::ffi::OsStr) -> io::Result<(File, Temp)> {
    let salt = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut last = None;
    for _ in 0..100 {
        let mut name = OsString::from(".");
        name.push(file_name);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        name.push(format!(".{}-{salt:x}-{n}.tmp", std::process::id()));
        let path = dir.join(name);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
            options.custom_flags(nofollow());
        }
        match options.open(&path) {
            Ok(file) => return Ok((file, Temp { path })),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

/// `O_NOFOLLOW`, for `custom_flags`.
#[cfg(unix)]
fn nofollow() -> i32 {
    i32::try_from(rustix::fs::OFlags::NOFOLLOW.bits()).unwrap_or(0)
}

/// Syncs a directory, so that a rename in it survives a crash. A failure is said,
/// not fatal: the file is in place.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        output::note(&format!(
            "warning: cannot sync the directory {}: {e}",
            dir.display()
        ));
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("a directory")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn message(failure: Failure) -> String {
        failure.message().unwrap_or_default().to_owned()
    }

    #[test]
    fn a_new_file_is_written_whole_with_no_temporary_file_left() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("plan.json");
        assert_eq!(
            file(&path, b"{}\n", "plan", false).ok(),
            Some(Replaced::Nothing)
        );
        assert_eq!(fs::read(&path).ok().as_deref(), Some(&b"{}\n"[..]));
        assert_eq!(names(dir.path()), ["plan.json"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
    }

    #[test]
    fn an_existing_file_is_replaced_only_when_told() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("out.toml");
        fs::write(&path, "old").expect("written");
        let refused = file(&path, b"new", "bindings file", false).map_err(message);
        let text = refused.err().unwrap_or_default();
        assert!(
            text.contains("it exists; pass --force to replace it"),
            "{text}"
        );
        assert_eq!(fs::read_to_string(&path).ok().as_deref(), Some("old"));
        assert_eq!(
            file(&path, b"new", "bindings file", true).ok(),
            Some(Replaced::File)
        );
        assert_eq!(fs::read_to_string(&path).ok().as_deref(), Some("new"));
        assert_eq!(names(dir.path()), ["out.toml"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_never_written_through() {
        let dir = tempfile::tempdir().expect("a directory");
        let target = dir.path().join("victim");
        fs::write(&target, "precious").expect("written");
        let link = dir.path().join("plan.json");
        std::os::unix::fs::symlink(&target, &link).expect("a link");
        let text = file(&link, b"evil", "plan", false)
            .map_err(message)
            .err()
            .unwrap_or_default();
        assert!(text.contains("is a symbolic link"), "{text}");
        assert_eq!(
            fs::read_to_string(&target).ok().as_deref(),
            Some("precious")
        );
        assert!(fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));

        // With --force the link itself is replaced; its target is still not written.
        assert_eq!(
            file(&link, b"plan", "plan", true).ok(),
            Some(Replaced::Symlink)
        );
        assert_eq!(
            fs::read_to_string(&target).ok().as_deref(),
            Some("precious")
        );
        assert!(fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_file()));
        assert_eq!(fs::read_to_string(&link).ok().as_deref(), Some("plan"));

        // A dangling link is refused too.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).expect("a link");
        assert!(file(&dangling, b"x", "plan", false).is_err());
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn a_directory_is_never_replaced() {
        let dir = tempfile::tempdir().expect("a directory");
        let text = file(dir.path(), b"x", "plan", true)
            .map_err(message)
            .err()
            .unwrap_or_default();
        assert!(
            text.contains("not a regular file") || text.contains("names no file"),
            "{text}"
        );
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).expect("a directory");
        let text = file(&sub, b"x", "plan", true)
            .map_err(message)
            .err()
            .unwrap_or_default();
        assert!(
            text.contains("it is a directory, not a regular file"),
            "{text}"
        );
    }
}
