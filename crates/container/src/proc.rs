//! What hull reads about processes from `/proc`.

use std::fs;
use std::io::{ErrorKind, Read};

use crate::error::Result;
use crate::state::StateError;

/// What hull reads of `/proc/<pid>/stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stat {
    /// The state letter (field 3): `R`, `S`, `Z`, ...
    pub(crate) state: u8,
    /// The start time (field 22, clock ticks after boot).
    pub(crate) start_time: u64,
}

impl Stat {
    /// A zombie (`Z`) or dead (`X`) process.
    pub(crate) fn is_zombie(&self) -> bool {
        matches!(self.state, b'Z' | b'X')
    }
}

/// `/proc/<pid>/stat`, read once, or `None` when there is no such process.
pub(crate) fn stat(pid: i32) -> Result<Option<Stat>> {
    let path = format!("/proc/{pid}/stat");
    // The line is a few hundred bytes: one read fills it, a second sees the end.
    let mut text = Vec::with_capacity(1024);
    let read = fs::File::open(&path).and_then(|mut file| file.read_to_end(&mut text));
    match read {
        Ok(_) => {}
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StateError::ReadProc {
                path: path.into(),
                source,
            }
            .into());
        }
    }
    let parsed = parse_stat(&text);
    parsed
        .map(Some)
        .ok_or_else(|| StateError::ParseProcStat { pid }.into())
}

/// Fields 3 and 22 of a stat line: after the command name, which is in parentheses and
/// may hold anything (the last `)` ends it).
fn parse_stat(text: &[u8]) -> Option<Stat> {
    let end = text.iter().rposition(|&b| b == b')')?;
    let rest = std::str::from_utf8(&text[end + 1..]).ok()?;
    let mut fields = rest.split_ascii_whitespace();
    let state = *fields.next()?.as_bytes().first()?;
    // Field 3 was the first after the name; field 22 is the 19th after it.
    let start_time = fields.nth(18)?.parse().ok()?;
    Some(Stat { state, start_time })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_start_time_is_stable() {
        let pid = std::process::id() as i32;
        let first = stat(pid).unwrap().unwrap();
        assert_eq!(stat(pid).unwrap().unwrap().start_time, first.start_time);
        assert!(!first.is_zombie());
    }

    #[test]
    fn a_missing_process_has_no_stat() {
        // Pids above pid_max (at most 2^22) never exist.
        assert_eq!(stat(1 << 23).unwrap(), None);
    }

    #[test]
    fn a_command_name_with_spaces_and_parentheses_is_skipped() {
        let line = b"42 (a) b (c)) Z 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0\n";
        let stat = parse_stat(line).unwrap();
        assert_eq!(stat.state, b'Z');
        assert_eq!(stat.start_time, 777);
        assert!(stat.is_zombie());
        assert_eq!(parse_stat(b"42 (x) S 1"), None);
    }
}
