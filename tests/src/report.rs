//! What `hull-probe report` prints: a JSON picture of the process it runs as.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What `hull-probe report` saw of its own process.
///
/// A field the probe could not read (no `/proc` in the container, an older kernel without
/// the line in `/proc/self/status`) is `None`, printed as `null`; a missing field reads as
/// `None` too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// `getpid()`.
    pub pid: u32,
    /// `getppid()`.
    pub ppid: u32,
    /// Real, effective and saved user and group ids.
    pub ids: Option<Ids>,
    /// Supplementary groups, `getgroups()`.
    pub groups: Option<Vec<u32>>,
    /// The five capability sets, from `/proc/self/status`.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// `NoNewPrivs` of `/proc/self/status`.
    pub no_new_privs: Option<bool>,
    /// `Seccomp` of `/proc/self/status`: 0 off, 1 strict, 2 filter.
    pub seccomp: Option<u32>,
    /// `Seccomp_filters` of `/proc/self/status`: how many filters are attached.
    pub seccomp_filters: Option<u32>,
    /// `Umask` of `/proc/self/status`.
    pub umask: Option<u32>,
    /// `uname().nodename`.
    pub hostname: Option<String>,
    /// `uname().domainname`.
    pub domainname: Option<String>,
    /// Resource limits by name (`RLIMIT_NOFILE`); one that could not be read is absent.
    #[serde(default)]
    pub rlimits: BTreeMap<String, Rlimit>,
    /// The environment, as `KEY=VALUE` in the order the process got it.
    #[serde(default)]
    pub env: Vec<String>,
    /// The working directory.
    pub cwd: Option<String>,
    /// Open file descriptors, from `/proc/self/fd`, by number.
    pub fds: Option<Vec<OpenFd>>,
    /// Mounts, from `/proc/self/mountinfo`, in its order (parents first).
    pub mounts: Option<Vec<Mount>>,
    /// The lines of `/proc/self/cgroup`.
    pub cgroup: Option<Vec<String>>,
}

/// Real, effective and saved ids, from `getresuid()` and `getresgid()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ids {
    /// Real user id.
    pub uid: u32,
    /// Effective user id.
    pub euid: u32,
    /// Saved set-user-id.
    pub suid: u32,
    /// Real group id.
    pub gid: u32,
    /// Effective group id.
    pub egid: u32,
    /// Saved set-group-id.
    pub sgid: u32,
}

/// The capability sets as raw masks: bit `n` is capability `n` (`CAP_SYS_ADMIN` is 21).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// `CapInh`.
    pub inheritable: Option<u64>,
    /// `CapPrm`.
    pub permitted: Option<u64>,
    /// `CapEff`.
    pub effective: Option<u64>,
    /// `CapBnd`.
    pub bounding: Option<u64>,
    /// `CapAmb`.
    pub ambient: Option<u64>,
}

/// One of the five capability sets of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapSet {
    /// Kept across `execve` for programs whose file allows them.
    Inheritable,
    /// The most the process may make effective.
    Permitted,
    /// What the kernel checks.
    Effective,
    /// The limit on what the process can ever gain.
    Bounding,
    /// Kept across `execve` of any unprivileged program.
    Ambient,
}

impl Capabilities {
    /// The mask of `set`, if it was read.
    pub fn get(&self, set: CapSet) -> Option<u64> {
        match set {
            CapSet::Inheritable => self.inheritable,
            CapSet::Permitted => self.permitted,
            CapSet::Effective => self.effective,
            CapSet::Bounding => self.bounding,
            CapSet::Ambient => self.ambient,
        }
    }

    /// Whether capability number `cap` (`libc::CAP_...` values, 0 to 63) is in `set`.
    pub fn has(&self, set: CapSet, cap: u32) -> Option<bool> {
        let mask = self.get(set)?;
        Some(cap < 64 && mask & (1 << cap) != 0)
    }
}

/// A soft and a hard resource limit; `u64::MAX` is `RLIM_INFINITY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rlimit {
    /// The limit the kernel enforces.
    pub soft: u64,
    /// The ceiling the soft limit can be raised to.
    pub hard: u64,
}

/// An open file descriptor and what `/proc/self/fd/N` points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenFd {
    /// The descriptor number.
    pub fd: i32,
    /// The link target: a path, `pipe:[1234]`, `anon_inode:[eventfd]`, ...
    pub target: String,
}

