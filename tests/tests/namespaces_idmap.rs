//! uid/gid maps of new user namespaces, written by `hull_namespaces::IdMapper` as root and
//! as an unprivileged user (directly, and through newuidmap/newgidmap), and read back with
//! `user_namespace_maps`, as root. Each scenario's namespaces live in re-executed children
//! of this binary (`namespaces_support`), never in the test runner.

mod namespaces_support;

use std::fs::{self, File};
use std::os::fd::AsRawFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use hull_namespaces::{
    IdMap, IdMapper, NamespaceKind, NamespacesError, UserNamespaceMaps, proc_ns_path, unshare,
    user_namespace_maps,
};
use namespaces_support::{Child, Outcome, Test, chain, read_normalised, say, wait_for};
use nix::mount::MsFlags;
use nix::unistd::{Gid, Uid};

/// Where the writer looks for newuidmap and newgidmap.
const SYSTEM_PATH: &str = "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What a user-namespace target reports once it is root inside.
const REPORT: [&str; 5] = ["uid", "gid", "uid_map", "gid_map", "setgroups"];

const TESTS: [(&str, Test); 6] = [
    ("root_writes_one_range_directly", root_one_range),
    ("root_writes_several_ranges_directly", root_several_ranges),
    (
        "unprivileged_own_ids_are_written_after_denying_setgroups",
        unprivileged_own_ids,
    ),
    (
        "unprivileged_several_ranges_go_through_newuidmap_and_newgidmap",
        unprivileged_several_ranges,
    ),
    ("maps_of_a_user_namespace_file", maps_of_a_namespace_file),
    (
        "maps_of_a_namespace_the_caller_cannot_enter",
        maps_of_a_foreign_namespace,
    ),
];

fn main() -> ExitCode {
    namespaces_support::main(&TESTS, |scenario| match scenario {
        "userns_target" => userns_target(),
        "unprivileged_writer" => unprivileged_writer(),
        "unprivileged_reader" => unprivileged_reader(),
        other => Err(format!("no scenario {other:?}")),
    })
}

fn range(container_id: u32, host_id: u32, size: u32) -> IdMap {
    IdMap {
        container_id,
        host_id,
        size,
    }
}

/// `0 100000 65536;...`, as [`namespaces_support::normalised`] writes a map file.
fn text(maps: &[IdMap]) -> String {
    let lines: Vec<String> = maps
        .iter()
        .map(|m| format!("{} {} {}", m.container_id, m.host_id, m.size))
        .collect();
    lines.join(";")
}

fn parse(text: &str) -> Result<Vec<IdMap>, String> {
    let range = |line: &str| {
        let ids: Vec<u32> = line.split(' ').filter_map(|id| id.parse().ok()).collect();
        match ids[..] {
            [container_id, host_id, size] => Ok(range(container_id, host_id, size)),
            _ => Err(format!("bad range {line:?}")),
        }
    };
    text.split(';').map(range).collect()
}

/// Starts a target, writes its maps as this process, lets it become root inside and
/// checks what it reports.
fn map_as_root(uids: &[IdMap], gids: &[IdMap]) -> Result<Child, String> {
    let mut target = Child::spawn("userns_target", &[])?;
    target.expect("unshared", "yes")?;
    IdMapper::default()
        .write(target.pid(), uids, gids)
        .map_err(|err| chain(&err))?;
    target.send("go")?;
    target.expect("uid", "0")?;
    target.expect("gid", "0")?;
    target.expect("uid_map", &text(uids))?;
    target.expect("gid_map", &text(gids))?;
    // Root never denies setgroups.
    target.expect("setgroups", "allow")?;
    Ok(target)
}

fn root_one_range() -> Outcome {
    let maps = [range(0, 100_000, 65_536)];
    let target = map_as_root(&maps, &maps)?;
    // Seen from the host, root inside is uid 100000.
    let status = fs::read_to_string(format!("/proc/{}/status", target.pid()))
        .map_err(|err| err.to_string())?;
    let uid_line = status.lines().find(|line| line.starts_with("Uid:"));
    let ids: Vec<&str> = uid_line.unwrap_or("").split_whitespace().skip(1).collect();
    if ids != ["100000"; 4] {
        return Err(format!("host view of the target: {uid_line:?}"));
    }
    target.finish()
}

