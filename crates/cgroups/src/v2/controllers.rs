//! Creating v2 cgroups and enabling controllers for them in their ancestors'
//! `cgroup.subtree_control`.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use crate::error::{CgroupsError, Result};
use crate::file;

/// The controllers listed in a cgroup's `cgroup.controllers` (or another list file; a
/// `+` as written to `cgroup.subtree_control` is ignored).
pub(crate) fn list(dir: &Path, name: &str) -> Result<Vec<String>> {
    Ok(file::read_optional(dir, name)?
        .unwrap_or_default()
        .split_whitespace()
        .map(|c| c.trim_start_matches('+').to_owned())
        .collect())
}

/// Creates `dir` and its missing parents under the mount point `root`, enabling `wanted`
/// controllers in the `cgroup.subtree_control` of every cgroup above it.
pub(crate) fn create(root: &Path, dir: &Path, wanted: &[String]) -> Result<()> {
    for ancestor in ancestors(root, dir) {
        if ancestor != root {
            match fs::create_dir(&ancestor) {
                Ok(()) => {}
                Err(err) if err.kind() == ErrorKind::AlreadyExists => {}
                Err(source) => {
                    return Err(CgroupsError::CreateCgroup {
                        path: ancestor,
                        source,
                    });
                }
            }
        }
        if ancestor != dir {
            enable_in(&ancestor, wanted)?;
        }
    }
    Ok(())
}

/// Enables `wanted` controllers for `dir`, in the ancestors that exist.
pub(crate) fn enable(root: &Path, dir: &Path, wanted: &[String]) -> Result<()> {
    for ancestor in ancestors(root, dir).filter(|a| a != dir) {
        enable_in(&ancestor, wanted)?;
    }
    Ok(())
}

/// `root`, then each directory down to `dir`.
fn ancestors<'a>(root: &'a Path, dir: &'a Path) -> impl Iterator<Item = std::path::PathBuf> + 'a {
    let relative = dir.strip_prefix(root).unwrap_or(Path::new(""));
    let mut current = root.to_owned();
    std::iter::once(root.to_owned()).chain(relative.components().map(move |c| {
        current.push(c);
        current.clone()
    }))
}

/// Writes `+controller` to `dir/cgroup.subtree_control` for each wanted controller that
/// `dir` has but does not pass down yet.
///
/// A controller the kernel refuses to enable (a cgroup with processes of its own, a
/// threaded subtree) is left out: the settings that need it then fail with the file and
/// value named, which says more than the refusal here would.
fn enable_in(dir: &Path, wanted: &[String]) -> Result<()> {
    let available = list(dir, "cgroup.controllers")?;
    let enabled = list(dir, "cgroup.subtree_control")?;
    let missing: Vec<String> = wanted
        .iter()
        .filter(|c| available.contains(c) && !enabled.contains(c))
        .map(|c| format!("+{c}"))
        .collect();
    if missing.is_empty()
        || file::write_raw(dir, "cgroup.subtree_control", &missing.join(" ")).is_ok()
    {
        return Ok(());
    }
    for one in &missing {
        // See above: a refusal shows up later, where the controller is used.
        let _refused = file::write_raw(dir, "cgroup.subtree_control", one);
    }
    Ok(())
}
