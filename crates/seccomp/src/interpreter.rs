//! A classic-BPF interpreter for seccomp programs: runs a program on a synthetic
//! `seccomp_data` and counts the instructions it executes, and checks a program as the
//! kernel's loader does. For tests and benchmarks (cargo feature `interpreter`); the kernel
//! runs the real thing.
//!
//! ```
//! use hull_seccomp::interpreter::{self, SeccompData};
//! use hull_seccomp::{Arch, compile_for};
//! use hull_configs::{Seccomp, SeccompAction};
//!
//! let config = Seccomp {
//!     default_action: SeccompAction::Allow,
//!     architectures: vec![],
//!     flags: None,
//!     syscalls: vec![hull_configs::SyscallRule {
//!         name: "mkdir".into(),
//!         action: SeccompAction::Errno(1),
//!         args: vec![],
//!     }],
//!     listener_path: None,
//!     listener_metadata: None,
//! };
//! let filter = compile_for(&config, Arch::X86_64)?;
//! interpreter::check(filter.program())?;
//! let mkdir = SeccompData::new(Arch::X86_64, 83, [0; 6]);
//! let run = interpreter::run(filter.program(), &mkdir)?;
//! assert_eq!(run.action, 0x0005_0001); // SECCOMP_RET_ERRNO | EPERM
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::bpf::{
    self, ABS, ADD, ALU, AND, DIV, IMM, Instruction, JA, JEQ, JGE, JGT, JMP, JSET, K, LD, LDX, LEN,
    LSH, MEM, MISC, MOD, MUL, NEG, OR, RET, RET_A, RSH, ST, STX, SUB, TAX, TXA, W, X, XOR,
};
pub use crate::data::SeccompData;

/// The number of scratch memory words (`BPF_MEMWORDS`).
const MEMORY_WORDS: u32 = 16;

/// The 32-bit word at `offset` of `data`, as a little-endian kernel lays it out.
fn word(data: &SeccompData, offset: u32) -> Option<u32> {
    let half = |value: u64, high: bool| {
        if high {
            (value >> 32) as u32
        } else {
            value as u32
        }
    };
    match offset {
        0 => Some(u32::from_ne_bytes(data.nr.to_ne_bytes())),
        4 => Some(data.arch),
        8 | 12 => Some(half(data.instruction_pointer, offset == 12)),
        16..=60 if offset.is_multiple_of(4) => {
            let relative = offset - bpf::OFFSET_ARGS;
            let arg = data.args.get(usize::try_from(relative / 8).ok()?)?;
            Some(half(*arg, relative % 8 == 4))
        }
        _ => None,
    }
}

/// What a run returned, and how many instructions it executed to get there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// The filter's return value (`SECCOMP_RET_*` with its data).
    pub action: u32,
    /// The number of instructions executed, the `ret` included.
    pub executed: usize,
}

/// A program the kernel would refuse, or one that went wrong while it ran.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InterpretError {
    /// No instructions, or more than 4096.
    #[error("a program must have 1 to 4096 instructions, not {len}")]
    Length {
        /// Its length.
        len: usize,
    },
    /// An opcode seccomp does not allow.
    #[error("instruction {pc}: opcode {code:#06x} is not allowed in a seccomp filter")]
    Opcode {
        /// Where.
        pc: usize,
        /// The opcode.
        code: u16,
    },
    /// A load outside `seccomp_data` or not aligned to 4 bytes.
    #[error("instruction {pc}: cannot load the word at offset {offset} of seccomp_data")]
    Load {
        /// Where.
        pc: usize,
        /// The offset.
        offset: u32,
    },
    /// A scratch memory slot past the 16th.
    #[error("instruction {pc}: there is no scratch memory word {slot}")]
    Scratch {
        /// Where.
        pc: usize,
        /// The slot.
        slot: u32,
    },
    /// A division or remainder by a constant zero.
    #[error("instruction {pc}: division by zero")]
    DivisionByZero {
        /// Where.
        pc: usize,
    },
    /// A jump past the end of the program.
    #[error("instruction {pc}: jump past the end of the program")]
    Jump {
        /// Where.
        pc: usize,
    },
    /// The last instruction is not a `ret`.
    #[error("the program does not end with a ret")]
    NoFinalReturn,
}

