//! `cargo xtask rootfs DIR`: a minimal root filesystem for the tests and the demo, built
//! without any download from the static `hull-probe`, the host's busybox-static when it is
//! installed, and a small `/etc`.

mod busybox;
mod mountinfo;
mod probe;
mod users;

use std::fmt;
use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub use busybox::Busybox;

use crate::error::{Result, XtaskError};

/// The file that marks a directory as built by us, so that a rebuild may remove it.
const MARKER: &str = ".hull-rootfs";

/// The top-level directories and their modes.
const DIRS: &[(&str, u32)] = &[
    ("bin", 0o755),
    ("dev", 0o755),
    ("etc", 0o755),
    ("home", 0o755),
    ("proc", 0o755),
    ("sys", 0o755),
    ("tmp", 0o1777),
    ("root", 0o700),
    ("run", 0o755),
    ("var", 0o755),
    ("usr", 0o755),
];

/// A root filesystem that [`build`] made.
pub struct Rootfs {
    /// Its directory, absolute.
    pub dir: PathBuf,
    /// The static probe in it.
    pub probe: PathBuf,
    /// Whether it has a shell.
    pub busybox: Busybox,
}

impl fmt::Display for Rootfs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "rootfs: built {}", self.dir.display())?;
        writeln!(f, "  probe: {} (static)", self.probe.display())?;
        write!(f, "  {}", self.busybox)
    }
}

/// The `rootfs` task: builds `dir` and says what is in it.
pub fn run(dir: &Path) -> Result<()> {
    let rootfs = build(dir)?;
    println!("{rootfs}");
    Ok(())
}

/// Builds a root filesystem in `dir`, replacing one an earlier build left there.
///
/// Refuses a `dir` that exists, is not empty and has no marker of ours, and one with
/// something mounted under it.
pub fn build(dir: &Path) -> Result<Rootfs> {
    let dir = std::path::absolute(dir).map_err(|source| XtaskError::Canonicalize {
        path: dir.to_owned(),
        source,
    })?;
    // Build first: a compile error leaves an earlier rootfs as it was.
    let built_probe = probe::build()?;
    prepare(&dir)?;
    for &(name, mode) in DIRS {
        make_dir(&dir.join(name), mode)?;
    }
    users::write(&dir)?;
    // No etc/hostname: the container's hostname comes from its config.
    write_file(&dir.join("etc/hosts"), "", 0o644)?;
    write_file(&dir.join("etc/resolv.conf"), "", 0o644)?;
    let probe = probe::install(&built_probe, &dir.join("bin"))?;
    let busybox = busybox::install(&dir.join("bin"))?;
    Ok(Rootfs {
        dir,
        probe,
        busybox,
    })
}

/// Makes `dir` an empty directory with our marker in it.
fn prepare(dir: &Path) -> Result<()> {
    match fs::symlink_metadata(dir) {
        Err(err) if err.kind() == ErrorKind::NotFound => make_dir_all(dir)?,
        Err(source) => {
            return Err(XtaskError::ReadDir {
                path: dir.to_owned(),
                source,
            });
        }
        Ok(meta) if meta.is_dir() && dir.join(MARKER).is_file() => {
            // remove_dir_all would walk into a mount and delete what is on it.
            if let Some(mount_point) = mountinfo::first_mount_under(dir)? {
                return Err(XtaskError::MountedInside {
                    path: dir.to_owned(),
                    mount_point,
                });
            }
            fs::remove_dir_all(dir).map_err(|source| XtaskError::RemoveDir {
                path: dir.to_owned(),
                source,
            })?;
            make_dir(dir, 0o755)?;
        }
        Ok(meta) if meta.is_dir() && is_empty(dir)? => {}
        Ok(_) => {
            return Err(XtaskError::NotOurs {
                path: dir.to_owned(),
            });
        }
    }
    set_mode(dir, 0o755)?;
    write_file(&dir.join(MARKER), "built by `cargo xtask rootfs`\n", 0o644)
}

fn is_empty(dir: &Path) -> Result<bool> {
    let mut entries = fs::read_dir(dir).map_err(|source| XtaskError::ReadDir {
        path: dir.to_owned(),
        source,
    })?;
    Ok(entries.next().is_none())
}

fn make_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(|source| XtaskError::CreateDir {
        path: path.to_owned(),
        source,
    })
}

/// Creates directory `path` with exactly `mode` (the umask does not apply).
fn make_dir(path: &Path, mode: u32) -> Result<()> {
    fs::create_dir(path).map_err(|source| XtaskError::CreateDir {
        path: path.to_owned(),
        source,
    })?;
    set_mode(path, mode)
}

/// Writes `content` to a new file `path` with exactly `mode`.
fn write_file(path: &Path, content: &str, mode: u32) -> Result<()> {
    fs::write(path, content).map_err(|source| XtaskError::WriteFile {
        path: path.to_owned(),
        source,
    })?;
    set_mode(path, mode)
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|source| {
        XtaskError::SetPermissions {
            path: path.to_owned(),
            source,
        }
    })
}
