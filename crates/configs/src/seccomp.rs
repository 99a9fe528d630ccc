//! Seccomp: the syscall filter of a container's process.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::names::named_enum;

/// What the filter does when a syscall matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeccompAction {
    /// Kill the calling thread (`SCMP_ACT_KILL`, the kernel's `SECCOMP_RET_KILL_THREAD`).
    Kill,
    /// Kill the calling thread (`SCMP_ACT_KILL_THREAD`).
    KillThread,
    /// Kill the whole process (`SCMP_ACT_KILL_PROCESS`).
    KillProcess,
    /// Send `SIGSYS` to the caller (`SCMP_ACT_TRAP`).
    Trap,
    /// Fail the syscall with this errno (`SCMP_ACT_ERRNO`).
    Errno(u32),
    /// Notify a ptrace tracer with this value (`SCMP_ACT_TRACE`).
    Trace(u32),
    /// Run the syscall (`SCMP_ACT_ALLOW`).
    Allow,
    /// Run the syscall and log it (`SCMP_ACT_LOG`).
    Log,
    /// Ask a user-space agent through the listener fd (`SCMP_ACT_NOTIFY`).
    Notify,
}

impl SeccompAction {
    /// The action's name in the OCI runtime spec.
    pub const fn oci_name(self) -> &'static str {
        match self {
            SeccompAction::Kill => "SCMP_ACT_KILL",
            SeccompAction::KillThread => "SCMP_ACT_KILL_THREAD",
            SeccompAction::KillProcess => "SCMP_ACT_KILL_PROCESS",
            SeccompAction::Trap => "SCMP_ACT_TRAP",
            SeccompAction::Errno(_) => "SCMP_ACT_ERRNO",
            SeccompAction::Trace(_) => "SCMP_ACT_TRACE",
            SeccompAction::Allow => "SCMP_ACT_ALLOW",
            SeccompAction::Log => "SCMP_ACT_LOG",
            SeccompAction::Notify => "SCMP_ACT_NOTIFY",
        }
    }
}

named_enum! {
    /// How a syscall argument is compared with a rule's value.
    pub enum SeccompOp("seccomp operator") {
        /// `arg == value`.
        Eq = "SCMP_CMP_EQ",
        /// `arg != value`.
        Ne = "SCMP_CMP_NE",
        /// `arg < value`.
        Lt = "SCMP_CMP_LT",
        /// `arg <= value`.
        Le = "SCMP_CMP_LE",
        /// `arg > value`.
        Gt = "SCMP_CMP_GT",
        /// `arg >= value`.
        Ge = "SCMP_CMP_GE",
        /// `arg & value == value_two`.
        MaskedEq = "SCMP_CMP_MASKED_EQ",
    }
}

named_enum! {
    /// An architecture a filter admits, named as libseccomp and the OCI runtime spec do.
    pub enum SeccompArch("seccomp architecture") {
        /// 32-bit x86.
        X86 = "SCMP_ARCH_X86",
        /// 64-bit x86.
        X86_64 = "SCMP_ARCH_X86_64",
        /// The x32 ABI of x86_64.
        X32 = "SCMP_ARCH_X32",
        /// 32-bit ARM.
        Arm = "SCMP_ARCH_ARM",
        /// 64-bit ARM.
        Aarch64 = "SCMP_ARCH_AARCH64",
        /// MIPS o32, big endian.
        Mips = "SCMP_ARCH_MIPS",
        /// MIPS n64, big endian.
        Mips64 = "SCMP_ARCH_MIPS64",
        /// MIPS n32, big endian.
        Mips64N32 = "SCMP_ARCH_MIPS64N32",
        /// MIPS o32, little endian.
        Mipsel = "SCMP_ARCH_MIPSEL",
        /// MIPS n64, little endian.
        Mipsel64 = "SCMP_ARCH_MIPSEL64",
        /// MIPS n32, little endian.
        Mipsel64N32 = "SCMP_ARCH_MIPSEL64N32",
        /// 32-bit PowerPC.
        Ppc = "SCMP_ARCH_PPC",
        /// 64-bit PowerPC, big endian.
        Ppc64 = "SCMP_ARCH_PPC64",
        /// 64-bit PowerPC, little endian.
        Ppc64Le = "SCMP_ARCH_PPC64LE",
        /// 31-bit s390.
        S390 = "SCMP_ARCH_S390",
        /// 64-bit s390x.
        S390X = "SCMP_ARCH_S390X",
        /// 32-bit PA-RISC.
        Parisc = "SCMP_ARCH_PARISC",
        /// 64-bit PA-RISC.
        Parisc64 = "SCMP_ARCH_PARISC64",
        /// 64-bit RISC-V.
        Riscv64 = "SCMP_ARCH_RISCV64",
        /// 64-bit LoongArch.
        Loongarch64 = "SCMP_ARCH_LOONGARCH64",
        /// Motorola 68000.
        M68k = "SCMP_ARCH_M68K",
        /// SuperH, little endian.
        Sh = "SCMP_ARCH_SH",
        /// SuperH, big endian.
        Sheb = "SCMP_ARCH_SHEB",
    }
}

named_enum! {
    /// A flag of `seccomp(2)`'s `SECCOMP_SET_MODE_FILTER`.
    pub enum SeccompFlag("seccomp flag") {
        /// Apply the filter to every thread of the process.
        Tsync = "SECCOMP_FILTER_FLAG_TSYNC",
        /// Log every action but allow.
        Log = "SECCOMP_FILTER_FLAG_LOG",
        /// Keep the speculative store bypass mitigation off.
        SpecAllow = "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        /// Wait for a notification reply killably.
        WaitKillableRecv = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    }
}

/// A comparison of one syscall argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyscallArg {
    /// Which argument, 0 to 5.
    pub index: usize,
    /// The value compared with (the mask, for `MaskedEq`).
    pub value: u64,
    /// The second value (the expected masked value, for `MaskedEq`).
    #[serde(default)]
    pub value_two: u64,
    /// The comparison.
    pub op: SeccompOp,
}

/// A rule for one syscall: when every comparison holds, take the action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyscallRule {
    /// The syscall's name (`mkdir`).
    pub name: String,
    /// What to do when the rule matches.
    pub action: SeccompAction,
    /// Comparisons that must all hold; none means every call matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<SyscallArg>,
}

/// The seccomp filter of a container's process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seccomp {
    /// What happens to a syscall no rule matches.
    pub default_action: SeccompAction,
    /// Architectures whose syscalls the filter admits besides the native one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub architectures: Vec<SeccompArch>,
    /// Filter flags; `None` means the runtime's default (`SPEC_ALLOW` where the kernel has
    /// it), which is not the same as an explicitly empty list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<SeccompFlag>>,
    /// The rules, by syscall.
    #[serde(default)]
    pub syscalls: Vec<SyscallRule>,
    /// The unix socket of the seccomp agent that receives the notify listener fd.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener_path: Option<PathBuf>,
    /// Opaque data sent to the agent with the listener fd.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener_metadata: Option<String>,
}

impl Seccomp {
    /// Whether the filter uses the notify action anywhere.
    pub fn uses_notify(&self) -> bool {
        self.default_action == SeccompAction::Notify
            || self
                .syscalls
                .iter()
                .any(|rule| rule.action == SeccompAction::Notify)
    }
}
