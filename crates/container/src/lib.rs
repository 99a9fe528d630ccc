#![doc = include_str!("../README.md")]

mod container;
mod error;
mod factory;
mod hooks;
mod id;
mod init;
mod message;
mod pidfd;
mod proc;
mod process;
mod pty;
mod spawn;
mod state;
mod sys;
pub mod time;

pub use container::{Container, State};
pub use error::{ContainerError, Result, chain};
pub use factory::Factory;
pub use hooks::{HookError, HookFailure, OciState};
pub use id::{MAX_ID_LEN, check_id};
pub use process::{ExitStatus, Process, Stdio};
pub use spawn::{InitCommand, MAX_EXTRA_FILES};
pub use state::{InitProcess, StateError, Status};

pub use hull_cgroups as cgroups;
pub use hull_configs as configs;
pub use hull_namespaces as namespaces;
pub use hull_nsenter as nsenter;
pub use hull_rootfs as rootfs;
pub use hull_seccomp as seccomp;
pub use hull_user as user;

/// Turns this process into a container's init when it was started as one, and returns
/// otherwise. Call it first thing in `main` of every program that starts containers with
/// the default [`InitCommand`] (the program itself): a container's init is a fresh
/// execution of that program, and this is where it takes over.
///
/// In an init process this never returns: it joins and creates the container's
/// namespaces (`hull-nsenter`), sets the container up, and executes the container's
/// program — or reports the failure to the parent and exits.
pub fn init() {
    let Some(fd) = sys::inherited_init_channel(spawn::INIT_SOCK_ENV) else {
        return;
    };
    let channel = hull_nsenter::Channel::from_fd(fd);
    if let Err(err) = init::begin(&channel) {
        // Stage 1's failure message, as the answer to the bootstrap: the parent reads it
        // where it waits for stage 2's pid. The bootstrap is read first, since a socket
        // closed with a message unread makes the parent's next read fail (`ECONNRESET`)
        // before it sees this one.
        let _ = channel.recv_with_fds::<hull_nsenter::Bootstrap>(); // only drained
        let _ = channel.send(&hull_nsenter::Stage1Message::Failed(err));
        hull_nsenter::exit_now(1)
    }
    hull_nsenter::run(&channel);
    init::run(channel)
}
