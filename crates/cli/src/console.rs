//! `--console-socket`: the master side of the container's terminal, handed to the caller
//! (conmon, containerd's shim) over a Unix socket as runc hands it: one `SCM_RIGHTS`
//! message carrying the descriptor, with the terminal's name as its payload.

use std::io::IoSlice;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use nix::sys::socket::{ControlMessage, MsgFlags, sendmsg};

use crate::error::CliError;

/// The name sent with the descriptor.
const NAME: &[u8] = b"/dev/ptmx";

/// A connection to the caller's console socket.
#[derive(Debug)]
pub struct ConsoleSocket {
    path: PathBuf,
    stream: UnixStream,
}

impl ConsoleSocket {
    /// Connects to the socket at `path`; done before the container is created, so that a
    /// wrong path fails early and leaves nothing behind.
    ///
    /// # Errors
    ///
    /// [`CliError::ConsoleSocket`] when nothing listens there.
    pub fn connect(path: &Path) -> Result<ConsoleSocket, CliError> {
        let stream = UnixStream::connect(path).map_err(|source| CliError::ConsoleSocket {
            path: path.to_owned(),
            source,
        })?;
        Ok(ConsoleSocket {
            path: path.to_owned(),
            stream,
        })
    }

    /// Sends `master`; hull's copy can be closed afterwards.
    ///
    /// # Errors
    ///
    /// [`CliError::SendConsole`] when `sendmsg(2)` fails.
    pub fn send(&self, master: &OwnedFd) -> Result<(), CliError> {
        let fds = [master.as_raw_fd()];
        sendmsg::<()>(
            self.stream.as_raw_fd(),
            &[IoSlice::new(NAME)],
            &[ControlMessage::ScmRights(&fds)],
            MsgFlags::empty(),
            None,
        )
        .map_err(|source| CliError::SendConsole {
            path: self.path.clone(),
            source,
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::IoSliceMut;
    use std::os::unix::net::UnixListener;

    use nix::sys::socket::{ControlMessageOwned, recvmsg};

    use super::*;

    #[test]
    fn sends_one_descriptor_named_like_runc() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("console.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let socket = ConsoleSocket::connect(&path).unwrap();
        let file = OwnedFd::from(std::fs::File::open("/dev/null").unwrap());
        socket.send(&file).unwrap();

        let (stream, _) = listener.accept().unwrap();
        let mut name = [0u8; 64];
        let mut iov = [IoSliceMut::new(&mut name)];
        let mut space = nix::cmsg_space!([std::os::fd::RawFd; 1]);
        let msg = recvmsg::<()>(
            stream.as_raw_fd(),
            &mut iov,
            Some(&mut space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        )
        .unwrap();
        let fds: Vec<_> = msg
            .cmsgs()
            .unwrap()
            .filter_map(|cmsg| match cmsg {
                ControlMessageOwned::ScmRights(fds) => Some(fds),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(fds.len(), 1);
        assert_eq!(msg.bytes, NAME.len());
        assert_eq!(&name[..NAME.len()], NAME);
    }

    #[test]
    fn a_missing_socket_is_an_error_naming_it() {
        let err = ConsoleSocket::connect(Path::new("/nonexistent/console.sock")).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/console.sock"),
            "{err}"
        );
    }
}
