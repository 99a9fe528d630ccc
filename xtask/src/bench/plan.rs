//! How much to measure: a full run for numbers, or `--quick` to see it all work in about a
//! minute.

use std::time::Duration;

/// The sizes of one benchmark run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Whether this is the quick run.
    pub quick: bool,
    /// Unrecorded rounds of `run` first, to warm caches.
    pub warmups: usize,
    /// Rounds of scenario 1 (each: one `run` per runtime and the floor).
    pub runs: usize,
    /// Rounds of scenario 2 (each: one lifecycle per runtime).
    pub cycles: usize,
    /// The container counts of scenario 3.
    pub scales: Vec<usize>,
    /// How many times `list` is timed at each count.
    pub lists: usize,
    /// The pause before each command that puts a process in a cgroup (see
    /// [`super::lab::Lab::settle`]).
    pub settle: Duration,
}

/// Longer than the ~10 ms after which a cgroup write finds the kernel quiet again.
const SETTLE: Duration = Duration::from_millis(50);

impl Plan {
    /// The full plan, or the quick one.
    pub fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                quick,
                warmups: 1,
                runs: 10,
                cycles: 8,
                scales: vec![5, 15],
                lists: 3,
                settle: SETTLE,
            }
        } else {
            Plan {
                quick,
                warmups: 3,
                runs: 150,
                cycles: 100,
                scales: vec![50, 150],
                lists: 20,
                settle: SETTLE,
            }
        }
    }
}
