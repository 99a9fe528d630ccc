//! Unit tests of the program writer, run through the test interpreter.

use hull_configs::{SeccompAction, SeccompArch, SyscallArg, SyscallRule};

use super::*;
use crate::interpreter::{self, SeccompData};
use crate::test_support::config;

const EPERM: u32 = 0x0005_0001;
const ALLOW: u32 = 0x7fff_0000;

/// Values around the edges of both 32-bit halves.
const EDGES: [u64; 10] = [
    0,
    1,
    0x7fff_ffff,
    0xffff_ffff,
    0x1_0000_0000,
    0x1_0000_0001,
    0x1_ffff_ffff,
    0xffff_ffff_0000_0000,
    0x7fff_ffff_ffff_ffff,
    u64::MAX,
];

const OPS: [SeccompOp; 7] = [
    SeccompOp::Eq,
    SeccompOp::Ne,
    SeccompOp::Lt,
    SeccompOp::Le,
    SeccompOp::Gt,
    SeccompOp::Ge,
    SeccompOp::MaskedEq,
];

fn holds(op: SeccompOp, arg: u64, value: u64, value_two: u64) -> bool {
    match op {
        SeccompOp::Eq => arg == value,
        SeccompOp::Ne => arg != value,
        SeccompOp::Lt => arg < value,
        SeccompOp::Le => arg <= value,
        SeccompOp::Gt => arg > value,
        SeccompOp::Ge => arg >= value,
        SeccompOp::MaskedEq => arg & value == value_two & value,
    }
}

fn run(filter: &Filter, data: &SeccompData) -> u32 {
    interpreter::run(filter.program(), data).unwrap().action
}

/// Checks every operator on every pair of edge values, for `native` comparing `width` bits.
fn check_comparisons(native: Arch, width: u64) {
    let nr = native.syscall_number("mkdirat").unwrap();
    for op in OPS {
        for value in EDGES {
            let mkdir = SyscallRule {
                name: "mkdirat".into(),
                action: SeccompAction::Errno(1),
                args: vec![SyscallArg {
                    index: 2,
                    value,
                    value_two: 0x1_0000_0001,
                    op,
                }],
            };
            let filter = compile_for(&config(SeccompAction::Allow, vec![mkdir]), native).unwrap();
            interpreter::check(filter.program()).unwrap();
            for arg in EDGES {
                let data = SeccompData::new(native, nr, [0, 0, arg, 0, 0, 0]);
                let expected = holds(op, arg & width, value & width, 0x1_0000_0001 & width);
                let want = if expected { EPERM } else { ALLOW };
                assert_eq!(
                    run(&filter, &data),
                    want,
                    "{op:?} {arg:#x} against {value:#x}"
                );
            }
        }
    }
}

#[test]
fn wide_comparisons_are_unsigned_64_bit() {
    check_comparisons(Arch::X86_64, u64::MAX);
    check_comparisons(Arch::Aarch64, u64::MAX);
}

#[test]
fn narrow_comparisons_use_the_low_half() {
    check_comparisons(Arch::X86, 0xffff_ffff);
    check_comparisons(Arch::Arm, 0xffff_ffff);
}

#[test]
fn starts_with_the_architecture() {
    let filter = compile_for(&config(SeccompAction::Allow, vec![]), Arch::X86_64).unwrap();
    let program: Vec<String> = filter.program().iter().map(ToString::to_string).collect();
    assert_eq!(program[0], "ld [4]");
    // The native section follows; anything else goes to the kill at the end.
    assert!(program[1].starts_with(&format!("jeq #{:#x}, 0, ", Arch::X86_64.audit_arch())));
    assert_eq!(program[2], "ld [0]");
    // A foreign architecture is killed.
    let data = SeccompData::new(Arch::Aarch64, 0, [0; 6]);
    assert_eq!(run(&filter, &data), 0);
}

#[test]
fn far_jumps_still_land() {
    // Several hundred syscalls with two comparisons each push the rules far from the search.
    let rules: Vec<SyscallRule> = Arch::X86_64
        .syscalls()
        .map(|(name, _)| SyscallRule {
            name: name.into(),
            action: SeccompAction::Errno(1),
            args: vec![
                SyscallArg {
                    index: 0,
                    value: 7,
                    value_two: 0,
                    op: SeccompOp::Eq,
                },
                SyscallArg {
                    index: 1,
                    value: 9,
                    value_two: 0,
                    op: SeccompOp::Gt,
                },
            ],
        })
        .collect();
    let filter = compile_for(&config(SeccompAction::Allow, rules), Arch::X86_64).unwrap();
    assert!(filter.program().len() > 1000);
    interpreter::check(filter.program()).unwrap();
    for (_, nr) in Arch::X86_64.syscalls() {
        let hit = SeccompData::new(Arch::X86_64, nr, [7, 10, 0, 0, 0, 0]);
        let miss = SeccompData::new(Arch::X86_64, nr, [7, 9, 0, 0, 0, 0]);
        assert_eq!(run(&filter, &hit), EPERM, "syscall {nr}");
        assert_eq!(run(&filter, &miss), ALLOW, "syscall {nr}");
    }
}

#[test]
fn refuses_programs_the_kernel_would() {
    let rules: Vec<SyscallRule> = (0..1500)
        .map(|value| SyscallRule {
            name: "mkdir".into(),
            action: SeccompAction::Errno(1),
            args: vec![SyscallArg {
                index: 0,
                value,
                value_two: 0,
                op: SeccompOp::Le,
            }],
        })
        .collect();
    let err = compile_for(&config(SeccompAction::Allow, rules), Arch::X86_64).unwrap_err();
    assert!(matches!(err, SeccompError::ProgramTooLong { .. }));
}

#[test]
fn the_search_walks_few_instructions() {
    // Every other syscall denied: as many spans as syscalls, the worst case.
    let rules: Vec<SyscallRule> = Arch::X86_64
        .syscalls()
        .filter(|(_, nr)| nr % 2 == 0)
        .map(|(name, _)| SyscallRule {
            name: name.into(),
            action: SeccompAction::Errno(1),
            args: vec![],
        })
        .collect();
    let c = Seccomp {
        architectures: vec![SeccompArch::X86, SeccompArch::X32],
        ..config(SeccompAction::Allow, rules)
    };
    let filter = compile_for(&c, Arch::X86_64).unwrap();
    let most = Arch::X86_64
        .syscalls()
        .map(|(_, nr)| {
            let data = SeccompData::new(Arch::X86_64, nr, [0; 6]);
            interpreter::run(filter.program(), &data).unwrap().executed
        })
        .max()
        .unwrap();
    // ld arch, jeq, ld nr, about log2(2 * 400) jumps, ret.
    assert!(most <= 15, "a syscall walks {most} instructions");
}