/// Checks `program` as the kernel does before it loads a seccomp filter: its length, the
/// opcodes seccomp allows, loads within `seccomp_data`, jump targets and the final `ret`.
///
/// # Errors
///
/// The first problem found, as an [`InterpretError`].
pub fn check(program: &[Instruction]) -> Result<(), InterpretError> {
    if program.is_empty() || program.len() > bpf::MAX_INSTRUCTIONS {
        return Err(InterpretError::Length { len: program.len() });
    }
    for (pc, insn) in program.iter().enumerate() {
        check_instruction(pc, insn)?;
        if insn.code & 0x07 == JMP {
            let targets = match insn.code & 0xf0 {
                JA => vec![usize::try_from(insn.k).unwrap_or(usize::MAX)],
                _ => vec![usize::from(insn.jt), usize::from(insn.jf)],
            };
            if targets
                .iter()
                .any(|&skip| pc.saturating_add(1).saturating_add(skip) >= program.len())
            {
                return Err(InterpretError::Jump { pc });
            }
        }
    }
    match program.last() {
        Some(last) if last.code & 0x07 == RET => Ok(()),
        _ => Err(InterpretError::NoFinalReturn),
    }
}

/// Checks one instruction on its own.
fn check_instruction(pc: usize, insn: &Instruction) -> Result<(), InterpretError> {
    let Instruction { code, k, .. } = *insn;
    let opcode = || InterpretError::Opcode { pc, code };
    let scratch = |slot: u32| match slot < MEMORY_WORDS {
        true => Ok(()),
        false => Err(InterpretError::Scratch { pc, slot }),
    };
    match code & 0x07 {
        LD if code == LD | W | ABS => match k % 4 == 0 && k < bpf::SECCOMP_DATA_LEN {
            true => Ok(()),
            false => Err(InterpretError::Load { pc, offset: k }),
        },
        LD if code == LD | W | LEN || code == LD | IMM => Ok(()),
        LD if code == LD | W | MEM => scratch(k),
        LDX if code == LDX | W | LEN || code == LDX | IMM => Ok(()),
        LDX if code == LDX | W | MEM => scratch(k),
        ST if code == ST => scratch(k),
        STX if code == STX => scratch(k),
        ALU if code == ALU | NEG => Ok(()),
        ALU if bpf::alu_name(code & 0xf0).is_some() && code & !(0xf0 | X) == ALU => {
            let constant_zero = code & X == 0 && k == 0;
            match code & 0xf0 {
                DIV | MOD if constant_zero => Err(InterpretError::DivisionByZero { pc }),
                _ => Ok(()),
            }
        }
        JMP if code == JMP | JA => Ok(()),
        JMP if matches!(code & 0xf0, JEQ | JGT | JGE | JSET) && code & !(0xf0 | X) == JMP => Ok(()),
        RET if code == RET | K || code == RET | RET_A => Ok(()),
        MISC if code == MISC | TAX || code == MISC | TXA => Ok(()),
        _ => Err(opcode()),
    }
}

/// Runs `program` on `data`, as the kernel would for one syscall.
///
/// # Errors
///
/// An [`InterpretError`] for an instruction seccomp would have refused, or a program that
/// runs off its end; [`check`] finds these before running.
pub fn run(program: &[Instruction], data: &SeccompData) -> Result<Run, InterpretError> {
    let (mut a, mut x, mut memory) = (0u32, 0u32, [0u32; MEMORY_WORDS as usize]);
    let mut pc = 0;
    let mut executed = 0;
    while let Some(insn) = program.get(pc) {
        executed += 1;
        check_instruction(pc, insn)?;
        let Instruction { code, jt, jf, k } = *insn;
        let slot = usize::try_from(k).unwrap_or(usize::MAX);
        pc += 1;
        match code & 0x07 {
            LD => {
                a = match code & 0xe0 {
                    ABS => word(data, k).ok_or(InterpretError::Load {
                        pc: pc - 1,
                        offset: k,
                    })?,
                    LEN => bpf::SECCOMP_DATA_LEN,
                    MEM => memory.get(slot).copied().unwrap_or_default(),
                    _ => k,
                };
            }
            LDX => {
                x = match code & 0xe0 {
                    LEN => bpf::SECCOMP_DATA_LEN,
                    MEM => memory.get(slot).copied().unwrap_or_default(),
                    _ => k,
                };
            }
            ST | STX => {
                let value = if code & 0x07 == ST { a } else { x };
                if let Some(word) = memory.get_mut(slot) {
                    *word = value;
                }
            }
            ALU => a = alu(code, a, if code & X != 0 { x } else { k }),
            JMP => {
                let operand = if code & X != 0 { x } else { k };
                let skip = match code & 0xf0 {
                    JA => usize::try_from(k).unwrap_or(usize::MAX),
                    JEQ => usize::from(if a == operand { jt } else { jf }),
                    JGT => usize::from(if a > operand { jt } else { jf }),
                    JGE => usize::from(if a >= operand { jt } else { jf }),
                    _ => usize::from(if a & operand != 0 { jt } else { jf }),
                };
                pc = pc.saturating_add(skip);
            }
            RET => {
                let action = if code & RET_A != 0 { a } else { k };
                return Ok(Run { action, executed });
            }
            _ if code & 0xf8 == TXA => a = x,
            _ => x = a,
        }
    }
    Err(InterpretError::Jump {
        pc: pc.saturating_sub(1),
    })
}

