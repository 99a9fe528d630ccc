//! The cgroup v1 device controller's model: a default behaviour and a list of exceptions.
//!
//! In the kernel (`security/device_cgroup.c`), a cgroup either allows everything but its
//! exceptions ("blacklist", `devices.list` shows `a *:* rwm`) or denies everything but its
//! exceptions ("whitelist", `devices.list` shows them). Writing `a` to `devices.allow` or
//! `devices.deny` resets the list and the default; any other entry adds an exception when
//! it goes against the default, and removes access from the exception with exactly the same
//! type and numbers otherwise.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use hull_configs::{DeviceAccess, DeviceKind, DeviceRule};

use super::{DevicesError, check_rule, is_wildcard};

/// The devices an exception covers: a type and numbers, `None` for `*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExceptionKey {
    /// `true` for block devices, `false` for character devices.
    pub block: bool,
    /// The major number, `None` for every major.
    pub major: Option<u32>,
    /// The minor number, `None` for every minor.
    pub minor: Option<u32>,
}

impl ExceptionKey {
    /// Whether every device this key covers is also covered by `outer`.
    fn within(&self, outer: &ExceptionKey) -> bool {
        self.block == outer.block
            && (outer.major.is_none() || outer.major == self.major)
            && (outer.minor.is_none() || outer.minor == self.minor)
    }

    /// Whether some device is covered by both keys.
    fn overlaps(&self, other: &ExceptionKey) -> bool {
        let meet = |a: Option<u32>, b: Option<u32>| a.is_none() || b.is_none() || a == b;
        self.block == other.block && meet(self.major, other.major) && meet(self.minor, other.minor)
    }

    /// The key in `devices.list` syntax, with `access`: `c 1:3 rwm`.
    pub fn entry(&self, access: DeviceAccess) -> String {
        let number = |n: Option<u32>| n.map_or_else(|| "*".to_owned(), |n| n.to_string());
        let kind = if self.block { 'b' } else { 'c' };
        format!(
            "{kind} {}:{} {access}",
            number(self.major),
            number(self.minor)
        )
    }
}

/// A device cgroup v1 state: the default and the exceptions to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExceptionList {
    /// Whether access is allowed unless an exception denies it.
    pub default_allow: bool,
    /// The exceptions, with the access each one covers.
    pub exceptions: BTreeMap<ExceptionKey, DeviceAccess>,
}

/// One write of a transition: an entry for `devices.allow` or `devices.deny`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitionWrite {
    /// `true` for `devices.allow`, `false` for `devices.deny`.
    pub allow: bool,
    /// The entry (`a`, `c 1:3 rw`).
    pub entry: String,
}

impl TransitionWrite {
    /// The file this write goes to.
    pub fn file(&self) -> &'static str {
        if self.allow {
            "devices.allow"
        } else {
            "devices.deny"
        }
    }
}

/// The writes that take a cgroup from one [`ExceptionList`] to another.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transition {
    /// The writes, in order.
    pub writes: Vec<TransitionWrite>,
    /// Whether the first write allows every device until the next ones deny some: the
    /// caller should keep the cgroup's processes frozen meanwhile.
    pub opens_everything: bool,
}

#[cfg(test)]
impl Transition {
    /// The writes as (file, entry) pairs, for assertions.
    pub(crate) fn written(&self) -> Vec<(&'static str, &str)> {
        self.writes
            .iter()
            .map(|w| (w.file(), w.entry.as_str()))
            .collect()
    }
}

impl ExceptionList {
    /// The state a rule list asks for, starting from "deny everything".
    ///
    /// A rule of type `a` with `*:*` and all of `rwm` resets the list; other `a` rules stand
    /// for a block and a character rule. A rule against the default adds an exception; a
    /// rule with the default removes its access from the exceptions it covers, and is
    /// refused when it covers only part of one (v1 cannot split a wildcard).
    pub fn from_rules(rules: &[DeviceRule]) -> Result<Self, DevicesError> {
        let mut list = ExceptionList::default();
        for rule in rules {
            check_rule(rule)?;
            if is_wildcard(rule) && rule.access == DeviceAccess::all() {
                list = ExceptionList {
                    default_allow: rule.allow,
                    exceptions: BTreeMap::new(),
                };
                continue;
            }
            for key in keys_of(rule) {
                if rule.allow == list.default_allow {
                    list.remove(&key, rule)?;
                } else {
                    *list.exceptions.entry(key).or_default() |= rule.access;
                }
            }
        }
        Ok(list)
    }

