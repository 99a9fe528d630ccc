//! The raw calls of hull-seccomp: `seccomp(2)` and the notify ioctls.
//!
//! Contract: each function makes one kind of call with pointers to memory it owns or
//! borrows for the duration of the call, and turns a failure into `io::Error`; file
//! descriptors come in as `BorrowedFd` and go out as `OwnedFd`.

#![allow(unsafe_code)]

use std::io::{self, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::ptr;

use nix::sys::socket::{ControlMessageOwned, MsgFlags, recvmsg};

use crate::bpf::Instruction;

/// What `seccomp(SECCOMP_SET_MODE_FILTER)` gave back.
#[derive(Debug)]
pub(crate) enum Loaded {
    /// The filter is in place.
    Done,
    /// The filter is in place and this is its notify listener.
    Listener(OwnedFd),
    /// With `SECCOMP_FILTER_FLAG_TSYNC`: this thread could not take the filter, so none did.
    SyncFailed(i64),
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog)`: installs `program` on the calling
/// thread (every thread with `TSYNC`).
///
/// <https://man7.org/linux/man-pages/man2/seccomp.2.html>
pub(crate) fn set_filter(flags: u32, program: &[Instruction]) -> io::Result<Loaded> {
    let len =
        u16::try_from(program.len()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let fprog = libc::sock_fprog {
        len,
        // `Instruction` is `repr(C)` with the fields of `sock_filter` (a unit test checks
        // size and alignment); the kernel only reads through this pointer.
        filter: program.as_ptr().cast::<libc::sock_filter>().cast_mut(),
    };
    // SAFETY: `fprog` and the `len` instructions it points to are alive and unaliased by
    // writes for the whole call; the kernel copies the program before it returns.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::c_ulong::from(flags),
            ptr::from_ref(&fprog),
        )
    };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    let listener = libc::c_ulong::from(flags) & libc::SECCOMP_FILTER_FLAG_NEW_LISTENER != 0;
    match RawFd::try_from(ret) {
        Ok(fd) if listener => {
            // SAFETY: with NEW_LISTENER the kernel returns a new fd in our table that
            // nothing else owns; we take ownership of it exactly once, here.
            Ok(Loaded::Listener(unsafe { OwnedFd::from_raw_fd(fd) }))
        }
        _ if ret == 0 => Ok(Loaded::Done),
        // `c_long` is 32 bits wide on 32-bit targets.
        #[allow(clippy::useless_conversion)]
        _ => Ok(Loaded::SyncFailed(i64::from(ret))),
    }
}

/// Whether the kernel knows filter `flags`: `seccomp(SECCOMP_SET_MODE_FILTER, flags, NULL)`
/// fails with `EFAULT` (on the null program) once the flags passed its check, and with
/// `EINVAL` when they did not. Nothing is installed either way.
pub(crate) fn flags_known(flags: u32) -> bool {
    // SAFETY: a null program pointer is never dereferenced by us; the kernel checks the
    // flags, then fails to copy from it with EFAULT.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::c_ulong::from(flags),
            ptr::null::<libc::sock_fprog>(),
        )
    };
    ret < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EFAULT)
}

/// `ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &notif)`: waits for the next notification,
/// retrying when a signal interrupts the wait.
pub(crate) fn notif_recv(fd: BorrowedFd<'_>) -> io::Result<libc::seccomp_notif> {
    loop {
        // The kernel wants the buffer zeroed.
        let mut notif = libc::seccomp_notif {
            id: 0,
            pid: 0,
            flags: 0,
            data: libc::seccomp_data {
                nr: 0,
                arch: 0,
                instruction_pointer: 0,
                args: [0; 6],
            },
        };
        // SAFETY: `fd` is open for the call; `notif` is a live, writable seccomp_notif the
        // size the request encodes.
        let ret = unsafe {
            libc::ioctl(
                fd.as_raw_fd(),
                libc::SECCOMP_IOCTL_NOTIF_RECV,
                ptr::from_mut(&mut notif),
            )
        };
        if ret == 0 {
            return Ok(notif);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// `ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp)`: answers a notification.
pub(crate) fn notif_send(fd: BorrowedFd<'_>, resp: &libc::seccomp_notif_resp) -> io::Result<()> {
    let mut resp = *resp;
    // SAFETY: `fd` is open for the call; `resp` is a live seccomp_notif_resp the size the
    // request encodes (the kernel only reads it).
    let ret = unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_SEND,
            ptr::from_mut(&mut resp),
        )
    };
    if ret == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// `recvmsg(2)` on `socket` into `buf`, with the fds of an `SCM_RIGHTS` message (close on
/// exec) as owned descriptors. Returns the number of bytes read (0 at end of stream).
///
/// <https://man7.org/linux/man-pages/man7/unix.7.html>
pub(crate) fn recv_with_fds(
    socket: BorrowedFd<'_>,
    buf: &mut [u8],
) -> io::Result<(usize, Vec<OwnedFd>)> {
    let mut space = nix::cmsg_space!([RawFd; 4]);
    let mut iov = [IoSliceMut::new(buf)];
    let msg = recvmsg::<()>(
        socket.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )?;
    let mut fds = Vec::new();
    for cmsg in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(received) = cmsg {
            for fd in received {
                // SAFETY: the kernel installed `fd` in our table for this very message;
                // nothing else knows it, and each one is taken here exactly once.
                fds.push(unsafe { OwnedFd::from_raw_fd(fd) });
            }
        }
    }
    Ok((msg.bytes, fds))
}
