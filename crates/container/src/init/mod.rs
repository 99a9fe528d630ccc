//! Stage 2 of the init process: pid 1 of the container, from the configuration to the
//! program. The steps run in the order `docs/architecture.md` gives.

mod attributes;
mod checks;
mod console;
mod exec;
mod identity;
mod procfs;

use std::fs::File;
use std::os::fd::{AsFd, AsRawFd};
use std::path::Path;

use hull_configs::{Config, HookPoint, NamespaceKind};
use hull_nsenter::{Channel, InitError, ParentReply, Step};
use hull_user::ExecUser;
use nix::fcntl::{FcntlArg, FdFlag, fcntl};

use self::procfs::Procfs;
use crate::hooks::{self, OciState};
use crate::message::{InitConfig, Stage2Message};
use crate::process::ProcessSpec;
use crate::state::Status;

/// A result of stage 2: failures carry their step.
pub(crate) type InitResult<T> = std::result::Result<T, InitError>;

/// Maps an error to an [`InitError`] at `step` about `context`.
pub(crate) fn at<E: std::error::Error + 'static>(
    step: Step,
    context: impl Into<String>,
) -> impl FnOnce(E) -> InitError {
    let context = context.into();
    move |err| InitError::new(step, context, &err)
}

/// The init's first steps, before stage 1 reads anything: every descriptor past the channel
/// (which the parent placed right after the process's extra files) is closed, whatever the
/// caller leaked into the init, and the channel itself closes on exec; and the process
/// must be single-threaded, as stage 1 forks it with a raw `clone(2)`.
pub(crate) fn begin(channel: &Channel) -> InitResult<()> {
    let fd = channel.as_fd();
    let after = fd.as_raw_fd() as u32 + 1;
    crate::sys::close_from(after).map_err(at(Step::CloseFds, after.to_string()))?;
    fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).map_err(at(Step::CloseFds, "init channel"))?;
    let threads = std::fs::read_dir("/proc/self/task")
        .map_err(at(Step::Fork, "/proc/self/task"))?
        .count();
    match threads {
        1 => Ok(()),
        n => Err(InitError::message(
            Step::Fork,
            format!("{n} threads"),
            "a container's init must be single-threaded: call hull_container::init() first in main",
        )),
    }
}

/// Runs stage 2 on `channel`; never returns: it executes the program, or reports the
/// failure and exits.
pub(crate) fn run(channel: Channel) -> ! {
    match setup(&channel) {
        Ok(ready) => {
            // Once ready, the parent may be gone (`hull create` exits) and the channel is
            // closed with the init's other descriptors before execve: the process's own
            // stderr is where this failure can still be seen.
            let err = ready.exec(channel);
            eprintln!("hull init: {}", crate::error::chain(&err));
        }
        Err(err) => {
            // The parent learns of the failure from this message or from the channel
            // closing.
            let _ = channel.send(&Stage2Message::Failed(err));
        }
    }
    hull_nsenter::exit_now(1)
}

/// Everything up to the exec FIFO, in the order `docs/architecture.md` gives.
fn setup(channel: &Channel) -> InitResult<exec::Ready> {
    // Until the program runs, dying with the parent beats living on half set up.
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .map_err(at(Step::ProcessAttributes, "parent death signal"))?;
    let (init, fds): (InitConfig, _) = channel
        .recv_with_fds()
        .map_err(at(Step::ReceiveConfig, ""))?;
    let fifo = exec_fifo(&init, fds)?;
    // Before the root changes: the one way into /proc from here on.
    let procfs = Procfs::open()?;
    let config = &init.config;
    // Stage 2 is in its cgroup in every hierarchy from birth, stage 1 was not: the cgroup
    // namespace, rooted where its creator stands, is made here.
    if config.namespaces.is_new(NamespaceKind::Cgroup) {
        hull_namespaces::unshare(&[NamespaceKind::Cgroup])
            .map_err(at(Step::CreateNamespaces, "cgroup"))?;
    }
    let user = resolve_user(config, &init.process)?;
    // Everything that needs the procfs handle itself, before the root changes.
    attributes::uts_and_sysctl(config, &procfs)?;
    let setgroups_denied = procfs.setgroups_denied();
    let own_fds = procfs.into_own_fds();
    rootfs(channel, &init)?;
    exec::make_cwd(&init.process)?;
    // The terminal is bound onto /dev/console before the last steps of the root may make
    // /dev read-only.
    if init.process.terminal {
        console::setup(channel, &user)?;
    }
    hull_rootfs::finalize(config).map_err(at(Step::FinalizeRootfs, ""))?;
    attributes::apply(&init.id, config, &init.process)?;
    // Every descriptor past the process's own closes on exec, before any seccomp filter
    // exists to refuse close_range(2).
    let fds = exec::Descriptors::mark(&init.process, &own_fds)?;
    identity::apply(channel, &init, &user, setgroups_denied)?;
    exec::enter_cwd(&init.process)?;
    let program = exec::program(&init.process, &user)?;
    // With no_new_privs the filter goes on last, as close to execve(2) as it can while
    // the parent still hears from the init (a notify listener is sent to it).
    if identity::no_new_privileges(&init) {
        identity::seccomp(channel, &init)?;
    }
    Ok(exec::Ready::new(
        &init,
        &user,
        exec::Prepared {
            fifo,
            own_fds,
            fds,
            program,
        },
    ))
}

