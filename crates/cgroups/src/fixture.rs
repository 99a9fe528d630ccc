//! Fixture trees for the unit tests: copies of real cgroup directories in tempdirs.

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// A fixture directory of `tests/fixtures`.
pub(crate) fn path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// Copies the files of `from` (not its sub-directories) into `to`, creating it.
pub(crate) fn copy_into(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// A tempdir holding a copy of the fixture directory `relative`.
pub(crate) fn cgroup(relative: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_into(&path(relative), dir.path());
    dir
}

/// The content of `dir/file`.
pub(crate) fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}