/// One line of `/proc/self/mountinfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    /// The directory of the source filesystem that is mounted (`/` for a whole one).
    pub root: String,
    /// Where it is mounted, relative to the process's root.
    pub mount_point: String,
    /// The per-mount options (`rw`, `nosuid`, `relatime`).
    pub options: Vec<String>,
    /// The filesystem type (`proc`, `tmpfs`, `ext4`).
    pub fs_type: String,
    /// The filesystem's source (`/dev/sda1`, `tmpfs`).
    pub source: String,
    /// The per-superblock options (`rw`, `size=65536k`, `mode=755`).
    pub super_options: Vec<String>,
}

impl Mount {
    /// Whether `option` is among the per-mount options.
    pub fn has_option(&self, option: &str) -> bool {
        self.options.iter().any(|o| o == option)
    }
}

impl Report {
    /// Reads a report from the probe's standard output.
    ///
    /// # Errors
    ///
    /// When `json` is not a report.
    pub fn parse(json: &[u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(json)
    }

    /// The value of environment variable `key`, if set.
    pub fn env_var(&self, key: &str) -> Option<&str> {
        self.env.iter().find_map(|entry| {
            let (k, v) = entry.split_once('=')?;
            (k == key).then_some(v)
        })
    }

    /// The topmost mount at `mount_point`, if there is one.
    pub fn mount(&self, mount_point: &str) -> Option<&Mount> {
        self.mounts
            .as_ref()?
            .iter()
            .rev()
            .find(|m| m.mount_point == mount_point)
    }

    /// The limit named `name` (`RLIMIT_NOFILE`), if it was read.
    pub fn rlimit(&self, name: &str) -> Option<Rlimit> {
        self.rlimits.get(name).copied()
    }

    /// What descriptor `fd` points to, if it is open.
    pub fn fd_target(&self, fd: i32) -> Option<&str> {
        let fds = self.fds.as_ref()?;
        fds.iter()
            .find(|open| open.fd == fd)
            .map(|open| open.target.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            pid: 1,
            ppid: 0,
            ids: None,
            groups: None,
            capabilities: Capabilities {
                effective: Some(1 << 21),
                ..Capabilities::default()
            },
            no_new_privs: Some(true),
            seccomp: None,
            seccomp_filters: None,
            umask: Some(0o22),
            hostname: Some("box".into()),
            domainname: None,
            rlimits: BTreeMap::from([(
                "RLIMIT_NOFILE".into(),
                Rlimit {
                    soft: 1024,
                    hard: u64::MAX,
                },
            )]),
            env: vec!["A=1".into(), "B=x=y".into()],
            cwd: Some("/".into()),
            fds: Some(vec![OpenFd {
                fd: 1,
                target: "pipe:[7]".into(),
            }]),
            mounts: Some(vec![]),
            cgroup: None,
        }
    }

    #[test]
    fn round_trips_through_json() {
        let report = report();
        let json = serde_json::to_vec(&report).unwrap();
        assert_eq!(Report::parse(&json).unwrap(), report);
    }

    #[test]
    fn missing_fields_read_as_none() {
        let report = Report::parse(br#"{"pid": 3, "ppid": 2}"#).unwrap();
        assert_eq!(report.pid, 3);
        assert_eq!(report.ids, None);
        assert_eq!(report.capabilities, Capabilities::default());
        assert!(report.rlimits.is_empty());
    }

    #[test]
    fn helpers_find_values() {
        let report = report();
        assert_eq!(report.env_var("B"), Some("x=y"));
        assert_eq!(report.env_var("C"), None);
        assert_eq!(report.capabilities.has(CapSet::Effective, 21), Some(true));
        assert_eq!(report.capabilities.has(CapSet::Effective, 0), Some(false));
        assert_eq!(report.capabilities.has(CapSet::Bounding, 0), None);
        assert_eq!(
            report.rlimit("RLIMIT_NOFILE").map(|l| l.hard),
            Some(u64::MAX)
        );
        assert_eq!(report.fd_target(1), Some("pipe:[7]"));
        assert_eq!(report.fd_target(2), None);
        assert!(report.mount("/").is_none());
    }
}
