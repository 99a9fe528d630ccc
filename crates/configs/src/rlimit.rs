//! Resource limits (`setrlimit(2)`).

use serde::{Deserialize, Serialize};

use crate::names::named_enum;

named_enum! {
    /// A resource whose limit can be set.
    pub enum RlimitKind("rlimit type") {
        /// CPU time in seconds.
        Cpu = "RLIMIT_CPU",
        /// Largest file that can be created.
        Fsize = "RLIMIT_FSIZE",
        /// Size of the data segment.
        Data = "RLIMIT_DATA",
        /// Size of the stack.
        Stack = "RLIMIT_STACK",
        /// Size of core files.
        Core = "RLIMIT_CORE",
        /// Resident set size (no effect on current kernels).
        Rss = "RLIMIT_RSS",
        /// Processes of the real user id.
        Nproc = "RLIMIT_NPROC",
        /// Open file descriptors.
        Nofile = "RLIMIT_NOFILE",
        /// Locked memory.
        Memlock = "RLIMIT_MEMLOCK",
        /// Address space.
        As = "RLIMIT_AS",
        /// File locks.
        Locks = "RLIMIT_LOCKS",
        /// Queued signals.
        Sigpending = "RLIMIT_SIGPENDING",
        /// Bytes in POSIX message queues.
        Msgqueue = "RLIMIT_MSGQUEUE",
        /// Ceiling of the nice value.
        Nice = "RLIMIT_NICE",
        /// Ceiling of the real-time priority.
        Rtprio = "RLIMIT_RTPRIO",
        /// Real-time CPU time in microseconds.
        Rttime = "RLIMIT_RTTIME",
    }
}

impl RlimitKind {
    /// The resource number `setrlimit(2)` takes on this architecture.
    pub fn resource(self) -> i32 {
        // The libc constants differ in type between C libraries; all fit an i32.
        let resource = match self {
            RlimitKind::Cpu => libc::RLIMIT_CPU,
            RlimitKind::Fsize => libc::RLIMIT_FSIZE,
            RlimitKind::Data => libc::RLIMIT_DATA,
            RlimitKind::Stack => libc::RLIMIT_STACK,
            RlimitKind::Core => libc::RLIMIT_CORE,
            RlimitKind::Rss => libc::RLIMIT_RSS,
            RlimitKind::Nproc => libc::RLIMIT_NPROC,
            RlimitKind::Nofile => libc::RLIMIT_NOFILE,
            RlimitKind::Memlock => libc::RLIMIT_MEMLOCK,
            RlimitKind::As => libc::RLIMIT_AS,
            RlimitKind::Locks => libc::RLIMIT_LOCKS,
            RlimitKind::Sigpending => libc::RLIMIT_SIGPENDING,
            RlimitKind::Msgqueue => libc::RLIMIT_MSGQUEUE,
            RlimitKind::Nice => libc::RLIMIT_NICE,
            RlimitKind::Rtprio => libc::RLIMIT_RTPRIO,
            RlimitKind::Rttime => libc::RLIMIT_RTTIME,
        };
        resource as i32
    }
}

/// One resource limit of a container's process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rlimit {
    /// The resource.
    #[serde(rename = "type")]
    pub kind: RlimitKind,
    /// The hard limit (`u64::MAX` is unlimited).
    pub hard: u64,
    /// The soft limit, at most `hard`.
    pub soft: u64,
}
