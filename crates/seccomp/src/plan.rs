//! What the filter does with each syscall number, worked out from a config before any BPF is
//! written: the pure half of compiling.
//!
//! The rules follow runc and libseccomp:
//! - a rule whose action is the default action is dropped (runc skips it);
//! - a rule whose comparisons name one argument twice is split into one rule per comparison,
//!   ORed (runc's fallback, since libseccomp cannot AND two comparisons of one argument);
//! - for one syscall, the first rule without comparisons wins over every other rule;
//!   otherwise rules with comparisons are tried in order and the first that holds wins;
//! - syscalls above the largest number the profile names for an ABI return `ENOSYS` when the
//!   default action is not permissive (runc's ENOSYS stub); `-1`, which tracers use to skip a
//!   syscall, always gets the default action;
//! - an architecture the filter does not admit gets `SECCOMP_RET_KILL_THREAD`.

use hull_configs::{Seccomp, SeccompAction, SeccompOp, SyscallArg, SyscallRule};

use crate::action::{self, ENOSYS, RET_KILL_THREAD};
use crate::arch::{self, Arch};
use crate::error::{Result, SeccompError};
use crate::warning::Warning;

/// One comparison of one argument, normalised for its ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Comparison {
    /// The argument, 0 to 5.
    pub index: u8,
    /// How it is compared.
    pub op: SeccompOp,
    /// The value compared with; for `MaskedEq`, the expected value, already masked.
    pub value: u64,
    /// For `MaskedEq`, the mask; all ones otherwise.
    pub mask: u64,
    /// Whether both 32-bit halves are compared (64-bit ABIs), or only the low one.
    pub wide: bool,
}

/// A rule with comparisons: when all hold, return `action`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rule {
    /// The comparisons, ANDed; never empty.
    pub comparisons: Vec<Comparison>,
    /// The filter's return value when they hold.
    pub action: u32,
}

/// What the filter does for a range of syscall numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Return this value.
    Return(u32),
    /// Try these rules in order, and return `otherwise` when none holds.
    Rules {
        /// The rules.
        rules: Vec<Rule>,
        /// The default action's value.
        otherwise: u32,
    },
}

/// Syscall numbers from `start` up to the next span's start get `outcome`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    /// The first number.
    pub start: u32,
    /// What they get.
    pub outcome: Outcome,
}

/// Everything for one `AUDIT_ARCH_*` value: spans covering every syscall number from 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Section {
    /// The audit architecture.
    pub audit_arch: u32,
    /// The spans, by increasing start, the first at 0.
    pub spans: Vec<Span>,
}

/// The whole filter: its sections (the native architecture's first) and what to warn about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The sections.
    pub sections: Vec<Section>,
    /// Names and architectures that were skipped.
    pub warnings: Vec<Warning>,
}

/// Works out the plan of `config` for a filter running on `native`.
pub(crate) fn plan(config: &Seccomp, native: Arch) -> Result<Plan> {
    check(config)?;
    let mut warnings = Vec::new();
    let mut arches = vec![native];
    for &arch in &config.architectures {
        match Arch::from_config(arch) {
            Some(arch) if arches.contains(&arch) => {}
            Some(arch) => arches.push(arch),
            None => push_once(&mut warnings, Warning::UnsupportedArch { arch }),
        }
    }
    // Each name is looked up once, for every architecture at the same time.
    let mut rules = Vec::with_capacity(config.syscalls.len());
    for rule in &config.syscalls {
        match arch::lookup(&rule.name) {
            Some(numbers) => rules.push((rule, numbers)),
            None => {
                let name = rule.name.clone();
                push_once(&mut warnings, Warning::UnknownSyscall { name });
            }
        }
    }
    let mut audit_arches: Vec<u32> = Vec::new();
    for arch in &arches {
        if !audit_arches.contains(&arch.audit_arch()) {
            audit_arches.push(arch.audit_arch());
        }
    }
    let sections = audit_arches
        .into_iter()
        .map(|audit_arch| section(config, &rules, audit_arch, &arches))
        .collect();
    Ok(Plan { sections, warnings })
}

/// Refuses what no filter can express.
fn check(config: &Seccomp) -> Result<()> {
    if config.default_action == SeccompAction::Notify {
        return Err(SeccompError::NotifyAsDefault);
    }
    if !action::action_value_fits(config.default_action) {
        return Err(SeccompError::ActionValue {
            context: "default action".to_owned(),
            action: config.default_action,
        });
    }
    for rule in &config.syscalls {
        if !action::action_value_fits(rule.action) {
            return Err(SeccompError::ActionValue {
                context: rule.name.clone(),
                action: rule.action,
            });
        }
        if let Some(arg) = rule.args.iter().find(|arg| arg.index > 5) {
            return Err(SeccompError::ArgIndex {
                syscall: rule.name.clone(),
                index: arg.index,
            });
        }
    }
    Ok(())
}

fn push_once(warnings: &mut Vec<Warning>, warning: Warning) {
    if !warnings.contains(&warning) {
        warnings.push(warning);
    }
}

/// A rule with the numbers of its syscall on every architecture.
type NumberedRule<'a> = (&'a SyscallRule, &'static [u32; 5]);

