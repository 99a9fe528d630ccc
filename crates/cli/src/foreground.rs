//! A foreground `hull run` after the container started: forward signals to its init,
//! reap children, proxy the terminal, until the init exits.

use std::io;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::Signal;

use crate::error::CliError;
use crate::signals::{self, Signals};
use crate::tty::TtyProxy;

/// How long the terminal's last output is waited for once the init has exited.
const DRAIN: Duration = Duration::from_millis(200);

/// What one poll found ready.
#[derive(Default)]
struct Ready {
    signals: bool,
    stdin: bool,
    master_in: bool,
    master_out: bool,
}

/// Runs until the container's init (`init`, hull's child) exits; returns its status as a
/// shell reports it.
///
/// # Errors
///
/// When signals, children or the terminal cannot be read.
pub fn wait(init: i32, signals: &mut Signals, mut tty: Option<TtyProxy>) -> Result<i32, CliError> {
    // It may be gone already: its SIGCHLD is then waiting, but reaping first costs nothing.
    if let Some(status) = signals::reap(init)? {
        drain(tty.as_mut())?;
        return Ok(status);
    }
    loop {
        let ready = poll_once(signals, tty.as_ref())?;
        if let Some(tty) = tty.as_mut() {
            if ready.master_in {
                tty.read_master()?;
            }
            if ready.stdin {
                tty.read_stdin()?;
            } else if ready.master_out {
                tty.write_master()?;
            }
        }
        if !ready.signals {
            continue;
        }
        for signo in signals.received()? {
            match Signal::try_from(signo) {
                Ok(Signal::SIGCHLD) => {
                    if let Some(status) = signals::reap(init)? {
                        drain(tty.as_mut())?;
                        return Ok(status);
                    }
                }
                // As runc: a resize of hull's terminal is applied, not forwarded.
                Ok(Signal::SIGWINCH) => tty.iter().for_each(TtyProxy::resize),
                _ => signals::forward(init, signo),
            }
        }
    }
}

/// Polls the signals and, with a terminal, stdin and the master.
fn poll_once(signals: &Signals, tty: Option<&TtyProxy>) -> Result<Ready, CliError> {
    let stdin = io::stdin();
    let mut fds = vec![PollFd::new(signals.fd(), PollFlags::POLLIN)];
    let mut stdin_at = None;
    let mut master_at = None;
    if let Some(tty) = tty {
        if tty.wants_stdin() {
            stdin_at = Some(fds.len());
            fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
        }
        if let Some(master) = tty.master() {
            let mut events = PollFlags::POLLIN;
            if tty.wants_to_write() {
                events |= PollFlags::POLLOUT;
            }
            master_at = Some(fds.len());
            fds.push(PollFd::new(master, events));
        }
    }
    match poll(&mut fds, PollTimeout::NONE) {
        Ok(_) => {}
        Err(Errno::EINTR) => return Ok(Ready::default()),
        Err(errno) => return Err(CliError::Poll(errno)),
    }
    let events = |at: Option<usize>| {
        at.and_then(|i| fds[i].revents())
            .unwrap_or(PollFlags::empty())
    };
    let readable = PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR;
    Ok(Ready {
        signals: events(Some(0)).intersects(PollFlags::POLLIN),
        stdin: events(stdin_at).intersects(readable),
        master_in: events(master_at).intersects(readable),
        master_out: events(master_at).intersects(PollFlags::POLLOUT),
    })
}

/// Copies what the container wrote to its terminal before its init exited: until the
/// terminal is closed on the other side, or nothing came for a moment.
fn drain(tty: Option<&mut TtyProxy>) -> Result<(), CliError> {
    let Some(tty) = tty else {
        return Ok(());
    };
    let deadline = Instant::now() + DRAIN;
    while let Some(master) = tty.master() {
        let left = deadline.saturating_duration_since(Instant::now());
        let timeout = PollTimeout::try_from(left).unwrap_or(PollTimeout::ZERO);
        let mut fds = [PollFd::new(master, PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Ok(0) => return Ok(()),
            Ok(_) => tty.read_master()?,
            Err(Errno::EINTR) => {}
            Err(errno) => return Err(CliError::Poll(errno)),
        }
    }
    Ok(())
}
