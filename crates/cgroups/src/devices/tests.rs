//! The device rules' meaning, checked against the generated eBPF program (run by the test
//! interpreter) and against a model of the kernel's v1 device controller.

use std::path::Path;

use hull_configs::specconv::DEFAULT_DEVICE_RULES;
use hull_configs::{DeviceAccess, DeviceKind, DeviceRule};
use proptest::prelude::*;

use super::exceptions::ExceptionKey;
use super::*;

const RWM: DeviceAccess = DeviceAccess::all();

fn rule(
    kind: DeviceKind,
    major: Option<i64>,
    minor: Option<i64>,
    access: &str,
    allow: bool,
) -> DeviceRule {
    DeviceRule {
        kind,
        major,
        minor,
        access: access.parse().unwrap(),
        allow,
    }
}

fn request(kind: DeviceKind, major: u32, minor: u32, access: &str) -> DeviceRequest {
    DeviceRequest {
        kind,
        major,
        minor,
        access: access.parse().unwrap(),
    }
}

/// Runs the program on a request, as the kernel would call it.
fn program_allows(program: &Program, req: &DeviceRequest) -> bool {
    let kind = if req.kind == DeviceKind::Block { 1 } else { 2 };
    let mut access = 0;
    for (flag, bit) in [
        (DeviceAccess::MKNOD, 1),
        (DeviceAccess::READ, 2),
        (DeviceAccess::WRITE, 4),
    ] {
        if req.access.contains(flag) {
            access |= bit;
        }
    }
    interpreter::run(
        program.instructions(),
        [kind | (access << 16), req.major, req.minor],
    ) == 1
}

/// The spec's usual "deny everything" followed by runc's default rules.
fn container_rules() -> Vec<DeviceRule> {
    let mut rules = vec![rule(DeviceKind::All, None, None, "rwm", false)];
    rules.extend(DEFAULT_DEVICE_RULES);
    rules
}

/// What a container with the default rules may and may not do.
const CONTAINER_TABLE: &[(DeviceKind, u32, u32, &str, bool)] = &[
    (DeviceKind::Char, 1, 3, "rw", true), // /dev/null
    (DeviceKind::Char, 1, 3, "rwm", true),
    (DeviceKind::Char, 1, 5, "r", true),     // /dev/zero
    (DeviceKind::Char, 5, 2, "rw", true),    // /dev/ptmx
    (DeviceKind::Char, 136, 7, "rw", true),  // /dev/pts/7
    (DeviceKind::Char, 10, 200, "rw", true), // /dev/net/tun
    (DeviceKind::Block, 8, 0, "m", true),    // mknod of anything
    (DeviceKind::Char, 4, 1, "m", true),
    (DeviceKind::Block, 8, 0, "r", false), // /dev/sda
    (DeviceKind::Block, 8, 0, "rm", false),
    (DeviceKind::Char, 4, 1, "w", false),     // /dev/tty1
    (DeviceKind::Char, 1, 1, "r", false),     // /dev/mem
    (DeviceKind::Char, 10, 229, "rw", false), // /dev/fuse
    (DeviceKind::Block, 1, 3, "r", false),    // block, not char, 1:3
];

#[test]
fn container_rules_in_all_three_forms() {
    let rules = container_rules();
    let program = Program::from_rules(&rules).unwrap();
    interpreter::verify(program.instructions());
    let list = ExceptionList::from_rules(&rules).unwrap();
    for &(kind, major, minor, access, allowed) in CONTAINER_TABLE {
        let req = request(kind, major, minor, access);
        assert_eq!(permits(&rules, &req), allowed, "rules: {req:?}");
        assert_eq!(program_allows(&program, &req), allowed, "program: {req:?}");
        assert_eq!(KernelV1::from(&list).permits(&req), allowed, "v1: {req:?}");
    }
}

#[test]
fn last_rule_wins_per_access() {
    let rules = [
        rule(DeviceKind::All, None, None, "rwm", true),
        rule(DeviceKind::Char, Some(1), None, "w", false),
        rule(DeviceKind::Char, Some(1), Some(3), "rw", true),
    ];
    let program = Program::from_rules(&rules).unwrap();
    interpreter::verify(program.instructions());
    for (req, allowed) in [
        (request(DeviceKind::Char, 1, 3, "rw"), true),
        (request(DeviceKind::Char, 1, 5, "r"), true),
        (request(DeviceKind::Char, 1, 5, "w"), false),
        // A deny of one access denies any request that asks for it.
        (request(DeviceKind::Char, 1, 5, "rw"), false),
        (request(DeviceKind::Block, 1, 5, "rw"), true),
    ] {
        assert_eq!(permits(&rules, &req), allowed, "{req:?}");
        assert_eq!(program_allows(&program, &req), allowed, "{req:?}");
    }
}

#[test]
fn no_rules_deny_everything_and_allow_all_allows_everything() {
    let deny = Program::from_rules(&[]).unwrap();
    let allow = Program::from_rules(&[rule(DeviceKind::All, None, None, "rwm", true)]).unwrap();
    let req = request(DeviceKind::Char, 1, 3, "r");
    assert!(!program_allows(&deny, &req));
    assert!(program_allows(&allow, &req));
    assert!(
        ExceptionList::from_rules(&[])
            .unwrap()
            .exceptions
            .is_empty()
    );
}