/// The section of one audit architecture: the spans of each of its ABIs in number order,
/// then `-1`, which gets the default action.
fn section(
    config: &Seccomp,
    rules: &[NumberedRule<'_>],
    audit_arch: u32,
    admitted: &[Arch],
) -> Section {
    let default = action::ret_value(config.default_action);
    let mut spans = Vec::new();
    for abi in Arch::ALL
        .into_iter()
        .filter(|abi| abi.audit_arch() == audit_arch)
    {
        if admitted.contains(&abi) {
            abi_spans(config, rules, abi, &mut spans);
        } else {
            let (start, _) = abi.number_range();
            spans.push(Span {
                start,
                outcome: Outcome::Return(RET_KILL_THREAD),
            });
        }
    }
    spans.sort_by_key(|span| span.start);
    spans.push(Span {
        start: u32::MAX,
        outcome: Outcome::Return(default),
    });
    Section {
        audit_arch,
        spans: merged(spans),
    }
}

/// Appends the spans of `abi`: the default, interrupted by each syscall with rules, then the
/// ENOSYS stub above the largest syscall the profile names.
fn abi_spans(config: &Seccomp, rules: &[NumberedRule<'_>], abi: Arch, spans: &mut Vec<Span>) {
    let default = action::ret_value(config.default_action);
    let (start, end) = abi.number_range();
    let mut numbered: Vec<(u32, &SyscallRule)> = rules
        .iter()
        .filter_map(|&(rule, numbers)| Some((abi.number_in(numbers)?, rule)))
        .collect();
    // Stable: the rules of one syscall stay in config order.
    numbered.sort_by_key(|&(number, _)| number);
    let default_span = |start| Span {
        start,
        outcome: Outcome::Return(default),
    };
    spans.push(default_span(start));
    let mut of_one: Vec<&SyscallRule> = Vec::new();
    for (i, &(number, rule)) in numbered.iter().enumerate() {
        of_one.push(rule);
        if numbered.get(i + 1).is_some_and(|&(next, _)| next == number) {
            continue;
        }
        if let Some(outcome) = resolve(&of_one, abi, default) {
            spans.push(Span {
                start: number,
                outcome,
            });
            spans.push(default_span(number + 1));
        }
        of_one.clear();
    }
    let stub_start = numbered
        .last()
        .map(|&(largest, _)| u64::from(largest) + 1)
        .filter(|&first| first < end && action::wants_enosys_stub(config.default_action));
    if let Some(first) = stub_start.and_then(|first| u32::try_from(first).ok()) {
        spans.push(Span {
            start: first,
            outcome: Outcome::Return(action::ret_errno(ENOSYS)),
        });
    }
}

/// What one syscall gets from its rules, or `None` for the default action.
fn resolve(rules: &[&SyscallRule], abi: Arch, default: u32) -> Option<Outcome> {
    let mut conditional = Vec::new();
    let mut unconditional = None;
    for rule in rules {
        let action = action::ret_value(rule.action);
        if action == default {
            continue;
        }
        if rule.args.is_empty() {
            unconditional = unconditional.or(Some(action));
            continue;
        }
        for comparisons in alternatives(&rule.args, abi) {
            if comparisons.is_empty() {
                unconditional = unconditional.or(Some(action));
            } else {
                conditional.push(Rule {
                    comparisons,
                    action,
                });
            }
        }
    }
    match unconditional {
        Some(action) => Some(Outcome::Return(action)),
        None if conditional.is_empty() => None,
        None => Some(Outcome::Rules {
            rules: conditional,
            otherwise: default,
        }),
    }
}

/// The comparisons of a rule as ORed alternatives of ANDed comparisons: one alternative,
/// or one per comparison when an argument is compared twice (runc's fallback). Comparisons
/// that always hold (a zero mask) are left out.
fn alternatives(args: &[SyscallArg], abi: Arch) -> Vec<Vec<Comparison>> {
    let comparisons = args.iter().filter_map(|arg| comparison(arg, abi));
    let mut seen = [false; 6];
    let repeats = args
        .iter()
        .any(|arg| std::mem::replace(&mut seen[arg.index.min(5)], true));
    if repeats {
        // An argument left out as a no-op still makes its own, unconditional alternative.
        args.iter()
            .map(|arg| comparison(arg, abi).into_iter().collect())
            .collect()
    } else {
        vec![comparisons.collect()]
    }
}

/// One comparison for `abi`, or `None` when it always holds.
fn comparison(arg: &SyscallArg, abi: Arch) -> Option<Comparison> {
    let wide = abi.compares_64bit();
    let width = if wide { u64::MAX } else { u64::from(u32::MAX) };
    let (value, mask) = match arg.op {
        SeccompOp::MaskedEq => (arg.value_two & arg.value & width, arg.value & width),
        _ => (arg.value & width, width),
    };
    if mask == 0 {
        return None;
    }
    Some(Comparison {
        // `check` keeps indexes at or below 5.
        index: u8::try_from(arg.index).unwrap_or(5),
        op: arg.op,
        value,
        mask,
        wide,
    })
}

/// `spans` (sorted by start) with, at one start, only the last span kept, and neighbours
/// that return the same value joined.
fn merged(spans: Vec<Span>) -> Vec<Span> {
    let mut unique: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        if unique.last().is_some_and(|last| last.start == span.start) {
            unique.pop();
        }
        unique.push(span);
    }
    let mut out: Vec<Span> = Vec::with_capacity(unique.len());
    for span in unique {
        let same = match (out.last().map(|last| &last.outcome), &span.outcome) {
            (Some(Outcome::Return(a)), Outcome::Return(b)) => a == b,
            _ => false,
        };
        if !same {
            out.push(span);
        }
    }
    out
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
