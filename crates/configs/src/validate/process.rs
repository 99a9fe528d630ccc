//! Attributes of the container's process and what it finds in `/dev`: rlimits, OOM score,
//! umask, scheduling, I/O priority, memory policy, device nodes and hooks.

use std::path::PathBuf;

use crate::config::Config;
use crate::device::DeviceKind;
use crate::hooks::HookPoint;
use crate::rlimit::RlimitKind;
use crate::sched::{MemoryPolicyMode, SchedPolicy};

/// Why a process attribute cannot be applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessError {
    /// A value outside what the kernel takes.
    #[error("{field} {value} is out of range: expected {expected}")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value given.
        value: i128,
        /// What is accepted.
        expected: &'static str,
    },
    /// A soft rlimit above its hard limit.
    #[error("{kind} soft limit {soft} is above its hard limit {hard}")]
    RlimitSoftAboveHard {
        /// The resource.
        kind: RlimitKind,
        /// The soft limit.
        soft: u64,
        /// The hard limit.
        hard: u64,
    },
    /// The same rlimit twice.
    #[error("{kind} is set twice")]
    DuplicateRlimit {
        /// The resource.
        kind: RlimitKind,
    },
    /// A nice value for a policy that uses nice values, outside -20 to 19.
    #[error("scheduler nice {nice} is out of range -20 to 19 for {policy}")]
    SchedulerNice {
        /// The nice value.
        nice: i32,
        /// The policy.
        policy: SchedPolicy,
    },
    /// A static priority for a policy without one.
    #[error("scheduler priority can only be set for SCHED_FIFO or SCHED_RR, not {policy}")]
    SchedulerPriority {
        /// The policy.
        policy: SchedPolicy,
    },
    /// Deadline parameters for a policy other than `SCHED_DEADLINE`.
    #[error("scheduler runtime, deadline and period are only for SCHED_DEADLINE, not {policy}")]
    SchedulerDeadline {
        /// The policy.
        policy: SchedPolicy,
    },
    /// A memory policy mode given nodes it takes none of.
    #[error("memory policy {mode} takes no nodes, got {count}")]
    MemoryPolicyNodesGiven {
        /// The mode.
        mode: MemoryPolicyMode,
        /// How many nodes were given.
        count: u32,
    },
    /// A memory policy mode given no nodes where it needs some.
    #[error("memory policy {mode} needs at least one node")]
    MemoryPolicyNodesMissing {
        /// The mode.
        mode: MemoryPolicyMode,
    },
    /// A device node that cannot be created.
    #[error("invalid device node {path}: {reason}")]
    InvalidDevice {
        /// Where the node would go.
        path: PathBuf,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A hook whose program is not an absolute path.
    #[error("{point} hook {path} is not an absolute path")]
    HookPathNotAbsolute {
        /// The lifecycle point.
        point: HookPoint,
        /// The program.
        path: PathBuf,
    },
    /// A hook with a zero timeout.
    #[error("{point} hook {path} has a zero timeout")]
    HookZeroTimeout {
        /// The lifecycle point.
        point: HookPoint,
        /// The program.
        path: PathBuf,
    },
}

pub(super) fn check(config: &Config) -> Result<(), ProcessError> {
    check_values(config)?;
    check_rlimits(config)?;
    check_scheduling(config)?;
    check_devices(config)?;
    check_hooks(config)
}

fn range(
    field: &'static str,
    value: Option<i128>,
    expected: &'static str,
    ok: impl Fn(i128) -> bool,
) -> Result<(), ProcessError> {
    match value {
        Some(value) if !ok(value) => Err(ProcessError::OutOfRange {
            field,
            value,
            expected,
        }),
        _ => Ok(()),
    }
}

