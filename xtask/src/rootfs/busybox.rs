//! busybox in the rootfs: the host's static one, and a link for each of its applets.

use std::fmt;
use std::path::Path;
use std::process::Command;

use super::set_mode;
use crate::error::{Result, XtaskError};
use crate::{command, elf};

/// Where Debian's busybox-static (and busybox) install it.
const HOST_BUSYBOX: &str = "/bin/busybox";

/// What [`install`] put in the rootfs.
pub enum Busybox {
    /// busybox, with this many applet links next to it.
    Installed {
        /// How many links were made.
        applets: usize,
    },
    /// There is no busybox on the host.
    NotInstalled,
    /// The host's busybox is dynamically linked and would not run in the rootfs.
    NotStatic,
}

impl fmt::Display for Busybox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Busybox::Installed { applets } => write!(f, "busybox: {applets} applets in bin/"),
            Busybox::NotInstalled => {
                f.write_str("busybox-static not installed: no shell in the rootfs")
            }
            Busybox::NotStatic => write!(
                f,
                "{HOST_BUSYBOX} is not static (install busybox-static): no shell in the rootfs"
            ),
        }
    }
}

/// Copies the host's static busybox into `bin` and links each applet (`sh`, `ls`) to it,
/// leaving names that already exist alone.
pub(super) fn install(bin: &Path) -> Result<Busybox> {
    let host = Path::new(HOST_BUSYBOX);
    if !host.exists() {
        return Ok(Busybox::NotInstalled);
    }
    if !elf::is_static(host) {
        return Ok(Busybox::NotStatic);
    }
    let busybox = bin.join("busybox");
    std::fs::copy(host, &busybox).map_err(|source| XtaskError::CopyFile {
        from: host.to_owned(),
        to: busybox.clone(),
        source,
    })?;
    set_mode(&busybox, 0o755)?;
    let list = command::stdout_of(Command::new(&busybox).arg("--list"))?;
    let mut applets = 0;
    for name in list
        .lines()
        .map(str::trim)
        .filter(|name| is_file_name(name))
    {
        let link = bin.join(name);
        if link.symlink_metadata().is_ok() {
            continue;
        }
        std::os::unix::fs::symlink("busybox", &link)
            .map_err(|source| XtaskError::Symlink { path: link, source })?;
        applets += 1;
    }
    Ok(Busybox::Installed { applets })
}

/// Whether `name` names a file in a directory, not a path.
fn is_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/')
}
