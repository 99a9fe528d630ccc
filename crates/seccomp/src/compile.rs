//! Compiling a config into a [`Filter`]: the plan ([`crate::plan`]) written as a BPF program.
//!
//! The program's layout, from its first instruction:
//!
//! 1. `ld [4]` and one `jeq` per admitted audit architecture, native first; any other
//!    architecture gets `SECCOMP_RET_KILL_THREAD`;
//! 2. per architecture, `ld [0]` and a balanced binary search (`jge`) over the starts of the
//!    spans of syscall numbers that share an outcome, so that a syscall walks about
//!    log2(spans) jumps whatever its number;
//! 3. the argument comparisons of syscalls that have them;
//! 4. the `ret` instructions, each value once (copied where a jump could not reach it).

use std::collections::BTreeSet;

use hull_configs::{Seccomp, SeccompFlag, SeccompOp};

use crate::action::RET_KILL_THREAD;
use crate::arch::Arch;
use crate::bpf::{self, Instruction, JEQ, JGE, JGT, MAX_INSTRUCTIONS};
use crate::emit::{Emitter, Label};
use crate::error::{Result, SeccompError};
use crate::plan::{self, Comparison, Outcome, Plan, Rule, Section};
use crate::warning::Warning;

/// A compiled seccomp filter: the BPF program and how to install it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub(crate) program: Vec<Instruction>,
    pub(crate) flags: Option<Vec<SeccompFlag>>,
    pub(crate) notify: bool,
    warnings: Vec<Warning>,
}

impl Filter {
    /// The program, as `seccomp(2)` loads it.
    pub fn program(&self) -> &[Instruction] {
        &self.program
    }

    /// What the config asked for that the filter leaves out (unknown syscall names,
    /// unsupported architectures), for the caller to show.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Whether a rule uses the notify action, so that installing returns a listener fd.
    pub fn uses_notify(&self) -> bool {
        self.notify
    }

    /// The flags the config asks for; `None` means the runtime's default (`SPEC_ALLOW`
    /// where the kernel has it).
    pub fn flags(&self) -> Option<&[SeccompFlag]> {
        self.flags.as_deref()
    }
}

/// Compiles `config` for the architecture this program runs on.
///
/// # Errors
///
/// [`SeccompError::UnsupportedNativeArch`] where hull-seccomp has no syscall tables, and the
/// errors of [`compile_for`].
pub fn compile(config: &Seccomp) -> Result<Filter> {
    let native = Arch::native().ok_or(SeccompError::UnsupportedNativeArch {
        arch: std::env::consts::ARCH,
    })?;
    compile_for(config, native)
}

/// Compiles `config` for a filter running on `native`, which every filter admits besides
/// the config's architectures. A pure function: nothing is installed.
///
/// # Errors
///
/// [`SeccompError::NotifyAsDefault`], [`SeccompError::ActionValue`] (an errno above 4095
/// or a trace value above 65535), [`SeccompError::ArgIndex`] (an argument past the sixth)
/// and [`SeccompError::ProgramTooLong`].
pub fn compile_for(config: &Seccomp, native: Arch) -> Result<Filter> {
    let plan = plan::plan(config, native)?;
    let program = write(&plan);
    if program.len() > MAX_INSTRUCTIONS {
        return Err(SeccompError::ProgramTooLong { len: program.len() });
    }
    Ok(Filter {
        program,
        flags: config.flags.clone(),
        notify: config.uses_notify(),
        warnings: plan.warnings,
    })
}

/// The program of `plan`.
fn write(plan: &Plan) -> Vec<Instruction> {
    let mut e = Emitter::default();
    for value in return_values(plan) {
        e.ret(value);
    }
    let mut entries: Vec<(u32, Label)> = Vec::with_capacity(plan.sections.len());
    for section in plan.sections.iter().rev() {
        entries.push((section.audit_arch, write_section(&mut e, section)));
    }
    let mut next = e.ret_target(RET_KILL_THREAD);
    // `entries` is in reverse section order, which is the order to place the jumps in.
    for (audit_arch, entry) in entries {
        next = e.jump(JEQ, audit_arch, entry, next);
    }
    e.step(Instruction::load(bpf::OFFSET_ARCH), next);
    e.finish()
}

/// Every value the program returns, bad-architecture kill included.
fn return_values(plan: &Plan) -> BTreeSet<u32> {
    let mut values = BTreeSet::from([RET_KILL_THREAD]);
    for span in plan.sections.iter().flat_map(|section| &section.spans) {
        match &span.outcome {
            Outcome::Return(value) => {
                values.insert(*value);
            }
            Outcome::Rules { rules, otherwise } => {
                values.insert(*otherwise);
                values.extend(rules.iter().map(|rule| rule.action));
            }
        }
    }
    values
}

