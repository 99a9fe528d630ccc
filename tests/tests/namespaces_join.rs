//! Creating namespaces, joining them by path and setting the clocks of a new time
//! namespace with `hull-namespaces`, as root. Each scenario's namespaces live in
//! re-executed children of this binary (`namespaces_support`), never in the test runner.

mod namespaces_support;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::process::ExitCode;

use hull_namespaces::{
    Clock, NamespaceKind, NamespacesError, TimeOffset, TimeOffsets, open, proc_ns_path, unshare,
    write_time_offsets,
};
use namespaces_support::{Child, Outcome, Test, chain, read_normalised, say, wait_for};
use nix::errno::Errno;
use nix::time::{ClockId, clock_gettime};
use nix::unistd::Pid;

const HOSTNAME: &str = "hull-ns-holder";

/// Ten and twenty days, in seconds: far beyond any drift during a test.
const MONOTONIC_OFFSET: i64 = 10 * 86_400;
const BOOTTIME_OFFSET: i64 = 20 * 86_400;

const TESTS: [(&str, Test); 3] = [
    ("join_network_and_uts_by_path", join_by_path),
    ("a_file_of_another_kind_is_refused", wrong_kind),
    ("time_offsets_reach_the_first_process", time_offsets),
];

fn main() -> ExitCode {
    namespaces_support::main(&TESTS, |scenario| match scenario {
        "holder" => holder(),
        "joiner" => joiner(),
        "time_target" => time_target(),
        "clocks" => clocks(),
        other => Err(format!("no scenario {other:?}")),
    })
}

/// The inode of a `/proc/<pid>/ns/` file, which names the namespace.
fn inode(pid: Pid, kind: NamespaceKind) -> Result<u64, String> {
    let path = proc_ns_path(pid, kind);
    std::fs::metadata(&path)
        .map(|meta| meta.ino())
        .map_err(|err| format!("{}: {err}", path.display()))
}

fn join_by_path() -> Outcome {
    let mut holder = Child::spawn("holder", &[])?;
    let net = holder.get("net")?;
    holder.expect("hostname", HOSTNAME)?;
    if net == inode(Pid::this(), NamespaceKind::Network)?.to_string() {
        return Err("the holder kept the runner's network namespace".into());
    }
    let mut joiner = Child::spawn("joiner", &[("HULL_TEST_HOLDER", holder.pid().to_string())])?;
    joiner.expect("net", &net)?;
    joiner.expect("hostname", HOSTNAME)?;
    joiner.finish()?;
    holder.finish()
}

fn wrong_kind() -> Outcome {
    let mut holder = Child::spawn("holder", &[])?;
    holder.get("net")?;
    let net = proc_ns_path(holder.pid(), NamespaceKind::Network);
    match open(NamespaceKind::Uts, &net) {
        Err(NamespacesError::WrongKind {
            expected: NamespaceKind::Uts,
            found: NamespaceKind::Network,
            ..
        }) => {}
        other => return Err(format!("open {} as uts: {other:?}", net.display())),
    }
    match open(NamespaceKind::User, std::path::Path::new("/etc/hostname")) {
        Err(NamespacesError::NotNamespace { .. } | NamespacesError::Open { .. }) => {}
        other => return Err(format!("open /etc/hostname as user: {other:?}")),
    }
    holder.finish()
}

fn offsets() -> TimeOffsets {
    BTreeMap::from([
        (
            Clock::Monotonic,
            TimeOffset {
                secs: MONOTONIC_OFFSET,
                nanosecs: 0,
            },
        ),
        (
            Clock::Boottime,
            TimeOffset {
                secs: BOOTTIME_OFFSET,
                nanosecs: 500,
            },
        ),
    ])
}

fn seconds(clock: ClockId) -> Result<i64, String> {
    clock_gettime(clock)
        .map(|time| time.tv_sec())
        .map_err(|err| format!("clock_gettime: {err}"))
}

