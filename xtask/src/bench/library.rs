//! Scenario 6, the library without the CLI: the per-iteration times of
//! `crates/container/benches/lifecycle.rs`, from the samples criterion keeps.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::BenchError;
use crate::error::{Result, XtaskError};

/// Where criterion keeps the last samples of the library benchmark, under `target/`.
const SAMPLES: &str = "criterion/container/create-run-wait-destroy/new/sample.json";

/// The mean time of one iteration in each of criterion's samples, when the library
/// benchmark wrote them after `since`; `None` when it did not run (it was skipped).
pub fn samples(target: &Path, since: SystemTime) -> Result<Option<Vec<Duration>>> {
    let path = target.join(SAMPLES);
    let fresh = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .is_ok_and(|modified| modified >= since);
    if !fresh {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|source| XtaskError::ReadFile {
        path: path.clone(),
        source,
    })?;
    parse(&text, path).map(Some)
}

/// Criterion's `{"iters": [...], "times": [...]}` (times in nanoseconds per sample) as the
/// time of one iteration per sample.
fn parse(text: &str, path: PathBuf) -> Result<Vec<Duration>> {
    let value: Value = serde_json::from_str(text).map_err(|source| BenchError::Samples {
        path: path.clone(),
        source,
    })?;
    let numbers = |field: &str| -> Vec<f64> {
        value[field]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    let (iters, times) = (numbers("iters"), numbers("times"));
    Ok(iters
        .iter()
        .zip(&times)
        .filter(|&(&iters, _)| iters > 0.0)
        .map(|(iters, nanos)| Duration::from_secs_f64(nanos / iters / 1e9))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_iteration_times() {
        let text = r#"{"sampling_mode":"Flat","iters":[2.0,4.0],"times":[60000000.0,100000000.0]}"#;
        let times = parse(text, PathBuf::from("s.json")).unwrap();
        assert_eq!(
            times,
            [Duration::from_millis(30), Duration::from_millis(25)]
        );
    }
}
