//! Finding mounts under a directory, from `/proc/self/mountinfo`.

use std::path::{Path, PathBuf};

use crate::error::{Result, XtaskError};

const MOUNTINFO: &str = "/proc/self/mountinfo";

/// The first mount point at or under `dir`, if any.
pub(super) fn first_mount_under(dir: &Path) -> Result<Option<PathBuf>> {
    let dir = dir
        .canonicalize()
        .map_err(|source| XtaskError::Canonicalize {
            path: dir.to_owned(),
            source,
        })?;
    let text = std::fs::read_to_string(MOUNTINFO).map_err(|source| XtaskError::ReadFile {
        path: MOUNTINFO.into(),
        source,
    })?;
    Ok(mount_points(&text).find(|point| point.starts_with(&dir)))
}

/// The mount points of mountinfo `text`: the fifth field of each line, unescaped.
fn mount_points(text: &str) -> impl Iterator<Item = PathBuf> + '_ {
    text.lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|field| PathBuf::from(unescape(field)))
}

/// Undoes the kernel's octal escapes (`\040` for a space).
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let escaped = rest
            .get(at + 1..at + 4)
            .and_then(|digits| u8::from_str_radix(digits, 8).ok());
        match escaped {
            Some(byte) => {
                out.push(char::from(byte));
                rest = &rest[at + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mount_points() {
        let text = "22 1 0:21 / / rw - overlay overlay rw\n\
                    36 22 98:0 /x /tmp/my\\040root/proc rw - proc proc rw\n";
        let points: Vec<PathBuf> = mount_points(text).collect();
        assert_eq!(
            points,
            [PathBuf::from("/"), PathBuf::from("/tmp/my root/proc")]
        );
        assert!(points[1].starts_with("/tmp/my root"));
        assert!(!points[1].starts_with("/tmp/my"));
    }

    #[test]
    fn unescape_keeps_lone_backslashes() {
        assert_eq!(unescape(r"a\040b\\c\9"), r"a b\\c\9");
    }
}
