//! Gathers the [`Report`] of this process; whatever cannot be read stays `None`.

use std::collections::BTreeMap;
use std::fs;

use hull_tests::procfs::{parse_mountinfo, parse_status};
use hull_tests::{Ids, OpenFd, Report, Rlimit};

use crate::sys;

/// The 16 resource limits of Linux, by the names the OCI runtime spec uses.
const RLIMITS: [(&str, libc::__rlimit_resource_t); 16] = [
    ("RLIMIT_CPU", libc::RLIMIT_CPU),
    ("RLIMIT_FSIZE", libc::RLIMIT_FSIZE),
    ("RLIMIT_DATA", libc::RLIMIT_DATA),
    ("RLIMIT_STACK", libc::RLIMIT_STACK),
    ("RLIMIT_CORE", libc::RLIMIT_CORE),
    ("RLIMIT_RSS", libc::RLIMIT_RSS),
    ("RLIMIT_NPROC", libc::RLIMIT_NPROC),
    ("RLIMIT_NOFILE", libc::RLIMIT_NOFILE),
    ("RLIMIT_MEMLOCK", libc::RLIMIT_MEMLOCK),
    ("RLIMIT_AS", libc::RLIMIT_AS),
    ("RLIMIT_LOCKS", libc::RLIMIT_LOCKS),
    ("RLIMIT_SIGPENDING", libc::RLIMIT_SIGPENDING),
    ("RLIMIT_MSGQUEUE", libc::RLIMIT_MSGQUEUE),
    ("RLIMIT_NICE", libc::RLIMIT_NICE),
    ("RLIMIT_RTPRIO", libc::RLIMIT_RTPRIO),
    ("RLIMIT_RTTIME", libc::RLIMIT_RTTIME),
];

/// Looks at this process.
pub(crate) fn collect() -> Report {
    let status = fs::read_to_string("/proc/self/status")
        .map(|text| parse_status(&text))
        .unwrap_or_default();
    let names = sys::uname().ok();
    Report {
        pid: std::process::id(),
        ppid: std::os::unix::process::parent_id(),
        ids: ids(),
        groups: sys::getgroups().ok(),
        capabilities: status.capabilities,
        no_new_privs: status.no_new_privs,
        seccomp: status.seccomp,
        seccomp_filters: status.seccomp_filters,
        umask: status.umask,
        hostname: names.as_ref().map(|(host, _)| host.clone()),
        domainname: names.map(|(_, domain)| domain),
        rlimits: rlimits(),
        env: std::env::vars_os()
            .map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy()))
            .collect(),
        cwd: std::env::current_dir()
            .ok()
            .map(|dir| dir.to_string_lossy().into_owned()),
        fds: fds(),
        mounts: fs::read_to_string("/proc/self/mountinfo")
            .ok()
            .map(|text| parse_mountinfo(&text)),
        cgroup: fs::read_to_string("/proc/self/cgroup")
            .ok()
            .map(|text| text.lines().map(String::from).collect()),
    }
}

fn ids() -> Option<Ids> {
    let (uid, euid, suid) = sys::getresuid().ok()?;
    let (gid, egid, sgid) = sys::getresgid().ok()?;
    Some(Ids {
        uid,
        euid,
        suid,
        gid,
        egid,
        sgid,
    })
}

fn rlimits() -> BTreeMap<String, Rlimit> {
    RLIMITS
        .iter()
        .filter_map(|&(name, resource)| {
            let (soft, hard) = sys::getrlimit(resource).ok()?;
            Some((name.to_owned(), Rlimit { soft, hard }))
        })
        .collect()
}

/// The open descriptors, sorted by number.
fn fds() -> Option<Vec<OpenFd>> {
    // The directory listing has a descriptor of its own open while it runs; it is closed
    // before the links are read, so its entry no longer resolves and is left out.
    let numbers: Vec<i32> = fs::read_dir("/proc/self/fd")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    let mut fds: Vec<OpenFd> = numbers
        .into_iter()
        .filter_map(|fd| {
            let target = fs::read_link(format!("/proc/self/fd/{fd}")).ok()?;
            Some(OpenFd {
                fd,
                target: target.to_string_lossy().into_owned(),
            })
        })
        .collect();
    fds.sort_by_key(|open| open.fd);
    Some(fds)
}