/// One architecture's code: `ld [0]`, the search over its spans, and its rules.
fn write_section(e: &mut Emitter, section: &Section) -> Label {
    let mut targets: Vec<(u32, Label)> = Vec::with_capacity(section.spans.len());
    for span in section.spans.iter().rev() {
        let target = match &span.outcome {
            Outcome::Return(value) => e.ret_target(*value),
            Outcome::Rules { rules, otherwise } => write_rules(e, rules, *otherwise),
        };
        targets.push((span.start, target));
    }
    targets.reverse();
    let search = write_search(e, &targets);
    e.step(Instruction::load(bpf::OFFSET_NR), search)
}

/// A balanced binary search over span starts (the accumulator holds the syscall number).
fn write_search(e: &mut Emitter, targets: &[(u32, Label)]) -> Label {
    match targets {
        [] => e.ret_target(RET_KILL_THREAD),
        [(_, only)] => *only,
        _ => {
            let (low, high) = targets.split_at(targets.len() / 2);
            let above = write_search(e, high);
            let below = write_search(e, low);
            e.jump(JGE, high[0].0, above, below)
        }
    }
}

/// The rules of one syscall, tried in order, then `otherwise`.
fn write_rules(e: &mut Emitter, rules: &[Rule], otherwise: u32) -> Label {
    let mut next = e.ret_target(otherwise);
    for rule in rules.iter().rev() {
        let matched = e.ret_target(rule.action);
        next = rule
            .comparisons
            .iter()
            .rev()
            .fold(matched, |yes, comparison| {
                write_comparison(e, comparison, yes, next)
            });
    }
    next
}

/// One comparison: on to `yes` when it holds, `no` otherwise.
fn write_comparison(e: &mut Emitter, c: &Comparison, yes: Label, no: Label) -> Label {
    let low_offset = bpf::OFFSET_ARGS + 8 * u32::from(c.index);
    // Every supported architecture is little endian: the high half comes second.
    let high_offset = low_offset + 4;
    let (low, high) = halves(c.value);
    let (low_mask, high_mask) = halves(c.mask);
    if !c.wide {
        return write_half(e, c.op, low_offset, low, low_mask, yes, no);
    }
    match c.op {
        SeccompOp::Eq | SeccompOp::Ne | SeccompOp::MaskedEq => {
            // Both halves equal (under the mask) is a match; NE is its negation.
            let (equal, unequal) = match c.op {
                SeccompOp::Ne => (no, yes),
                _ => (yes, no),
            };
            let then = match low_mask {
                0 => equal,
                _ => write_equal(e, low_offset, low, low_mask, equal, unequal),
            };
            match high_mask {
                0 => then,
                _ => write_equal(e, high_offset, high, high_mask, then, unequal),
            }
        }
        SeccompOp::Gt | SeccompOp::Ge | SeccompOp::Lt | SeccompOp::Le => {
            // LT is not GE, LE is not GT: the same code with the outcomes swapped.
            let (above, not_above) = match c.op {
                SeccompOp::Gt | SeccompOp::Ge => (yes, no),
                _ => (no, yes),
            };
            let low_op = match c.op {
                SeccompOp::Gt | SeccompOp::Le => JGT,
                _ => JGE,
            };
            let low_jump = e.jump(low_op, low, above, not_above);
            let low_code = e.step(Instruction::load(low_offset), low_jump);
            // High halves: greater decides, equal goes on to the low halves, less decides.
            let high_jump = if high == 0 {
                e.jump(JGT, 0, above, low_code)
            } else {
                let equal = e.jump(JEQ, high, low_code, not_above);
                e.jump(JGT, high, above, equal)
            };
            e.step(Instruction::load(high_offset), high_jump)
        }
    }
}

/// A comparison of a 32-bit argument (or the low half of one).
fn write_half(
    e: &mut Emitter,
    op: SeccompOp,
    offset: u32,
    value: u32,
    mask: u32,
    yes: Label,
    no: Label,
) -> Label {
    let jump = match op {
        SeccompOp::Eq | SeccompOp::MaskedEq => {
            return write_equal(e, offset, value, mask, yes, no);
        }
        SeccompOp::Ne => return write_equal(e, offset, value, mask, no, yes),
        SeccompOp::Gt => e.jump(JGT, value, yes, no),
        SeccompOp::Ge => e.jump(JGE, value, yes, no),
        SeccompOp::Lt => e.jump(JGE, value, no, yes),
        SeccompOp::Le => e.jump(JGT, value, no, yes),
    };
    e.step(Instruction::load(offset), jump)
}

/// `ld [offset]; and #mask; jeq #value`, without the `and` for a full mask.
fn write_equal(
    e: &mut Emitter,
    offset: u32,
    value: u32,
    mask: u32,
    yes: Label,
    no: Label,
) -> Label {
    let mut code = e.jump(JEQ, value, yes, no);
    if mask != u32::MAX {
        code = e.step(Instruction::and(mask), code);
    }
    e.step(Instruction::load(offset), code)
}

/// The low and high 32-bit halves of `value`.
const fn halves(value: u64) -> (u32, u32) {
    (value as u32, (value >> 32) as u32)
}

#[cfg(test)]
#[path = "compile_tests.rs"]
mod tests;
