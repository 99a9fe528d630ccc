//! What hull reads about processes from `/proc`.

use std::fs;
use std::io::ErrorKind;

use crate::error::Result;
use crate::state::StateError;

/// The start time of `pid` (field 22 of `/proc/<pid>/stat`, clock ticks after boot), or
/// `None` when there is no such process.
pub(crate) fn start_time(pid: i32) -> Result<Option<u64>> {
    let Some(stat) = read_stat(pid)? else {
        return Ok(None);
    };
    // Fields after the command name, which is in parentheses and may hold anything.
    let fields = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    // `rest` starts with field 3 (state); field 22 is the 20th after the name.
    let field = fields.split_whitespace().nth(19);
    field
        .and_then(|f| f.parse().ok())
        .map(Some)
        .ok_or_else(|| StateError::ParseProcStat { pid }.into())
}

/// Whether `pid` is a zombie (state `Z`) or dead (`X`).
pub(crate) fn is_zombie(pid: i32) -> bool {
    let Ok(Some(stat)) = read_stat(pid) else {
        return false;
    };
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next());
    matches!(state, Some("Z" | "X"))
}

fn read_stat(pid: i32) -> Result<Option<String>> {
    let path = format!("/proc/{pid}/stat");
    match fs::read_to_string(&path) {
        Ok(stat) => Ok(Some(stat)),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StateError::ReadProc {
            path: path.into(),
            source,
        }
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_start_time_is_stable() {
        let pid = std::process::id() as i32;
        let first = start_time(pid).unwrap().unwrap();
        assert_eq!(start_time(pid).unwrap(), Some(first));
        assert!(!is_zombie(pid));
    }

    #[test]
    fn a_missing_process_has_no_start_time() {
        // Pids above pid_max (at most 2^22) never exist.
        assert_eq!(start_time(1 << 23).unwrap(), None);
    }
}