fn root_several_ranges() -> Outcome {
    let uids = [range(0, 100_000, 1000), range(1000, 300_000, 1000)];
    let gids = [range(0, 200_000, 65_536), range(65_536, 400_000, 10)];
    map_as_root(&uids, &gids)?.finish()
}

/// The user `nobody` of the host: name, uid and gid.
fn nobody() -> Result<(String, u32, u32), String> {
    let passwd = fs::read_to_string("/etc/passwd").map_err(|err| err.to_string())?;
    let fields = |line: &str| -> Option<(String, u32, u32)> {
        let mut f = line.split(':');
        let name = f.next()?;
        let (uid, gid) = (f.nth(1)?.parse().ok()?, f.next()?.parse().ok()?);
        (name == "nobody").then(|| (name.to_owned(), uid, gid))
    };
    passwd
        .lines()
        .find_map(fields)
        .ok_or_else(|| "no user nobody in /etc/passwd".into())
}

/// Runs `scenario`, which drops to `nobody` (`HULL_TEST_WRITER`).
fn as_nobody(scenario: &str, env: Vec<(&str, String)>) -> Result<Child, String> {
    let (_, uid, gid) = nobody()?;
    let mut env = env;
    env.push(("HULL_TEST_WRITER", format!("{uid}:{gid}")));
    Child::spawn(scenario, &env)
}

fn unprivileged_own_ids() -> Outcome {
    let (_, uid, gid) = nobody()?;
    let mut writer = as_nobody(
        "unprivileged_writer",
        vec![
            ("HULL_TEST_UID_MAPS", format!("0 {uid} 1")),
            ("HULL_TEST_GID_MAPS", format!("0 {gid} 1")),
        ],
    )?;
    writer.expect("uid", "0")?;
    writer.expect("gid", "0")?;
    writer.expect("uid_map", &format!("0 {uid} 1"))?;
    writer.expect("gid_map", &format!("0 {gid} 1"))?;
    writer.expect("setgroups", "deny")?;
    writer.finish()
}

fn unprivileged_several_ranges() -> Outcome {
    let tools = IdMapper::find_in(SYSTEM_PATH.as_ref());
    if tools.newuidmap.is_none() || tools.newgidmap.is_none() {
        return Err(
            "newuidmap or newgidmap is missing: install Debian's uidmap \
                    (`cargo xtask test` does)"
                .into(),
        );
    }
    for file in ["/etc/subuid", "/etc/subgid"] {
        if !Path::new(file).exists() {
            return Err(format!(
                "{file} is missing: the test mounts its own over it"
            ));
        }
    }
    let (name, uid, gid) = nobody()?;
    let dir = tempfile::tempdir().map_err(|err| err.to_string())?;
    fs::write(dir.path().join("subuid"), format!("{name}:200000:65536\n"))
        .and_then(|()| fs::write(dir.path().join("subgid"), format!("{name}:300000:65536\n")))
        .map_err(|err| err.to_string())?;
    let uids = format!("0 {uid} 1;1 200000 65536");
    let gids = format!("0 {gid} 1;1 300000 65536");
    let mut writer = as_nobody(
        "unprivileged_writer",
        vec![
            ("HULL_TEST_UID_MAPS", uids.clone()),
            ("HULL_TEST_GID_MAPS", gids.clone()),
            ("HULL_TEST_SUBIDS", dir.path().display().to_string()),
        ],
    )?;
    writer.expect("uid", "0")?;
    writer.expect("gid", "0")?;
    writer.expect("uid_map", &uids)?;
    writer.expect("gid_map", &gids)?;
    // newgidmap allows setgroups for a /etc/subgid range: we did not deny it first (the
    // kernel would not let it be allowed again).
    writer.expect("setgroups", "allow")?;
    writer.finish()
}

