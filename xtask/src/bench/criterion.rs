//! The crates' criterion benchmarks: `cargo bench --workspace --bench '*'`, streamed, then
//! a summary of each benchmark's time estimate and every `summary:` line a benchmark
//! printed (measures that are not times, such as the instructions a seccomp program
//! executes per syscall).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use crate::command;
use crate::error::{Result, XtaskError};

/// Runs the benchmarks with `env` set (what the library benchmark needs) and returns their
/// summary lines; `quick` passes criterion's `--quick` (fewer samples, for a smoke run).
pub fn run(quick: bool, env: &[(&str, &Path)]) -> Result<Vec<String>> {
    let mut cmd = crate::cargo::cargo();
    cmd.envs(env.iter().copied());
    // `--bench *` selects the bench targets only: `--benches` also runs every library's test
    // harness in bench mode, which refuses criterion's options.
    cmd.args(["bench", "--workspace", "--bench", "*"]);
    if quick {
        cmd.args(["--", "--quick"]);
    }
    let described = command::describe(&cmd);
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|source| XtaskError::Spawn {
            command: described.clone(),
            source,
        })?;
    let mut summary = Summary::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|source| XtaskError::ReadOutput {
                command: described.clone(),
                source,
            })?;
            println!("{line}");
            summary.take(&line);
        }
    }
    command::wait(&mut child, described)?;
    Ok(summary.lines)
}

/// The summary lines gathered from the benchmarks' output.
#[derive(Debug, Default)]
struct Summary {
    /// The last benchmark id criterion printed on a line of its own.
    id: Option<String>,
    /// What to print at the end.
    lines: Vec<String>,
}

impl Summary {
    /// Takes what matters from one line of output.
    fn take(&mut self, line: &str) {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("summary:") {
            self.lines.push(rest.trim().to_owned());
        } else if let Some((id, estimate)) = line.split_once("time:") {
            let id = match id.trim() {
                "" => self.id.take().unwrap_or_default(),
                id => id.to_owned(),
            };
            self.lines.push(format!("{id}: {}", time(estimate)));
        } else if !line.starts_with(char::is_whitespace)
            && !trimmed.is_empty()
            && !trimmed.starts_with("Benchmarking ")
        {
            // Criterion prints a long id on a line of its own, right before its time.
            self.id = Some(trimmed.to_owned());
        }
    }
}

/// `[125.48 µs 125.68 µs 126.47 µs]` as `125.68 µs (125.48 µs .. 126.47 µs)`.
fn time(estimate: &str) -> String {
    let words: Vec<&str> = estimate
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split_whitespace()
        .collect();
    match words.as_slice() {
        [low, low_unit, mean, mean_unit, high, high_unit] => {
            format!("{mean} {mean_unit} ({low} {low_unit} .. {high} {high_unit})")
        }
        _ => estimate.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_times_and_summaries() {
        let mut summary = Summary::default();
        for line in [
            "Benchmarking seccomp/compile/docker-default: Analyzing",
            "seccomp/compile/docker-default",
            "                        time:   [125.48 µs 125.68 µs 126.47 µs]",
            "short              time:   [1.0 ns 2.0 ns 3.0 ns]",
            "summary: seccomp/walk/docker-default: 11.30 instructions per syscall",
            "Gnuplot not found, using plotters backend",
            "passwd-100k/exec_user by name, near the end",
            "                        time:   [3.7596 ms 3.7647 ms 3.7851 ms]",
        ] {
            summary.take(line);
        }
        assert_eq!(
            summary.lines,
            [
                "seccomp/compile/docker-default: 125.68 µs (125.48 µs .. 126.47 µs)",
                "short: 2.0 ns (1.0 ns .. 3.0 ns)",
                "seccomp/walk/docker-default: 11.30 instructions per syscall",
                "passwd-100k/exec_user by name, near the end: 3.7647 ms (3.7596 ms .. 3.7851 ms)",
            ]
        );
    }
}
