//! Classic BPF instructions, as `seccomp(2)` takes them (`struct sock_filter`).

use std::fmt;

// Instruction classes.
pub(crate) const LD: u16 = 0x00;
pub(crate) const LDX: u16 = 0x01;
pub(crate) const ST: u16 = 0x02;
pub(crate) const STX: u16 = 0x03;
pub(crate) const ALU: u16 = 0x04;
pub(crate) const JMP: u16 = 0x05;
pub(crate) const RET: u16 = 0x06;
pub(crate) const MISC: u16 = 0x07;

// Load sizes and modes.
pub(crate) const W: u16 = 0x00;
pub(crate) const IMM: u16 = 0x00;
pub(crate) const ABS: u16 = 0x20;
pub(crate) const MEM: u16 = 0x60;
pub(crate) const LEN: u16 = 0x80;

// ALU operations.
pub(crate) const ADD: u16 = 0x00;
pub(crate) const SUB: u16 = 0x10;
pub(crate) const MUL: u16 = 0x20;
pub(crate) const DIV: u16 = 0x30;
pub(crate) const OR: u16 = 0x40;
pub(crate) const AND: u16 = 0x50;
pub(crate) const LSH: u16 = 0x60;
pub(crate) const RSH: u16 = 0x70;
pub(crate) const NEG: u16 = 0x80;
pub(crate) const MOD: u16 = 0x90;
pub(crate) const XOR: u16 = 0xa0;

// Jump operations.
pub(crate) const JA: u16 = 0x00;
pub(crate) const JEQ: u16 = 0x10;
pub(crate) const JGT: u16 = 0x20;
pub(crate) const JGE: u16 = 0x30;
pub(crate) const JSET: u16 = 0x40;

// Operand sources.
pub(crate) const K: u16 = 0x00;
pub(crate) const X: u16 = 0x08;
/// `BPF_A` as the operand of `ret`.
pub(crate) const RET_A: u16 = 0x10;

// MISC operations.
pub(crate) const TAX: u16 = 0x00;
pub(crate) const TXA: u16 = 0x80;

/// The most instructions one filter may have (`BPF_MAXINSNS`).
pub const MAX_INSTRUCTIONS: usize = 4096;

/// Offsets in `struct seccomp_data`.
pub(crate) const OFFSET_NR: u32 = 0;
pub(crate) const OFFSET_ARCH: u32 = 4;
pub(crate) const OFFSET_ARGS: u32 = 16;
/// `sizeof(struct seccomp_data)`.
#[cfg(any(test, feature = "interpreter"))]
pub(crate) const SECCOMP_DATA_LEN: u32 = 64;

/// One classic BPF instruction, laid out as the kernel's `struct sock_filter`.
///
/// Its `Display` is a disassembly line in the style of `bpf_dbg`: `ld [4]`,
/// `jeq #0xc000003e, 1, 0`, `ret #0x7fff0000`, with jump offsets relative to the next
/// instruction.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instruction {
    /// The opcode: class, size/mode or operation, and source.
    pub code: u16,
    /// How many instructions to skip when a conditional jump is taken.
    pub jt: u8,
    /// How many instructions to skip when it is not.
    pub jf: u8,
    /// The constant operand.
    pub k: u32,
}

impl Instruction {
    /// `ld [offset]`: loads a 32-bit word of `seccomp_data`.
    pub(crate) const fn load(offset: u32) -> Instruction {
        Instruction::new(LD | W | ABS, 0, 0, offset)
    }

    /// `and #k`.
    pub(crate) const fn and(k: u32) -> Instruction {
        Instruction::new(ALU | AND | K, 0, 0, k)
    }

    /// A conditional jump `op` on the accumulator and `k`.
    pub(crate) const fn jump(op: u16, k: u32, jt: u8, jf: u8) -> Instruction {
        Instruction::new(JMP | op | K, jt, jf, k)
    }

    /// `ja +offset`.
    pub(crate) const fn jump_always(offset: u32) -> Instruction {
        Instruction::new(JMP | JA, 0, 0, offset)
    }

    /// `ret #value`.
    pub(crate) const fn ret(value: u32) -> Instruction {
        Instruction::new(RET | K, 0, 0, value)
    }

    const fn new(code: u16, jt: u8, jf: u8, k: u32) -> Instruction {
        Instruction { code, jt, jf, k }
    }
}

impl fmt::Display for Instruction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Instruction { code, jt, jf, k } = *self;
        let source = if code & X != 0 {
            "x".to_owned()
        } else {
            format!("#{k:#x}")
        };
        match code & 0x07 {
            LD if code == LD | W | ABS => write!(f, "ld [{k}]"),
            LD if code == LD | W | LEN => f.write_str("ld #len"),
            LD if code == LD | W | MEM => write!(f, "ld M[{k}]"),
            LD if code == LD | IMM => write!(f, "ld #{k:#x}"),
            LDX if code == LDX | W | MEM => write!(f, "ldx M[{k}]"),
            LDX if code == LDX | W | LEN => f.write_str("ldx #len"),
            LDX if code == LDX | IMM => write!(f, "ldx #{k:#x}"),
            ST => write!(f, "st M[{k}]"),
            STX => write!(f, "stx M[{k}]"),
            ALU => match alu_name(code & 0xf0) {
                Some("neg") => f.write_str("neg"),
                Some(name) => write!(f, "{name} {source}"),
                None => write!(f, "alu? {code:#06x}"),
            },
            JMP if code & 0xf0 == JA => write!(f, "ja +{k}"),
            JMP => match jump_name(code & 0xf0) {
                Some(name) => write!(f, "{name} {source}, {jt}, {jf}"),
                None => write!(f, "jmp? {code:#06x}"),
            },
            RET if code & RET_A != 0 => f.write_str("ret a"),
            RET => write!(f, "ret #{k:#x}"),
            MISC if code & 0xf8 == TXA => f.write_str("txa"),
            MISC if code & 0xf8 == TAX => f.write_str("tax"),
            _ => write!(f, "unknown {code:#06x} {jt} {jf} {k:#x}"),
        }
    }
}

/// The mnemonic of an ALU operation.
pub(crate) fn alu_name(op: u16) -> Option<&'static str> {
    Some(match op {
        ADD => "add",
        SUB => "sub",
        MUL => "mul",
        DIV => "div",
        OR => "or",
        AND => "and",
        LSH => "lsh",
        RSH => "rsh",
        NEG => "neg",
        MOD => "mod",
        XOR => "xor",
        _ => return None,
    })
}

/// The mnemonic of a conditional jump.
fn jump_name(op: u16) -> Option<&'static str> {
    Some(match op {
        JEQ => "jeq",
        JGT => "jgt",
        JGE => "jge",
        JSET => "jset",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disassembles() {
        assert_eq!(Instruction::load(OFFSET_ARCH).to_string(), "ld [4]");
        assert_eq!(Instruction::and(0xff).to_string(), "and #0xff");
        assert_eq!(
            Instruction::jump(JEQ, 0xc000_003e, 1, 0).to_string(),
            "jeq #0xc000003e, 1, 0"
        );
        assert_eq!(Instruction::jump_always(300).to_string(), "ja +300");
        assert_eq!(Instruction::ret(0x7fff_0000).to_string(), "ret #0x7fff0000");
    }

    #[test]
    fn is_laid_out_as_sock_filter() {
        assert_eq!(size_of::<Instruction>(), size_of::<libc::sock_filter>());
        assert_eq!(align_of::<Instruction>(), align_of::<libc::sock_filter>());
    }
}
