//! `--pid-file`: the container's init pid, written atomically as runc writes it.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// Writes `pid` (decimal, no newline) to `path` atomically: into `.<name>` beside it,
/// created exclusively and written synchronously, then renamed over `path`. A reader
/// never sees a partial pid.
///
/// # Errors
///
/// [`CliError::PidFile`] when the temporary file cannot be created or written, or the
/// rename fails.
pub fn write(path: &Path, pid: i32) -> Result<(), CliError> {
    let error = |source| CliError::PidFile {
        path: path.to_owned(),
        source,
    };
    let tmp = temporary(path);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o666)
        .custom_flags(libc::O_SYNC)
        .open(&tmp)
        .map_err(error)?;
    let written = file.write_all(pid.to_string().as_bytes());
    drop(file);
    if let Err(err) = written.and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp); // ours, half written; the write error is what matters
        return Err(error(err));
    }
    Ok(())
}

/// `dir/.name` for `dir/name`.
fn temporary(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(
        || ".pid".into(),
        |name| {
            let mut hidden = std::ffi::OsString::from(".");
            hidden.push(name);
            hidden
        },
    );
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_pid_alone_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("init.pid");
        fs::write(&path, "old contents").unwrap();
        write(&path, 4242).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "4242");
        assert!(!dir.path().join(".init.pid").exists());
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/init.pid");
        let err = write(&path, 1).unwrap_err();
        assert!(err.to_string().contains("missing/init.pid"), "{err}");
    }
}
