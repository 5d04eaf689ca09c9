//! Reading what the user points at: a file, or standard input for `-`, never
//! more than a cap, so a huge file or an endless stdin is refused instead of read
//! whole; and never anything but a regular file, so that a FIFO (which would block
//! until someone writes to it) or a device such as `/dev/zero` is refused at once.

use std::fs::{File, FileType, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use crate::exit::Failure;

/// A text read whole.
#[derive(Debug)]
pub struct Text {
    /// Its name, as messages show it (`standard input` for `-`).
    pub name: String,
    /// The text.
    pub text: String,
    /// The file's permission bits (`0o644`), for a file on Unix; `None` for
    /// standard input.
    pub mode: Option<u32>,
}

/// Reads a UTF-8 text the user named (standard input for `-`), at most `cap`
/// bytes. `what` names it in errors (`bindings file`, `token file`); `advice`
/// follows the refusal of a text larger than `cap`. Returns its name, as messages
/// show it, and the text. No message quotes the content.
pub fn read_text(
    path: &Path,
    what: &str,
    cap: u64,
    advice: &str,
) -> Result<(String, String), Failure> {
    read(path, what, cap, advice).map(|t| (t.name, t.text))
}

/// [`read_text`], with the file's permission bits.
pub fn read(path: &Path, what: &str, cap: u64, advice: &str) -> Result<Text, Failure> {
    let name = name(path);
    let (bytes, mode) = match read_bounded(path, cap) {
        Ok((Some(bytes), mode)) => (bytes, mode),
        Ok((None, _)) => {
            return Err(Failure::usage(format!(
                "the {what} {name} is larger than {}: {advice}",
                size(cap)
            )));
        }
        Err(Refused::NotRegular(kind)) => {
            return Err(Failure::usage(format!(
                "the {what} {name} is {kind}, not a regular file: give a file, or `-` to read standard input"
            )));
        }
        Err(Refused::Io(e)) => {
            return Err(Failure::usage(format!(
                "cannot read the {what} {name}: {e}"
            )));
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::usage(format!(
            "the {what} {name} is not UTF-8 text: {}",
            e.utf8_error()
        ))
    })?;
    Ok(Text { name, text, mode })
}

/// Why a file was not read.
#[derive(Debug)]
enum Refused {
    /// It is not a regular file: what it is.
    NotRegular(&'static str),
    /// It could not be opened or read.
    Io(io::Error),
}

/// `a FIFO`, `a character device`, `a directory`: what a file that is not a
/// regular file is, for messages.
pub fn describe(kind: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// `64 KiB`, `16 MiB`, `100 bytes`.
fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The bytes of `path` (standard input for `-`): `None` when there are more than
/// `cap`; and the file's permission bits.
fn read_bounded(path: &Path, cap: u64) -> Result<(Option<Vec<u8>>, Option<u32>), Refused> {
    if path.as_os_str() == "-" {
        return bounded(io::stdin().lock(), cap)
            .map(|bytes| (bytes, None))
            .map_err(Refused::Io);
    }
    let file = open_regular(path)?;
    let mode = permissions(&file);
    let bytes = bounded(file, cap).map_err(Refused::Io)?;
    Ok((bytes, mode))
}

/// Opens a regular file for reading, and nothing else. The path is looked at
/// first, so a device is not even opened; then opened without blocking (a FIFO
/// put there in the meantime would otherwise wait for a writer for ever), and
/// what was opened is looked at again.
fn open_regular(path: &Path) -> Result<File, Refused> {
    let kind = std::fs::metadata(path).map_err(Refused::Io)?.file_type();
    if !kind.is_file() {
        return Err(Refused::NotRegular(describe(&kind)));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        i32::try_from(rustix::fs::OFlags::NONBLOCK.bits()).unwrap_or(0),
    );
    let file = options.open(path).map_err(Refused::Io)?;
    let kind = file.metadata().map_err(Refused::Io)?.file_type();
    if kind.is_file() {
        Ok(file)
    } else {
        Err(Refused::NotRegular(describe(&kind)))
    }
}

/// The permission bits of an open file, on Unix.
fn permissions(file: &File) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.metadata()
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        None
    }
}

/// Reads at most `cap` bytes, and one more to tell whether there was more.
fn bounded(reader: impl Read, cap: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then_some(bytes))
}

/// How a path is named in messages: `standard input` for `-`.
pub fn name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_read_whole_or_refused_with_what_it_is() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("notes.txt");
        let message = |failure: Failure| failure.message().unwrap_or_default().to_owned();

        std::fs::write(&path, "héllo\n").expect("written");
        let (name, text) = read_text(&path, "notes file", 7, "too much").expect("read");
        assert_eq!(
            (name, text.as_str()),
            (path.display().to_string(), "héllo\n")
        );

        std::fs::write(&path, "0123456789").expect("written");
        assert!(read_text(&path, "notes file", 10, "x").is_ok());
        let refused = read_text(&path, "notes file", 9, "is it the right file?");
        assert_eq!(
            refused.map_err(message).err().as_deref(),
            Some(
                format!(
                    "the notes file {} is larger than 9 bytes: is it the right file?",
                    path.display()
                )
                .as_str()
            )
        );

        std::fs::write(&path, b"ab\xffcd").expect("written");
        let refused = read_text(&path, "notes file", 1024, "x").map_err(message);
        let text = refused.err().unwrap_or_default();
        assert!(text.contains("is not UTF-8 text"), "{text}");
        assert!(!text.contains("ab"), "{text}");

        let missing = dir.path().join("missing.txt");
        let refused = read_text(&missing, "notes file", 1024, "x").map_err(message);
        let text = refused.err().unwrap_or_default();
        assert!(text.starts_with("cannot read the notes file "), "{text}");
    }

    #[test]
    fn sizes_read_in_their_largest_whole_unit() {
        assert_eq!(size(64 * 1024), "64 KiB");
        assert_eq!(size(16 * 1024 * 1024), "16 MiB");
        assert_eq!(size(1536), "1536 bytes");
    }

    #[test]
    fn reading_stops_after_the_cap() {
        assert_eq!(bounded(io::repeat(b'a'), 1024).ok(), Some(None));
        let full = vec![b'a'; 1024];
        assert_eq!(
            bounded(full.as_slice(), 1024)
                .ok()
                .flatten()
                .map(|b| b.len()),
            Some(1024)
        );
        assert_eq!(bounded(&b""[..], 0).ok(), Some(Some(Vec::new())));
    }
}
