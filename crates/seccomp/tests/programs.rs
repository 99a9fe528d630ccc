//! Compiled programs, run by the test interpreter on synthetic syscalls, against what their
//! configs mean (`support/meaning.rs`): on the real profiles, exhaustively over syscall
//! numbers, and on random profiles (proptest).

mod support;

use std::collections::BTreeSet;

use hull_configs::{Seccomp, SeccompAction, SeccompArch, SeccompOp, SyscallArg, SyscallRule};
use hull_seccomp::interpreter::{self, SeccompData};
use hull_seccomp::{Arch, Filter, compile_for};
use proptest::prelude::*;
use support::meaning::meaning;
use support::profiles;

/// An audit architecture no filter admits.
const FOREIGN_AUDIT_ARCH: u32 = 0x8000_0016; // AUDIT_ARCH_S390X

/// Syscall numbers worth trying on every architecture: every table number and more.
fn numbers() -> Vec<u32> {
    let mut numbers: Vec<u32> = (0..=600).collect();
    numbers.extend(0x0f_0000..=0x0f_0010);
    numbers.extend((0..=600).map(|n| 0x4000_0000 + n));
    numbers.extend([0x3fff_ffff, 0x8000_0000, u32::MAX - 1, u32::MAX]);
    numbers
}

/// Argument vectors around every value the config compares with.
fn argument_sets(config: &Seccomp) -> Vec<[u64; 6]> {
    let mut sets = BTreeSet::from([[0; 6]]);
    for arg in config.syscalls.iter().flat_map(|rule| &rule.args) {
        for value in [arg.value, arg.value_two, arg.value & arg.value_two] {
            for v in [
                value.wrapping_sub(1),
                value,
                value.wrapping_add(1),
                value | 1 << 32,
            ] {
                let mut set = [0; 6];
                set[arg.index] = v;
                sets.insert(set);
            }
        }
    }
    sets.into_iter().collect()
}

/// Runs `filter` on every syscall number of every architecture (with every argument set
/// where the syscall has comparisons), and compares each result with the config's meaning.
/// Returns how many syscalls it checked.
fn check_exhaustively(config: &Seccomp, native: Arch, filter: &Filter) -> usize {
    interpreter::check(filter.program()).expect("the kernel would load the program");
    let mut checked = 0;
    let arg_sets = argument_sets(config);
    for arch in Arch::ALL {
        for nr in numbers() {
            let compared = arch.syscall_name(nr).is_some_and(|name| {
                config
                    .syscalls
                    .iter()
                    .any(|r| r.name == name && !r.args.is_empty())
            });
            let sets = if compared {
                &arg_sets[..]
            } else {
                &arg_sets[..1]
            };
            for args in sets {
                let data = SeccompData::new(arch, nr, *args);
                let got = interpreter::run(filter.program(), &data)
                    .expect("the program runs")
                    .action;
                let want = meaning(config, native, &data);
                assert_eq!(got, want, "{arch:?} syscall {nr:#x} args {args:x?}");
                checked += 1;
            }
        }
    }
    let foreign = SeccompData {
        arch: FOREIGN_AUDIT_ARCH,
        ..SeccompData::default()
    };
    assert_eq!(
        interpreter::run(filter.program(), &foreign)
            .expect("the program runs")
            .action,
        0
    );
    checked
}

#[test]
fn podman_profile_means_what_it_says() {
    let config = profiles::podman();
    let filter = compile_for(&config, Arch::X86_64).unwrap();
    assert!(filter.warnings().is_empty(), "{:?}", filter.warnings());
    assert!(check_exhaustively(&config, Arch::X86_64, &filter) > 6_000);
}

#[test]
fn docker_profile_resolves_as_podman_did() {
    // podman.json is this profile as podman resolved it for x86_64 and its capabilities.
    assert_eq!(profiles::docker_x86_64(), profiles::podman());
}

#[test]
fn docker_profile_means_what_it_says() {
    let config = profiles::docker_x86_64();
    assert_eq!(
        config.architectures,
        [SeccompArch::X86_64, SeccompArch::X86, SeccompArch::X32]
    );
    let filter = compile_for(&config, Arch::X86_64).unwrap();
    check_exhaustively(&config, Arch::X86_64, &filter);
}

#[test]
fn docker_profile_on_aarch64() {
    let config = profiles::docker("SCMP_ARCH_AARCH64", "arm64", &profiles::PODMAN_CAPS);
    assert_eq!(
        config.architectures,
        [SeccompArch::Aarch64, SeccompArch::Arm]
    );
    let filter = compile_for(&config, Arch::Aarch64).unwrap();
    check_exhaustively(&config, Arch::Aarch64, &filter);
}

#[test]
fn docker_profile_with_every_capability() {
    let caps: Vec<String> = hull_configs::Capability::ALL
        .iter()
        .map(ToString::to_string)
        .collect();
    let caps: Vec<&str> = caps.iter().map(String::as_str).collect();
    let mut config = profiles::docker("SCMP_ARCH_X86_64", "amd64", &caps);
    // The ENOSYS stub only shows under another default errno.
    config.default_action = SeccompAction::Errno(1);
    let filter = compile_for(&config, Arch::X86_64).unwrap();
    check_exhaustively(&config, Arch::X86_64, &filter);
}

