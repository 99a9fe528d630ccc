//! Stage 1: the namespaces of the container, then the fork into them.

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};

use hull_configs::NamespaceKind;
use nix::errno::Errno;
use nix::unistd::{Gid, Uid};
use pathrs::flags::OpenFlags;
use pathrs::procfs::{ProcfsBase, ProcfsHandleBuilder};

use crate::channel::Channel;
use crate::protocol::{Bootstrap, InitError, ParentReply, Stage1Message, Step};
use crate::sys;

/// Runs stage 1 on `channel` and returns only in stage 2.
///
/// Reads the [`Bootstrap`], enters the container's v1 cgroups, joins the namespaces it
/// names (the user namespace first, so that the others are joined with its privileges),
/// creates a user namespace and waits for the parent to write its maps, creates the other
/// namespaces (and waits for clock offsets when asked), then forks: the child, stage 2, is
/// pid 1 of a new pid namespace, born in the cgroup2 directory of
/// [`crate::CgroupEntry`], and a child of the container's creator; it returns from this
/// function with no descriptor of the bootstrap left open. Stage 1 reports the child's pid
/// and exits; on any failure it reports an [`InitError`] and exits with status 1.
///
/// Call it first thing in a fresh, single-threaded process: it forks.
pub fn run(channel: &Channel) {
    match setup(channel).and_then(|unified| fork(channel, unified)) {
        Ok(Forked::Child) => {}
        Ok(Forked::Parent) => sys::exit_now(0),
        Err(err) => {
            // The parent learns of the failure from this message, or from the channel
            // closing when it cannot be sent: either way it does not wait in vain.
            let _ = channel.send(&Stage1Message::Failed(err));
            sys::exit_now(1)
        }
    }
}

/// Everything before the fork; returns the cgroup2 directory to fork stage 2 into.
fn setup(channel: &Channel) -> Result<Option<OwnedFd>, InitError> {
    let (bootstrap, fds): (Bootstrap, _) = channel
        .recv_with_fds()
        .map_err(|err| InitError::new(Step::Channel, "bootstrap", &err))?;
    if let Some(score) = bootstrap.oom_score_adj {
        set_oom_score_adj(score)?;
    }
    // From here until it executes the container's program, nothing in the container may
    // ptrace the init or open its /proc files (CVE-2016-9962): execve makes the program
    // dumpable again.
    set_dumpable(false)?;
    let mut unified = enter_cgroup(&bootstrap, fds)?;
    let user_ns = bootstrap.create.contains(&NamespaceKind::User)
        || bootstrap
            .join
            .iter()
            .any(|ns| ns.kind == NamespaceKind::User);
    if user_ns {
        // clone3 checks the creator's right to write to the directory's cgroup.procs, and
        // root of a user namespace is not the host's root: the parent moves stage 2.
        unified = None;
    }
    join(&bootstrap)?;
    create(channel, &bootstrap)?;
    Ok(unified)
}

/// Writes `0` to each v1 `tasks` file, which moves this (single-threaded) process into the
/// container's cgroup there, and closes them; returns the cgroup2 directory.
fn enter_cgroup(bootstrap: &Bootstrap, fds: Vec<OwnedFd>) -> Result<Option<OwnedFd>, InitError> {
    let entry = &bootstrap.cgroup;
    if fds.len() != entry.fd_count() {
        return Err(InitError::message(
            Step::EnterCgroup,
            "bootstrap",
            format!(
                "{} descriptors came for {} cgroup files",
                fds.len(),
                entry.fd_count()
            ),
        ));
    }
    let mut fds = fds.into_iter();
    for (path, fd) in entry.tasks.iter().zip(fds.by_ref()) {
        File::from(fd)
            .write_all(b"0")
            .map_err(|err| InitError::new(Step::EnterCgroup, path.display().to_string(), &err))?;
    }
    Ok(fds.next())
}

/// Opens every namespace file before joining any (a joined mount namespace would change
/// what the paths name), then joins them in [`NamespaceKind::JOIN_ORDER`].
fn join(bootstrap: &Bootstrap) -> Result<(), InitError> {
    let mut files = Vec::with_capacity(bootstrap.join.len());
    for ns in &bootstrap.join {
        let context = || format!("{} {}", ns.kind, ns.path.display());
        let file = hull_namespaces::open(ns.kind, &ns.path)
            .map_err(|err| InitError::new(Step::OpenNamespace, context(), &err))?;
        files.push((ns.kind, context(), file));
    }
    for kind in NamespaceKind::JOIN_ORDER {
        for (_, context, file) in files.iter().filter(|(k, _, _)| *k == kind) {
            file.join()
                .map_err(|err| InitError::new(Step::JoinNamespace, context.clone(), &err))?;
            if kind == NamespaceKind::User {
                become_root()?;
            }
        }
    }
    Ok(())
}

