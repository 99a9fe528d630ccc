//! Writing a program from its end to its start, so that every jump target is already placed
//! when the jump is written; jumps too long for an 8-bit offset go through a nearby copy of
//! the `ret` they target, or an unconditional `ja`.

use std::collections::HashMap;

use crate::bpf::Instruction;

/// A placed instruction that jumps can target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Label {
    /// Its position counted from the end of the program (0 is the last instruction).
    from_end: usize,
    /// The value it returns, when it is a `ret #value`: a far jump to it gets a copy.
    returns: Option<u32>,
}

/// A program under construction, from its last instruction up.
#[derive(Debug, Default)]
pub(crate) struct Emitter {
    /// The instructions so far, last first.
    reversed: Vec<Instruction>,
    /// The nearest `ret` of each value placed so far.
    returns: HashMap<u32, Label>,
}

impl Emitter {
    /// How many instructions are placed.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.reversed.len()
    }

    /// Places `instruction` before everything placed so far.
    fn push(&mut self, instruction: Instruction) -> Label {
        self.reversed.push(instruction);
        Label {
            from_end: self.reversed.len() - 1,
            returns: None,
        }
    }

    /// Places `ret #value` and makes it the nearest one of its value.
    pub(crate) fn ret(&mut self, value: u32) -> Label {
        let label = Label {
            returns: Some(value),
            ..self.push(Instruction::ret(value))
        };
        self.returns.insert(value, label);
        label
    }

    /// The nearest `ret #value`, placed now if there is none yet.
    pub(crate) fn ret_target(&mut self, value: u32) -> Label {
        match self.returns.get(&value) {
            Some(&label) => label,
            None => self.ret(value),
        }
    }

    /// Places an instruction that does not jump (a load, an ALU operation) so that it runs on
    /// into `next`: when `next` is not the instruction placed last, a `ja` to it (or a copy of
    /// its `ret`) goes in between.
    pub(crate) fn step(&mut self, instruction: Instruction, next: Label) -> Label {
        if next.from_end + 1 != self.reversed.len() {
            match next.returns {
                Some(value) => self.ret(value),
                None => {
                    let offset = u32::try_from(self.offset(next)).unwrap_or(u32::MAX);
                    self.push(Instruction::jump_always(offset))
                }
            };
        }
        self.push(instruction)
    }

    /// Places a conditional jump `op` with constant `k` to `yes` or `no`. When both are the
    /// same, nothing is placed and that label is returned.
    pub(crate) fn jump(&mut self, op: u16, k: u32, yes: Label, no: Label) -> Label {
        if yes.from_end == no.from_end {
            return yes;
        }
        let (mut yes, mut no) = (yes, no);
        // Placing a stepping stone for one target moves the other one away by one, so this
        // settles in at most two rounds.
        loop {
            yes = self.reachable(yes);
            no = self.reachable(no);
            let jt = u8::try_from(self.offset(yes));
            let jf = u8::try_from(self.offset(no));
            if let (Ok(jt), Ok(jf)) = (jt, jf) {
                return self.push(Instruction::jump(op, k, jt, jf));
            }
        }
    }

    /// `target`, or a stepping stone placed now when a conditional jump from the next
    /// instruction could not reach it: a copy of the `ret`, or `ja target`.
    fn reachable(&mut self, target: Label) -> Label {
        if self.offset(target) <= usize::from(u8::MAX) {
            return target;
        }
        match target.returns {
            Some(value) => self.ret(value),
            None => {
                // Programs are at most a few thousand instructions long.
                let offset = u32::try_from(self.offset(target)).unwrap_or(u32::MAX);
                self.push(Instruction::jump_always(offset))
            }
        }
    }

    /// The jump offset from the next instruction placed to `target`.
    fn offset(&self, target: Label) -> usize {
        self.reversed.len() - target.from_end - 1
    }

    /// The program, first instruction first.
    pub(crate) fn finish(self) -> Vec<Instruction> {
        let mut program = self.reversed;
        program.reverse();
        program
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::{JEQ, JGE};

    #[test]
    fn near_jumps_point_at_their_targets() {
        let mut e = Emitter::default();
        let no = e.ret(1);
        let yes = e.ret(2);
        e.jump(JEQ, 7, yes, no);
        let program = e.finish();
        assert_eq!(program[0], Instruction::jump(JEQ, 7, 0, 1));
    }

    #[test]
    fn same_targets_place_nothing() {
        let mut e = Emitter::default();
        let target = e.ret(1);
        assert_eq!(e.jump(JEQ, 7, target, target), target);
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn far_returns_are_copied() {
        let mut e = Emitter::default();
        let far = e.ret(9);
        let mut next = e.ret(4);
        for _ in 0..300 {
            next = e.step(Instruction::and(1), next);
        }
        let near = e.ret(1);
        e.jump(JGE, 5, far, near);
        let program = e.finish();
        // The jump goes to a fresh copy of `ret #9` placed right after it.
        assert_eq!(program[0], Instruction::jump(JGE, 5, 0, 1));
        assert_eq!(program[1], Instruction::ret(9));
        assert_eq!(program[2], Instruction::ret(1));
    }

    #[test]
    fn far_code_is_reached_through_ja() {
        let mut e = Emitter::default();
        e.ret(0);
        let mut far = e.ret(5);
        far = e.step(Instruction::and(3), far);
        let mut next = far;
        for _ in 0..300 {
            next = e.step(Instruction::and(1), next);
        }
        let near = e.ret(1);
        e.jump(JEQ, 5, far, near);
        let program = e.finish();
        assert_eq!(program[0], Instruction::jump(JEQ, 5, 0, 1));
        assert_eq!(program[1], Instruction::jump_always(301));
        assert_eq!(program[2 + 301], Instruction::and(3));
    }

    #[test]
    fn steps_run_into_their_next_instruction() {
        let mut e = Emitter::default();
        let other = e.ret(1);
        let code = e.step(Instruction::and(3), other);
        e.ret(2);
        e.step(Instruction::load(0), code);
        let program = e.finish();
        assert_eq!(program[0], Instruction::load(0));
        assert_eq!(program[1], Instruction::jump_always(1));
        assert_eq!(program[3], Instruction::and(3));
    }
}
