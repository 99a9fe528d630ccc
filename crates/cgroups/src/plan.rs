//! The files a resource setting writes, as data: controllers turn `Resources` into a list
//! of [`Write`]s (pure, tested on its own), and [`apply`] writes them in order.

use std::path::Path;

use crate::error::{CgroupsError, Result};
use crate::file;

/// One write of a cgroup interface file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    /// The file name, in the cgroup's directory (`memory.max`).
    pub file: String,
    /// The value written.
    pub value: String,
    /// What to do when the kernel refuses it.
    pub on_error: OnError,
}

/// What [`apply`] does when the kernel refuses a [`Write`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// Fail.
    Fail,
    /// On `EINVAL`, try again once the rest of the plan is written: the value depends on
    /// another one written later (a memory limit above the old memory+swap limit, a CFS
    /// period that only fits with the new quota).
    RetryLast,
    /// Skip it when the kernel does not provide the file (an optional knob such as
    /// `memory.memsw.limit_in_bytes` without swap accounting).
    SkipIfAbsent,
}

impl Write {
    /// A write that must succeed.
    pub fn new(file: impl Into<String>, value: impl ToString) -> Self {
        Write {
            file: file.into(),
            value: value.to_string(),
            on_error: OnError::Fail,
        }
    }

    /// This write, with another [`OnError`].
    #[must_use]
    pub fn on_error(mut self, on_error: OnError) -> Self {
        self.on_error = on_error;
        self
    }
}

/// Writes `plan` to the cgroup `dir` in order, retrying the writes marked
/// [`OnError::RetryLast`] after the others.
pub fn apply(dir: &Path, plan: &[Write]) -> Result<()> {
    let mut deferred = Vec::new();
    for write in plan {
        match file::write_raw(dir, &write.file, &write.value) {
            Ok(()) => {}
            Err(err) if write.on_error == OnError::SkipIfAbsent && file::is_absent(&err) => {}
            Err(err)
                if write.on_error == OnError::RetryLast
                    && err.raw_os_error() == Some(libc::EINVAL) =>
            {
                deferred.push(write);
            }
            Err(source) => return Err(write_error(dir, write, source)),
        }
    }
    for write in deferred {
        file::write(dir, &write.file, &write.value)?;
    }
    Ok(())
}

fn write_error(dir: &Path, write: &Write, source: std::io::Error) -> CgroupsError {
    CgroupsError::WriteFile {
        path: dir.join(&write.file),
        value: write.value.clone(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn applies_in_order_and_skips_absent_optional_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), "").unwrap();
        let plan = [
            Write::new("a", 1),
            Write::new("missing", 2).on_error(OnError::SkipIfAbsent),
        ];
        apply(dir.path(), &plan).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("a")).unwrap(), "1");
        assert!(!dir.path().join("missing").exists());
    }

    #[test]
    fn a_missing_required_file_names_file_and_value() {
        let dir = tempfile::tempdir().unwrap();
        let err = apply(dir.path(), &[Write::new("pids.max", "max")]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("pids.max") && msg.contains("\"max\""), "{msg}");
    }
}