#[test]
fn rules_the_cgroup_cannot_govern_are_refused() {
    let fifo = rule(DeviceKind::Fifo, None, None, "rwm", true);
    assert!(matches!(
        Program::from_rules(&[fifo]),
        Err(DevicesError::FifoRule { .. })
    ));
    let big = rule(DeviceKind::Char, Some(1 << 32), None, "r", true);
    let err = ExceptionList::from_rules(&[big]).unwrap_err();
    assert!(matches!(err, DevicesError::NumberOutOfRange { number, .. } if number == 1 << 32));
}

#[test]
fn large_device_numbers_compare_as_unsigned() {
    let rules = [rule(
        DeviceKind::Char,
        Some(4_294_967_295),
        Some(2_147_483_648),
        "r",
        true,
    )];
    let program = Program::from_rules(&rules).unwrap();
    assert!(program_allows(
        &program,
        &request(DeviceKind::Char, u32::MAX, 1 << 31, "r")
    ));
    assert!(!program_allows(
        &program,
        &request(DeviceKind::Char, u32::MAX, 0, "r")
    ));
}

#[test]
fn v1_refuses_to_punch_holes_in_wildcards() {
    let rules = [
        rule(DeviceKind::Char, Some(1), None, "rw", true),
        rule(DeviceKind::Char, Some(1), Some(3), "w", false),
    ];
    let err = ExceptionList::from_rules(&rules).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cgroup v1 cannot apply \"c 1:3 w\": it would punch a hole in the wider rule \"c 1:* rw\""
    );
    // Denying a wider set removes the narrower exceptions it covers.
    let rules = [
        rule(DeviceKind::Char, Some(1), Some(3), "rw", true),
        rule(DeviceKind::Char, Some(1), None, "w", false),
    ];
    let list = ExceptionList::from_rules(&rules).unwrap();
    assert_eq!(list.to_string(), "c 1:3 r\n");
}

#[test]
fn transition_from_a_new_cgroup_closes_first() {
    let current = ExceptionList::parse_list(Path::new("devices.list"), "a *:* rwm\n").unwrap();
    let target = ExceptionList::from_rules(&container_rules()).unwrap();
    let transition = current.transition(&target);
    assert!(!transition.opens_everything);
    assert_eq!(
        transition.writes[0],
        TransitionWrite {
            allow: false,
            entry: "a".into()
        }
    );
    assert!(transition.writes[1..].iter().all(|w| w.allow));
    assert!(transition.writes.iter().any(|w| w.entry == "c 1:3 rwm"));
}

#[test]
fn transition_between_whitelists_is_minimal() {
    let path = Path::new("devices.list");
    let current = ExceptionList::parse_list(path, "c 1:3 rwm\nc 1:5 rwm\nc *:* m\n").unwrap();
    let rules = [
        rule(DeviceKind::Char, None, None, "m", true),
        rule(DeviceKind::Char, Some(1), Some(3), "rwm", true),
        rule(DeviceKind::Char, Some(1), Some(5), "r", true),
        rule(DeviceKind::Char, Some(1), Some(9), "rw", true),
    ];
    let target = ExceptionList::from_rules(&rules).unwrap();
    let transition = current.transition(&target);
    let writes = transition.written();
    assert_eq!(
        writes,
        [("devices.deny", "c 1:5 wm"), ("devices.allow", "c 1:9 rw")]
    );
    assert!(current.transition(&current).writes.is_empty());
}

#[test]
fn transition_to_a_blacklist_says_it_opens_everything() {
    let current = ExceptionList::parse_list(Path::new("devices.list"), "c 1:3 rwm\n").unwrap();
    let rules = [
        rule(DeviceKind::All, None, None, "rwm", true),
        rule(DeviceKind::Block, Some(8), None, "rw", false),
    ];
    let transition = current.transition(&ExceptionList::from_rules(&rules).unwrap());
    assert!(transition.opens_everything);
    let writes = transition.written();
    assert_eq!(
        writes,
        [("devices.allow", "a"), ("devices.deny", "b 8:* rw")]
    );
}

#[test]
fn devices_list_parsing() {
    let path = Path::new("/cg/devices.list");
    let list = ExceptionList::parse_list(path, "c 1:3 rwm\nb *:* m\nc 136:* rw\n").unwrap();
    assert!(!list.default_allow);
    assert_eq!(list.to_string(), "c 1:3 rwm\nc 136:* rw\nb *:* m\n");
    let err = ExceptionList::parse_list(path, "x 1:3 rwm\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot parse /cg/devices.list: \"x 1:3 rwm\" is not a device exception"
    );
}

/// The kernel's v1 device controller (`security/device_cgroup.c`), for the tests.
#[derive(Clone, Debug, Default)]
struct KernelV1 {
    allow_by_default: bool,
    exceptions: Vec<(ExceptionKey, DeviceAccess)>,
}

