//! The lines of `/proc/<pid>/mountinfo` (`proc_pid_mountinfo(5)`), parsed once for every
//! crate that reads the mount table.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

/// One mount, as a mountinfo line describes it:
/// `ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountInfo {
    /// The mount's id.
    pub id: u32,
    /// The id of the mount it sits on.
    pub parent_id: u32,
    /// The directory of the filesystem that is mounted (`/` for a whole filesystem).
    pub root: PathBuf,
    /// Where it is mounted.
    pub mount_point: PathBuf,
    /// Per-mount options (`rw,nosuid,relatime`).
    pub mount_options: String,
    /// The filesystem type (`cgroup2`, `proc`).
    pub fs_type: String,
    /// The filesystem's source (`/dev/vda1`, `none`).
    pub source: String,
    /// Per-filesystem options (`rw,memory` for a v1 cgroup hierarchy).
    pub super_options: String,
}

impl MountInfo {
    /// Parses one line; `None` when it is not a mountinfo line.
    pub fn parse(line: &str) -> Option<MountInfo> {
        let (before, after) = line.split_once(" - ")?;
        let mut fields = before.split(' ');
        let id = fields.next()?.parse().ok()?;
        let parent_id = fields.next()?.parse().ok()?;
        let root = unescape(fields.nth(1)?);
        let mount_point = unescape(fields.next()?);
        let mount_options = fields.next()?.to_owned();
        let mut after = after.split(' ');
        Some(MountInfo {
            id,
            parent_id,
            root,
            mount_point,
            mount_options,
            fs_type: after.next()?.to_owned(),
            source: after.next().unwrap_or_default().to_owned(),
            super_options: after.next().unwrap_or_default().to_owned(),
        })
    }
}

/// Every mount of a mountinfo text, in order; lines that do not parse are skipped.
pub fn parse_mountinfo(text: &str) -> Vec<MountInfo> {
    text.lines().filter_map(MountInfo::parse).collect()
}

/// Undoes the kernel's `\ooo` escapes of path fields (`\040` for a space).
fn unescape(field: &str) -> PathBuf {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal {
            Some(d) => {
                let value = u32::from(d[0] - b'0') * 64
                    + u32::from(d[1] - b'0') * 8
                    + u32::from(d[2] - b'0');
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    PathBuf::from(OsString::from_vec(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_field() {
        let line = "36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw,errors=continue";
        let mount = MountInfo::parse(line).unwrap();
        assert_eq!((mount.id, mount.parent_id), (36, 35));
        assert_eq!(mount.root, PathBuf::from("/mnt1"));
        assert_eq!(mount.mount_point, PathBuf::from("/mnt/with space"));
        assert_eq!(mount.mount_options, "rw,noatime");
        assert_eq!(mount.fs_type, "ext3");
        assert_eq!(mount.source, "/dev/root");
        assert_eq!(mount.super_options, "rw,errors=continue");
    }

    #[test]
    fn skips_what_is_not_a_mount_line() {
        let text = "garbage\n25 1 0:23 / /sys/fs/cgroup rw shared:9 - cgroup2 cgroup2 rw\n";
        let mounts = parse_mountinfo(text);
        assert_eq!(mounts.len(), 1);
        assert_eq!(mounts[0].fs_type, "cgroup2");
    }

    #[test]
    fn a_backslash_without_octal_digits_stays() {
        assert_eq!(unescape("a\\x\\0"), PathBuf::from("a\\x\\0"));
        assert_eq!(unescape("tab\\011end"), PathBuf::from("tab\tend"));
        assert_eq!(unescape("/a\\040b\\134c"), PathBuf::from("/a b\\c"));
        assert_eq!(unescape("/trailing\\04"), PathBuf::from("/trailing\\04"));
    }
}