fn check_values(config: &Config) -> Result<(), ProcessError> {
    range(
        "oom_score_adj",
        config.oom_score_adj.map(Into::into),
        "-1000 to 1000",
        |v| (-1000..=1000).contains(&v),
    )?;
    range("umask", config.umask.map(Into::into), "0 to 0o777", |v| {
        (0..=0o777).contains(&v)
    })?;
    range(
        "parent_death_signal",
        config.parent_death_signal.map(Into::into),
        "1 to 64",
        |v| (1..=64).contains(&v),
    )?;
    let priority = config.io_priority.map(|io| i128::from(io.priority));
    range("io_priority.priority", priority, "0 to 7", |v| {
        (0..=7).contains(&v)
    })
}

fn check_rlimits(config: &Config) -> Result<(), ProcessError> {
    for (i, rlimit) in config.rlimits.iter().enumerate() {
        if rlimit.soft > rlimit.hard {
            return Err(ProcessError::RlimitSoftAboveHard {
                kind: rlimit.kind,
                soft: rlimit.soft,
                hard: rlimit.hard,
            });
        }
        if config.rlimits[..i]
            .iter()
            .any(|earlier| earlier.kind == rlimit.kind)
        {
            return Err(ProcessError::DuplicateRlimit { kind: rlimit.kind });
        }
    }
    Ok(())
}

fn check_scheduling(config: &Config) -> Result<(), ProcessError> {
    if let Some(s) = &config.scheduler {
        let policy = s.policy;
        let uses_nice = matches!(policy, SchedPolicy::Other | SchedPolicy::Batch);
        if uses_nice && !(-20..=19).contains(&s.nice) {
            return Err(ProcessError::SchedulerNice {
                nice: s.nice,
                policy,
            });
        }
        if s.priority != 0 && !matches!(policy, SchedPolicy::Fifo | SchedPolicy::Rr) {
            return Err(ProcessError::SchedulerPriority { policy });
        }
        let has_deadline = s.runtime != 0 || s.deadline != 0 || s.period != 0;
        if has_deadline && policy != SchedPolicy::Deadline {
            return Err(ProcessError::SchedulerDeadline { policy });
        }
    }
    if let Some(policy) = &config.memory_policy {
        let mode = policy.mode;
        let count = policy.nodes.count();
        match mode {
            MemoryPolicyMode::Default | MemoryPolicyMode::Local if count != 0 => {
                return Err(ProcessError::MemoryPolicyNodesGiven { mode, count });
            }
            MemoryPolicyMode::Bind
            | MemoryPolicyMode::Interleave
            | MemoryPolicyMode::PreferredMany
            | MemoryPolicyMode::WeightedInterleave
                if count == 0 =>
            {
                return Err(ProcessError::MemoryPolicyNodesMissing { mode });
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_devices(config: &Config) -> Result<(), ProcessError> {
    for device in &config.devices {
        let invalid = |reason| ProcessError::InvalidDevice {
            path: device.path.clone(),
            reason,
        };
        if !device.path.is_absolute() {
            return Err(invalid("the path is not absolute"));
        }
        // The node is made at this path inside the rootfs: no component may climb.
        let climbs = device
            .path
            .components()
            .any(|c| c == std::path::Component::ParentDir);
        if climbs || device.path.as_os_str().as_encoded_bytes().contains(&0) {
            return Err(invalid("the path holds \"..\" or a NUL"));
        }
        if device.kind == DeviceKind::All {
            return Err(invalid("a node must be a block, character or FIFO device"));
        }
        if device.major < 0 || device.minor < 0 {
            return Err(invalid("device numbers cannot be negative"));
        }
        if device.file_mode & !0o7777 != 0 {
            return Err(invalid("the file mode has bits beyond the permission bits"));
        }
    }
    Ok(())
}

fn check_hooks(config: &Config) -> Result<(), ProcessError> {
    for &point in HookPoint::ALL {
        for hook in config.hooks.at(point) {
            if !hook.path.is_absolute() {
                return Err(ProcessError::HookPathNotAbsolute {
                    point,
                    path: hook.path.clone(),
                });
            }
            if hook.timeout.is_some_and(|t| t.is_zero()) {
                return Err(ProcessError::HookZeroTimeout {
                    point,
                    path: hook.path.clone(),
                });
            }
        }
    }
    Ok(())
}
