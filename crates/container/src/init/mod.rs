//! Stage 2 of the init process: pid 1 of the container, from the configuration to the
//! program. The steps run in the order `docs/architecture.md` gives.

mod attributes;
mod console;
mod exec;
mod identity;

use std::fs::File;
use std::path::Path;

use hull_configs::{Config, HookPoint, NamespaceKind};
use hull_nsenter::{Channel, InitError, ParentReply, Step};
use hull_user::ExecUser;

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

/// Runs stage 2 on `channel`; never returns: it executes the program, or reports the
/// failure and exits.
pub(crate) fn run(channel: Channel) -> ! {
    let err = match setup(&channel) {
        Ok(ready) => {
            let err = ready.exec(&channel);
            // Once ready, the parent may be gone (`hull create` exits): the process's own
            // stderr is where this failure can still be seen.
            eprintln!("hull init: {}", crate::error::chain(&err));
            err
        }
        Err(err) => err,
    };
    // The parent learns of the failure from this message or from the channel closing.
    let _ = channel.send(&Stage2Message::Failed(err));
    hull_nsenter::exit_now(1)
}

/// Everything up to the exec FIFO.
fn setup(channel: &Channel) -> InitResult<exec::Ready> {
    // Until the program runs, dying with the parent beats living on half set up.
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .map_err(at(Step::ProcessAttributes, "parent death signal"))?;
    let (init, fds): (InitConfig, _) = channel
        .recv_with_fds()
        .map_err(at(Step::ReceiveConfig, ""))?;
    let fifo = fds.into_iter().next().map(File::from).ok_or_else(|| {
        InitError::message(
            Step::ExecFifo,
            init.exec_fifo.display().to_string(),
            "no FIFO came with the configuration",
        )
    })?;
    let config = &init.config;
    // Stage 2 is in its cgroup in every hierarchy from birth, stage 1 was not: the cgroup
    // namespace, rooted where its creator stands, is made here.
    if config.namespaces.is_new(NamespaceKind::Cgroup) {
        hull_namespaces::unshare(&[NamespaceKind::Cgroup])
            .map_err(at(Step::CreateNamespaces, "cgroup"))?;
    }
    let user = resolve_user(config, &init.process)?;
    rootfs(channel, &init)?;
    if init.process.terminal {
        console::setup(channel, &user)?;
    }
    attributes::apply(&init.id, config, &init.process)?;
    identity::apply(channel, &init, &user)?;
    Ok(exec::Ready::new(&init, &user, fifo))
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

/// The root filesystem: mounts, hooks, entering it, then the hostname, sysctls and the
/// masked and read-only paths.
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
        .map_err(at(Step::EnterRootfs, config.rootfs.display().to_string()))?;
    attributes::uts_and_sysctl(config)?;
    hull_rootfs::finalize(config).map_err(at(Step::FinalizeRootfs, ""))
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
