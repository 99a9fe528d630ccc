//! Installing a compiled filter with `seccomp(2)` and the flags the config asks for.

use std::os::fd::OwnedFd;

use hull_configs::SeccompFlag;

use crate::compile::Filter;
use crate::error::{Result, SeccompError};
use crate::sys::{self, Loaded};

/// `SECCOMP_FILTER_FLAG_TSYNC`.
const FLAG_TSYNC: u32 = 1 << 0;
/// `SECCOMP_FILTER_FLAG_LOG`.
const FLAG_LOG: u32 = 1 << 1;
/// `SECCOMP_FILTER_FLAG_SPEC_ALLOW`.
const FLAG_SPEC_ALLOW: u32 = 1 << 2;
/// `SECCOMP_FILTER_FLAG_NEW_LISTENER`.
const FLAG_NEW_LISTENER: u32 = 1 << 3;
/// `SECCOMP_FILTER_FLAG_TSYNC_ESRCH`.
const FLAG_TSYNC_ESRCH: u32 = 1 << 4;
/// `SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV`.
const FLAG_WAIT_KILLABLE_RECV: u32 = 1 << 5;

impl Filter {
    /// Installs the filter on the calling thread (every thread of the process with
    /// `SECCOMP_FILTER_FLAG_TSYNC`), and returns the notify listener when a rule uses
    /// notify.
    ///
    /// The flags are the config's; with none given, `SPEC_ALLOW` where the kernel has it.
    /// `WAIT_KILLABLE_RECV` only means something with a listener and is left out otherwise.
    /// As in libcontainer, `no_new_privs` is the caller's business: without it, or
    /// `CAP_SYS_ADMIN`, the kernel refuses the filter (`EACCES`).
    ///
    /// `seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog)`:
    /// <https://man7.org/linux/man-pages/man2/seccomp.2.html>
    ///
    /// # Errors
    ///
    /// [`SeccompError::FlagUnsupported`] for a flag this kernel lacks,
    /// [`SeccompError::LoadFilter`] when the kernel refuses the filter and
    /// [`SeccompError::SyncThreads`] when another thread cannot take it.
    #[doc(alias = "seccomp")]
    pub fn install(&self) -> Result<Option<OwnedFd>> {
        let flags = filter_flags(self.flags.as_deref(), self.notify, sys::flags_known)?;
        match sys::set_filter(flags, &self.program) {
            Ok(Loaded::Listener(fd)) => Ok(Some(fd)),
            Ok(Loaded::Done) => Ok(None),
            Ok(Loaded::SyncFailed(tid)) => Err(SeccompError::SyncThreads { tid }),
            Err(source) => Err(SeccompError::LoadFilter { flags, source }),
        }
    }
}

/// The flags of the running kernel among those a config can ask for (what `runc features`
/// lists as supported).
pub fn supported_flags() -> Vec<SeccompFlag> {
    SeccompFlag::ALL
        .iter()
        .copied()
        .filter(|&flag| sys::flags_known(probe_bits(flag)))
        .collect()
}

/// The bits of `flag`.
const fn bits(flag: SeccompFlag) -> u32 {
    match flag {
        SeccompFlag::Tsync => FLAG_TSYNC,
        SeccompFlag::Log => FLAG_LOG,
        SeccompFlag::SpecAllow => FLAG_SPEC_ALLOW,
        SeccompFlag::WaitKillableRecv => FLAG_WAIT_KILLABLE_RECV,
    }
}

/// The bits that test whether the kernel knows `flag` (it accepts `WAIT_KILLABLE_RECV` only
/// with `NEW_LISTENER`).
const fn probe_bits(flag: SeccompFlag) -> u32 {
    match flag {
        SeccompFlag::WaitKillableRecv => FLAG_WAIT_KILLABLE_RECV | FLAG_NEW_LISTENER,
        _ => bits(flag),
    }
}

/// The flags to load a filter with: those asked for (or the default `SPEC_ALLOW` where
/// `known`), plus `NEW_LISTENER` for notify, with `TSYNC_ESRCH` when both `TSYNC` and a
/// listener are wanted (the kernel refuses that pair otherwise).
fn filter_flags(
    requested: Option<&[SeccompFlag]>,
    notify: bool,
    known: impl Fn(u32) -> bool,
) -> Result<u32> {
    let mut flags = 0;
    match requested {
        None if known(FLAG_SPEC_ALLOW) => flags |= FLAG_SPEC_ALLOW,
        None => {}
        Some(requested) => {
            for &flag in requested {
                if flag == SeccompFlag::WaitKillableRecv && !notify {
                    continue;
                }
                if !known(probe_bits(flag)) {
                    return Err(SeccompError::FlagUnsupported { flag });
                }
                flags |= bits(flag);
            }
        }
    }
    if notify {
        flags |= FLAG_NEW_LISTENER;
        if flags & FLAG_TSYNC != 0 {
            flags |= FLAG_TSYNC_ESRCH;
        }
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(_: u32) -> bool {
        true
    }

    #[test]
    fn bits_match_the_kernel() {
        assert_eq!(u64::from(FLAG_TSYNC), libc::SECCOMP_FILTER_FLAG_TSYNC);
        assert_eq!(u64::from(FLAG_LOG), libc::SECCOMP_FILTER_FLAG_LOG);
        assert_eq!(
            u64::from(FLAG_SPEC_ALLOW),
            libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW
        );
        assert_eq!(
            u64::from(FLAG_NEW_LISTENER),
            libc::SECCOMP_FILTER_FLAG_NEW_LISTENER
        );
        assert_eq!(
            u64::from(FLAG_TSYNC_ESRCH),
            libc::SECCOMP_FILTER_FLAG_TSYNC_ESRCH
        );
        assert_eq!(
            u64::from(FLAG_WAIT_KILLABLE_RECV),
            libc::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
        );
    }

    #[test]
    fn default_is_spec_allow_where_known() {
        assert_eq!(filter_flags(None, false, every).unwrap(), FLAG_SPEC_ALLOW);
        assert_eq!(filter_flags(None, false, |_| false).unwrap(), 0);
        assert_eq!(filter_flags(Some(&[]), false, every).unwrap(), 0);
    }

    #[test]
    fn requested_flags_must_be_known() {
        let log = [SeccompFlag::Log, SeccompFlag::Tsync];
        assert_eq!(
            filter_flags(Some(&log), false, every).unwrap(),
            FLAG_LOG | FLAG_TSYNC
        );
        let err = filter_flags(Some(&log), false, |bits| bits != FLAG_LOG).unwrap_err();
        assert!(matches!(
            err,
            SeccompError::FlagUnsupported {
                flag: SeccompFlag::Log
            }
        ));
    }

    #[test]
    fn notify_adds_the_listener() {
        let tsync = [SeccompFlag::Tsync, SeccompFlag::WaitKillableRecv];
        assert_eq!(
            filter_flags(Some(&tsync), true, every).unwrap(),
            FLAG_TSYNC | FLAG_WAIT_KILLABLE_RECV | FLAG_NEW_LISTENER | FLAG_TSYNC_ESRCH
        );
        // Without a listener, WAIT_KILLABLE_RECV is left out rather than refused.
        assert_eq!(
            filter_flags(Some(&tsync), false, every).unwrap(),
            FLAG_TSYNC
        );
    }
}
