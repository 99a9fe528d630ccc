//! Device nodes created in a container and the device cgroup rules that govern access.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use bitflags::bitflags;
use serde::{Deserialize, Serialize};

use crate::names::named_enum;

named_enum! {
    /// The type of a device, or of the devices a rule covers.
    pub enum DeviceKind("device type") {
        /// Every type; only in cgroup rules.
        All = "a",
        /// A block device.
        Block = "b",
        /// A character device.
        Char = "c",
        /// A FIFO; only for device nodes.
        Fifo = "p",
    }
}

impl DeviceKind {
    /// The file-type bits of `mknod(2)` for a node of this kind; `None` for [`DeviceKind::All`].
    pub const fn mode_bits(self) -> Option<u32> {
        match self {
            DeviceKind::All => None,
            DeviceKind::Block => Some(libc::S_IFBLK),
            DeviceKind::Char => Some(libc::S_IFCHR),
            DeviceKind::Fifo => Some(libc::S_IFIFO),
        }
    }
}

bitflags! {
    /// Access a device rule grants or denies: read, write, mknod.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct DeviceAccess: u8 {
        /// Read.
        const READ = 1;
        /// Write.
        const WRITE = 2;
        /// Create the node with mknod.
        const MKNOD = 4;
    }
}

/// A device access string with a letter other than `r`, `w` or `m`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid device access {0:?}, expected letters from \"rwm\"")]
pub struct InvalidDeviceAccess(pub String);

impl FromStr for DeviceAccess {
    type Err = InvalidDeviceAccess;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.chars()
            .try_fold(DeviceAccess::empty(), |access, c| match c {
                'r' => Ok(access | DeviceAccess::READ),
                'w' => Ok(access | DeviceAccess::WRITE),
                'm' => Ok(access | DeviceAccess::MKNOD),
                _ => Err(InvalidDeviceAccess(s.to_owned())),
            })
    }
}

impl fmt::Display for DeviceAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (flag, letter) in [(Self::READ, "r"), (Self::WRITE, "w"), (Self::MKNOD, "m")] {
            if self.contains(flag) {
                f.write_str(letter)?;
            }
        }
        Ok(())
    }
}

impl Serialize for DeviceAccess {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DeviceAccess {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// One device cgroup rule. For each access asked (read, write, mknod), the last rule in
/// the list that covers the device and that access decides; when no rule covers it, the
/// access is denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRule {
    /// The type of devices covered.
    #[serde(rename = "type")]
    pub kind: DeviceKind,
    /// The major number; `None` is every major.
    pub major: Option<i64>,
    /// The minor number; `None` is every minor.
    pub minor: Option<i64>,
    /// The access covered.
    pub access: DeviceAccess,
    /// Whether the rule allows (or denies) that access.
    pub allow: bool,
}

impl DeviceRule {
    /// The rule in `devices.allow` syntax: `c 1:3 rwm`, `a *:* rwm`.
    pub fn cgroup_v1_entry(&self) -> String {
        let number = |n: Option<i64>| n.map_or_else(|| "*".to_owned(), |n| n.to_string());
        format!(
            "{} {}:{} {}",
            self.kind,
            number(self.major),
            number(self.minor),
            self.access
        )
    }
}

/// A device node to create in a container's `/dev`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Where the node goes, inside the container.
    pub path: PathBuf,
    /// Block, character or FIFO.
    #[serde(rename = "type")]
    pub kind: DeviceKind,
    /// The major number.
    pub major: i64,
    /// The minor number.
    pub minor: i64,
    /// Permission bits of the node (without the file-type bits).
    pub file_mode: u32,
    /// The node's owner, as seen outside any user namespace.
    pub uid: u32,
    /// The node's group, as seen outside any user namespace.
    pub gid: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_parses_and_prints_in_canonical_order() {
        let access: DeviceAccess = "mwr".parse().unwrap();
        assert_eq!(access, DeviceAccess::all());
        assert_eq!(access.to_string(), "rwm");
        assert_eq!("".parse::<DeviceAccess>().unwrap(), DeviceAccess::empty());
        assert!("rwx".parse::<DeviceAccess>().is_err());
    }

    #[test]
    fn rule_prints_in_devices_allow_syntax() {
        let rule = DeviceRule {
            kind: DeviceKind::Char,
            major: Some(136),
            minor: None,
            access: DeviceAccess::all(),
            allow: true,
        };
        assert_eq!(rule.cgroup_v1_entry(), "c 136:* rwm");
    }
}
