//! A terminal for the container's process: a pseudo-terminal from the container's own
//! devpts, its slave bound onto `/dev/console` and made the process's controlling terminal
//! and standard streams, its master handed to the parent.

use std::fs::OpenOptions;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;

use hull_nsenter::{Channel, InitError, ParentReply, Step};
use hull_user::ExecUser;

use super::{InitResult, at};
use crate::message::Stage2Message;
use crate::sys;

/// Opens `/dev/ptmx` in the container (after the root is entered, so the pty belongs to the
/// container's devpts), makes the slave the controlling terminal and fds 0, 1 and 2 of a
/// new session, and sends the master to the parent.
pub(super) fn setup(channel: &Channel, user: &ExecUser) -> InitResult<()> {
    let master: OwnedFd = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
        .open("/dev/ptmx")
        .map_err(at(Step::ProcessAttributes, "/dev/ptmx"))?
        .into();
    sys::unlock_pty(master.as_fd()).map_err(at(Step::ProcessAttributes, "unlock pty"))?;
    let slave = sys::open_pty_peer(master.as_fd())
        .map_err(at(Step::ProcessAttributes, "open pty slave"))?;
    // The process's own user must be able to use its terminal.
    nix::unistd::fchown(&slave, Some(user.uid.into()), Some(user.gid.into()))
        .map_err(at(Step::ProcessAttributes, "chown pty slave"))?;
    hull_rootfs::mount_console(slave.as_fd())
        .map_err(at(Step::ProcessAttributes, "/dev/console"))?;
    nix::unistd::setsid().map_err(at(Step::ProcessAttributes, "setsid"))?;
    sys::set_controlling_terminal(slave.as_fd())
        .map_err(at(Step::ProcessAttributes, "controlling terminal"))?;
    let stdio = at(Step::ProcessAttributes, "pty slave as stdio");
    nix::unistd::dup2_stdin(&slave)
        .and_then(|()| nix::unistd::dup2_stdout(&slave))
        .and_then(|()| nix::unistd::dup2_stderr(&slave))
        .map_err(stdio)?;
    channel
        .send_with_fds(&Stage2Message::Console, &[master.as_fd()])
        .map_err(at(Step::Channel, "console"))?;
    match channel
        .recv::<ParentReply>()
        .map_err(at(Step::Channel, "console"))?
    {
        ParentReply::Done => Ok(()),
        ParentReply::Abort => Err(InitError::message(
            Step::ProcessAttributes,
            "console",
            "the parent refused the terminal",
        )),
    }
}
