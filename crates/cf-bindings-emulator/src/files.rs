//! How the emulator touches the file system, in one place: files it reads (a seed, a
//! state file, a credential file) are regular files read whole up to a cap, opened
//! without blocking (a FIFO or a device is refused, never waited on); files and
//! directories it creates are private to its user (0600, 0700), whatever the umask;
//! and the lock file is never opened through a symbolic link.

use std::{
    fs::{File, OpenOptions},
    io::{self, Read},
    path::Path,
};

/// Mode of the files the emulator creates (state file, its temporaries, lock file).
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;
/// Mode of the directories the emulator creates.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;

/// Reads `path` whole if it is a regular file of at most `limit` bytes. The file is
/// opened without blocking, so a FIFO or a device is refused at once instead of
/// waited on or read for ever. A missing file is an error of kind `NotFound`.
pub(crate) fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    read_capped(open_regular(path)?, limit)
}

/// Fails unless `path` is missing or a regular file (following symbolic links),
/// without opening it: a FIFO, a device or a directory is named in the error.
pub(crate) fn ensure_regular_or_missing(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(metadata) => ensure_regular(&metadata),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
}

/// The permission bits of `file` when its group or others may read it (Unix;
/// always `None` elsewhere).
pub(crate) fn readable_by_others(file: &File) -> io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode() & 0o777;
        Ok((mode & 0o044 != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok(None)
    }
}

/// Opens `path` for reading without blocking and checks that it is a regular file.
pub(crate) fn open_regular(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(flag_bits(rustix::fs::OFlags::NONBLOCK));
    }
    let file = options.open(path)?;
    ensure_regular(&file.metadata()?)?;
    Ok(file)
}

/// Reads an opened regular file whole, refusing one of more than `limit` bytes
/// (checked before reading, and again while reading a file that grows).
pub(crate) fn read_capped(file: File, limit: u64) -> io::Result<Vec<u8>> {
    let size = file.metadata()?.len();
    if size > limit {
        return Err(too_large(limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// Opens (creating it 0600 if needed) the lock file `path` for reading and writing,
/// never through a symbolic link: a link there is an error naming it, and its target
/// is neither created nor changed. Anything but a regular file is refused.
pub(crate) fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).read(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE).custom_flags(flag_bits(
            rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK,
        ));
    }
    let file = options.open(path).map_err(|err| {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "is a symbolic link; the emulator does not follow one there (remove it)",
            )
        } else {
            err
        }
    })?;
    ensure_regular(&file.metadata()?)?;
    Ok(file)
}

/// Creates `path`, which must not exist, for writing, with mode 0600 (`O_EXCL`: never
/// through a symbolic link).
pub(crate) fn create_new_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options.open(path)
}

/// Creates `dir` and any missing parent, each with mode 0700; an existing directory
/// is left as it is.
pub(crate) fn create_private_dirs(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(dir)
}

/// The open flags as `custom_flags` takes them.
#[cfg(unix)]
fn flag_bits(flags: rustix::fs::OFlags) -> i32 {
    // The flags used here are small constants: the cast keeps every bit.
    flags.bits() as i32
}

fn ensure_regular(metadata: &std::fs::Metadata) -> io::Result<()> {
    if metadata.is_file() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({})", kind_of(&metadata.file_type())),
    ))
}

fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "larger than {}, the most the emulator reads from it",
            human_size(limit)
        ),
    )
}

/// `16 MiB`, `4 KiB`, `100 bytes`.
pub(crate) fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}
