//! `start`: create the container's init and leave it blocked before its program, as
//! runc's `create` does. The parent's side of the init protocol.

use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::Child;

use hull_cgroups::{CgroupfsManager, Entry, Hierarchies, Manager};
use hull_configs::{Config, HookPoint, NamespaceKind};
use hull_nsenter::{Bootstrap, CgroupEntry, Channel, JoinNamespace, ParentReply, Stage1Message};
use nix::sys::signal::{Signal, kill};
use nix::sys::stat::Mode;
use nix::sys::wait::waitpid;
use nix::unistd::Pid;

use super::Container;
use crate::error::{ContainerError, Result};
use crate::hooks::{self, OciState};
use crate::message::{CgroupMountSpec, InitConfig, Stage2Message};
use crate::process::{Process, ProcessSpec};
use crate::spawn::spawn_stage1;
use crate::state::{EXEC_FIFO, InitProcess, StateDir, Status};

impl Container {
    /// Starts the container's init for `process` and returns once it is set up and
    /// blocked before running the program (status *created*); [`Container::exec`] lets it
    /// run. `process` becomes the handle of the container's init: the caller can
    /// [`Process::wait`] for it.
    ///
    /// On failure nothing is left running: the init is killed, the cgroup removed, and
    /// the container stays *stopped* (destroy it to remove its state).
    ///
    /// # Errors
    ///
    /// [`ContainerError::InvalidStatus`] when the container was started before; otherwise
    /// the first step that failed, on either side of the init boundary
    /// ([`ContainerError::Init`] for the init's own failures, with their step and errno).
    pub fn start(&mut self, process: &mut Process) -> Result<()> {
        let dir = StateDir::open(&self.dir, &self.id)?;
        let mut state = dir.read()?;
        if state.init.is_some() {
            let status = self.status_of(&state);
            return Err(ContainerError::InvalidStatus {
                id: self.id.clone(),
                status,
                operation: "start",
            });
        }
        // Read once for the cgroup and for the container's view of it.
        let hierarchies = Hierarchies::detect()?;
        let fifo = dir.path().join(EXEC_FIFO);
        make_fifo(&fifo)?;
        let cgroup = match self.prepare_cgroup(&hierarchies) {
            Ok(cgroup) => cgroup,
            Err(err) => {
                let _ = std::fs::remove_file(&fifo); // it is ours, just made; a failure leaves a stopped container either way
                return Err(err);
            }
        };
        let mut launch = Launch {
            container: self,
            cgroup: cgroup.as_ref().map(|(manager, _)| manager),
            entry: cgroup.as_ref().map(|(_, entry)| entry),
            hierarchies: &hierarchies,
            stage2: None,
        };
        match launch.run(process, &fifo) {
            Ok(init) => {
                process.set_pid(Pid::from_raw(init.pid));
                state.init = Some(init);
                state.cgroup_paths = cgroup.map(|(c, _)| c.paths()).unwrap_or_default();
                dir.write(&state)
            }
            Err(err) => {
                launch.abort();
                let _ = std::fs::remove_file(&fifo); // see above
                if let Some((cgroup, _)) = &cgroup {
                    // The cleanup's own failures must not hide why the start failed.
                    let _ = cgroup.destroy();
                }
                Err(err)
            }
        }
    }

    /// Creates the cgroup, checks that it is unused, opens the way in for the init
    /// ([`Entry`]) and writes its limits, before any process joins it. A rootless
    /// container whose cgroup cannot be written runs without one (`None`), with a warning,
    /// as runc's rootless containers do.
    fn prepare_cgroup(
        &self,
        hierarchies: &Hierarchies,
    ) -> Result<Option<(CgroupfsManager, Entry)>> {
        let membership = hull_cgroups::Membership::of_self()?;
        let cgroup =
            CgroupfsManager::with_host(&self.state.config.cgroup, hierarchies, &membership)?;
        let made = cgroup.create().and_then(|()| {
            let entry = cgroup.entry()?;
            cgroup.set(&self.state.config.cgroup.resources)?;
            Ok(entry)
        });
        match made {
            Ok(entry) => Ok(Some((cgroup, entry))),
            Err(err) => {
                let _ = cgroup.destroy(); // what failed before is what the caller needs to see
                if self.rootless_cgroups() {
                    tracing::warn!(container = %self.id, error = %crate::error::chain(&err), "running without a cgroup: it cannot be written");
                    return Ok(None);
                }
                Err(err.into())
            }
        }
    }

    /// Whether failing to write the cgroup only costs the container its limits.
    pub(crate) fn rootless_cgroups(&self) -> bool {
        let config = &self.state.config;
        config.rootless_cgroups || config.cgroup.rootless
    }
}

