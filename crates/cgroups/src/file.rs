//! Reading and writing cgroup interface files, and the formats the kernel gives them.
//!
//! cgroupfs files are never created: a write to a file the kernel does not provide fails
//! with `ENOENT` instead of leaving a regular file behind (which matters on fixture trees
//! too). The formats are those of the kernel's cgroup-v2 documentation: a single value,
//! "flat keyed" (`key value` per line) and "nested keyed" (`key sub=value sub=value`).

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{self, ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use nix::unistd::Pid;

use crate::error::{CgroupsError, Result};

/// The file listing a cgroup's processes.
pub(crate) const PROCS: &str = "cgroup.procs";

/// Reads `dir/file` to a string.
pub(crate) fn read(dir: &Path, file: &str) -> Result<String> {
    let path = dir.join(file);
    fs::read_to_string(&path).map_err(|source| CgroupsError::ReadFile { path, source })
}

/// Reads `dir/file`, or `None` when the kernel does not provide it.
pub(crate) fn read_optional(dir: &Path, file: &str) -> Result<Option<String>> {
    let path = dir.join(file);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if is_absent(&err) => Ok(None),
        Err(source) => Err(CgroupsError::ReadFile { path, source }),
    }
}

/// Whether an error says that a cgroup file (or its cgroup) is not there.
pub(crate) fn is_absent(err: &io::Error) -> bool {
    err.kind() == ErrorKind::NotFound || err.raw_os_error() == Some(libc::ENODEV)
}

/// Writes `value` to `dir/file` in one `write(2)`, without creating the file.
pub(crate) fn write_raw(dir: &Path, file: &str, value: &str) -> io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(dir.join(file))?;
    f.write_all(value.as_bytes())
}

/// Writes `value` to `dir/file`; the error names the file and the value.
pub(crate) fn write(dir: &Path, file: &str, value: &str) -> Result<()> {
    write_raw(dir, file, value).map_err(|source| CgroupsError::WriteFile {
        path: dir.join(file),
        value: value.to_owned(),
        source,
    })
}

/// The error for content of `dir/file` that is not `expected`.
pub(crate) fn parse_error(
    dir: &Path,
    file: &str,
    content: &str,
    expected: &'static str,
) -> CgroupsError {
    CgroupsError::ParseFile {
        path: dir.join(file),
        content: content.to_owned(),
        expected,
    }
}

/// Parses a number as the kernel prints it.
pub(crate) fn parse_u64(dir: &Path, file: &str, text: &str) -> Result<u64> {
    let text = text.trim();
    text.parse()
        .map_err(|_| parse_error(dir, file, text, "an unsigned number"))
}

/// Reads a file holding one unsigned number.
pub(crate) fn read_u64(dir: &Path, file: &str) -> Result<u64> {
    parse_u64(dir, file, &read(dir, file)?)
}

/// Reads a file holding one unsigned number, or `None` when it is absent.
pub(crate) fn read_u64_optional(dir: &Path, file: &str) -> Result<Option<u64>> {
    read_optional(dir, file)?
        .map(|text| parse_u64(dir, file, &text))
        .transpose()
}

/// Parses a v2 limit: a number, or `max` (no limit) as `u64::MAX`.
pub(crate) fn parse_limit(dir: &Path, file: &str, text: &str) -> Result<u64> {
    match text.trim() {
        "max" => Ok(u64::MAX),
        other => parse_u64(dir, file, other),
    }
}

/// Parses a flat keyed file (`key value` per line) into a map.
pub(crate) fn parse_flat_keyed(
    dir: &Path,
    file: &str,
    text: &str,
) -> Result<BTreeMap<String, u64>> {
    let mut map = BTreeMap::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let Some((key, value)) = line.split_once(' ') else {
            return Err(parse_error(dir, file, line, "a \"key value\" line"));
        };
        map.insert(key.to_owned(), parse_u64(dir, file, value)?);
    }
    Ok(map)
}