fn maps_of_a_namespace_file() -> Outcome {
    let uids = [range(0, 100_000, 65_536)];
    let gids = [range(0, 200_000, 65_536)];
    let target = map_as_root(&uids, &gids)?;
    let expected = UserNamespaceMaps {
        uid_maps: uids.to_vec(),
        gid_maps: gids.to_vec(),
    };
    let path = proc_ns_path(target.pid(), NamespaceKind::User);
    let by_pid = user_namespace_maps(&path).map_err(|err| chain(&err))?;
    if by_pid != expected {
        return Err(format!("through {}: {by_pid:?}", path.display()));
    }
    // Hold the namespace and let its only process go: nothing is left in it to read from.
    let ns = File::open(&path).map_err(|err| err.to_string())?;
    target.finish()?;
    let by_fd = PathBuf::from(format!("/proc/self/fd/{}", ns.as_raw_fd()));
    // Other threads allocate all the while: a forked reader that needed the allocator's
    // lock (held by one of them at the fork) would hang.
    let stop = Arc::new(AtomicBool::new(false));
    let busy: Vec<_> = (0..2)
        .map(|_| {
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let garbage: Vec<Vec<u8>> = (0..64).map(|n| vec![0; n * 64]).collect();
                    std::hint::black_box(garbage);
                }
            })
        })
        .collect();
    let reads: Result<Vec<_>, _> = (0..50).map(|_| user_namespace_maps(&by_fd)).collect();
    stop.store(true, Ordering::Relaxed);
    for thread in busy {
        thread.join().map_err(|_| "a busy thread panicked")?;
    }
    let reads = reads.map_err(|err| chain(&err))?;
    if let Some(wrong) = reads.iter().find(|maps| **maps != expected) {
        return Err(format!("through {}: {wrong:?}", by_fd.display()));
    }
    no_children_left()
}

/// A user namespace that belongs to root, bind-mounted where `nobody` can open it: the
/// reader forked for `nobody` cannot join it, and the error says so.
fn maps_of_a_foreign_namespace() -> Outcome {
    let maps = [range(0, 100_000, 65_536)];
    let target = map_as_root(&maps, &maps)?;
    let userns = proc_ns_path(target.pid(), NamespaceKind::User);
    // Where the reader binds it, in a mount namespace of its own.
    let dir = tempfile::tempdir().map_err(|err| err.to_string())?;
    let bind = dir.path().join("userns");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))
        .and_then(|()| fs::write(&bind, ""))
        .map_err(|err| err.to_string())?;
    let mut reader = as_nobody(
        "unprivileged_reader",
        vec![
            ("HULL_TEST_USERNS", userns.display().to_string()),
            ("HULL_TEST_BIND", bind.display().to_string()),
        ],
    )?;
    reader.expect("read", "cannot join: EPERM")?;
    reader.expect("children", "none")?;
    reader.finish()?;
    target.finish()
}

/// Every process this test forked has been reaped: no thread of ours has a child.
fn no_children_left() -> Outcome {
    let tasks = fs::read_dir("/proc/self/task").map_err(|err| err.to_string())?;
    for task in tasks.flatten() {
        let children = fs::read_to_string(task.path().join("children")).unwrap_or_default();
        if !children.trim().is_empty() {
            return Err(format!("children left behind: {children}"));
        }
    }
    Ok(())
}

// The scenarios, in re-executed children.

/// Unshares a user namespace, waits for its maps, becomes root in it and reports.
fn userns_target() -> Outcome {
    unshare(&[NamespaceKind::User]).map_err(|err| chain(&err))?;
    say("unshared", "yes");
    wait_for("go")?;
    let root_gid = Gid::from_raw(0);
    let root_uid = Uid::from_raw(0);
    nix::unistd::setresgid(root_gid, root_gid, root_gid)
        .map_err(|err| format!("setresgid: {err}"))?;
    nix::unistd::setresuid(root_uid, root_uid, root_uid)
        .map_err(|err| format!("setresuid: {err}"))?;
    say("uid", Uid::current());
    say("gid", Gid::current());
    say("uid_map", read_normalised("/proc/self/uid_map"));
    say("gid_map", read_normalised("/proc/self/gid_map"));
    say("setgroups", read_normalised("/proc/self/setgroups"));
    wait_for("exit")
}