/// Checks that the child's `clock` reading, less `offset`, falls between ours around it.
fn shifted(child: &mut Child, key: &str, clock: ClockId, before: i64, offset: i64) -> Outcome {
    let got: i64 = child.get(key)?.parse().map_err(|_| format!("bad {key}"))?;
    let after = seconds(clock)?;
    match (before..=after).contains(&(got - offset)) {
        true => Ok(()),
        false => Err(format!(
            "{key}: the child read {got}, ours was {before}..={after}, offset {offset}"
        )),
    }
}

fn time_offsets() -> Outcome {
    let mut target = Child::spawn("time_target", &[])?;
    target.expect("unshared", "yes")?;
    write_time_offsets(target.pid(), &offsets()).map_err(|err| chain(&err))?;
    let monotonic = seconds(ClockId::CLOCK_MONOTONIC)?;
    let boottime = seconds(ClockId::CLOCK_BOOTTIME)?;
    target.send("go")?;
    target.expect(
        "offsets",
        &format!("monotonic {MONOTONIC_OFFSET} 0;boottime {BOOTTIME_OFFSET} 500"),
    )?;
    shifted(
        &mut target,
        "monotonic",
        ClockId::CLOCK_MONOTONIC,
        monotonic,
        MONOTONIC_OFFSET,
    )?;
    shifted(
        &mut target,
        "boottime",
        ClockId::CLOCK_BOOTTIME,
        boottime,
        BOOTTIME_OFFSET,
    )?;
    // The namespace has had a process: the kernel takes no more offsets.
    match write_time_offsets(target.pid(), &offsets()) {
        Err(NamespacesError::WriteTimeOffsets { source, .. })
            if source.raw_os_error() == Some(Errno::EACCES as i32) => {}
        other => return Err(format!("a second write: {other:?}")),
    }
    target.finish()
}

// The scenarios, in re-executed children.

/// New network and UTS namespaces with a hostname; waits until told to exit.
fn holder() -> Outcome {
    unshare(&[NamespaceKind::Network, NamespaceKind::Uts]).map_err(|err| chain(&err))?;
    nix::unistd::sethostname(HOSTNAME).map_err(|err| format!("sethostname: {err}"))?;
    say("net", inode(Pid::this(), NamespaceKind::Network)?);
    say("hostname", hostname()?);
    wait_for("exit")
}

/// Opens the holder's network and UTS namespace files, then joins both.
fn joiner() -> Outcome {
    let holder: i32 = std::env::var("HULL_TEST_HOLDER")
        .ok()
        .and_then(|pid| pid.parse().ok())
        .ok_or("HULL_TEST_HOLDER is not a pid")?;
    let holder = Pid::from_raw(holder);
    let files = [NamespaceKind::Network, NamespaceKind::Uts]
        .map(|kind| open(kind, &proc_ns_path(holder, kind)).map_err(|err| chain(&err)));
    for file in files {
        file?.join().map_err(|err| chain(&err))?;
    }
    say("net", inode(Pid::this(), NamespaceKind::Network)?);
    say("hostname", hostname()?);
    Ok(())
}

fn hostname() -> Result<String, String> {
    let name = nix::unistd::gethostname().map_err(|err| format!("gethostname: {err}"))?;
    Ok(name.to_string_lossy().into_owned())
}

/// Unshares a time namespace, waits for its offsets, then relays what its first process
/// (a child: the caller itself stays in its old time namespace) sees.
fn time_target() -> Outcome {
    unshare(&[NamespaceKind::Time]).map_err(|err| chain(&err))?;
    say("unshared", "yes");
    wait_for("go")?;
    let mut first = Child::spawn("clocks", &[])?;
    for key in ["offsets", "monotonic", "boottime"] {
        say(key, first.get(key)?);
    }
    first.finish()?;
    wait_for("exit")
}

/// Reports this process's clock offsets and readings.
fn clocks() -> Outcome {
    say("offsets", read_normalised("/proc/self/timens_offsets"));
    say("monotonic", seconds(ClockId::CLOCK_MONOTONIC)?);
    say("boottime", seconds(ClockId::CLOCK_BOOTTIME)?);
    Ok(())
}
