//! Unit tests of `plan`: the outcome of each syscall number, without any BPF.

use hull_configs::SeccompArch;

use super::*;
use crate::action::ret_value;
use crate::test_support::config;

const ALLOW: u32 = 0x7fff_0000;
const EPERM: u32 = 0x0005_0001;
const ENOSYS_RET: u32 = 0x0005_0026;

fn rule(name: &str, action: SeccompAction, args: Vec<SyscallArg>) -> SyscallRule {
    SyscallRule {
        name: name.into(),
        action,
        args,
    }
}

fn arg(index: usize, op: SeccompOp, value: u64, value_two: u64) -> SyscallArg {
    SyscallArg {
        index,
        value,
        value_two,
        op,
    }
}

/// The outcome of syscall `nr` in the native (first) section.
fn outcome(plan: &Plan, nr: u32) -> &Outcome {
    let spans = &plan.sections[0].spans;
    let index = spans.partition_point(|span| span.start <= nr) - 1;
    &spans[index].outcome
}

#[test]
fn default_everywhere_but_the_rules() {
    let c = config(
        SeccompAction::Allow,
        vec![rule("mkdir", SeccompAction::Errno(1), vec![])],
    );
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    assert_eq!(plan.sections.len(), 1);
    assert_eq!(plan.sections[0].audit_arch, 0xc000_003e);
    let spans: Vec<_> = plan.sections[0].spans.iter().map(|s| s.start).collect();
    // allow, mkdir, allow, x32 (not admitted: kill), -1 (the default)
    assert_eq!(spans, [0, 83, 84, 0x4000_0000, u32::MAX]);
    assert_eq!(outcome(&plan, 83), &Outcome::Return(EPERM));
    assert_eq!(
        outcome(&plan, 0x4000_0000 + 83),
        &Outcome::Return(RET_KILL_THREAD)
    );
    assert_eq!(outcome(&plan, u32::MAX), &Outcome::Return(ALLOW));
    assert!(plan.warnings.is_empty());
}

#[test]
fn enosys_above_the_newest_syscall() {
    let c = config(
        SeccompAction::Errno(1),
        vec![rule("read", SeccompAction::Allow, vec![])],
    );
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    assert_eq!(outcome(&plan, 0), &Outcome::Return(ALLOW));
    assert_eq!(outcome(&plan, 1), &Outcome::Return(ENOSYS_RET));
    assert_eq!(outcome(&plan, 0x3fff_ffff), &Outcome::Return(ENOSYS_RET));
    assert_eq!(outcome(&plan, u32::MAX), &Outcome::Return(EPERM));
    // A rule with the default action still counts for the newest syscall, as in runc.
    let c = config(
        SeccompAction::Errno(1),
        vec![
            rule("read", SeccompAction::Allow, vec![]),
            rule("mkdir", SeccompAction::Errno(1), vec![]),
        ],
    );
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    assert_eq!(outcome(&plan, 50), &Outcome::Return(EPERM));
    assert_eq!(outcome(&plan, 84), &Outcome::Return(ENOSYS_RET));
}

#[test]
fn no_stub_for_permissive_or_enosys_defaults() {
    for default in [
        SeccompAction::Allow,
        SeccompAction::Log,
        SeccompAction::Trace(1),
    ] {
        let c = config(default, vec![rule("read", SeccompAction::Errno(1), vec![])]);
        let plan = super::plan(&c, Arch::X86_64).unwrap();
        assert_eq!(outcome(&plan, 500), &Outcome::Return(ret_value(default)));
    }
    let c = config(
        SeccompAction::Errno(38),
        vec![rule("read", SeccompAction::Allow, vec![])],
    );
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    assert_eq!(outcome(&plan, 500), &Outcome::Return(ENOSYS_RET));
}

#[test]
fn first_unconditional_rule_wins() {
    let c = config(
        SeccompAction::Allow,
        vec![
            rule(
                "mkdir",
                SeccompAction::Errno(2),
                vec![arg(0, SeccompOp::Eq, 1, 0)],
            ),
            rule("mkdir", SeccompAction::Errno(1), vec![]),
            rule("mkdir", SeccompAction::Errno(3), vec![]),
        ],
    );
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    assert_eq!(outcome(&plan, 83), &Outcome::Return(EPERM));
}