/// Reads a flat keyed file, or an empty map when it is absent.
pub(crate) fn read_flat_keyed(dir: &Path, file: &str) -> Result<BTreeMap<String, u64>> {
    match read_optional(dir, file)? {
        Some(text) => parse_flat_keyed(dir, file, &text),
        None => Ok(BTreeMap::new()),
    }
}

/// One line of a nested keyed file: its key and `name=value` pairs.
pub(crate) fn parse_nested_line(line: &str) -> Option<(&str, Vec<(&str, &str)>)> {
    let mut words = line.split_whitespace();
    let key = words.next()?;
    let pairs = words
        .map(|word| word.split_once('='))
        .collect::<Option<_>>()?;
    Some((key, pairs))
}

/// Reads the pids listed in `dir/cgroup.procs` (or another list file).
pub(crate) fn read_pids(dir: &Path, file: &str) -> Result<Vec<Pid>> {
    read(dir, file)?
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            line.trim()
                .parse()
                .map(Pid::from_raw)
                .map_err(|_| parse_error(dir, file, line, "a process id"))
        })
        .collect()
}

/// Moves `pid` into the cgroup `dir`.
///
/// The kernel answers `EINVAL` for a task that is still being created (`TASK_NEW`): a few
/// retries get past it.
pub(crate) fn add_pid(dir: &Path, pid: Pid) -> Result<()> {
    const TRIES: u32 = 5;
    let mut tries = 0;
    loop {
        match write_raw(dir, PROCS, &pid.to_string()) {
            Ok(()) => return Ok(()),
            Err(err) if err.raw_os_error() == Some(libc::EINVAL) && tries < TRIES => {
                tries += 1;
                thread::sleep(Duration::from_millis(30));
            }
            Err(source) => {
                return Err(CgroupsError::AddProcess {
                    path: dir.to_owned(),
                    pid: pid.as_raw(),
                    source,
                });
            }
        }
    }
}

/// The sub-cgroups (directories) of `dir`.
pub(crate) fn sub_cgroups(dir: &Path) -> Result<Vec<PathBuf>> {
    let list_error = |source| CgroupsError::ListCgroup {
        path: dir.to_owned(),
        source,
    };
    let mut subs = Vec::new();
    for entry in fs::read_dir(dir).map_err(list_error)? {
        let entry = entry.map_err(list_error)?;
        if entry.file_type().map_err(list_error)?.is_dir() {
            subs.push(entry.path());
        }
    }
    subs.sort();
    Ok(subs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_keyed_parses_and_rejects() {
        let dir = Path::new("/x");
        let map = parse_flat_keyed(dir, "f", "a 1\nb 2\n\n").unwrap();
        assert_eq!(map.get("a"), Some(&1));
        assert_eq!(map.get("b"), Some(&2));
        let err = parse_flat_keyed(dir, "f", "a one").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot parse /x/f: \"one\" is not an unsigned number"
        );
    }

    #[test]
    fn nested_line_splits_pairs() {
        let (key, pairs) = parse_nested_line("8:0 rbytes=1 wbytes=2").unwrap();
        assert_eq!(key, "8:0");
        assert_eq!(pairs, [("rbytes", "1"), ("wbytes", "2")]);
        assert!(parse_nested_line("8:0 bogus").is_none());
    }

    #[test]
    fn writes_never_create_files() {
        let dir = tempfile::tempdir().unwrap();
        let err = write(dir.path(), "memory.max", "1").unwrap_err();
        assert!(matches!(err, CgroupsError::WriteFile { ref value, .. } if value == "1"));
        assert!(!dir.path().join("memory.max").exists());
    }

    #[test]
    fn limits_read_max() {
        let dir = Path::new("/x");
        assert_eq!(parse_limit(dir, "f", "max\n").unwrap(), u64::MAX);
        assert_eq!(parse_limit(dir, "f", "42\n").unwrap(), 42);
    }
}
