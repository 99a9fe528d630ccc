//! The few eBPF instructions a device program needs, and their encoding.
//!
//! An instruction is 8 bytes: opcode, destination and source registers (4 bits each),
//! a signed 16-bit offset and a signed 32-bit immediate, in the host's byte order
//! (`Documentation/bpf/standardization/instruction-set.rst`).

/// Instruction classes.
pub(crate) const CLASS_LDX: u8 = 0x01;
pub(crate) const CLASS_ALU: u8 = 0x04;
pub(crate) const CLASS_JMP: u8 = 0x05;
pub(crate) const CLASS_JMP32: u8 = 0x06;

/// Load/store size and mode.
pub(crate) const SIZE_W: u8 = 0x00;
pub(crate) const MODE_MEM: u8 = 0x60;

/// Operand source: the immediate (`K`) or the source register (`X`).
pub(crate) const SRC_K: u8 = 0x00;
pub(crate) const SRC_X: u8 = 0x08;

/// ALU operations.
pub(crate) const ALU_AND: u8 = 0x50;
pub(crate) const ALU_RSH: u8 = 0x70;
pub(crate) const ALU_MOV: u8 = 0xb0;

/// Jump operations.
pub(crate) const JMP_JA: u8 = 0x00;
pub(crate) const JMP_JEQ: u8 = 0x10;
pub(crate) const JMP_JNE: u8 = 0x50;
pub(crate) const JMP_EXIT: u8 = 0x90;

/// One eBPF instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn {
    /// The opcode: class, operation and source.
    pub code: u8,
    /// The destination register, 0 to 10.
    pub dst: u8,
    /// The source register, 0 to 10.
    pub src: u8,
    /// The jump offset (in instructions, from the next one) or memory offset.
    pub off: i16,
    /// The immediate.
    pub imm: i32,
}

impl Insn {
    const fn new(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Self {
        Insn {
            code,
            dst,
            src,
            off,
            imm,
        }
    }

    /// `dst = *(u32 *)(src + off)`.
    pub(crate) const fn load_u32(dst: u8, src: u8, off: i16) -> Self {
        Self::new(CLASS_LDX | MODE_MEM | SIZE_W, dst, src, off, 0)
    }

    /// `w<dst> &= imm` (32-bit).
    pub(crate) const fn and32(dst: u8, imm: i32) -> Self {
        Self::new(CLASS_ALU | ALU_AND | SRC_K, dst, 0, 0, imm)
    }

    /// `w<dst> >>= imm` (32-bit, logical).
    pub(crate) const fn rsh32(dst: u8, imm: i32) -> Self {
        Self::new(CLASS_ALU | ALU_RSH | SRC_K, dst, 0, 0, imm)
    }

    /// `w<dst> = imm`.
    pub(crate) const fn mov32(dst: u8, imm: i32) -> Self {
        Self::new(CLASS_ALU | ALU_MOV | SRC_K, dst, 0, 0, imm)
    }

    /// `w<dst> = w<src>`.
    pub(crate) const fn mov32_reg(dst: u8, src: u8) -> Self {
        Self::new(CLASS_ALU | ALU_MOV | SRC_X, dst, src, 0, 0)
    }

    /// `if w<dst> == imm goto +off` (32-bit compare, `imm` as an unsigned 32-bit value).
    pub(crate) const fn jeq32(dst: u8, imm: u32, off: i16) -> Self {
        Self::new(CLASS_JMP32 | JMP_JEQ | SRC_K, dst, 0, off, imm as i32)
    }

    /// `if w<dst> != imm goto +off` (32-bit compare, `imm` as an unsigned 32-bit value).
    pub(crate) const fn jne32(dst: u8, imm: u32, off: i16) -> Self {
        Self::new(CLASS_JMP32 | JMP_JNE | SRC_K, dst, 0, off, imm as i32)
    }

    /// `goto +off`.
    pub(crate) const fn ja(off: i16) -> Self {
        Self::new(CLASS_JMP | JMP_JA, 0, 0, off, 0)
    }

    /// `exit` (returns `r0`).
    pub(crate) const fn exit() -> Self {
        Self::new(CLASS_JMP | JMP_EXIT, 0, 0, 0, 0)
    }

    /// Whether this is a jump with an offset to resolve.
    #[cfg(test)]
    pub(crate) const fn is_jump(&self) -> bool {
        let class = self.code & 0x07;
        (class == CLASS_JMP || class == CLASS_JMP32) && self.code & 0xf0 != JMP_EXIT
    }

    /// The instruction as the kernel reads it.
    pub fn to_bytes(self) -> [u8; 8] {
        let [o0, o1] = self.off.to_ne_bytes();
        let [i0, i1, i2, i3] = self.imm.to_ne_bytes();
        let regs = if cfg!(target_endian = "little") {
            (self.src << 4) | (self.dst & 0x0f)
        } else {
            (self.dst << 4) | (self.src & 0x0f)
        };
        [self.code, regs, o0, o1, i0, i1, i2, i3]
    }
}