#[test]
fn conditional_rules_in_order() {
    let c = config(
        SeccompAction::Allow,
        vec![
            rule(
                "mkdir",
                SeccompAction::Allow,
                vec![arg(0, SeccompOp::Eq, 1, 0)],
            ),
            rule(
                "mkdir",
                SeccompAction::Errno(2),
                vec![arg(1, SeccompOp::Gt, 5, 0)],
            ),
            rule(
                "mkdir",
                SeccompAction::Errno(3),
                vec![arg(0, SeccompOp::Lt, 9, 0)],
            ),
        ],
    );
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    let Outcome::Rules { rules, otherwise } = outcome(&plan, 83) else {
        panic!("mkdir has no rules");
    };
    // The allow rule has the default action and is dropped.
    assert_eq!(*otherwise, ALLOW);
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].action, 0x0005_0002);
    assert_eq!(rules[0].comparisons[0].index, 1);
    assert_eq!(rules[1].action, 0x0005_0003);
}

#[test]
fn an_argument_compared_twice_splits_the_rule() {
    let c = config(
        SeccompAction::Allow,
        vec![rule(
            "personality",
            SeccompAction::Errno(1),
            vec![arg(0, SeccompOp::Eq, 8, 0), arg(0, SeccompOp::Eq, 9, 0)],
        )],
    );
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    let Outcome::Rules { rules, .. } = outcome(&plan, 135) else {
        panic!("personality has no rules");
    };
    let values: Vec<u64> = rules.iter().map(|r| r.comparisons[0].value).collect();
    assert_eq!(values, [8, 9]);
}

#[test]
fn zero_masks_always_hold() {
    let c = config(
        SeccompAction::Allow,
        vec![rule(
            "mkdir",
            SeccompAction::Errno(1),
            vec![arg(0, SeccompOp::MaskedEq, 0, 5)],
        )],
    );
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    assert_eq!(outcome(&plan, 83), &Outcome::Return(EPERM));
}

#[test]
fn narrow_abis_compare_the_low_half() {
    let c = Seccomp {
        architectures: vec![SeccompArch::X86],
        ..config(
            SeccompAction::Allow,
            vec![rule(
                "personality",
                SeccompAction::Errno(1),
                vec![arg(0, SeccompOp::MaskedEq, 0x1_0000_00ff, 0x1_0000_0008)],
            )],
        )
    };
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    let x86 = &plan.sections[1];
    assert_eq!(x86.audit_arch, 0x4000_0003);
    let index = x86.spans.partition_point(|span| span.start <= 136) - 1;
    let Outcome::Rules { rules, .. } = &x86.spans[index].outcome else {
        panic!("personality has no rules on x86");
    };
    let expected = Comparison {
        index: 0,
        op: SeccompOp::MaskedEq,
        value: 8,
        mask: 0xff,
        wide: false,
    };
    assert_eq!(rules[0].comparisons, [expected]);
}

#[test]
fn x32_shares_the_x86_64_section() {
    let c = Seccomp {
        architectures: vec![SeccompArch::X86, SeccompArch::X32, SeccompArch::X86_64],
        ..config(
            SeccompAction::Errno(1),
            vec![rule("read", SeccompAction::Allow, vec![])],
        )
    };
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    assert_eq!(plan.sections.len(), 2);
    assert_eq!(outcome(&plan, 0x4000_0000), &Outcome::Return(ALLOW));
    assert_eq!(outcome(&plan, 0x4000_0001), &Outcome::Return(ENOSYS_RET));
}

#[test]
fn warns_about_unknown_names_and_architectures() {
    let c = Seccomp {
        architectures: vec![SeccompArch::S390X, SeccompArch::S390X],
        ..config(
            SeccompAction::Allow,
            vec![
                rule("no_such_call", SeccompAction::Errno(1), vec![]),
                rule("no_such_call", SeccompAction::Errno(2), vec![]),
                rule("socketcall", SeccompAction::Errno(1), vec![]),
            ],
        )
    };
    let plan = super::plan(&c, Arch::X86_64).unwrap();
    assert_eq!(
        plan.warnings,
        [
            Warning::UnsupportedArch {
                arch: SeccompArch::S390X
            },
            Warning::UnknownSyscall {
                name: "no_such_call".into()
            },
        ]
    );
}

#[test]
fn refuses_what_no_filter_can_express() {
    let notify = config(SeccompAction::Notify, vec![]);
    assert!(matches!(
        plan(&notify, Arch::X86_64),
        Err(SeccompError::NotifyAsDefault)
    ));
    let errno = config(SeccompAction::Errno(4096), vec![]);
    assert!(matches!(
        plan(&errno, Arch::X86_64),
        Err(SeccompError::ActionValue { .. })
    ));
    let index = config(
        SeccompAction::Allow,
        vec![rule(
            "read",
            SeccompAction::Errno(1),
            vec![arg(6, SeccompOp::Eq, 0, 0)],
        )],
    );
    assert!(matches!(
        plan(&index, Arch::X86_64),
        Err(SeccompError::ArgIndex { index: 6, .. })
    ));
}