/// The exec FIFO that came with the configuration, checked to be one.
fn exec_fifo(init: &InitConfig, fds: Vec<std::os::fd::OwnedFd>) -> InitResult<File> {
    let context = || init.exec_fifo.display().to_string();
    let fifo = fds.into_iter().next().map(File::from).ok_or_else(|| {
        InitError::message(
            Step::ExecFifo,
            context(),
            "no FIFO came with the configuration",
        )
    })?;
    checks::check_fifo(std::os::fd::AsFd::as_fd(&fifo)).map_err(at(Step::ExecFifo, context()))?;
    Ok(fifo)
}

/// The process's user, resolved against the container's own files before the root is
/// entered (`hull-user`, never the host's NSS).
fn resolve_user(config: &Config, process: &ProcessSpec) -> InitResult<ExecUser> {
    let root = hull_user::RootDir::open(&config.rootfs)
        .map_err(at(Step::ResolveUser, config.rootfs.display().to_string()))?;
    let mut user = root
        .exec_user(&process.user, &ExecUser::default())
        .map_err(at(Step::ResolveUser, process.user.clone()))?;
    if !process.additional_groups.is_empty() {
        let extra = root
            .additional_groups(&process.additional_groups)
            .map_err(at(Step::ResolveUser, process.additional_groups.join(",")))?;
        for gid in extra {
            if !user.sgids.contains(&gid) {
                user.sgids.push(gid);
            }
        }
    }
    Ok(user)
}

/// The root filesystem: mounts, hooks, entering it (the masked and read-only paths come
/// after the terminal).
fn rootfs(channel: &Channel, init: &InitConfig) -> InitResult<()> {
    let config = &init.config;
    if !config.namespaces.contains(NamespaceKind::Mount) {
        return Err(InitError::message(
            Step::PrepareRootfs,
            config.rootfs.display().to_string(),
            "a container needs a mount namespace",
        ));
    }
    let opts = hull_rootfs::RootfsOptions {
        cgroup_mounts: init
            .cgroup_mounts
            .iter()
            .map(|m| hull_rootfs::CgroupMount {
                name: m.name.clone(),
                fstype: m.fstype.clone(),
                options: m.options.clone(),
                host_path: m.host_path.clone(),
            })
            .collect(),
        cgroupns: config.namespaces.is_new(NamespaceKind::Cgroup),
        bind_devices: config.namespaces.contains(NamespaceKind::User),
        // Id-mapped mounts need trees the parent makes on the host side; hull does not
        // make them yet, and rootfs refuses such mounts without one.
        idmapped_trees: Default::default(),
    };
    let prepared = hull_rootfs::prepare(config, &opts)
        .map_err(at(Step::PrepareRootfs, config.rootfs.display().to_string()))?;
    run_create_hooks(channel, init)?;
    prepared
        .enter(config.no_pivot_root)
        .map_err(at(Step::EnterRootfs, config.rootfs.display().to_string()))
}

/// Asks the parent to run `prestart` and `createRuntime`, then runs `createContainer` here,
/// in the container's namespaces, before the root is entered.
fn run_create_hooks(channel: &Channel, init: &InitConfig) -> InitResult<()> {
    let hooks = &init.config.hooks;
    if hooks.has_any(&[HookPoint::Prestart, HookPoint::CreateRuntime]) {
        channel
            .send(&Stage2Message::RunHooks)
            .map_err(at(Step::Channel, "hooks"))?;
        match channel
            .recv::<ParentReply>()
            .map_err(at(Step::Channel, "hooks"))?
        {
            ParentReply::Done => {}
            ParentReply::Abort => {
                return Err(InitError::message(
                    Step::Hooks,
                    "createRuntime",
                    "the runtime's hooks failed",
                ));
            }
        }
    }
    run_own_hooks(init, HookPoint::CreateContainer)
}

/// Runs hooks of `point` from the init itself.
pub(crate) fn run_own_hooks(init: &InitConfig, point: HookPoint) -> InitResult<()> {
    let config = &init.config;
    let state = OciState {
        oci_version: if config.version.is_empty() {
            hull_configs::OCI_VERSION
        } else {
            &config.version
        },
        id: &init.id,
        status: Status::Creating,
        pid: init.pid,
        bundle: config.label("bundle").map_or(Path::new(""), Path::new),
        annotations: crate::container::annotations(config),
    };
    hooks::run(&config.hooks, point, &state).map_err(at(Step::Hooks, point.as_str()))
}
