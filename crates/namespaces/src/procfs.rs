//! Files of `/proc/<pid>/` (id maps, `setgroups`, clock offsets) are opened through a
//! verified procfs handle (`pathrs`): a private procfs instance where the kernel allows
//! one (else a detached clone of `/proc`), checked to be a procfs root, walked with
//! `openat2(2)` and `RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV`, and
//! each file checked to be on that mount. Whatever is mounted over the caller's `/proc`
//! cannot take a write meant for the kernel.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Component, Path};

use pathrs::flags::OpenFlags;
use pathrs::procfs::{ProcfsBase, ProcfsHandle};

/// Opens `path` for writing. A path of the form `/proc/<pid>/<file>` is opened through the
/// verified handle; any other path (a test's fixture tree) as it is.
pub(crate) fn open_for_write(path: &Path) -> io::Result<File> {
    match proc_pid_file(path) {
        Some((pid, file)) => ProcfsHandle::new()
            .and_then(|procfs| procfs.open(ProcfsBase::ProcPid(pid), file, OpenFlags::O_WRONLY))
            .map_err(io::Error::other),
        None => OpenOptions::new().write(true).open(path),
    }
}

/// `(pid, file)` of `/proc/<pid>/<file>`, where `file` is one plain name.
fn proc_pid_file(path: &Path) -> Option<(u32, &Path)> {
    let rest = path.strip_prefix("/proc").ok()?;
    let mut components = rest.components();
    let pid = match components.next()? {
        Component::Normal(name) => name.to_str()?.parse().ok()?,
        _ => return None,
    };
    let file = components.as_path();
    let mut parts = file.components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(_)), None) => Some((pid, file)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_of_a_pid_directory_go_through_the_handle() {
        fn file(p: &str) -> Option<(u32, &Path)> {
            proc_pid_file(Path::new(p))
        }
        assert_eq!(file("/proc/42/uid_map"), Some((42, Path::new("uid_map"))));
        assert_eq!(
            file("/proc/7/timens_offsets"),
            Some((7, Path::new("timens_offsets")))
        );
        assert_eq!(file("/proc/self/uid_map"), None);
        assert_eq!(file("/proc/42/../1/uid_map"), None);
        assert_eq!(file("/proc/42/task/42/uid_map"), None);
        assert_eq!(file("/tmp/proc/42/uid_map"), None);
        assert_eq!(file("/proc/42"), None);
    }

    #[test]
    fn a_write_to_our_own_oom_score_goes_through_the_handle() {
        let path = format!("/proc/{}/oom_score_adj", std::process::id());
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        let mut file = open_for_write(Path::new(&path)).unwrap();
        // Writing the value it has is allowed to anyone and changes nothing.
        std::io::Write::write_all(&mut file, current.trim().as_bytes()).unwrap();
    }
}
