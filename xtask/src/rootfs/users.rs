//! The users and groups of the rootfs: `/etc/passwd`, `/etc/group`, and hull's home.
//!
//! Tests of user and group handling rely on these: `hull` (1000:1000) is a member of
//! `staff` (50), so running as `hull` gives supplementary group 50.

use std::path::Path;

use super::{make_dir, write_file};
use crate::error::{Result, XtaskError};
use crate::sys;

const PASSWD: &str = "\
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
hull:x:1000:1000:hull:/home/hull:/bin/sh
";

const GROUP: &str = "\
root:x:0:
daemon:x:1:
staff:x:50:hull
nogroup:x:65534:
hull:x:1000:
";

/// The ids of user `hull`, who owns `/home/hull`.
const HULL_UID: u32 = 1000;
const HULL_GID: u32 = 1000;

/// Writes `etc/passwd` and `etc/group` under `root` and creates `home/hull`, owned by
/// `hull` when we are root (and by us otherwise: only root can give a file away).
pub(super) fn write(root: &Path) -> Result<()> {
    write_file(&root.join("etc/passwd"), PASSWD, 0o644)?;
    write_file(&root.join("etc/group"), GROUP, 0o644)?;
    let home = root.join("home/hull");
    make_dir(&home, 0o755)?;
    if sys::is_root() {
        std::os::unix::fs::chown(&home, Some(HULL_UID), Some(HULL_GID)).map_err(|source| {
            XtaskError::Chown {
                path: home.clone(),
                source,
            }
        })?;
    }
    Ok(())
}
