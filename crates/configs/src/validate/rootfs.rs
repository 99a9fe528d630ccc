//! The root filesystem must be an existing directory, named by a clean absolute path that
//! is not a symlink.

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::config::Config;

/// Why the root filesystem is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RootfsError {
    /// The rootfs is not an absolute path.
    #[error("rootfs {path} is not an absolute path")]
    NotAbsolute {
        /// The rootfs as configured.
        path: PathBuf,
    },
    /// The rootfs cannot be resolved (it does not exist, or is not reachable).
    #[error("rootfs {path} cannot be resolved")]
    Resolve {
        /// The rootfs as configured.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The rootfs is not a directory.
    #[error("rootfs {path} is not a directory")]
    NotDirectory {
        /// The rootfs as configured.
        path: PathBuf,
    },
    /// The rootfs path goes through a symlink or is not in clean form.
    #[error("rootfs {path} is a symlink or not a clean path: it resolves to {resolved}")]
    NotCanonical {
        /// The rootfs as configured.
        path: PathBuf,
        /// Where it really is.
        resolved: PathBuf,
    },
}

pub(super) fn check(config: &Config) -> Result<(), RootfsError> {
    let path = &config.rootfs;
    if !path.is_absolute() {
        return Err(RootfsError::NotAbsolute { path: path.clone() });
    }
    let resolved = path.canonicalize().map_err(|source| RootfsError::Resolve {
        path: path.clone(),
        source,
    })?;
    if !resolved.is_dir() {
        return Err(RootfsError::NotDirectory { path: path.clone() });
    }
    if lexically_clean(path) != resolved {
        return Err(RootfsError::NotCanonical {
            path: path.clone(),
            resolved,
        });
    }
    Ok(())
}

/// `path` without `.` components and trailing slashes (what Go's `filepath.Clean` keeps of
/// an absolute path with no `..`); `..` components are kept, so they never compare equal
/// to a resolved path.
fn lexically_clean(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::fixtures::valid_config;

    #[test]
    fn accepts_a_canonical_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        check(&valid_config(&root)).unwrap();
        check(&valid_config(&root.join("./"))).unwrap();
    }

    #[test]
    fn rejects_each_bad_rootfs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join("file"), "").unwrap();
        std::fs::create_dir(root.join("real")).unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();

        let err = check(&valid_config(Path::new("rootfs"))).unwrap_err();
        assert!(matches!(err, RootfsError::NotAbsolute { .. }), "{err}");
        let err = check(&valid_config(&root.join("missing"))).unwrap_err();
        assert!(matches!(err, RootfsError::Resolve { .. }), "{err}");
        let err = check(&valid_config(&root.join("file"))).unwrap_err();
        assert!(matches!(err, RootfsError::NotDirectory { .. }), "{err}");
        let err = check(&valid_config(&root.join("link"))).unwrap_err();
        assert!(
            matches!(err, RootfsError::NotCanonical { ref resolved, .. } if resolved == &root.join("real")),
            "{err}"
        );
        let err = check(&valid_config(&root.join("real/../real"))).unwrap_err();
        assert!(matches!(err, RootfsError::NotCanonical { .. }), "{err}");
    }
}
