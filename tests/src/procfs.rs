//! Parsers for the `/proc/self` files that `hull-probe report` reads.
//!
//! They take the file's text and never fail: a line they do not understand is skipped, a
//! value they cannot parse stays `None`.

use crate::report::{Capabilities, Mount};

/// The fields of `/proc/PID/status` that a [`crate::Report`] holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// `CapInh`, `CapPrm`, `CapEff`, `CapBnd`, `CapAmb` (hexadecimal masks).
    pub capabilities: Capabilities,
    /// `NoNewPrivs`.
    pub no_new_privs: Option<bool>,
    /// `Seccomp`.
    pub seccomp: Option<u32>,
    /// `Seccomp_filters`.
    pub seccomp_filters: Option<u32>,
    /// `Umask` (octal).
    pub umask: Option<u32>,
}

/// Reads the fields a report needs from the text of `/proc/PID/status`.
///
/// `proc_pid_status(5)`: <https://man7.org/linux/man-pages/man5/proc_pid_status.5.html>
pub fn parse_status(text: &str) -> Status {
    let mut status = Status::default();
    let caps = &mut status.capabilities;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let hex = || u64::from_str_radix(value, 16).ok();
        match key {
            "CapInh" => caps.inheritable = hex(),
            "CapPrm" => caps.permitted = hex(),
            "CapEff" => caps.effective = hex(),
            "CapBnd" => caps.bounding = hex(),
            "CapAmb" => caps.ambient = hex(),
            "NoNewPrivs" => {
                status.no_new_privs = match value {
                    "0" => Some(false),
                    "1" => Some(true),
                    _ => None,
                }
            }
            "Seccomp" => status.seccomp = value.parse().ok(),
            "Seccomp_filters" => status.seccomp_filters = value.parse().ok(),
            "Umask" => status.umask = u32::from_str_radix(value, 8).ok(),
            _ => {}
        }
    }
    status
}

/// Reads the mounts listed in the text of `/proc/PID/mountinfo`, in its order.
///
/// `proc_pid_mountinfo(5)`: <https://man7.org/linux/man-pages/man5/proc_pid_mountinfo.5.html>
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines().filter_map(parse_mountinfo_line).collect()
}

/// One line: `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`.
fn parse_mountinfo_line(line: &str) -> Option<Mount> {
    // Spaces inside fields are escaped as `\040`, so " - " only ever ends the optional fields.
    let (mount_fields, fs_fields) = line.split_once(" - ")?;
    // Mount id, parent id and major:minor come first.
    let mut mount_fields = mount_fields.split(' ').skip(3);
    let root = unescape(mount_fields.next()?);
    let mount_point = unescape(mount_fields.next()?);
    let options = list(mount_fields.next()?);
    let mut fs_fields = fs_fields.split(' ');
    let fs_type = unescape(fs_fields.next()?);
    let source = unescape(fs_fields.next()?);
    let super_options = list(fs_fields.next().unwrap_or_default());
    Some(Mount {
        root,
        mount_point,
        options,
        fs_type,
        source,
        super_options,
    })
}

/// A comma-separated option list.
fn list(options: &str) -> Vec<String> {
    options
        .split(',')
        .filter(|o| !o.is_empty())
        .map(unescape)
        .collect()
}

/// Undoes the kernel's octal escapes (`\040` for a space, `\134` for a backslash).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|digits| {
            let digits = std::str::from_utf8(digits).ok()?;
            u8::from_str_radix(digits, 8).ok()
        });
        match (bytes[i], octal) {
            (b'\\', Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\thull-probe\nUmask:\t0022\nState:\tR (running)\n\
        CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n\
        CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n\
        Seccomp:\t2\nSeccomp_filters:\t3\nSpeculation_Store_Bypass:\tthread vulnerable\n";

    #[test]
    fn status_fields() {
        let status = parse_status(STATUS);
        assert_eq!(status.umask, Some(0o22));
        assert_eq!(status.capabilities.inheritable, Some(0));
        assert_eq!(status.capabilities.effective, Some(0x1ff_ffff_ffff));
        assert_eq!(status.capabilities.ambient, Some(0));
        assert_eq!(status.no_new_privs, Some(true));
        assert_eq!(status.seccomp, Some(2));
        assert_eq!(status.seccomp_filters, Some(3));
    }

    #[test]
    fn status_of_an_old_kernel_leaves_missing_fields_none() {
        let status = parse_status("CapEff:\t0000003fffffffff\nNoNewPrivs:\tmaybe\n");
        assert_eq!(status.capabilities.effective, Some(0x3f_ffff_ffff));
        assert_eq!(status.capabilities.ambient, None);
        assert_eq!(status.no_new_privs, None);
        assert_eq!(status.umask, None);
        assert_eq!(parse_status(""), Status::default());
    }

    #[test]
    fn mountinfo_lines() {
        let text = "22 1 0:21 / / rw,relatime - overlay overlay rw,lowerdir=/a\n\
            36 22 98:0 /mnt1 /my\\040dir rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n\
            37 22 0:5 / /proc rw,nosuid - proc proc rw\n\
            garbage line\n";
        let mounts = parse_mountinfo(text);
        assert_eq!(mounts.len(), 3);
        assert_eq!(mounts[0].mount_point, "/");
        assert_eq!(mounts[0].fs_type, "overlay");
        assert_eq!(mounts[1].root, "/mnt1");
        assert_eq!(mounts[1].mount_point, "/my dir");
        assert_eq!(mounts[1].options, ["rw", "noatime"]);
        assert_eq!(mounts[1].source, "/dev/root");
        assert_eq!(mounts[1].super_options, ["rw", "errors=continue"]);
        assert!(mounts[2].has_option("nosuid"));
        assert!(!mounts[2].has_option("ro"));
    }

    #[test]
    fn unescape_keeps_lone_backslashes() {
        assert_eq!(unescape(r"a\134b"), r"a\b");
        assert_eq!(unescape(r"a\9"), r"a\9");
        assert_eq!(unescape("tail\\"), "tail\\");
    }
}
