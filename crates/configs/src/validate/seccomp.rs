//! The seccomp filter must be one the kernel can load and a runtime can serve.

use std::path::PathBuf;

use crate::config::Config;
use crate::seccomp::{Seccomp, SeccompAction};

/// The largest errno a filter can return (`MAX_ERRNO`).
const MAX_ERRNO: u32 = 4095;

/// Syscalls a runtime itself makes while it serves notifications; notifying on them could
/// block the runtime on its own container.
const NOTIFY_FORBIDDEN: [&str; 1] = ["write"];

/// Why a seccomp filter cannot be built or served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeccompError {
    /// A rule with an empty or malformed syscall name.
    #[error("invalid syscall name {name:?}")]
    InvalidSyscallName {
        /// The name.
        name: String,
    },
    /// A comparison of an argument past the sixth.
    #[error("syscall {syscall}: argument index {index} is beyond the six syscall arguments")]
    ArgIndex {
        /// The syscall.
        syscall: String,
        /// The index given.
        index: usize,
    },
    /// An errno past `MAX_ERRNO`.
    #[error("{context}: errno {errno} is above 4095")]
    ErrnoOutOfRange {
        /// The syscall, or `default action`.
        context: String,
        /// The errno.
        errno: u32,
    },
    /// A trace value that does not fit the filter's 16-bit data.
    #[error("{context}: trace value {value} is above 65535")]
    TraceOutOfRange {
        /// The syscall, or `default action`.
        context: String,
        /// The value.
        value: u32,
    },
    /// Notify as the default action.
    #[error("SCMP_ACT_NOTIFY cannot be the default action")]
    NotifyDefault,
    /// Notify on a syscall the runtime needs for itself.
    #[error("SCMP_ACT_NOTIFY cannot be used for the {syscall} syscall")]
    NotifyForbidden {
        /// The syscall.
        syscall: String,
    },
    /// Notify rules without an agent to send the listener to.
    #[error("SCMP_ACT_NOTIFY is used but no listener path is set")]
    NotifyWithoutListener,
    /// A listener path that is not absolute.
    #[error("seccomp listener path {path} is not absolute")]
    ListenerPathNotAbsolute {
        /// The path.
        path: PathBuf,
    },
}

pub(super) fn check(config: &Config) -> Result<(), SeccompError> {
    let Some(seccomp) = &config.seccomp else {
        return Ok(());
    };
    check_action(seccomp.default_action, "default action")?;
    if seccomp.default_action == SeccompAction::Notify {
        return Err(SeccompError::NotifyDefault);
    }
    for rule in &seccomp.syscalls {
        let valid_name = !rule.name.is_empty()
            && rule
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_name {
            return Err(SeccompError::InvalidSyscallName {
                name: rule.name.clone(),
            });
        }
        if let Some(arg) = rule.args.iter().find(|arg| arg.index > 5) {
            return Err(SeccompError::ArgIndex {
                syscall: rule.name.clone(),
                index: arg.index,
            });
        }
        check_action(rule.action, &rule.name)?;
        if rule.action == SeccompAction::Notify && NOTIFY_FORBIDDEN.contains(&rule.name.as_str()) {
            return Err(SeccompError::NotifyForbidden {
                syscall: rule.name.clone(),
            });
        }
    }
    check_listener(seccomp)
}

fn check_action(action: SeccompAction, context: &str) -> Result<(), SeccompError> {
    match action {
        SeccompAction::Errno(errno) if errno > MAX_ERRNO => Err(SeccompError::ErrnoOutOfRange {
            context: context.to_owned(),
            errno,
        }),
        SeccompAction::Trace(value) if value > u32::from(u16::MAX) => {
            Err(SeccompError::TraceOutOfRange {
                context: context.to_owned(),
                value,
            })
        }
        _ => Ok(()),
    }
}

fn check_listener(seccomp: &Seccomp) -> Result<(), SeccompError> {
    match &seccomp.listener_path {
        Some(path) if !path.is_absolute() => {
            Err(SeccompError::ListenerPathNotAbsolute { path: path.clone() })
        }
        None if seccomp.uses_notify() => Err(SeccompError::NotifyWithoutListener),
        _ => Ok(()),
    }
}
