//! Clock offsets of a new time namespace (`time_namespaces(7)`).

use std::fmt::Write as _;
use std::path::PathBuf;

use hull_configs::TimeOffsets;
use nix::unistd::Pid;

use crate::error::{NamespacesError, Result};
use crate::mapper::write_once;

/// The kernel's limit on the nanoseconds of an offset (exclusive).
const NANOS_PER_SEC: u32 = 1_000_000_000;

/// What to write to `timens_offsets` for `offsets`: one `<clock> <secs> <nanosecs>` line per
/// clock, all in one `write(2)`.
///
/// # Errors
///
/// [`NamespacesError::InvalidTimeOffset`] for nanoseconds of a second or more, which the
/// kernel refuses.
pub(crate) fn time_offsets_content(offsets: &TimeOffsets) -> Result<String> {
    let mut content = String::new();
    for (&clock, offset) in offsets {
        if offset.nanosecs >= NANOS_PER_SEC {
            return Err(NamespacesError::InvalidTimeOffset {
                clock,
                nanosecs: offset.nanosecs,
            });
        }
        // Writing to a String cannot fail.
        let _ = writeln!(content, "{clock} {} {}", offset.secs, offset.nanosecs);
    }
    Ok(content)
}

/// Sets the clock offsets of the time namespace that `pid` has unshared
/// (`/proc/<pid>/ns/time_for_children`), by writing `/proc/<pid>/timens_offsets`.
///
/// The kernel takes offsets only while that namespace has no process yet: call this after
/// `pid` unshared `CLONE_NEWTIME` and before it forks. Nothing is written for no offsets.
/// The writer needs `CAP_SYS_TIME` in the user namespace that owns the time namespace.
///
/// # Errors
///
/// [`NamespacesError::InvalidTimeOffset`], or [`NamespacesError::WriteTimeOffsets`] with the
/// kernel's error (`EACCES` once the namespace has a process, `EPERM` without
/// `CAP_SYS_TIME`, `ERANGE` for an offset that takes a clock below zero).
///
/// # References
///
/// <https://man7.org/linux/man-pages/man7/time_namespaces.7.html>
#[doc(alias = "timens_offsets")]
pub fn write_time_offsets(pid: Pid, offsets: &TimeOffsets) -> Result<()> {
    let content = time_offsets_content(offsets)?;
    if content.is_empty() {
        return Ok(());
    }
    let path = PathBuf::from(format!("/proc/{pid}/timens_offsets"));
    write_once(&path, content.as_bytes())
        .map_err(|source| NamespacesError::WriteTimeOffsets { path, source })
}

#[cfg(test)]
mod tests {
    use hull_configs::{Clock, TimeOffset};

    use super::*;

    fn offsets(entries: &[(Clock, i64, u32)]) -> TimeOffsets {
        entries
            .iter()
            .map(|&(clock, secs, nanosecs)| (clock, TimeOffset { secs, nanosecs }))
            .collect()
    }

    #[test]
    fn one_line_per_clock_monotonic_first() {
        let both = offsets(&[(Clock::Boottime, -20, 0), (Clock::Monotonic, 86_400, 500)]);
        assert_eq!(
            time_offsets_content(&both).unwrap(),
            "monotonic 86400 500\nboottime -20 0\n"
        );
        let one = offsets(&[(Clock::Boottime, 7, 999_999_999)]);
        assert_eq!(
            time_offsets_content(&one).unwrap(),
            "boottime 7 999999999\n"
        );
        assert_eq!(time_offsets_content(&TimeOffsets::new()).unwrap(), "");
    }

    #[test]
    fn refuses_a_second_or_more_of_nanoseconds() {
        let bad = offsets(&[(Clock::Monotonic, 1, 1_000_000_000)]);
        let err = time_offsets_content(&bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the monotonic offset has 1000000000 nanoseconds, a second or more"
        );
    }

    #[test]
    fn no_offsets_write_nothing() {
        // Pid 0 has no proc directory: anything written would fail.
        write_time_offsets(Pid::from_raw(0), &TimeOffsets::new()).unwrap();
    }
}
