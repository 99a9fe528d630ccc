//! The user-notification listener: handing it to a seccomp agent as runc does, and, on the
//! agent's side, receiving it, reading notifications and answering them.
//!
//! runc's agents expect one message on a unix stream socket: the JSON of the OCI
//! `ContainerProcessState` (`ociVersion`, `fds: ["seccompFd"]`, `pid`, `metadata`, `state`)
//! as its bytes, with the listener fd attached by `SCM_RIGHTS`.

use std::io::{IoSlice, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;

use hull_configs::OCI_VERSION;
use hull_configs::oci::{ContainerProcessState, SECCOMP_FD_NAME, State};
use nix::sys::socket::{ControlMessage, MsgFlags, sendmsg};

use crate::data::SeccompData;
use crate::error::{Result, SeccompError};
use crate::sys;

/// The message runc sends with a listener: `fds` names the one fd, `pid` is the process the
/// runtime started, `metadata` is the config's `listener_metadata`.
pub fn container_process_state(
    pid: i32,
    metadata: Option<String>,
    state: State,
) -> ContainerProcessState {
    let mut message = ContainerProcessState::default();
    message
        .set_version(OCI_VERSION.to_owned())
        .set_fds(vec![SECCOMP_FD_NAME.to_owned()])
        .set_pid(pid)
        .set_metadata(metadata)
        .set_state(state);
    message
}

/// Sends `listener` with `message` to the seccomp agent listening on `listener_path`, in the
/// format runc uses: one `sendmsg(2)` of the JSON with the fd as `SCM_RIGHTS`.
///
/// # Errors
///
/// [`SeccompError::ConnectAgent`], [`SeccompError::EncodeState`] and
/// [`SeccompError::SendListener`].
pub fn send_listener(
    listener_path: &Path,
    message: &ContainerProcessState,
    listener: BorrowedFd<'_>,
) -> Result<()> {
    let mut stream =
        UnixStream::connect(listener_path).map_err(|source| SeccompError::ConnectAgent {
            path: listener_path.to_owned(),
            source,
        })?;
    let json = serde_json::to_vec(message).map_err(SeccompError::EncodeState)?;
    let fds = [listener.as_raw_fd()];
    let sent = sendmsg::<()>(
        stream.as_raw_fd(),
        &[IoSlice::new(&json)],
        &[ControlMessage::ScmRights(&fds)],
        MsgFlags::MSG_NOSIGNAL,
        None,
    )
    .map_err(|errno| SeccompError::SendListener {
        path: listener_path.to_owned(),
        source: errno.into(),
    })?;
    // A stream socket may take a long message in parts; the fd went with the first.
    stream
        .write_all(json.get(sent..).unwrap_or_default())
        .map_err(|source| SeccompError::SendListener {
            path: listener_path.to_owned(),
            source,
        })
}

/// On the agent's side: reads one runtime's message from an accepted connection, up to the
/// end of the stream, and returns its state and the listener.
///
/// # Errors
///
/// [`SeccompError::ReceiveListener`], [`SeccompError::ListenerFdCount`] unless exactly one
/// fd came, and [`SeccompError::DecodeState`].
pub fn receive_listener(stream: &mut UnixStream) -> Result<(ContainerProcessState, Listener)> {
    let mut buf = vec![0; 64 * 1024];
    let (len, mut fds) =
        sys::recv_with_fds(stream.as_fd(), &mut buf).map_err(SeccompError::ReceiveListener)?;
    buf.truncate(len);
    stream
        .read_to_end(&mut buf)
        .map_err(SeccompError::ReceiveListener)?;
    let fd = match (fds.pop(), fds.len()) {
        (Some(fd), 0) => fd,
        (fd, rest) => {
            return Err(SeccompError::ListenerFdCount {
                count: rest + usize::from(fd.is_some()),
            });
        }
    };
    let state = serde_json::from_slice(&buf).map_err(SeccompError::DecodeState)?;
    Ok((state, Listener::from(fd)))
}

/// A notify listener: the fd `seccomp(2)` returns for a filter with notify rules.
#[derive(Debug)]
pub struct Listener {
    fd: OwnedFd,
}

impl From<OwnedFd> for Listener {
    fn from(fd: OwnedFd) -> Listener {
        Listener { fd }
    }
}

impl AsFd for Listener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// A syscall waiting for the agent's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notification {
    /// The notification's id, to answer it with.
    pub id: u64,
    /// The calling thread, in the listener's pid namespace (0 if it is not visible there).
    pub pid: u32,
    /// The syscall.
    pub data: SeccompData,
}

