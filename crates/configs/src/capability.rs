//! Linux capabilities and the five sets a process holds.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::names::named_enum;

named_enum! {
    /// A Linux capability, declared in the order of its kernel number
    /// (`include/uapi/linux/capability.h`), so that [`Capability::number`] is the bit the
    /// kernel uses.
    pub enum Capability("capability") {
        /// Make arbitrary changes to file uids and gids.
        Chown = "CAP_CHOWN",
        /// Bypass file read, write and execute permission checks.
        DacOverride = "CAP_DAC_OVERRIDE",
        /// Bypass file read and directory read/execute permission checks.
        DacReadSearch = "CAP_DAC_READ_SEARCH",
        /// Bypass checks that require the file's owner uid to match.
        Fowner = "CAP_FOWNER",
        /// Keep set-user-id and set-group-id bits when a file is modified.
        Fsetid = "CAP_FSETID",
        /// Bypass permission checks for sending signals.
        Kill = "CAP_KILL",
        /// Make arbitrary changes to process gids and the supplementary group list.
        Setgid = "CAP_SETGID",
        /// Make arbitrary changes to process uids.
        Setuid = "CAP_SETUID",
        /// Change capability sets and the bounding set.
        Setpcap = "CAP_SETPCAP",
        /// Set the immutable and append-only inode flags.
        LinuxImmutable = "CAP_LINUX_IMMUTABLE",
        /// Bind a socket to a port below 1024.
        NetBindService = "CAP_NET_BIND_SERVICE",
        /// Broadcast and listen to multicast (unused by the kernel).
        NetBroadcast = "CAP_NET_BROADCAST",
        /// Network administration.
        NetAdmin = "CAP_NET_ADMIN",
        /// Use raw and packet sockets.
        NetRaw = "CAP_NET_RAW",
        /// Lock memory.
        IpcLock = "CAP_IPC_LOCK",
        /// Bypass permission checks on System V IPC objects.
        IpcOwner = "CAP_IPC_OWNER",
        /// Load and unload kernel modules.
        SysModule = "CAP_SYS_MODULE",
        /// Raw I/O: ioperm, iopl, /dev/mem.
        SysRawio = "CAP_SYS_RAWIO",
        /// Use chroot.
        SysChroot = "CAP_SYS_CHROOT",
        /// Trace any process.
        SysPtrace = "CAP_SYS_PTRACE",
        /// Use acct.
        SysPacct = "CAP_SYS_PACCT",
        /// A wide range of system administration.
        SysAdmin = "CAP_SYS_ADMIN",
        /// Reboot and load new kernels.
        SysBoot = "CAP_SYS_BOOT",
        /// Raise nice values and set real-time scheduling.
        SysNice = "CAP_SYS_NICE",
        /// Override resource limits.
        SysResource = "CAP_SYS_RESOURCE",
        /// Set the system clock.
        SysTime = "CAP_SYS_TIME",
        /// Configure tty devices.
        SysTtyConfig = "CAP_SYS_TTY_CONFIG",
        /// Create special files with mknod.
        Mknod = "CAP_MKNOD",
        /// Take file leases.
        Lease = "CAP_LEASE",
        /// Write to the kernel audit log.
        AuditWrite = "CAP_AUDIT_WRITE",
        /// Configure kernel auditing.
        AuditControl = "CAP_AUDIT_CONTROL",
        /// Set file capabilities.
        Setfcap = "CAP_SETFCAP",
        /// Override a mandatory access control policy.
        MacOverride = "CAP_MAC_OVERRIDE",
        /// Configure a mandatory access control policy.
        MacAdmin = "CAP_MAC_ADMIN",
        /// Privileged syslog operations.
        Syslog = "CAP_SYSLOG",
        /// Set alarms that wake the system.
        WakeAlarm = "CAP_WAKE_ALARM",
        /// Block system suspend.
        BlockSuspend = "CAP_BLOCK_SUSPEND",
        /// Read the audit log through multicast netlink.
        AuditRead = "CAP_AUDIT_READ",
        /// Performance monitoring.
        Perfmon = "CAP_PERFMON",
        /// BPF operations.
        Bpf = "CAP_BPF",
        /// Checkpoint and restore operations.
        CheckpointRestore = "CAP_CHECKPOINT_RESTORE",
    }
}

impl Capability {
    /// The capability's kernel number (`CAP_CHOWN` is 0).
    pub const fn number(self) -> u8 {
        self as u8
    }
}

/// A set of capabilities, ordered by kernel number.
pub type CapabilitySet = BTreeSet<Capability>;

/// The capability sets of a container's process (`capabilities(7)`).
///
/// Capabilities not listed in a set are dropped from it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Capabilities {
    /// The bounding set: the limit on what the process and its children can ever gain.
    pub bounding: CapabilitySet,
    /// The effective set: what the kernel checks.
    pub effective: CapabilitySet,
    /// The inheritable set: what may be kept across `execve`.
    pub inheritable: CapabilitySet,
    /// The permitted set: the superset of the effective set.
    pub permitted: CapabilitySet,
    /// The ambient set: kept across `execve` of unprivileged programs.
    pub ambient: CapabilitySet,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_kernel() {
        assert_eq!(Capability::Chown.number(), 0);
        assert_eq!(Capability::SysAdmin.number(), 21);
        assert_eq!(Capability::AuditWrite.number(), 29);
        assert_eq!(Capability::CheckpointRestore.number(), 40);
        assert_eq!(Capability::ALL.len(), 41);
    }

    #[test]
    fn unknown_capability_is_an_error_naming_it() {
        let err = serde_json::from_str::<Capability>("\"CAP_FLY\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown capability \"CAP_FLY\""),
            "{err}"
        );
    }
}