/// Mounts the test's subordinate id files when asked, drops to the given user, starts a
/// target as that user and writes its maps; relays the target's report.
fn unprivileged_writer() -> Outcome {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let uid_maps = parse(&var("HULL_TEST_UID_MAPS")?)?;
    let gid_maps = parse(&var("HULL_TEST_GID_MAPS")?)?;
    let mapper = match std::env::var_os("HULL_TEST_SUBIDS") {
        Some(dir) => {
            private_subordinate_ids(Path::new(&dir))?;
            IdMapper::find_in(SYSTEM_PATH.as_ref())
        }
        None => IdMapper::default(),
    };
    drop_privileges()?;
    let mut target = Child::spawn("userns_target", &[])?;
    target.expect("unshared", "yes")?;
    mapper
        .write(target.pid(), &uid_maps, &gid_maps)
        .map_err(|err| chain(&err))?;
    target.send("go")?;
    for key in REPORT {
        say(key, target.get(key)?);
    }
    target.finish()
}

/// Binds the user namespace file it is given to another path (as `/run/userns/x` would
/// be), in a mount namespace of its own, drops to the given user and tries to read its maps.
fn unprivileged_reader() -> Outcome {
    let userns = std::env::var_os("HULL_TEST_USERNS").ok_or("HULL_TEST_USERNS is not set")?;
    let bound = std::env::var_os("HULL_TEST_BIND").ok_or("HULL_TEST_BIND is not set")?;
    let bound = Path::new(&bound);
    unshare(&[NamespaceKind::Mount]).map_err(|err| chain(&err))?;
    let none = None::<&str>;
    nix::mount::mount(none, "/", none, MsFlags::MS_REC | MsFlags::MS_PRIVATE, none)
        .map_err(|err| format!("make / private: {err}"))?;
    nix::mount::mount(
        Some(Path::new(&userns)),
        bound,
        none,
        MsFlags::MS_BIND,
        none,
    )
    .map_err(|err| format!("bind the namespace: {err}"))?;
    drop_privileges()?;
    match user_namespace_maps(bound) {
        Err(NamespacesError::SpawnMapReader { source, .. }) => {
            say("read", format!("cannot join: {source:?}"));
        }
        other => say("read", format!("{other:?}")),
    }
    let children =
        fs::read_to_string("/proc/thread-self/children").map_err(|err| err.to_string())?;
    say(
        "children",
        if children.trim().is_empty() {
            "none"
        } else {
            children.trim()
        },
    );
    Ok(())
}

/// Drops to the user and group of `HULL_TEST_WRITER` (`uid:gid`), with no supplementary
/// groups and so no capabilities.
fn drop_privileges() -> Outcome {
    let writer = std::env::var("HULL_TEST_WRITER").map_err(|_| "HULL_TEST_WRITER is not set")?;
    let (uid, gid) = writer.split_once(':').ok_or("bad HULL_TEST_WRITER")?;
    let uid = Uid::from_raw(uid.parse().map_err(|_| "bad uid")?);
    let gid = Gid::from_raw(gid.parse().map_err(|_| "bad gid")?);
    nix::unistd::setgroups(&[]).map_err(|err| format!("setgroups: {err}"))?;
    nix::unistd::setresgid(gid, gid, gid).map_err(|err| format!("setresgid: {err}"))?;
    nix::unistd::setresuid(uid, uid, uid).map_err(|err| format!("setresuid: {err}"))
}

/// In a private mount namespace, the test's `subuid` and `subgid` over `/etc`'s, for
/// newuidmap and newgidmap to read.
fn private_subordinate_ids(dir: &Path) -> Outcome {
    unshare(&[NamespaceKind::Mount]).map_err(|err| chain(&err))?;
    let none = None::<&str>;
    nix::mount::mount(none, "/", none, MsFlags::MS_REC | MsFlags::MS_PRIVATE, none)
        .map_err(|err| format!("make / private: {err}"))?;
    for name in ["subuid", "subgid"] {
        let target = Path::new("/etc").join(name);
        nix::mount::mount(Some(&dir.join(name)), &target, none, MsFlags::MS_BIND, none)
            .map_err(|err| format!("bind {name} over {}: {err}", target.display()))?;
    }
    Ok(())
}
