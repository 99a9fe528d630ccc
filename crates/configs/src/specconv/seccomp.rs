//! A spec's seccomp section as a [`Seccomp`] filter description.

use oci_spec::runtime::{Arch, LinuxSeccomp, LinuxSeccompAction};

use super::{SpecError, by_name};
use crate::seccomp::{Seccomp, SeccompAction, SeccompArch, SyscallArg, SyscallRule};

/// `EPERM`, what an errno or trace action returns when the spec gives no `errnoRet`.
const EPERM: u32 = 1;

/// The filter, or `None` when the section asks for nothing (no default action, no rules).
pub(super) fn convert(s: &LinuxSeccomp) -> Result<Option<Seccomp>, SpecError> {
    let syscalls = s.syscalls().as_deref().unwrap_or_default();
    let architectures = s
        .architectures()
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, arch)| match arch {
            Arch::ScmpArchNative => Ok(native_arch()),
            arch => by_name(|| format!("linux.seccomp.architectures[{i}]"), arch),
        })
        .collect::<Result<_, _>>()?;
    let flags = s
        .flags()
        .as_ref()
        .map(|flags| {
            flags
                .iter()
                .enumerate()
                .map(|(i, flag)| by_name(|| format!("linux.seccomp.flags[{i}]"), flag))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let mut rules = Vec::new();
    for (i, call) in syscalls.iter().enumerate() {
        let field = || format!("linux.seccomp.syscalls[{i}]");
        let action = action(&field, call.action(), call.errno_ret())?;
        let args = call
            .args()
            .iter()
            .flatten()
            .enumerate()
            .map(|(j, arg)| {
                Ok(SyscallArg {
                    index: arg.index(),
                    value: arg.value(),
                    value_two: arg.value_two().unwrap_or(0),
                    op: by_name(|| format!("{}.args[{j}].op", field()), &arg.op())?,
                })
            })
            .collect::<Result<Vec<_>, SpecError>>()?;
        for name in call.names() {
            rules.push(SyscallRule {
                name: name.clone(),
                action,
                args: args.clone(),
            });
        }
    }
    Ok(Some(Seccomp {
        default_action: action(
            &|| "linux.seccomp.defaultAction".to_owned(),
            s.default_action(),
            s.default_errno_ret(),
        )?,
        architectures,
        flags,
        syscalls: rules,
        listener_path: s.listener_path().clone(),
        listener_metadata: s.listener_metadata().clone(),
    }))
}

/// The action with its errno: `errnoRet` (default `EPERM`) for errno and trace, refused
/// with any other action.
fn action(
    field: &dyn Fn() -> String,
    action: LinuxSeccompAction,
    errno_ret: Option<u32>,
) -> Result<SeccompAction, SpecError> {
    use LinuxSeccompAction as Oci;
    let errno = errno_ret.unwrap_or(EPERM);
    let converted = match action {
        Oci::ScmpActKill => SeccompAction::Kill,
        Oci::ScmpActKillThread => SeccompAction::KillThread,
        Oci::ScmpActKillProcess => SeccompAction::KillProcess,
        Oci::ScmpActTrap => SeccompAction::Trap,
        Oci::ScmpActErrno => return Ok(SeccompAction::Errno(errno)),
        Oci::ScmpActTrace => return Ok(SeccompAction::Trace(errno)),
        Oci::ScmpActAllow => SeccompAction::Allow,
        Oci::ScmpActLog => SeccompAction::Log,
        Oci::ScmpActNotify => SeccompAction::Notify,
    };
    match errno_ret {
        Some(_) => Err(SpecError::ErrnoRetWithoutErrno {
            field: field(),
            action: converted.oci_name().to_owned(),
        }),
        None => Ok(converted),
    }
}

/// The architecture this build of hull runs on.
fn native_arch() -> SeccompArch {
    match std::env::consts::ARCH {
        "x86" => SeccompArch::X86,
        "aarch64" => SeccompArch::Aarch64,
        "arm" => SeccompArch::Arm,
        "riscv64" => SeccompArch::Riscv64,
        "s390x" => SeccompArch::S390X,
        "powerpc64" if cfg!(target_endian = "little") => SeccompArch::Ppc64Le,
        "powerpc64" => SeccompArch::Ppc64,
        "loongarch64" => SeccompArch::Loongarch64,
        _ => SeccompArch::X86_64,
    }
}