    fn remove(&mut self, key: &ExceptionKey, rule: &DeviceRule) -> Result<(), DevicesError> {
        for (exception, access) in &mut self.exceptions {
            if exception.within(key) {
                *access -= rule.access;
            } else if exception.overlaps(key) && access.intersects(rule.access) {
                return Err(DevicesError::HolePunch {
                    rule: rule.cgroup_v1_entry(),
                    exception: exception.entry(*access),
                });
            }
        }
        self.exceptions.retain(|_, access| !access.is_empty());
        Ok(())
    }

    /// The state that a `devices.list` shows; `None` for a line that is not an exception.
    ///
    /// A blacklist shows only `a *:* rwm`: its exceptions cannot be read back, so it parses
    /// as "allow everything" and a transition from it always starts with a reset.
    /// `path` only names the file in the error.
    pub fn parse_list(path: &Path, text: &str) -> Result<Self, DevicesError> {
        let mut list = ExceptionList::default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if line.starts_with("a ") {
                list.default_allow = true;
                continue;
            }
            let key_access = parse_exception(line).ok_or_else(|| DevicesError::ParseList {
                path: path.to_owned(),
                line: line.to_owned(),
            })?;
            *list.exceptions.entry(key_access.0).or_default() |= key_access.1;
        }
        Ok(list)
    }

    /// The writes from `self` (the current state) to `target` that never allow, even for a
    /// moment, a device that neither state allows — except when one must enter "allow
    /// everything" mode, which [`Transition::opens_everything`] flags.
    pub fn transition(&self, target: &ExceptionList) -> Transition {
        let mut transition = Transition::default();
        let mut old = &self.exceptions;
        let empty = BTreeMap::new();
        if self.default_allow || target.default_allow != self.default_allow {
            // A blacklist's exceptions are unknown, and a change of default resets anyway.
            transition.writes.push(TransitionWrite {
                allow: target.default_allow,
                entry: "a".to_owned(),
            });
            transition.opens_everything = target.default_allow;
            old = &empty;
        }
        for (key, access) in old {
            let dropped = *access - target.exceptions.get(key).copied().unwrap_or_default();
            if !dropped.is_empty() {
                transition.writes.push(TransitionWrite {
                    allow: target.default_allow,
                    entry: key.entry(dropped),
                });
            }
        }
        for (key, access) in &target.exceptions {
            let gained = *access - old.get(key).copied().unwrap_or_default();
            if !gained.is_empty() {
                transition.writes.push(TransitionWrite {
                    allow: !target.default_allow,
                    entry: key.entry(gained),
                });
            }
        }
        transition
    }
}

impl fmt::Display for ExceptionList {
    /// The state as `devices.list` shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.default_allow {
            return writeln!(f, "a *:* rwm");
        }
        for (key, access) in &self.exceptions {
            writeln!(f, "{}", key.entry(*access))?;
        }
        Ok(())
    }
}

/// The keys a (checked) rule stands for: one, or a block and a char key for type `a`.
fn keys_of(rule: &DeviceRule) -> Vec<ExceptionKey> {
    let number = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok());
    let key = |block| ExceptionKey {
        block,
        major: number(rule.major),
        minor: number(rule.minor),
    };
    match rule.kind {
        DeviceKind::Block => vec![key(true)],
        DeviceKind::Char => vec![key(false)],
        _ => vec![key(true), key(false)],
    }
}

/// Parses `c 1:3 rwm` (`*` for a wildcard number).
fn parse_exception(line: &str) -> Option<(ExceptionKey, DeviceAccess)> {
    let mut words = line.split_whitespace();
    let block = match words.next()? {
        "b" => true,
        "c" => false,
        _ => return None,
    };
    let (major, minor) = words.next()?.split_once(':')?;
    let number = |n: &str| match n {
        "*" => Some(None),
        n => n.parse().ok().map(Some),
    };
    let access: DeviceAccess = words.next()?.parse().ok()?;
    let key = ExceptionKey {
        block,
        major: number(major)?,
        minor: number(minor)?,
    };
    (words.next().is_none() && !access.is_empty()).then_some((key, access))
}
