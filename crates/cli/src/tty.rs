//! The terminal of a foreground `hull run` without a console socket: hull's own stdin
//! goes to the container's pseudo-terminal and what the container writes there comes out
//! on hull's stdout. When stdin is a terminal it is put in raw mode (so that keys such as
//! ^C reach the container) and restored when this ends.

use std::fs::File;
use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::sys::termios::{self, OutputFlags, SetArg, Termios};

use crate::error::CliError;

/// How much is read at once.
const CHUNK: usize = 4096;

/// The proxy between hull's stdio and the master side of the container's terminal.
#[derive(Debug)]
pub struct TtyProxy {
    master: File,
    /// Read from stdin, not yet written to the master.
    pending: Vec<u8>,
    stdin_open: bool,
    master_open: bool,
    /// Whether stdout still takes output; once it fails, output is read and dropped so
    /// that the container never blocks on a full terminal.
    stdout_open: bool,
    raw: Option<RawMode>,
}

/// stdin in raw mode; its settings are restored when this is dropped.
#[derive(Debug)]
struct RawMode {
    saved: Termios,
}

impl Drop for RawMode {
    fn drop(&mut self) {
        // Nothing more can be done for a terminal that refuses its old settings.
        let _ = termios::tcsetattr(io::stdin().as_fd(), SetArg::TCSANOW, &self.saved);
    }
}

impl TtyProxy {
    /// Proxies `master`: output post-processing (`\n` to `\r\n`) is turned off on it, as
    /// runc does, it is made non-blocking and sized like hull's terminal; stdin goes to raw
    /// mode when it is a terminal.
    ///
    /// # Errors
    ///
    /// [`CliError::Terminal`] when the master or stdin cannot be configured.
    pub fn new(master: OwnedFd) -> Result<TtyProxy, CliError> {
        let error = |operation| {
            move |errno: nix::errno::Errno| CliError::Terminal {
                operation,
                source: errno.into(),
            }
        };
        let mut settings = termios::tcgetattr(&master).map_err(error("read the terminal"))?;
        settings.output_flags.remove(OutputFlags::ONLCR);
        termios::tcsetattr(&master, SetArg::TCSANOW, &settings)
            .map_err(error("configure the terminal"))?;
        let flags = fcntl(&master, FcntlArg::F_GETFL).map_err(error("read its flags"))?;
        let flags = OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK;
        fcntl(&master, FcntlArg::F_SETFL(flags)).map_err(error("make it non-blocking"))?;
        let raw = raw_stdin().map_err(error("put stdin in raw mode"))?;
        let proxy = TtyProxy {
            master: File::from(master),
            pending: Vec::new(),
            stdin_open: true,
            master_open: true,
            stdout_open: true,
            raw,
        };
        proxy.resize();
        Ok(proxy)
    }

    /// Sizes the container's terminal like hull's (on `SIGWINCH`); without a terminal on
    /// stdin there is nothing to copy, and a failure changes nothing.
    pub fn resize(&self) {
        if self.raw.is_none() {
            return;
        }
        if let Ok(size) = rustix::termios::tcgetwinsize(io::stdin()) {
            // The size is cosmetic: a terminal that refuses it keeps working.
            let _ = rustix::termios::tcsetwinsize(&self.master, size);
        }
    }

    /// The master, to poll.
    pub fn master(&self) -> Option<BorrowedFd<'_>> {
        self.master_open.then(|| self.master.as_fd())
    }

    /// Whether stdin is to be polled: open, and nothing of it waiting for the master.
    pub fn wants_stdin(&self) -> bool {
        self.stdin_open && self.master_open && self.pending.is_empty()
    }

    /// Whether input waits for the master to be writable.
    pub fn wants_to_write(&self) -> bool {
        self.master_open && !self.pending.is_empty()
    }

    /// Reads what stdin has (it polled readable).
    ///
    /// # Errors
    ///
    /// [`CliError::Terminal`] when stdin cannot be read.
    pub fn read_stdin(&mut self) -> Result<(), CliError> {
        let mut buf = [0u8; CHUNK];
        match nix::unistd::read(io::stdin().as_fd(), &mut buf) {
            Ok(0) => self.stdin_open = false,
            Ok(n) => self.pending.extend_from_slice(&buf[..n]),
            Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => {}
            Err(errno) => return Err(terminal_error("read stdin", errno.into())),
        }
        self.write_master()
    }

    /// Writes pending input to the master, as much as it takes now.
    ///
    /// # Errors
    ///
    /// [`CliError::Terminal`] when the master fails otherwise than being full or closed.
    pub fn write_master(&mut self) -> Result<(), CliError> {
        while !self.pending.is_empty() {
            match self.master.write(&self.pending) {
                Ok(n) => {
                    self.pending.drain(..n);
                }
                Err(err) if err.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(err) if err.kind() == ErrorKind::Interrupted => {}
                Err(err) if err.raw_os_error() == Some(libc::EIO) => {
                    self.master_open = false;
                    return Ok(());
                }
                Err(err) => return Err(terminal_error("write to the terminal", err)),
            }
        }
        Ok(())
    }

    /// Copies what the master has to stdout (it polled readable).
    ///
    /// # Errors
    ///
    /// [`CliError::Terminal`] when the master fails.
    pub fn read_master(&mut self) -> Result<(), CliError> {
        let mut buf = [0u8; CHUNK];
        loop {
            match self.master.read(&mut buf) {
                Ok(0) => {
                    self.master_open = false;
                    return Ok(());
                }
                Ok(n) => self.write_stdout(&buf[..n]),
                Err(err) if err.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(err) if err.kind() == ErrorKind::Interrupted => {}
                // EIO: every holder of the other side has closed it.
                Err(err) if err.raw_os_error() == Some(libc::EIO) => {
                    self.master_open = false;
                    return Ok(());
                }
                Err(err) => return Err(terminal_error("read the terminal", err)),
            }
        }
    }

    /// Writes the container's output to stdout, as long as stdout takes it (a closed
    /// stdout must not end the container).
    fn write_stdout(&mut self, bytes: &[u8]) {
        if !self.stdout_open {
            return;
        }
        let mut out = io::stdout().lock();
        if let Err(err) = out.write_all(bytes).and_then(|()| out.flush()) {
            tracing::debug!("stdout is gone, the container's output is dropped: {err}");
            self.stdout_open = false;
        }
    }
}

fn terminal_error(operation: &'static str, source: io::Error) -> CliError {
    CliError::Terminal { operation, source }
}

/// Puts stdin in raw mode when it is a terminal; returns what restores it.
fn raw_stdin() -> Result<Option<RawMode>, nix::errno::Errno> {
    let stdin = io::stdin();
    if !nix::unistd::isatty(stdin.as_fd()).unwrap_or(false) {
        return Ok(None);
    }
    let saved = termios::tcgetattr(stdin.as_fd())?;
    let mut raw = saved.clone();
    termios::cfmakeraw(&mut raw);
    termios::tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &raw)?;
    Ok(Some(RawMode { saved }))
}
