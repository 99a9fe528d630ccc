//! Any bytes as the seccomp part of a config (a [`Seccomp`] in its JSON form), compiled by
//! [`compile`] and by [`compile_for`] for every architecture as the native one: nothing
//! panics; a filter that compiles has at most [`MAX_INSTRUCTIONS`] instructions and passes
//! the kernel loader's checks (`interpreter::check`); and run by the interpreter on the
//! syscalls its rules name, with arguments around the values they compare, on syscall
//! numbers past each table and on a foreign architecture, it returns what the config means
//! (the integration tests' oracle, `tests/support/meaning.rs`).

#![no_main]

use std::collections::BTreeSet;

use hull_configs::Seccomp;
use hull_seccomp::interpreter::{self, SeccompData};
use hull_seccomp::{Arch, Filter, MAX_INSTRUCTIONS, SeccompError, compile, compile_for};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/meaning.rs"]
mod meaning;

/// An audit architecture no filter admits (`AUDIT_ARCH_S390X`).
const FOREIGN_AUDIT_ARCH: u32 = 0x8000_0016;
/// The rules, and argument sets, whose syscalls are run: enough to reach every part of a
/// program the fuzzer writes, few enough to keep each input fast.
const RULES_RUN: usize = 16;
const ARGUMENT_SETS_RUN: usize = 8;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = serde_json::from_slice::<Seccomp>(data) else {
        return;
    };
    let native = Arch::native().expect("a supported architecture");
    check(&config, native, compile(&config));
    for other in Arch::ALL.into_iter().filter(|&arch| arch != native) {
        check(&config, other, compile_for(&config, other));
    }
});

/// Checks what compiling `config` for `native` gave.
fn check(config: &Seccomp, native: Arch, compiled: Result<Filter, SeccompError>) {
    let filter = match compiled {
        Ok(filter) => filter,
        Err(SeccompError::ProgramTooLong { len }) => {
            assert!(len > MAX_INSTRUCTIONS);
            return;
        }
        Err(_) => return,
    };
    let program = filter.program();
    assert!(program.len() <= MAX_INSTRUCTIONS, "{}", program.len());
    interpreter::check(program).expect("the kernel would load the program");
    let argument_sets = argument_sets(config);
    for arch in Arch::ALL {
        let numbers: BTreeSet<u32> = config
            .syscalls
            .iter()
            .take(RULES_RUN)
            .filter_map(|rule| arch.syscall_number(&rule.name))
            .collect();
        let past = numbers.last().map_or(0, |&last| last.wrapping_add(1));
        for nr in numbers.iter().copied().chain([past, u32::MAX]) {
            for args in &argument_sets {
                let data = SeccompData::new(arch, nr, *args);
                let run = interpreter::run(program, &data).expect("the program runs");
                let want = meaning::meaning(config, native, &data);
                assert_eq!(
                    run.action, want,
                    "{native:?} filter, {arch:?} {nr:#x} {args:x?}"
                );
            }
        }
    }
    let foreign = SeccompData {
        arch: FOREIGN_AUDIT_ARCH,
        ..SeccompData::default()
    };
    let run = interpreter::run(program, &foreign).expect("the program runs");
    assert_eq!(run.action, 0, "a foreign architecture is killed");
}

/// Argument vectors around the values the first rules compare with, all zeros first.
fn argument_sets(config: &Seccomp) -> Vec<[u64; 6]> {
    let mut sets = vec![[0; 6]];
    let args = config
        .syscalls
        .iter()
        .take(RULES_RUN)
        .flat_map(|rule| &rule.args)
        .filter(|arg| arg.index < 6);
    for arg in args {
        for value in [arg.value, arg.value_two, arg.value & arg.value_two] {
            for v in [value.wrapping_sub(1), value, value | 1 << 32] {
                let mut set = [0; 6];
                set[arg.index] = v;
                if sets.len() < ARGUMENT_SETS_RUN && !sets.contains(&set) {
                    sets.push(set);
                }
            }
        }
    }
    sets
}
