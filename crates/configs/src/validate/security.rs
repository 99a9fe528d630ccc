//! Labels need their LSM, Intel RDT needs resctrl, and a rootless container needs a user
//! namespace with mappings.

use super::HostFacts;
use crate::config::Config;
use crate::namespace::NamespaceKind;

/// Why the security settings of a config cannot be applied on this host.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecurityError {
    /// An SELinux label on a host without SELinux.
    #[error("SELinux label {label:?} is set but SELinux is not enabled")]
    SelinuxDisabled {
        /// The label.
        label: String,
    },
    /// An AppArmor profile on a host without AppArmor.
    #[error("AppArmor profile {profile:?} is set but AppArmor is not enabled")]
    ApparmorDisabled {
        /// The profile.
        profile: String,
    },
    /// Intel RDT settings on a host without resctrl.
    #[error("Intel RDT settings are given but Intel RDT is not enabled")]
    RdtDisabled,
    /// An RDT class of service that is not a plain directory name.
    #[error("invalid Intel RDT class of service {clos_id:?}")]
    InvalidClosId {
        /// The class.
        clos_id: String,
    },
    /// An RDT feature the host lacks.
    #[error("Intel RDT {feature} is not enabled, so {field} cannot be set")]
    RdtFeatureDisabled {
        /// `"CAT"` or `"MBA"`.
        feature: &'static str,
        /// The field that needs it.
        field: &'static str,
    },
    /// A rootless container without a user namespace.
    #[error("a rootless container needs a user namespace")]
    RootlessWithoutUserNamespace,
    /// A rootless container with a new user namespace but no mappings.
    #[error("a rootless container needs at least one {which} mapping")]
    RootlessWithoutMapping {
        /// `"uid"` or `"gid"`.
        which: &'static str,
    },
}

pub(super) fn check(config: &Config, host: &HostFacts) -> Result<(), SecurityError> {
    if let Some(label) = config.process_label.as_ref().filter(|_| !host.selinux) {
        return Err(SecurityError::SelinuxDisabled {
            label: label.clone(),
        });
    }
    if let Some(profile) = config.apparmor_profile.as_ref().filter(|_| !host.apparmor) {
        return Err(SecurityError::ApparmorDisabled {
            profile: profile.clone(),
        });
    }
    check_rdt(config, host)?;
    check_rootless(config)
}

fn check_rdt(config: &Config, host: &HostFacts) -> Result<(), SecurityError> {
    let Some(rdt) = &config.intel_rdt else {
        return Ok(());
    };
    let Some(support) = host.rdt else {
        return Err(SecurityError::RdtDisabled);
    };
    let clos = &rdt.clos_id;
    if clos == "." || clos == ".." || clos.contains('/') {
        return Err(SecurityError::InvalidClosId {
            clos_id: clos.clone(),
        });
    }
    if !rdt.l3_cache_schema.is_empty() && !support.cat {
        return Err(SecurityError::RdtFeatureDisabled {
            feature: "CAT",
            field: "l3_cache_schema",
        });
    }
    if !rdt.mem_bw_schema.is_empty() && !support.mba {
        return Err(SecurityError::RdtFeatureDisabled {
            feature: "MBA",
            field: "mem_bw_schema",
        });
    }
    Ok(())
}

fn check_rootless(config: &Config) -> Result<(), SecurityError> {
    if !config.rootless_euid {
        return Ok(());
    }
    let Some(userns) = config.namespaces.get(NamespaceKind::User) else {
        return Err(SecurityError::RootlessWithoutUserNamespace);
    };
    if userns.path.is_none() {
        if config.uid_mappings.is_empty() {
            return Err(SecurityError::RootlessWithoutMapping { which: "uid" });
        }
        if config.gid_mappings.is_empty() {
            return Err(SecurityError::RootlessWithoutMapping { which: "gid" });
        }
    }
    Ok(())
}