/// The agent's answer to a [`Notification`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    /// The syscall returns this value without running.
    Return(i64),
    /// The syscall fails with this errno without running.
    Errno(i32),
    /// The syscall runs as if there were no filter (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`;
    /// see its caveats in seccomp_unotify(2)).
    Continue,
}

impl Listener {
    /// Waits for the next notification.
    ///
    /// `ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &notif)`:
    /// <https://man7.org/linux/man-pages/man2/seccomp_unotify.2.html>
    ///
    /// # Errors
    ///
    /// [`SeccompError::ReceiveNotification`]; `ENOENT` when the caller died before it was
    /// read.
    pub fn receive(&self) -> Result<Notification> {
        let notif = sys::notif_recv(self.fd.as_fd()).map_err(SeccompError::ReceiveNotification)?;
        Ok(Notification {
            id: notif.id,
            pid: notif.pid,
            data: SeccompData {
                nr: notif.data.nr,
                arch: notif.data.arch,
                instruction_pointer: notif.data.instruction_pointer,
                args: notif.data.args,
            },
        })
    }

    /// Answers notification `id`.
    ///
    /// `ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp)`:
    /// <https://man7.org/linux/man-pages/man2/seccomp_unotify.2.html>
    ///
    /// # Errors
    ///
    /// [`SeccompError::RespondNotification`]; `ENOENT` when the caller is gone or was
    /// interrupted.
    pub fn respond(&self, id: u64, response: Response) -> Result<()> {
        let (val, error, flags) = match response {
            Response::Return(value) => (value, 0, 0),
            Response::Errno(errno) => (0, -errno, 0),
            Response::Continue => (0, 0, libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE),
        };
        let resp = libc::seccomp_notif_resp {
            id,
            val,
            error,
            // The flag fits the kernel's 32-bit field.
            flags: u32::try_from(flags).unwrap_or_default(),
        };
        sys::notif_send(self.fd.as_fd(), &resp)
            .map_err(|source| SeccompError::RespondNotification { id, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_is_written_as_runc_writes_it() {
        let mut state = State::default();
        state
            .set_version(OCI_VERSION.to_owned())
            .set_id("c1".to_owned())
            .set_pid(Some(42))
            .set_bundle("/b".into());
        let message = container_process_state(42, Some("meta".to_owned()), state);
        let json: serde_json::Value = serde_json::to_value(&message).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "ociVersion": "1.2.1",
                "fds": ["seccompFd"],
                "pid": 42,
                "metadata": "meta",
                "state": {
                    "ociVersion": "1.2.1",
                    "id": "c1",
                    "status": "stopped",
                    "pid": 42,
                    "bundle": "/b"
                }
            })
        );
    }

    #[test]
    fn sends_and_receives_a_listener() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.sock");
        let agent = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let (reader, _writer) = UnixStream::pair().unwrap();
        let message = container_process_state(7, None, State::default());
        send_listener(&path, &message, reader.as_fd()).unwrap();
        let (mut conn, _) = agent.accept().unwrap();
        let (received, listener) = receive_listener(&mut conn).unwrap();
        assert_eq!(received, message);
        assert_ne!(listener.as_fd().as_raw_fd(), reader.as_raw_fd());
    }
}
