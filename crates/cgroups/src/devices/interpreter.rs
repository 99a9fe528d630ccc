//! An eBPF interpreter for the instructions device programs use, for tests.
//!
//! It also makes the static checks of the kernel's verifier that a generated program could
//! fail: jumps inside the program, no unreachable instruction, `r0` set before `exit`.

use super::insn::{
    ALU_AND, ALU_MOV, ALU_RSH, CLASS_ALU, CLASS_JMP, CLASS_JMP32, CLASS_LDX, Insn, JMP_EXIT,
    JMP_JA, JMP_JEQ, JMP_JNE, MODE_MEM, SIZE_W, SRC_X,
};

/// The address the interpreter gives the context in `r1`.
const CTX: u64 = 0x1000;

/// Runs `insns` on a `bpf_cgroup_dev_ctx` of `access_type`, `major`, `minor`; returns `r0`.
///
/// # Panics
///
/// On an instruction outside the subset, an access outside the context, or a program
/// that runs too long or exits without setting `r0`.
pub(crate) fn run(insns: &[Insn], ctx: [u32; 3]) -> u64 {
    let mut regs = [0u64; 11];
    let mut set = [false; 11];
    regs[1] = CTX;
    set[1] = true;
    let mut pc = 0usize;
    for _ in 0..100_000 {
        let insn = insns[pc];
        let (dst, src) = (usize::from(insn.dst), usize::from(insn.src));
        pc += 1;
        match insn.code & 0x07 {
            CLASS_LDX => {
                assert_eq!(insn.code, CLASS_LDX | MODE_MEM | SIZE_W, "load {insn:?}");
                assert_eq!(regs[src], CTX, "load from outside the context: {insn:?}");
                let index = usize::try_from(insn.off).expect("negative context offset") / 4;
                assert_eq!(insn.off % 4, 0, "unaligned context load: {insn:?}");
                regs[dst] = u64::from(ctx[index]);
                set[dst] = true;
            }
            CLASS_ALU => {
                let operand = if insn.code & SRC_X != 0 {
                    assert!(set[src], "read of unset r{src}");
                    regs[src] as u32
                } else {
                    insn.imm as u32
                };
                let value = regs[dst] as u32;
                let result = match insn.code & 0xf0 {
                    ALU_AND => value & operand,
                    ALU_RSH => value >> operand,
                    ALU_MOV => operand,
                    _ => panic!("unsupported ALU instruction {insn:?}"),
                };
                if insn.code & 0xf0 != ALU_MOV {
                    assert!(set[dst], "read of unset r{dst}");
                }
                regs[dst] = u64::from(result);
                set[dst] = true;
            }
            class @ (CLASS_JMP | CLASS_JMP32) => {
                let op = insn.code & 0xf0;
                if op == JMP_EXIT {
                    assert!(set[0], "exit with r0 unset");
                    return regs[0];
                }
                assert_eq!(insn.code & SRC_X, 0, "register jumps are not generated");
                let taken = if op == JMP_JA {
                    assert_eq!(class, CLASS_JMP, "ja is a 64-bit jump");
                    true
                } else {
                    assert!(set[dst], "compare of unset r{dst}");
                    let (lhs, rhs) = if class == CLASS_JMP32 {
                        (u64::from(regs[dst] as u32), u64::from(insn.imm as u32))
                    } else {
                        (regs[dst], i64::from(insn.imm) as u64)
                    };
                    match op {
                        JMP_JEQ => lhs == rhs,
                        JMP_JNE => lhs != rhs,
                        _ => panic!("unsupported jump {insn:?}"),
                    }
                };
                if taken {
                    pc = pc
                        .checked_add_signed(isize::from(insn.off))
                        .expect("jump before the program");
                }
            }
            _ => panic!("unsupported instruction {insn:?}"),
        }
        assert!(pc < insns.len(), "fell off the end of the program");
    }
    panic!("the program ran too long");
}

/// Checks what the verifier checks before running anything: jump targets inside the
/// program, every instruction reachable, and the last one an exit or a jump.
pub(crate) fn verify(insns: &[Insn]) {
    assert!(!insns.is_empty(), "empty program");
    let mut reachable = vec![false; insns.len()];
    let mut todo = vec![0usize];
    while let Some(pc) = todo.pop() {
        if std::mem::replace(&mut reachable[pc], true) {
            continue;
        }
        let insn = insns[pc];
        let class = insn.code & 0x07;
        let is_exit = (class == CLASS_JMP) && insn.code & 0xf0 == JMP_EXIT;
        let is_ja = class == CLASS_JMP && insn.code & 0xf0 == JMP_JA;
        if insn.is_jump() {
            let target = (pc + 1)
                .checked_add_signed(isize::from(insn.off))
                .filter(|&t| t < insns.len());
            todo.push(target.unwrap_or_else(|| panic!("jump out of range at {pc}: {insn:?}")));
        }
        if !is_exit && !is_ja {
            assert!(pc + 1 < insns.len(), "falls off the end at {pc}");
            todo.push(pc + 1);
        }
    }
    if let Some(pc) = reachable.iter().position(|r| !r) {
        panic!("unreachable instruction {pc}: {:?}", insns[pc]);
    }
}