/// One ALU operation; `check_instruction` has refused a division by a constant zero, and
/// one by a zero `x` gives 0 as the kernel's classic BPF did.
fn alu(code: u16, a: u32, operand: u32) -> u32 {
    match code & 0xf0 {
        ADD => a.wrapping_add(operand),
        SUB => a.wrapping_sub(operand),
        MUL => a.wrapping_mul(operand),
        DIV => a.checked_div(operand).unwrap_or(0),
        MOD => a.checked_rem(operand).unwrap_or(0),
        OR => a | operand,
        AND => a & operand,
        LSH => a.checked_shl(operand).unwrap_or(0),
        RSH => a.checked_shr(operand).unwrap_or(0),
        XOR => a ^ operand,
        _ => a.wrapping_neg(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_seccomp_data_words() {
        let data = SeccompData {
            nr: 7,
            arch: 0xc000_003e,
            instruction_pointer: 0x1122_3344_5566_7788,
            args: [0x0000_0001_0000_0002, 0, 0, 0, 0, u64::MAX],
        };
        assert_eq!(word(&data, 0), Some(7));
        assert_eq!(word(&data, 4), Some(0xc000_003e));
        assert_eq!(word(&data, 8), Some(0x5566_7788));
        assert_eq!(word(&data, 12), Some(0x1122_3344));
        assert_eq!(word(&data, 16), Some(2));
        assert_eq!(word(&data, 20), Some(1));
        assert_eq!(word(&data, 60), Some(u32::MAX));
        assert_eq!(word(&data, 64), None);
        assert_eq!(word(&data, 2), None);
    }

    #[test]
    fn runs_and_counts() {
        let program = [
            Instruction::load(0),
            Instruction::jump(JEQ, 7, 0, 1),
            Instruction::ret(1),
            Instruction::ret(2),
        ];
        check(&program).unwrap();
        let data = SeccompData {
            nr: 7,
            ..SeccompData::default()
        };
        assert_eq!(
            run(&program, &data),
            Ok(Run {
                action: 1,
                executed: 3
            })
        );
        let data = SeccompData {
            nr: 8,
            ..SeccompData::default()
        };
        assert_eq!(
            run(&program, &data),
            Ok(Run {
                action: 2,
                executed: 3
            })
        );
    }

    #[test]
    fn refuses_what_the_kernel_refuses() {
        assert_eq!(check(&[]), Err(InterpretError::Length { len: 0 }));
        assert_eq!(
            check(&[Instruction::load(0)]),
            Err(InterpretError::NoFinalReturn)
        );
        let bad_load = [Instruction::load(64), Instruction::ret(0)];
        assert_eq!(
            check(&bad_load),
            Err(InterpretError::Load { pc: 0, offset: 64 })
        );
        let far = [Instruction::jump(JEQ, 0, 1, 0), Instruction::ret(0)];
        assert_eq!(check(&far), Err(InterpretError::Jump { pc: 0 }));
        let div = [
            Instruction {
                code: ALU | DIV | K,
                jt: 0,
                jf: 0,
                k: 0,
            },
            Instruction::ret(0),
        ];
        assert_eq!(check(&div), Err(InterpretError::DivisionByZero { pc: 0 }));
        let ldh = [
            Instruction {
                code: 0x28,
                jt: 0,
                jf: 0,
                k: 0,
            },
            Instruction::ret(0),
        ];
        assert_eq!(
            check(&ldh),
            Err(InterpretError::Opcode { pc: 0, code: 0x28 })
        );
    }
}
