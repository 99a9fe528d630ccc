//! What a config means for one syscall, worked out directly from the config, independently
//! of the compiler's plan: the oracle the interpreted programs are compared with.

#![allow(dead_code)] // Each test crate uses a part.

use hull_configs::{Seccomp, SeccompAction, SeccompOp, SyscallArg, SyscallRule};
use hull_seccomp::{Arch, SeccompData};

const KILL_THREAD: u32 = 0;
const X32_BIT: u32 = 0x4000_0000;

/// The kernel's return value for `action`.
pub fn ret(action: SeccompAction) -> u32 {
    match action {
        SeccompAction::Kill | SeccompAction::KillThread => 0,
        SeccompAction::KillProcess => 0x8000_0000,
        SeccompAction::Trap => 0x0003_0000,
        SeccompAction::Errno(e) => 0x0005_0000 | (e & 0xffff),
        SeccompAction::Trace(t) => 0x7ff0_0000 | (t & 0xffff),
        SeccompAction::Allow => 0x7fff_0000,
        SeccompAction::Log => 0x7ffc_0000,
        SeccompAction::Notify => 0x7fc0_0000,
    }
}

/// The architectures a filter for `native` admits.
pub fn admitted(config: &Seccomp, native: Arch) -> Vec<Arch> {
    let mut arches = vec![native];
    arches.extend(
        config
            .architectures
            .iter()
            .filter_map(|&a| Arch::from_config(a)),
    );
    arches
}

/// What the filter of `config`, running on `native`, must return for `data`.
pub fn meaning(config: &Seccomp, native: Arch, data: &SeccompData) -> u32 {
    let default = ret(config.default_action);
    let admitted = admitted(config, native);
    let nr = u32::from_ne_bytes(data.nr.to_ne_bytes());
    if !admitted.iter().any(|a| a.audit_arch() == data.arch) {
        return KILL_THREAD;
    }
    if nr == u32::MAX {
        return default;
    }
    let abi = Arch::ALL
        .into_iter()
        .filter(|a| a.audit_arch() == data.arch)
        .find(|&a| match a {
            Arch::X86_64 => nr & X32_BIT == 0,
            Arch::X32 => nr & X32_BIT != 0,
            _ => true,
        })
        .expect("an ABI for the audit arch");
    if !admitted.contains(&abi) {
        return KILL_THREAD;
    }
    let newest = config
        .syscalls
        .iter()
        .filter_map(|rule| abi.syscall_number(&rule.name))
        .max();
    let permissive = matches!(
        config.default_action,
        SeccompAction::Allow
            | SeccompAction::Log
            | SeccompAction::Trace(_)
            | SeccompAction::Errno(38)
    );
    if !permissive && newest.is_some_and(|newest| nr > newest) {
        return ret(SeccompAction::Errno(38));
    }
    let Some(name) = abi.syscall_name(nr) else {
        return default;
    };
    let rules: Vec<&SyscallRule> = config
        .syscalls
        .iter()
        .filter(|rule| rule.name == name && ret(rule.action) != default)
        .collect();
    if let Some(rule) = rules.iter().find(|rule| unconditional(rule, abi)) {
        return ret(rule.action);
    }
    rules
        .iter()
        .find(|rule| holds(rule, abi, data))
        .map_or(default, |rule| ret(rule.action))
}

/// Whether the same argument is compared twice, which makes the comparisons ORed (runc).
fn ored(rule: &SyscallRule) -> bool {
    let mut indexes: Vec<usize> = rule.args.iter().map(|arg| arg.index).collect();
    indexes.sort_unstable();
    indexes.windows(2).any(|w| w[0] == w[1])
}

fn width(abi: Arch) -> u64 {
    if abi.compares_64bit() {
        u64::MAX
    } else {
        u64::from(u32::MAX)
    }
}

/// A comparison that holds for every argument: a masked comparison with an empty mask.
fn vacuous(arg: &SyscallArg, abi: Arch) -> bool {
    arg.op == SeccompOp::MaskedEq && arg.value & width(abi) == 0
}

/// Whether the rule holds for every call.
fn unconditional(rule: &SyscallRule, abi: Arch) -> bool {
    if ored(rule) {
        rule.args.iter().any(|arg| vacuous(arg, abi))
    } else {
        rule.args.iter().all(|arg| vacuous(arg, abi))
    }
}

/// Whether the rule's comparisons hold for `data`.
fn holds(rule: &SyscallRule, abi: Arch, data: &SeccompData) -> bool {
    let w = width(abi);
    let one = |arg: &SyscallArg| {
        let a = data.args[arg.index] & w;
        let v = arg.value & w;
        match arg.op {
            SeccompOp::Eq => a == v,
            SeccompOp::Ne => a != v,
            SeccompOp::Lt => a < v,
            SeccompOp::Le => a <= v,
            SeccompOp::Gt => a > v,
            SeccompOp::Ge => a >= v,
            SeccompOp::MaskedEq => a & v == arg.value_two & v,
        }
    };
    if ored(rule) {
        rule.args.iter().any(one)
    } else {
        rule.args.iter().all(one)
    }
}