/// One start in progress: what to undo when it fails.
struct Launch<'a> {
    container: &'a Container,
    cgroup: Option<&'a CgroupfsManager>,
    entry: Option<&'a Entry>,
    hierarchies: &'a Hierarchies,
    stage2: Option<Pid>,
}

impl Launch<'_> {
    fn run(&mut self, process: &mut Process, fifo: &Path) -> Result<InitProcess> {
        let config = &self.container.state.config;
        let (parent, child) = Channel::pair()?;
        // Taken before the spawn, which hands the extra files to stage 1.
        let spec = process.spec();
        let mut stage1 = spawn_stage1(&self.container.init, process, child)?;
        let stage1_pid = Pid::from_raw(stage1.id() as i32);
        let pid = self.stage1(&parent, &mut stage1, stage1_pid, config);
        // Stage 1 exits once it has forked, or when it fails: reap it either way.
        let stage1_status = stage1.wait();
        let pid = pid?;
        match stage1_status {
            Ok(status) if status.success() => {}
            Ok(status) => {
                return Err(ContainerError::Stage1Exit {
                    status: status.to_string(),
                });
            }
            Err(source) => {
                return Err(ContainerError::Wait {
                    pid: stage1_pid.as_raw(),
                    source,
                });
            }
        }
        set_rlimits(pid, process.rlimits.as_ref().unwrap_or(&config.rlimits))?;
        self.stage2(&parent, pid, process, spec, fifo)?;
        InitProcess::of(pid.as_raw())
    }

    /// Sends stage 1 its bootstrap, with the way into the cgroup, and serves its
    /// requests; returns the pid of stage 2, in the cgroup.
    fn stage1(
        &mut self,
        parent: &Channel,
        stage1: &mut Child,
        pid: Pid,
        config: &Config,
    ) -> Result<Pid> {
        let (entry, fds) = cgroup_entry(self.entry);
        if let Err(err) = parent.send_with_fds(&bootstrap(config, entry), &fds) {
            let _ = stage1.kill(); // it has done nothing yet; the send failure is the error
            return Err(err.into());
        }
        loop {
            match parent.recv::<Stage1Message>()? {
                Stage1Message::WriteIdMaps => {
                    let done = self.container.id_mapper.write(
                        pid,
                        &config.uid_mappings,
                        &config.gid_mappings,
                    );
                    reply(parent, done.map_err(ContainerError::IdMaps))?;
                }
                Stage1Message::WriteTimeOffsets => {
                    let offsets = config.time_offsets.clone().unwrap_or_default();
                    let done = hull_namespaces::write_time_offsets(pid, &offsets);
                    reply(parent, done.map_err(ContainerError::TimeOffsets))?;
                }
                Stage1Message::Stage2 { pid, in_unified } => {
                    let pid = Pid::from_raw(pid);
                    self.stage2 = Some(pid);
                    if let (Some(entry), false) = (self.entry, in_unified) {
                        entry.join_unified(pid)?;
                    }
                    return Ok(pid);
                }
                Stage1Message::Failed(err) => return Err(ContainerError::Init(err.received())),
            }
        }
    }

    /// Sends stage 2 its configuration, runs the hooks it asks for, and waits until it is
    /// ready.
    fn stage2(
        &self,
        parent: &Channel,
        pid: Pid,
        process: &mut Process,
        spec: ProcessSpec,
        fifo: &Path,
    ) -> Result<()> {
        let container = self.container;
        let config = InitConfig {
            id: container.id.clone(),
            pid: pid.as_raw(),
            config: container.state.config.clone(),
            process: spec,
            exec_fifo: fifo.to_owned(),
            cgroup_mounts: cgroup_mounts(self.hierarchies, self.cgroup)?,
        };
        // The FIFO goes as a descriptor: the init may not be able to reach the state
        // directory (a user namespace makes it someone else).
        let fifo_fd = std::fs::File::options()
            .read(true)
            .custom_flags(libc::O_PATH | libc::O_CLOEXEC)
            .open(fifo)
            .map_err(|source| ContainerError::Fifo {
                path: fifo.to_owned(),
                source,
            })?;
        parent.send_with_fds(&config, &[std::os::fd::AsFd::as_fd(&fifo_fd)])?;
        loop {
            let (message, fds) = parent.recv_with_fds::<Stage2Message>()?;
            match message {
                Stage2Message::SeccompListener => {
                    reply(parent, self.send_listener(pid, fds.first()))?;
                }
                Stage2Message::Console => {
                    let master = fds.into_iter().next().ok_or(ContainerError::Init(
                        hull_nsenter::InitError::message(
                            hull_nsenter::Step::Channel,
                            "console",
                            "no terminal came with the message",
                        ),
                    ))?;
                    // Whatever the container sent: only a pty master becomes the console.
                    let fd = std::os::fd::AsFd::as_fd(&master);
                    let checked = crate::pty::check_pty_master(fd)
                        .map(|()| process.set_console(master))
                        .map_err(ContainerError::Console);
                    reply(parent, checked)?;
                }
                Stage2Message::RunHooks => {
                    let state = container.oci_state(Status::Creating, pid.as_raw());
                    let hooks = &container.state.config.hooks;
                    let done = hooks::run(hooks, HookPoint::Prestart, &state)
                        .and_then(|()| hooks::run(hooks, HookPoint::CreateRuntime, &state));
                    reply(parent, done.map_err(ContainerError::Hook))?;
                }
                Stage2Message::Ready => return Ok(()),
                Stage2Message::Failed(err) => return Err(ContainerError::Init(err.received())),
            }
        }
    }

    /// Hands the seccomp notify listener of stage 2 to the agent at the config's listener
    /// path, with the container's state, in the format runc's agents read.
    fn send_listener(&self, pid: Pid, listener: Option<&std::os::fd::OwnedFd>) -> Result<()> {
        let config = &self.container.state.config;
        let seccomp = config.seccomp.as_ref();
        let (Some(listener), Some(path)) =
            (listener, seccomp.and_then(|s| s.listener_path.as_ref()))
        else {
            return Err(ContainerError::Init(hull_nsenter::InitError::message(
                hull_nsenter::Step::Seccomp,
                "listener",
                "a listener came without a descriptor or without a listener path",
            )));
        };
        let oci = self.container.oci_state(Status::Creating, pid.as_raw());
        let mut state = hull_configs::oci::State::default();
        state
            .set_version(oci.oci_version.to_owned())
            .set_id(oci.id.to_owned())
            .set_status(hull_configs::oci::ContainerState::Creating)
            .set_pid(Some(pid.as_raw()))
            .set_bundle(oci.bundle.to_owned())
            .set_annotations(Some(oci.annotations.into_iter().collect()));
        let metadata = seccomp.and_then(|s| s.listener_metadata.clone());
        let message = hull_seccomp::container_process_state(pid.as_raw(), metadata, state);
        hull_seccomp::send_listener(path, &message, std::os::fd::AsFd::as_fd(listener))
            .map_err(ContainerError::SeccompAgent)
    }

    /// Kills stage 2, if it was forked, and reaps it: it is our child (`CLONE_PARENT`).
    fn abort(&self) {
        if let Some(pid) = self.stage2 {
            // By pid, not pidfd: no start time is recorded yet, and none is needed, since
            // stage 2 is our unreaped child (`CLONE_PARENT`), whose pid no other process can
            // take before the waitpid below. It may have died already; either way it must be
            // gone and reaped.
            let _ = kill(pid, Signal::SIGKILL);
            let _ = waitpid(pid, None);
        }
        // Anything it forked is in the cgroup.
        if let Some(cgroup) = self.cgroup {
            let _ = cgroup.kill_all(Signal::SIGKILL);
        }
    }
}

