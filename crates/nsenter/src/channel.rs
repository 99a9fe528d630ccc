//! A typed message channel between a container's parent and its init process.
//!
//! One end of a `SOCK_SEQPACKET` socket pair: every message is one packet holding one JSON
//! value, optionally with file descriptors attached (`SCM_RIGHTS`). Packets keep their
//! boundaries, so a reader never sees half a message, and a closed peer reads as
//! [`NsenterError::Closed`].

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use nix::cmsg_space;
use nix::errno::Errno;
use nix::sys::socket::{
    self, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags, SockFlag, SockType,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{NsenterError, Result};

/// The most descriptors one message carries: enough for the bootstrap's way into a cgroup
/// (a `tasks` file per v1 hierarchy, a dozen or so, and the cgroup2 directory).
pub const MAX_FDS: usize = 32;

/// One end of the channel.
#[derive(Debug)]
pub struct Channel {
    fd: OwnedFd,
}

impl Channel {
    /// A connected pair (`socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC)`): the parent
    /// keeps one, the child gets the other.
    pub fn pair() -> Result<(Channel, Channel)> {
        let (a, b) = socket::socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .map_err(NsenterError::Create)?;
        Ok((Channel { fd: a }, Channel { fd: b }))
    }

    /// Wraps an inherited end, such as the one the init process finds at a known number.
    pub fn from_fd(fd: OwnedFd) -> Channel {
        Channel { fd }
    }

    /// Sends `message`.
    pub fn send<T: Serialize>(&self, message: &T) -> Result<()> {
        self.send_with_fds(message, &[])
    }

    /// Sends `message` with descriptors attached; the receiver gets its own copies.
    pub fn send_with_fds<T: Serialize>(&self, message: &T, fds: &[BorrowedFd<'_>]) -> Result<()> {
        if fds.len() > MAX_FDS {
            return Err(NsenterError::TooManyFds);
        }
        let bytes = serde_json::to_vec(message).map_err(NsenterError::Encode)?;
        let raw: Vec<RawFd> = fds.iter().map(AsRawFd::as_raw_fd).collect();
        let rights = [ControlMessage::ScmRights(&raw)];
        let cmsgs: &[ControlMessage<'_>] = if raw.is_empty() { &[] } else { &rights };
        let iov = [IoSlice::new(&bytes)];
        loop {
            match socket::sendmsg::<()>(
                self.fd.as_raw_fd(),
                &iov,
                cmsgs,
                MsgFlags::MSG_NOSIGNAL,
                None,
            ) {
                Ok(_) => return Ok(()),
                Err(Errno::EINTR) => continue,
                Err(Errno::EPIPE | Errno::ECONNRESET) => return Err(NsenterError::Closed),
                Err(errno) => return Err(NsenterError::Send(errno)),
            }
        }
    }

    /// Receives one message.
    pub fn recv<T: DeserializeOwned>(&self) -> Result<T> {
        let (message, fds) = self.recv_with_fds()?;
        // Descriptors nobody asked for are closed here, as `fds` drops.
        drop(fds);
        Ok(message)
    }

    /// Receives one message and the descriptors attached to it.
    pub fn recv_with_fds<T: DeserializeOwned>(&self) -> Result<(T, Vec<OwnedFd>)> {
        let len = self.next_len()?;
        let mut buf = vec![0u8; len.max(1)];
        let mut cmsg = cmsg_space!([RawFd; MAX_FDS]);
        let (read, fds) = loop {
            let mut iov = [IoSliceMut::new(&mut buf)];
            match socket::recvmsg::<()>(
                self.fd.as_raw_fd(),
                &mut iov,
                Some(&mut cmsg),
                MsgFlags::MSG_CMSG_CLOEXEC,
            ) {
                Ok(msg) => {
                    if msg.flags.contains(MsgFlags::MSG_CTRUNC) {
                        return Err(NsenterError::TooManyFds);
                    }
                    let mut fds = Vec::new();
                    for c in msg.cmsgs().map_err(NsenterError::Receive)? {
                        if let ControlMessageOwned::ScmRights(raw) = c {
                            fds.extend(raw.into_iter().map(crate::sys::own_received_fd));
                        }
                    }
                    break (msg.bytes, fds);
                }
                Err(Errno::EINTR) => continue,
                Err(errno) => return Err(NsenterError::Receive(errno)),
            }
        };
        if read == 0 {
            return Err(NsenterError::Closed);
        }
        let message = serde_json::from_slice(&buf[..read]).map_err(NsenterError::Decode)?;
        Ok((message, fds))
    }

    /// The length of the next packet, without taking it (`MSG_PEEK | MSG_TRUNC`).
    fn next_len(&self) -> Result<usize> {
        let mut probe = [0u8; 1];
        loop {
            match socket::recv(
                self.fd.as_raw_fd(),
                &mut probe,
                MsgFlags::MSG_PEEK | MsgFlags::MSG_TRUNC,
            ) {
                Ok(0) => return Err(NsenterError::Closed),
                Ok(len) => return Ok(len),
                Err(Errno::EINTR) => continue,
                Err(Errno::ECONNRESET) => return Err(NsenterError::Closed),
                Err(errno) => return Err(NsenterError::Receive(errno)),
            }
        }
    }
}

impl AsFd for Channel {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl From<Channel> for OwnedFd {
    fn from(channel: Channel) -> OwnedFd {
        channel.fd
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    enum Message {
        Hello { n: u32 },
        Bye,
    }

    #[test]
    fn messages_keep_their_boundaries_and_types() {
        let (a, b) = Channel::pair().unwrap();
        a.send(&Message::Hello { n: 7 }).unwrap();
        a.send(&Message::Bye).unwrap();
        assert_eq!(b.recv::<Message>().unwrap(), Message::Hello { n: 7 });
        assert_eq!(b.recv::<Message>().unwrap(), Message::Bye);
    }

    #[test]
    fn large_messages_arrive_whole() {
        let (a, b) = Channel::pair().unwrap();
        let big = "x".repeat(150_000);
        a.send(&big).unwrap();
        assert_eq!(b.recv::<String>().unwrap(), big);
    }

    #[test]
    fn descriptors_travel_with_a_message() {
        let (a, b) = Channel::pair().unwrap();
        let (mut read_end, mut write_end) = std::io::pipe().unwrap();
        a.send_with_fds(&Message::Bye, &[write_end.as_fd()])
            .unwrap();
        let (message, mut fds) = b.recv_with_fds::<Message>().unwrap();
        assert_eq!(message, Message::Bye);
        assert_eq!(fds.len(), 1);
        let mut copy = std::fs::File::from(fds.remove(0));
        copy.write_all(b"through").unwrap();
        drop(copy);
        write_end.flush().unwrap();
        drop(write_end);
        let mut text = String::new();
        read_end.read_to_string(&mut text).unwrap();
        assert_eq!(text, "through");
    }

    #[test]
    fn a_closed_peer_reads_as_closed() {
        let (a, b) = Channel::pair().unwrap();
        drop(a);
        assert!(matches!(b.recv::<Message>(), Err(NsenterError::Closed)));
        assert!(matches!(b.send(&Message::Bye), Err(NsenterError::Closed)));
    }

    #[test]
    fn a_wrong_message_is_a_decode_error() {
        let (a, b) = Channel::pair().unwrap();
        a.send(&"text").unwrap();
        assert!(matches!(b.recv::<Message>(), Err(NsenterError::Decode(_))));
    }
}