/// Creates the user namespace first (mapped by the parent), then the others at once.
fn create(channel: &Channel, bootstrap: &Bootstrap) -> Result<(), InitError> {
    let unshare = |kinds: &[NamespaceKind]| {
        hull_namespaces::unshare(kinds).map_err(|err| {
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            InitError::new(Step::CreateNamespaces, names.join(","), &err)
        })
    };
    if bootstrap.create.contains(&NamespaceKind::User) {
        unshare(&[NamespaceKind::User])?;
        ask_parent_to_write(channel, Stage1Message::WriteIdMaps)?;
        become_root()?;
    }
    let rest: Vec<NamespaceKind> = bootstrap
        .create
        .iter()
        .copied()
        .filter(|&k| k != NamespaceKind::User)
        .collect();
    if !rest.is_empty() {
        unshare(&rest)?;
    }
    if bootstrap.time_offsets && rest.contains(&NamespaceKind::Time) {
        ask_parent_to_write(channel, Stage1Message::WriteTimeOffsets)?;
    }
    Ok(())
}

/// Asks the parent to write files of this process under `/proc/<pid>/` (id maps, clock
/// offsets): the process is dumpable for the time it takes, so that an unprivileged parent
/// (rootless) may open them. Nothing else is in the new namespaces yet.
fn ask_parent_to_write(channel: &Channel, request: Stage1Message) -> Result<(), InitError> {
    set_dumpable(true)?;
    let asked = ask_parent(channel, request);
    set_dumpable(false)?;
    asked
}

/// `prctl(PR_SET_DUMPABLE)`.
fn set_dumpable(dumpable: bool) -> Result<(), InitError> {
    nix::sys::prctl::set_dumpable(dumpable)
        .map_err(|err| InitError::new(Step::Dumpable, dumpable.to_string(), &err))
}

/// Writes `/proc/self/oom_score_adj` through a verified procfs handle (`pathrs`).
fn set_oom_score_adj(score: i32) -> Result<(), InitError> {
    let context = score.to_string();
    let procfs = ProcfsHandleBuilder::new()
        .build()
        .map_err(|err| InitError::new(Step::Procfs, "/proc", &err))?;
    let mut file = procfs
        .open(ProcfsBase::ProcSelf, "oom_score_adj", OpenFlags::O_WRONLY)
        .map_err(|err| InitError::new(Step::OomScoreAdj, context.clone(), &err))?;
    file.write_all(context.as_bytes())
        .map_err(|err| InitError::new(Step::OomScoreAdj, context.clone(), &err))
}

/// Sends a request and waits for the parent to say it is done.
fn ask_parent(channel: &Channel, request: Stage1Message) -> Result<(), InitError> {
    let context = format!("{request:?}");
    channel
        .send(&request)
        .map_err(|err| InitError::new(Step::Channel, context.clone(), &err))?;
    match channel.recv::<ParentReply>() {
        Ok(ParentReply::Done) => Ok(()),
        Ok(ParentReply::Abort) => Err(InitError::message(
            Step::ParentSetup,
            context,
            "the parent gave up",
        )),
        Err(err) => Err(InitError::new(Step::Channel, context, &err)),
    }
}

/// Root in the user namespace just joined or created: uid and gid 0 (`setresgid`,
/// `setresuid`), so that the namespaces made next belong to it with full privileges.
fn become_root() -> Result<(), InitError> {
    let root_gid = Gid::from_raw(0);
    let root_uid = Uid::from_raw(0);
    nix::unistd::setresgid(root_gid, root_gid, root_gid)
        .map_err(|err| InitError::new(Step::BecomeRoot, "gid 0", &err))?;
    nix::unistd::setresuid(root_uid, root_uid, root_uid)
        .map_err(|err| InitError::new(Step::BecomeRoot, "uid 0", &err))
}

enum Forked {
    Parent,
    Child,
}

/// Forks stage 2 as a sibling (a child of the creator), into the cgroup2 directory
/// `unified` when there is one, and reports its pid.
fn fork(channel: &Channel, unified: Option<OwnedFd>) -> Result<Forked, InitError> {
    let mut in_unified = unified.is_some();
    let forked = match &unified {
        Some(dir) => match sys::fork_sibling_into(dir.as_fd()) {
            // Before Linux 5.7: the parent moves stage 2 instead.
            Err(Errno::ENOSYS) => {
                in_unified = false;
                sys::fork_sibling()
            }
            forked => forked,
        },
        None => sys::fork_sibling(),
    };
    // Neither stage keeps the directory: stage 2 must hold no way into cgroups.
    drop(unified);
    match forked {
        Err(errno) => Err(InitError::new(Step::Fork, "", &errno)),
        Ok(None) => Ok(Forked::Child),
        Ok(Some(pid)) => {
            let message = Stage1Message::Stage2 {
                pid: pid.as_raw(),
                in_unified,
            };
            // Stage 2 holds the channel too: if this send fails, stage 2's own first
            // exchange with the parent fails, and the parent kills it.
            channel
                .send(&message)
                .map_err(|err| InitError::new(Step::Channel, "stage 2 pid", &err))?;
            Ok(Forked::Parent)
        }
    }
}