/// Sets the rlimits of stage 2 from here (`prlimit(2)` on its pid), as runc does: in a
/// user namespace the container cannot raise a hard limit itself, while the parent, in the
/// initial namespace, may.
fn set_rlimits(pid: Pid, rlimits: &[hull_configs::Rlimit]) -> Result<()> {
    for rlimit in rlimits {
        crate::sys::set_rlimit_of(
            pid.as_raw(),
            rlimit.kind.resource(),
            rlimit.soft,
            rlimit.hard,
        )
        .map_err(|source| ContainerError::Rlimit {
            kind: rlimit.kind,
            soft: rlimit.soft,
            hard: rlimit.hard,
            source,
        })?;
    }
    Ok(())
}

/// Makes the exec FIFO, writable by anyone (the container's process may run as any user,
/// in any user namespace, when it opens it), readable only by its owner.
fn make_fifo(fifo: &Path) -> Result<()> {
    let fifo_error = |source| ContainerError::Fifo {
        path: fifo.to_owned(),
        source,
    };
    nix::unistd::mkfifo(fifo, Mode::from_bits_truncate(0o622))
        .map_err(|errno| fifo_error(errno.into()))?;
    // The umask may have taken bits away; the mode must be exactly this.
    std::fs::set_permissions(fifo, std::os::unix::fs::PermissionsExt::from_mode(0o622))
        .map_err(fifo_error)
}

/// Answers a request of the init: done, or abort and return the error.
fn reply(parent: &Channel, done: Result<()>) -> Result<()> {
    match done {
        Ok(()) => Ok(parent.send(&ParentReply::Done)?),
        Err(err) => {
            // The init gives up on Abort or on a closed channel alike; the error is ours.
            let _ = parent.send(&ParentReply::Abort);
            Err(err)
        }
    }
}

