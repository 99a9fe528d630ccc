//! Process attributes of the container's init: hostname and sysctls (before the root is
//! entered), then umask, rlimits, personality, I/O priority and the keyring. The OOM score
//! is stage 1's (`hull-nsenter`), written while the process was still dumpable.

use hull_configs::Config;
use hull_nsenter::{InitError, Step};
use nix::sys::stat::Mode;

use super::procfs::Procfs;
use super::{InitResult, at};
use crate::process::ProcessSpec;
use crate::sys;

/// Hostname, domain name and sysctls, through the init's verified procfs handle.
pub(super) fn uts_and_sysctl(config: &Config, procfs: &Procfs) -> InitResult<()> {
    if let Some(hostname) = &config.hostname {
        nix::unistd::sethostname(hostname).map_err(at(Step::Hostname, hostname.clone()))?;
    }
    if let Some(domainname) = &config.domainname {
        procfs.write_domainname(domainname)?;
    }
    for (key, value) in &config.sysctl {
        procfs.write_sysctl(key, value)?;
    }
    Ok(())
}

/// Everything about the process that is not its identity.
pub(super) fn apply(id: &str, config: &Config, process: &ProcessSpec) -> InitResult<()> {
    refuse_unsupported(config)?;
    if let Some(umask) = config.umask {
        nix::sys::stat::umask(Mode::from_bits_truncate(umask));
    }
    let rlimits = process.rlimits.as_ref().unwrap_or(&config.rlimits);
    for rlimit in rlimits {
        sys::set_rlimit(rlimit.kind.resource(), rlimit.soft, rlimit.hard).map_err(at(
            Step::Rlimit,
            format!("{} {}:{}", rlimit.kind, rlimit.soft, rlimit.hard),
        ))?;
    }
    if let Some(domain) = config.personality {
        sys::set_personality(domain.number())
            .map_err(at(Step::ProcessAttributes, format!("personality {domain}")))?;
    }
    if let Some(io) = config.io_priority {
        let value = (i32::from(io.class.number()) << 13) | io.priority;
        sys::set_io_priority(value).map_err(at(
            Step::ProcessAttributes,
            format!("ioprio {} {}", io.class, io.priority),
        ))?;
    }
    if !config.no_new_keyring {
        let name = format!("_ses.{id}");
        sys::join_session_keyring(&name).map_err(at(Step::ProcessAttributes, "session keyring"))?;
    }
    Ok(())
}

/// Settings hull does not apply yet fail loudly rather than being ignored.
fn refuse_unsupported(config: &Config) -> InitResult<()> {
    let unsupported = [
        ("scheduler", config.scheduler.is_some()),
        ("memory policy", config.memory_policy.is_some()),
        ("exec CPU affinity", config.exec_cpu_affinity.is_some()),
        ("Intel RDT", config.intel_rdt.is_some()),
        ("AppArmor profile", config.apparmor_profile.is_some()),
        ("SELinux process label", config.process_label.is_some()),
        ("network device", !config.net_devices.is_empty()),
        (
            "network interface besides loopback",
            config
                .networks
                .iter()
                .any(|n| n.kind != hull_configs::NetworkKind::Loopback),
        ),
        ("route", !config.routes.is_empty()),
    ];
    match unsupported.iter().find(|(_, set)| *set) {
        Some((what, _)) => Err(InitError::message(
            Step::ProcessAttributes,
            *what,
            "hull does not apply this setting yet",
        )),
        None => Ok(()),
    }
}
