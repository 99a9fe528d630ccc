//! The process part of a spec that belongs to the container: capabilities, rlimits,
//! scheduling and labels; and the hooks.

use std::time::Duration;

use oci_spec::runtime::{Capabilities as OciCaps, Process};

use super::{SpecError, by_name, cpu_list};
use crate::capability::{Capabilities, CapabilitySet};
use crate::config::Config;
use crate::hooks::{Hook, HookPoint, Hooks};
use crate::rlimit::Rlimit;
use crate::sched::{CpuAffinity, IoPriority, Scheduler};

pub(super) fn convert(p: &Process, config: &mut Config) -> Result<(), SpecError> {
    config.oom_score_adj = p.oom_score_adj();
    config.no_new_privileges = p.no_new_privileges().unwrap_or(false);
    config.umask = p.user().umask();
    config.process_label = p.selinux_label().clone();
    config.apparmor_profile = p.apparmor_profile().clone();
    if let Some(caps) = p.capabilities() {
        let set = |name: &str, caps: &Option<OciCaps>| capability_set(name, caps.as_ref());
        config.capabilities = Some(Capabilities {
            bounding: set("bounding", caps.bounding())?,
            effective: set("effective", caps.effective())?,
            inheritable: set("inheritable", caps.inheritable())?,
            permitted: set("permitted", caps.permitted())?,
            ambient: set("ambient", caps.ambient())?,
        });
    }
    for (i, rlimit) in p.rlimits().iter().flatten().enumerate() {
        config.rlimits.push(Rlimit {
            kind: by_name(|| format!("process.rlimits[{i}].type"), &rlimit.typ())?,
            hard: rlimit.hard(),
            soft: rlimit.soft(),
        });
    }
    if let Some(s) = p.scheduler() {
        let flags = s
            .flags()
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, flag)| by_name(|| format!("process.scheduler.flags[{i}]"), flag))
            .collect::<Result<_, _>>()?;
        config.scheduler = Some(Scheduler {
            policy: by_name(|| "process.scheduler.policy".into(), s.policy())?,
            nice: s.nice().unwrap_or(0),
            priority: s.priority().unwrap_or(0),
            flags,
            runtime: s.runtime().unwrap_or(0),
            deadline: s.deadline().unwrap_or(0),
            period: s.period().unwrap_or(0),
        });
    }
    if let Some(io) = p.io_priority() {
        config.io_priority = Some(IoPriority {
            class: by_name(|| "process.ioPriority.class".into(), &io.class())?,
            priority: i32::try_from(io.priority()).unwrap_or(i32::MAX),
        });
    }
    if let Some(affinity) = p.exec_cpu_affinity() {
        let initial = cpu_list(
            "process.execCPUAffinity.initial",
            affinity.initial().as_deref(),
        )?;
        let final_ = cpu_list(
            "process.execCPUAffinity.final",
            affinity.cpu_affinity_final().as_deref(),
        )?;
        if initial.is_some() || final_.is_some() {
            config.exec_cpu_affinity = Some(CpuAffinity { initial, final_ });
        }
    }
    Ok(())
}

/// A capability set of the spec; the field is named in errors.
fn capability_set(name: &str, caps: Option<&OciCaps>) -> Result<CapabilitySet, SpecError> {
    caps.into_iter()
        .flatten()
        .map(|cap| by_name(|| format!("process.capabilities.{name}"), cap))
        .collect()
}

pub(super) fn hooks(hooks: &oci_spec::runtime::Hooks) -> Result<Hooks, SpecError> {
    #[allow(deprecated)]
    let lists = [
        (HookPoint::Prestart, hooks.prestart()),
        (HookPoint::CreateRuntime, hooks.create_runtime()),
        (HookPoint::CreateContainer, hooks.create_container()),
        (HookPoint::StartContainer, hooks.start_container()),
        (HookPoint::Poststart, hooks.poststart()),
        (HookPoint::Poststop, hooks.poststop()),
    ];
    let mut converted = Hooks::default();
    for (point, list) in lists {
        for (i, hook) in list.iter().flatten().enumerate() {
            let timeout = match hook.timeout() {
                Some(secs) if secs <= 0 => {
                    return Err(SpecError::HookTimeout {
                        field: format!("hooks.{point}[{i}].timeout"),
                        timeout: secs,
                    });
                }
                Some(secs) => Some(Duration::from_secs(secs.unsigned_abs())),
                None => None,
            };
            converted.at_mut(point).push(Hook {
                path: hook.path().clone(),
                args: hook.args().clone().unwrap_or_default(),
                env: hook.env().clone().unwrap_or_default(),
                dir: None,
                timeout,
            });
        }
    }
    Ok(converted)
}