/// The instructions a syscall walks, on average, over the profile's own syscalls.
#[test]
fn docker_profile_walks_few_instructions() {
    let config = profiles::docker_x86_64();
    let filter = compile_for(&config, Arch::X86_64).unwrap();
    let names: BTreeSet<&str> = config.syscalls.iter().map(|r| r.name.as_str()).collect();
    let counts: Vec<usize> = names
        .iter()
        .filter_map(|name| Arch::X86_64.syscall_number(name))
        .map(|nr| {
            let data = SeccompData::new(Arch::X86_64, nr, [0; 6]);
            interpreter::run(filter.program(), &data).unwrap().executed
        })
        .collect();
    let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
    println!(
        "{} instructions, {mean:.2} executed per syscall",
        filter.program().len()
    );
    assert!(mean < 14.0, "mean {mean}");
}

const NAMES: [&str; 14] = [
    "read",
    "write",
    "mkdir",
    "mkdirat",
    "personality",
    "socket",
    "socketcall",
    "clone3",
    "cacheflush",
    "rt_sigaction",
    "getppid",
    "uname",
    "futex",
    "no_such_call",
];

const VALUES: [u64; 8] = [
    0,
    1,
    8,
    0xffff_ffff,
    0x1_0000_0000,
    0x1_0000_0008,
    u64::MAX,
    0x8000_0000,
];

fn action() -> impl Strategy<Value = SeccompAction> {
    prop_oneof![
        Just(SeccompAction::Kill),
        Just(SeccompAction::KillThread),
        Just(SeccompAction::KillProcess),
        Just(SeccompAction::Trap),
        (0u32..4).prop_map(SeccompAction::Errno),
        Just(SeccompAction::Errno(38)),
        (0u32..3).prop_map(SeccompAction::Trace),
        Just(SeccompAction::Allow),
        Just(SeccompAction::Log),
        Just(SeccompAction::Notify),
    ]
}

fn value() -> impl Strategy<Value = u64> {
    prop_oneof![prop::sample::select(&VALUES[..]), any::<u64>()]
}

fn arg() -> impl Strategy<Value = SyscallArg> {
    let op = prop::sample::select(SeccompOp::ALL);
    (0usize..3, op, value(), value()).prop_map(|(index, op, value, value_two)| SyscallArg {
        index,
        value,
        value_two,
        op,
    })
}

fn rule() -> impl Strategy<Value = SyscallRule> {
    let name = prop::sample::select(&NAMES[..]);
    (name, action(), prop::collection::vec(arg(), 0..3)).prop_map(|(name, action, args)| {
        SyscallRule {
            name: name.to_owned(),
            action,
            args,
        }
    })
}

fn config() -> impl Strategy<Value = Seccomp> {
    let default = action().prop_filter("notify cannot be the default", |a| {
        *a != SeccompAction::Notify
    });
    let arches = prop::sample::subsequence(
        &[
            SeccompArch::X86_64,
            SeccompArch::X86,
            SeccompArch::X32,
            SeccompArch::Aarch64,
            SeccompArch::Arm,
            SeccompArch::S390X,
        ][..],
        0..4,
    );
    (default, arches, prop::collection::vec(rule(), 0..12)).prop_map(
        |(default_action, architectures, syscalls)| Seccomp {
            default_action,
            architectures,
            flags: None,
            syscalls,
            listener_path: None,
            listener_metadata: None,
        },
    )
}

/// A syscall: an architecture, a number near the config's syscalls, arguments near its
/// values.
fn input() -> impl Strategy<Value = (usize, u32, [u64; 6], usize)> {
    (
        0..Arch::ALL.len(),
        0u32..10,
        prop::array::uniform6(value()),
        0..NAMES.len(),
    )
}

proptest! {
    #[test]
    fn random_profiles_mean_what_they_say(
        config in config(),
        native in prop::sample::select(&[Arch::X86_64, Arch::Aarch64, Arch::X86, Arch::Arm][..]),
        inputs in prop::collection::vec(input(), 64),
    ) {
        let filter = compile_for(&config, native).unwrap();
        interpreter::check(filter.program()).unwrap();
        for (arch, kind, args, name) in inputs {
            let arch = Arch::ALL[arch];
            let named = arch.syscall_number(NAMES[name]);
            let nr = match kind {
                0 => u32::MAX,
                1 => 1000,
                2 => 0x4000_0000 + 1000,
                _ => named.unwrap_or(kind),
            };
            let data = SeccompData::new(arch, nr, args);
            let got = interpreter::run(filter.program(), &data).unwrap().action;
            prop_assert_eq!(got, meaning(&config, native, &data), "{:?} {:#x}", arch, nr);
        }
    }
}