/// The namespaces stage 1 joins and creates, and its way into the cgroup. A new cgroup
/// namespace is left to stage 2, which is in its cgroup in every hierarchy only from birth.
fn bootstrap(config: &Config, cgroup: CgroupEntry) -> Bootstrap {
    let mut bootstrap = Bootstrap {
        time_offsets: config.time_offsets.is_some(),
        cgroup,
        oom_score_adj: config.oom_score_adj,
        ..Bootstrap::default()
    };
    for ns in &config.namespaces.0 {
        match &ns.path {
            Some(path) => bootstrap.join.push(JoinNamespace {
                kind: ns.kind,
                path: path.clone(),
            }),
            None if ns.kind == NamespaceKind::Cgroup => {}
            None => bootstrap.create.push(ns.kind),
        }
    }
    bootstrap.time_offsets &= bootstrap.create.contains(&NamespaceKind::Time);
    bootstrap
}

/// The bootstrap's part of the way into the cgroup, and its descriptors in order.
fn cgroup_entry(entry: Option<&Entry>) -> (CgroupEntry, Vec<std::os::fd::BorrowedFd<'_>>) {
    let Some(entry) = entry else {
        return (CgroupEntry::default(), Vec::new());
    };
    let described = CgroupEntry {
        tasks: entry.tasks.iter().map(|(path, _)| path.clone()).collect(),
        unified: entry.unified.as_ref().map(|(path, _)| path.clone()),
    };
    let fds = entry.tasks.iter().chain(&entry.unified);
    let fds = fds.map(|(_, fd)| std::os::fd::AsFd::as_fd(fd)).collect();
    (described, fds)
}

/// The host's cgroup hierarchies and the container's directory in each, for a `cgroup`
/// mount in the container.
/// Without a cgroup of its own (rootless), the container shows the caller's.
fn cgroup_mounts(
    hierarchies: &Hierarchies,
    cgroup: Option<&CgroupfsManager>,
) -> Result<Vec<CgroupMountSpec>> {
    let paths = match cgroup {
        Some(cgroup) => cgroup.paths(),
        None => callers_cgroups(hierarchies)?,
    };
    let mut mounts = Vec::new();
    for h in &hierarchies.v1 {
        let Some(path) = h.controllers.first().and_then(|c| paths.get(c)) else {
            continue;
        };
        mounts.push(CgroupMountSpec {
            name: file_name(&h.mount_point),
            fstype: "cgroup".into(),
            options: h.controllers.join(","),
            host_path: path.clone(),
        });
    }
    if let (Some(u), Some(path)) = (&hierarchies.unified, paths.get("")) {
        let pure = hierarchies.v1.is_empty();
        mounts.push(CgroupMountSpec {
            name: if pure {
                String::new()
            } else {
                file_name(&u.mount_point)
            },
            fstype: "cgroup2".into(),
            options: String::new(),
            host_path: path.clone(),
        });
    }
    Ok(mounts)
}

/// The caller's cgroup directories, by controller (`""` for cgroup2), as
/// [`Manager::paths`] gives a container's.
fn callers_cgroups(
    hierarchies: &Hierarchies,
) -> Result<std::collections::BTreeMap<String, std::path::PathBuf>> {
    let membership = hull_cgroups::Membership::of_self()?;
    let under = |mount_point: &Path, root: &Path, cgroup: &Path| {
        let relative = cgroup.strip_prefix(root).unwrap_or(cgroup);
        mount_point.join(relative.strip_prefix("/").unwrap_or(relative))
    };
    let mut paths = std::collections::BTreeMap::new();
    for h in &hierarchies.v1 {
        for controller in &h.controllers {
            if let Some(cgroup) = membership.v1.get(controller) {
                paths.insert(controller.clone(), under(&h.mount_point, &h.root, cgroup));
            }
        }
    }
    if let (Some(u), Some(cgroup)) = (&hierarchies.unified, &membership.unified) {
        paths.insert(String::new(), under(&u.mount_point, &u.root, cgroup));
    }
    Ok(paths)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Container {
    /// The OCI state hooks read.
    pub(crate) fn oci_state(&self, status: Status, pid: i32) -> OciState<'_> {
        let config = &self.state.config;
        OciState {
            oci_version: if config.version.is_empty() {
                hull_configs::OCI_VERSION
            } else {
                &config.version
            },
            id: &self.id,
            status,
            pid,
            bundle: config.label("bundle").map_or(Path::new(""), Path::new),
            annotations: super::annotations(config),
        }
    }
}
