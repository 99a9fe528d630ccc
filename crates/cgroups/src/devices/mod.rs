//! Device access rules: what they mean, and how each cgroup version enforces them.
//!
//! A rule list means what [`permits`] says: for each access a request asks for (read,
//! write, mknod), the **last** rule that covers the device and that access decides, and with
//! no such rule the access is denied. A rule of type `a` covers block and character
//! devices; a missing major or minor is a wildcard. A request is allowed only when every
//! access it asks for is.
//!
//! - cgroup v1 keeps a default (allow or deny) and a list of exceptions: [`ExceptionList`]
//!   turns a rule list into one, and the minimal `devices.allow` / `devices.deny` writes
//!   from the current list to it. Rules v1 cannot express (denying part of a wildcard it
//!   allowed) are refused rather than applied loosely.
//! - cgroup v2 runs an eBPF program for each access: [`Program`] generates it in pure Rust
//!   from the same rules, and [`attach`] loads it with `bpf(2)` and attaches it to a cgroup,
//!   replacing the previous one atomically.

mod attach;
mod exceptions;
mod insn;
#[cfg(test)]
mod interpreter;
mod program;
#[cfg(test)]
mod tests;

use std::io;
use std::path::PathBuf;

use hull_configs::{DeviceAccess, DeviceKind, DeviceRule};

pub use attach::attach;
pub use exceptions::{ExceptionList, Transition, TransitionWrite};
pub use insn::Insn;
pub use program::Program;

/// What can go wrong applying device rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevicesError {
    /// A rule for FIFOs, which the device cgroup does not govern.
    #[error("device rule {rule:?} is for FIFOs, which device cgroups do not govern")]
    FifoRule {
        /// The rule, in `devices.allow` syntax.
        rule: String,
    },
    /// A major or minor number outside what the kernel's device numbers can be.
    #[error("device rule {rule:?} has number {number}, beyond any device number")]
    NumberOutOfRange {
        /// The rule, in `devices.allow` syntax.
        rule: String,
        /// The number.
        number: i64,
    },
    /// A rule that cgroup v1 cannot express: it denies part of a wider exception.
    #[error(
        "cgroup v1 cannot apply {rule:?}: it would punch a hole in the wider rule {exception:?}"
    )]
    HolePunch {
        /// The rule, in `devices.allow` syntax.
        rule: String,
        /// The wider exception it overlaps.
        exception: String,
    },
    /// A line of `devices.list` that is not an exception.
    #[error("cannot parse {path}: {line:?} is not a device exception")]
    ParseList {
        /// The file.
        path: PathBuf,
        /// The line.
        line: String,
    },
    /// After the writes, `devices.list` does not hold the rules asked for.
    #[error("{path} holds {found:?} after the update, expected {expected:?}")]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// What was expected.
        expected: String,
        /// What the kernel lists.
        found: String,
    },
    /// The generated program is too long for eBPF jumps.
    #[error("the device program for {rules} rules is too long ({insns} instructions)")]
    ProgramTooLong {
        /// The number of rules.
        rules: usize,
        /// The number of instructions.
        insns: usize,
    },
    /// A cgroup directory could not be opened to attach a program to it.
    #[error("cannot open cgroup {path}")]
    OpenCgroup {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The kernel refused the program; its verifier log says why.
    #[error("the kernel refused the device program (verifier log: {log:?})")]
    LoadProgram {
        /// The verifier's log, possibly empty.
        log: String,
        /// The error of `BPF_PROG_LOAD`.
        #[source]
        source: io::Error,
    },
    /// The programs attached to a cgroup could not be listed.
    #[error("cannot list the device programs of {path}")]
    QueryPrograms {
        /// The cgroup.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The program could not be attached.
    #[error("cannot attach the device program to {path}")]
    AttachProgram {
        /// The cgroup.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// An old program could not be detached.
    #[error("cannot detach old device program {id} from {path}")]
    DetachProgram {
        /// The cgroup.
        path: PathBuf,
        /// The kernel's id of the program.
        id: u32,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// A request to access a device, as the kernel checks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceRequest {
    /// [`DeviceKind::Block`] or [`DeviceKind::Char`].
    pub kind: DeviceKind,
    /// The device's major number.
    pub major: u32,
    /// The device's minor number.
    pub minor: u32,
    /// The access asked for.
    pub access: DeviceAccess,
}

/// Whether `rules` allow `request`: for each access asked for, the last rule that covers the
/// device and that access decides; no such rule denies.
pub fn permits(rules: &[DeviceRule], request: &DeviceRequest) -> bool {
    request.access.iter().all(|bit| {
        rules
            .iter()
            .rev()
            .find(|rule| covers(rule, request) && rule.access.contains(bit))
            .is_some_and(|rule| rule.allow)
    })
}

/// Whether `rule` covers the device of `request` (whatever the access).
fn covers(rule: &DeviceRule, request: &DeviceRequest) -> bool {
    (rule.kind == DeviceKind::All || rule.kind == request.kind)
        && rule.major.is_none_or(|m| m == i64::from(request.major))
        && rule.minor.is_none_or(|m| m == i64::from(request.minor))
}

/// Whether `rule` covers every device (type `a`, both numbers wildcards).
fn is_wildcard(rule: &DeviceRule) -> bool {
    rule.kind == DeviceKind::All && rule.major.is_none() && rule.minor.is_none()
}

/// Checks that a rule can be enforced: a block, char or all rule with numbers that fit
/// the kernel's 32-bit device numbers.
fn check_rule(rule: &DeviceRule) -> Result<(), DevicesError> {
    if rule.kind == DeviceKind::Fifo {
        return Err(DevicesError::FifoRule {
            rule: rule.cgroup_v1_entry(),
        });
    }
    for number in [rule.major, rule.minor].into_iter().flatten() {
        if u32::try_from(number).is_err() {
            return Err(DevicesError::NumberOutOfRange {
                rule: rule.cgroup_v1_entry(),
                number,
            });
        }
    }
    Ok(())
}
