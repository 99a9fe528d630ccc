//! Who the container's process is: groups, gid and uid, capabilities, `no_new_privs` and
//! seccomp, in libcontainer's order.
//!
//! Without `no_new_privs` the seccomp filter goes on first, while the process still has
//! `CAP_SYS_ADMIN` (which installing a filter then needs); with it, the filter goes on last
//! ([`seccomp`], called by the init after the working directory is entered), so that it
//! constrains as little of the setup as possible.

use std::collections::HashSet;
use std::str::FromStr;

use caps::{CapSet, CapsHashSet};
use hull_configs::{Capabilities, CapabilitySet};
use hull_nsenter::{Channel, InitError, ParentReply, Step};
use hull_user::ExecUser;
use nix::errno::Errno;
use nix::unistd::{Gid, Uid};

use super::{InitResult, at};
use crate::message::{InitConfig, Stage2Message};

/// Whether the process gets `no_new_privs` (its own setting, else the container's).
pub(super) fn no_new_privileges(init: &InitConfig) -> bool {
    init.process
        .no_new_privileges
        .unwrap_or(init.config.no_new_privileges)
}

/// Groups, ids and capabilities, with the seccomp filter first when the process does not
/// get `no_new_privs`, and `no_new_privs` set last when it does.
pub(super) fn apply(
    channel: &Channel,
    init: &InitConfig,
    user: &ExecUser,
    setgroups_denied: bool,
) -> InitResult<()> {
    let capabilities = init
        .process
        .capabilities
        .as_ref()
        .or(init.config.capabilities.as_ref());
    let no_new_privs = no_new_privileges(init);
    if !no_new_privs {
        seccomp(channel, init)?;
    }
    if let Some(caps) = capabilities {
        drop_bounding(&caps.bounding)?;
    }
    // Keep the permitted set across the uid change; the sets are set explicitly after.
    nix::sys::prctl::set_keepcaps(true).map_err(at(Step::Capabilities, "keep capabilities"))?;
    set_ids(user, setgroups_denied)?;
    nix::sys::prctl::set_keepcaps(false).map_err(at(Step::Capabilities, "keep capabilities"))?;
    if let Some(caps) = capabilities {
        set_capabilities(caps)?;
    }
    if no_new_privs {
        nix::sys::prctl::set_no_new_privs().map_err(at(Step::NoNewPrivileges, ""))?;
    }
    Ok(())
}

/// Supplementary groups, then gid, then uid (`setgroups`, `setresgid`, `setresuid`).
///
/// `setgroups(2)` is always called: only when the kernel refuses it, `setgroups_denied`
/// (the user namespace's `setgroups` file, read through the verified procfs handle, never a
/// file the image could provide) says whether that is because the namespace denies it,
/// which is fine when there are no groups to set.
fn set_ids(user: &ExecUser, setgroups_denied: bool) -> InitResult<()> {
    let groups: Vec<Gid> = user.sgids.iter().copied().map(Gid::from_raw).collect();
    let context = || format!("groups {:?}", user.sgids);
    match nix::unistd::setgroups(&groups) {
        Ok(()) => {}
        Err(Errno::EPERM) if setgroups_denied => {
            if !groups.is_empty() {
                return Err(InitError::message(
                    Step::Identity,
                    context(),
                    "setgroups is denied in this user namespace",
                ));
            }
        }
        Err(errno) => return Err(InitError::new(Step::Identity, context(), &errno)),
    }
    let gid = Gid::from_raw(user.gid);
    nix::unistd::setresgid(gid, gid, gid)
        .map_err(at(Step::Identity, format!("gid {}", user.gid)))?;
    let uid = Uid::from_raw(user.uid);
    nix::unistd::setresuid(uid, uid, uid).map_err(at(Step::Identity, format!("uid {}", user.uid)))
}

/// The capabilities of a set, as the `caps` crate names them; ones it does not know are
/// refused rather than silently dropped.
fn caps_of(set: &CapabilitySet) -> InitResult<CapsHashSet> {
    set.iter()
        .map(|cap| {
            caps::Capability::from_str(cap.as_str()).map_err(|_| {
                InitError::message(Step::Capabilities, cap.as_str(), "unknown to this build")
            })
        })
        .collect()
}

/// Drops from the bounding set every capability not in `keep`.
fn drop_bounding(keep: &CapabilitySet) -> InitResult<()> {
    let keep = caps_of(keep)?;
    for cap in caps::runtime::thread_all_supported() {
        if !keep.contains(&cap) {
            caps::drop(None, CapSet::Bounding, cap)
                .map_err(at(Step::Capabilities, format!("bounding {cap}")))?;
        }
    }
    Ok(())
}

/// Effective, permitted and inheritable sets, then the ambient one.
fn set_capabilities(caps: &Capabilities) -> InitResult<()> {
    let effective = caps_of(&caps.effective)?;
    let permitted = caps_of(&caps.permitted)?;
    // The kernel wants the effective set within the permitted one at every step: shrink
    // the effective set first, then the permitted one, then widen the effective set.
    let set = |which: CapSet, value: &CapsHashSet| {
        caps::set(None, which, value).map_err(at(Step::Capabilities, format!("{which:?}")))
    };
    set(
        CapSet::Effective,
        &effective
            .intersection(&permitted)
            .copied()
            .collect::<HashSet<_>>(),
    )?;
    set(CapSet::Permitted, &permitted)?;
    set(CapSet::Effective, &effective)?;
    set(CapSet::Inheritable, &caps_of(&caps.inheritable)?)?;
    caps::clear(None, CapSet::Ambient).map_err(at(Step::Capabilities, "ambient"))?;
    for cap in caps_of(&caps.ambient)? {
        // The kernel raises an ambient capability only if it is both permitted and
        // inheritable; one that is not stays out, which only takes privilege away.
        let _ = caps::raise(None, CapSet::Ambient, cap);
    }
    Ok(())
}

/// Installs the seccomp filter, if any, and hands a notify listener to the parent for the
/// seccomp agent.
pub(super) fn seccomp(channel: &Channel, init: &InitConfig) -> InitResult<()> {
    let Some(config) = &init.config.seccomp else {
        return Ok(());
    };
    let filter = hull_seccomp::compile(config).map_err(at(Step::Seccomp, "compile"))?;
    let listener = filter.install().map_err(at(Step::Seccomp, "install"))?;
    let Some(listener) = listener else {
        return Ok(());
    };
    channel
        .send_with_fds(
            &Stage2Message::SeccompListener,
            &[std::os::fd::AsFd::as_fd(&listener)],
        )
        .map_err(at(Step::Channel, "seccomp listener"))?;
    match channel
        .recv::<ParentReply>()
        .map_err(at(Step::Channel, "seccomp listener"))?
    {
        ParentReply::Done => Ok(()),
        ParentReply::Abort => Err(InitError::message(
            Step::Seccomp,
            "listener",
            "the seccomp agent could not be reached",
        )),
    }
}
