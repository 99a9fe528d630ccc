//! Generating a `BPF_PROG_TYPE_CGROUP_DEVICE` program from device rules.
//!
//! The kernel runs the program with a `struct bpf_cgroup_dev_ctx` (`access_type`: the
//! device type in the low 16 bits and the access bits above; `major`; `minor`) and allows
//! the access when it returns 1. The program checks each access bit the request asks for in
//! turn, walking the rules that grant or deny that bit from the last one back; the first
//! that covers the device decides the bit, and without one the bit falls to the default.
//!
//! ```text
//!     r2 = type, r3 = access, r4 = major, r5 = minor
//!   for each bit (mknod, read, write):
//!     if !(r3 & bit) goto next_bit
//!     rule n:   if r2 != type goto rule n-1;  [major, minor likewise]
//!               allow: goto next_bit           deny: return 0
//!     ...
//!     default:  allow: goto next_bit           deny: return 0
//!   next_bit: ...
//!     return 1
//! ```

use hull_configs::{DeviceAccess, DeviceKind, DeviceRule};

use super::insn::Insn;
use super::{DevicesError, check_rule, is_wildcard};

/// `BPF_DEVCG_DEV_BLOCK` and `BPF_DEVCG_DEV_CHAR`: the device type in the context.
const DEV_BLOCK: u32 = 1;
const DEV_CHAR: u32 = 2;

/// The access bits in the context, `BPF_DEVCG_ACC_*`, with our flags.
const ACCESS_BITS: [(DeviceAccess, i32); 3] = [
    (DeviceAccess::MKNOD, 1),
    (DeviceAccess::READ, 2),
    (DeviceAccess::WRITE, 4),
];

/// Registers: r1 the context, then the fields of the request.
const R0: u8 = 0;
const R1: u8 = 1;
const R_TYPE: u8 = 2;
const R_ACCESS: u8 = 3;
const R_MAJOR: u8 = 4;
const R_MINOR: u8 = 5;

/// A device program, ready to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    insns: Vec<Insn>,
}

/// A jump whose target is known only by label until the program is laid out.
struct Fixup {
    at: usize,
    label: usize,
}

/// The program under construction: instructions, labels and the jumps to resolve.
#[derive(Default)]
struct Assembler {
    insns: Vec<Insn>,
    labels: Vec<Option<usize>>,
    fixups: Vec<Fixup>,
}

impl Assembler {
    fn label(&mut self) -> usize {
        self.labels.push(None);
        self.labels.len() - 1
    }

    fn bind(&mut self, label: usize) {
        self.labels[label] = Some(self.insns.len());
    }

    fn push(&mut self, insn: Insn) {
        self.insns.push(insn);
    }

    fn jump(&mut self, insn: Insn, label: usize) {
        self.fixups.push(Fixup {
            at: self.insns.len(),
            label,
        });
        self.insns.push(insn);
    }

    /// Resolves the jumps; `None` when an offset does not fit 16 bits.
    fn finish(mut self) -> Option<Vec<Insn>> {
        for fixup in &self.fixups {
            let target = self.labels[fixup.label]?;
            let off = i16::try_from(target.checked_sub(fixup.at + 1)?).ok()?;
            self.insns[fixup.at].off = off;
        }
        Some(self.insns)
    }
}

impl Program {
    /// The program enforcing `rules` with the meaning of [`super::permits`].
    pub fn from_rules(rules: &[DeviceRule]) -> Result<Self, DevicesError> {
        rules.iter().try_for_each(check_rule)?;
        let mut asm = Assembler::default();
        asm.push(Insn::load_u32(R_TYPE, R1, 0));
        asm.push(Insn::and32(R_TYPE, 0xffff));
        asm.push(Insn::load_u32(R_ACCESS, R1, 0));
        asm.push(Insn::rsh32(R_ACCESS, 16));
        asm.push(Insn::load_u32(R_MAJOR, R1, 4));
        asm.push(Insn::load_u32(R_MINOR, R1, 8));
        for (bit, ctx_bit) in ACCESS_BITS {
            let next_bit = asm.label();
            asm.push(Insn::mov32_reg(R1, R_ACCESS));
            asm.push(Insn::and32(R1, ctx_bit));
            asm.jump(Insn::jeq32(R1, 0, 0), next_bit);
            let (default_allow, deciding) = rules_for(rules, bit);
            for rule in deciding {
                emit_rule(&mut asm, rule, next_bit);
            }
            if !default_allow {
                emit_return(&mut asm, 0);
            }
            asm.bind(next_bit);
        }
        emit_return(&mut asm, 1);
        let count = asm.insns.len();
        let insns = asm.finish().ok_or(DevicesError::ProgramTooLong {
            rules: rules.len(),
            insns: count,
        })?;
        Ok(Program { insns })
    }

    /// The instructions.
    pub fn instructions(&self) -> &[Insn] {
        &self.insns
    }

    /// The instructions as `BPF_PROG_LOAD` takes them.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.insns.iter().flat_map(|insn| insn.to_bytes()).collect()
    }
}

/// The default for `bit` and the rules that can decide it, last rule first.
///
/// The last wildcard rule (`a *:*`) with the bit decides the default and hides every rule
/// before it; after the last rule that goes against the default, the rest cannot change
/// the outcome.
fn rules_for(rules: &[DeviceRule], bit: DeviceAccess) -> (bool, Vec<&DeviceRule>) {
    let with_bit = rules.iter().filter(|r| r.access.contains(bit));
    let mut default_allow = false;
    let mut after_wildcard = Vec::new();
    for rule in with_bit {
        if is_wildcard(rule) {
            default_allow = rule.allow;
            after_wildcard.clear();
        } else {
            after_wildcard.push(rule);
        }
    }
    after_wildcard.reverse();
    let last_against = after_wildcard
        .iter()
        .rposition(|r| r.allow != default_allow)
        .map_or(0, |i| i + 1);
    after_wildcard.truncate(last_against);
    (default_allow, after_wildcard)
}

/// One rule: checks that skip to the next rule, then the verdict for this bit.
fn emit_rule(asm: &mut Assembler, rule: &DeviceRule, next_bit: usize) {
    let next_rule = asm.label();
    let kind = match rule.kind {
        DeviceKind::Block => Some(DEV_BLOCK),
        DeviceKind::Char => Some(DEV_CHAR),
        _ => None,
    };
    let number = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok());
    let checks = [
        (R_TYPE, kind),
        (R_MAJOR, number(rule.major)),
        (R_MINOR, number(rule.minor)),
    ];
    for (reg, value) in checks {
        if let Some(value) = value {
            asm.jump(Insn::jne32(reg, value, 0), next_rule);
        }
    }
    if rule.allow {
        asm.jump(Insn::ja(0), next_bit);
    } else {
        emit_return(asm, 0);
    }
    asm.bind(next_rule);
}

fn emit_return(asm: &mut Assembler, verdict: i32) {
    asm.push(Insn::mov32(R0, verdict));
    asm.push(Insn::exit());
}