impl From<&ExceptionList> for KernelV1 {
    fn from(list: &ExceptionList) -> Self {
        KernelV1 {
            allow_by_default: list.default_allow,
            exceptions: list.exceptions.iter().map(|(k, a)| (*k, *a)).collect(),
        }
    }
}

impl KernelV1 {
    /// A write of `entry` to `devices.allow` (`allow`) or `devices.deny`.
    fn write(&mut self, allow: bool, entry: &str) {
        if entry == "a" {
            *self = KernelV1 {
                allow_by_default: allow,
                exceptions: Vec::new(),
            };
            return;
        }
        let list = ExceptionList::parse_list(Path::new("write"), entry).unwrap();
        let (key, access) = list.exceptions.into_iter().next().unwrap();
        if allow != self.allow_by_default {
            match self.exceptions.iter_mut().find(|(k, _)| *k == key) {
                Some((_, a)) => *a |= access,
                None => self.exceptions.push((key, access)),
            }
        } else {
            for (k, a) in &mut self.exceptions {
                if *k == key {
                    *a -= access;
                }
            }
            self.exceptions.retain(|(_, a)| !a.is_empty());
        }
    }

    fn permits(&self, req: &DeviceRequest) -> bool {
        let key_matches = |k: &ExceptionKey| {
            k.block == (req.kind == DeviceKind::Block)
                && k.major.is_none_or(|m| m == req.major)
                && k.minor.is_none_or(|m| m == req.minor)
        };
        if self.allow_by_default {
            !self
                .exceptions
                .iter()
                .any(|(k, a)| key_matches(k) && a.intersects(req.access))
        } else {
            self.exceptions
                .iter()
                .any(|(k, a)| key_matches(k) && a.contains(req.access))
        }
    }
}

fn kinds() -> impl Strategy<Value = DeviceKind> {
    prop_oneof![
        Just(DeviceKind::All),
        Just(DeviceKind::Block),
        Just(DeviceKind::Char)
    ]
}

fn accesses() -> impl Strategy<Value = DeviceAccess> {
    (1u8..8).prop_map(DeviceAccess::from_bits_truncate)
}

fn rules() -> impl Strategy<Value = Vec<DeviceRule>> {
    let one = (
        kinds(),
        prop::option::of(1i64..3),
        prop::option::of(3i64..5),
        accesses(),
        any::<bool>(),
    )
        .prop_map(|(kind, major, minor, access, allow)| DeviceRule {
            kind,
            major,
            minor,
            access,
            allow,
        });
    prop::collection::vec(one, 0..8)
}

/// Every request over the numbers the rules use, and one beyond them.
fn all_requests() -> Vec<DeviceRequest> {
    let mut all = Vec::new();
    for kind in [DeviceKind::Block, DeviceKind::Char] {
        for major in 1..4 {
            for minor in 3..6 {
                for bits in 1..8 {
                    let access = DeviceAccess::from_bits_truncate(bits);
                    all.push(DeviceRequest {
                        kind,
                        major,
                        minor,
                        access,
                    });
                }
            }
        }
    }
    all
}

proptest! {
    #[test]
    fn program_means_what_the_rules_mean(rules in rules()) {
        let program = Program::from_rules(&rules).unwrap();
        interpreter::verify(program.instructions());
        for req in all_requests() {
            prop_assert_eq!(program_allows(&program, &req), permits(&rules, &req), "{:?}", req);
        }
    }

    #[test]
    fn v1_lists_mean_what_the_rules_mean(rules in rules()) {
        // Rules v1 cannot express are refused; the others mean the same for single
        // accesses, and never allow more for combined ones.
        if let Ok(list) = ExceptionList::from_rules(&rules) {
            let kernel = KernelV1::from(&list);
            for req in all_requests() {
                let single = req.access.bits().count_ones() == 1;
                if single {
                    prop_assert_eq!(kernel.permits(&req), permits(&rules, &req), "{:?}", req);
                } else if kernel.permits(&req) {
                    prop_assert!(permits(&rules, &req), "{:?}", req);
                }
            }
        }
    }

    #[test]
    fn transitions_reach_the_target_without_opening(a in rules(), b in rules()) {
        let (Ok(from), Ok(to)) = (ExceptionList::from_rules(&a), ExceptionList::from_rules(&b)) else {
            return Ok(());
        };
        let transition = from.transition(&to);
        let mut kernel = KernelV1::from(&from);
        let (before, after) = (KernelV1::from(&from), KernelV1::from(&to));
        for write in &transition.writes {
            kernel.write(write.allow, &write.entry);
            if transition.opens_everything {
                // The caller keeps the cgroup frozen through these writes.
                continue;
            }
            for req in all_requests().iter().filter(|r| r.access.bits().count_ones() == 1) {
                if kernel.permits(req) {
                    prop_assert!(before.permits(req) || after.permits(req), "{:?} after {:?}", req, write);
                }
            }
        }
        for req in all_requests() {
            prop_assert_eq!(kernel.permits(&req), after.permits(&req), "{:?}", req);
        }
    }
}

#[test]
fn rwm_constant_is_every_access() {
    assert_eq!(RWM.to_string(), "rwm");
}
