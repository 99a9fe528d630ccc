//! Every measurement of a run, by scenario, step and runtime; and the raw CSV of them.

use std::fmt::Write as _;
use std::path::Path;

use super::measure::Sample;
use crate::error::{Result, XtaskError};

/// The runtime names, as they appear in ids, cgroups and the report.
pub const HULL: &str = "hull";
/// crun, the fastest C runtime.
pub const CRUN: &str = "crun";
/// runc, the reference.
pub const RUNC: &str = "runc";
/// No runtime: `unshare` making the same namespaces and running `true`.
pub const FLOOR: &str = "floor";
/// `hull-container` used as a library, from its criterion benchmark.
pub const LIBRARY: &str = "hull-container (library)";

/// Scenario 1: a foreground `run` of a container that exits at once.
pub const RUN: &str = "run";
/// Scenario 2: create, start, wait until stopped, delete.
pub const CYCLE: &str = "create-start-wait-delete";

/// Scenario 3 at `n` containers.
pub fn scale(n: usize) -> String {
    format!("scale-{n}")
}

/// Steps: the subcommand timed, or `total` for a whole lifecycle, `create+start` for the
/// two together.
pub mod step {
    /// `run`.
    pub const RUN: &str = "run";
    /// `create`.
    pub const CREATE: &str = "create";
    /// `start`.
    pub const START: &str = "start";
    /// `create` plus `start` of one container.
    pub const CREATE_START: &str = "create+start";
    /// `state`.
    pub const STATE: &str = "state";
    /// `list`.
    pub const LIST: &str = "list";
    /// `kill`.
    pub const KILL: &str = "kill";
    /// `delete`.
    pub const DELETE: &str = "delete";
    /// A whole create → start → wait → delete.
    pub const TOTAL: &str = "total";
    /// The steps of the scale scenario, in the order they run.
    pub const SCALE: [&str; 5] = [CREATE_START, STATE, LIST, KILL, DELETE];
    /// The subcommands, for the RSS table.
    pub const SUBCOMMANDS: [&str; 7] = [RUN, CREATE, START, STATE, LIST, KILL, DELETE];
}

/// One measurement.
#[derive(Clone, Debug)]
pub struct Record {
    /// The scenario ([`RUN`], [`CYCLE`], [`scale`]).
    pub scenario: String,
    /// The step (see [`step`]).
    pub step: &'static str,
    /// The runtime.
    pub runtime: &'static str,
    /// Its position in the scenario: the round, or the container's number at scale.
    pub ordinal: usize,
    /// What it took.
    pub sample: Sample,
}

/// The measurements of a run.
#[derive(Debug, Default)]
pub struct Results {
    records: Vec<Record>,
}

impl Results {
    /// Adds a measurement.
    pub fn push(
        &mut self,
        scenario: &str,
        step: &'static str,
        runtime: &'static str,
        ordinal: usize,
        sample: Sample,
    ) {
        self.records.push(Record {
            scenario: scenario.to_owned(),
            step,
            runtime,
            ordinal,
            sample,
        });
    }

    /// The records of `scenario`, `step` and `runtime`.
    pub fn select<'a>(
        &'a self,
        scenario: &'a str,
        step: &'a str,
        runtime: &'a str,
    ) -> impl Iterator<Item = &'a Record> + 'a {
        self.records
            .iter()
            .filter(move |r| r.scenario == scenario && r.step == step && r.runtime == runtime)
    }

    /// Wall times in milliseconds of `scenario`, `step` and `runtime`.
    pub fn walls_ms(&self, scenario: &str, step: &str, runtime: &str) -> Vec<f64> {
        self.select(scenario, step, runtime)
            .map(|r| r.sample.wall.as_secs_f64() * 1e3)
            .collect()
    }

    /// CPU times in milliseconds of `scenario`, `step` and `runtime`.
    pub fn cpu_ms(&self, scenario: &str, step: &str, runtime: &str) -> Vec<f64> {
        self.select(scenario, step, runtime)
            .filter_map(|r| r.sample.cpu)
            .map(|cpu| cpu.as_secs_f64() * 1e3)
            .collect()
    }

    /// Peak RSS in MiB of every `step` of `runtime`, in any scenario.
    pub fn rss_mib(&self, step: &str, runtime: &str) -> Vec<f64> {
        self.records
            .iter()
            .filter(|r| r.step == step && r.runtime == runtime)
            .filter_map(|r| r.sample.max_rss_kib)
            .map(|kib| kib as f64 / 1024.0)
            .collect()
    }

    /// Writes every record as CSV: `scenario,step,runtime,ordinal,wall_us,cpu_us,max_rss_kib`.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let mut text = String::from("scenario,step,runtime,ordinal,wall_us,cpu_us,max_rss_kib\n");
        for r in &self.records {
            let cpu = r.sample.cpu.map(|c| c.as_micros().to_string());
            let rss = r.sample.max_rss_kib.map(|k| k.to_string());
            let _ = writeln!(
                text,
                "{},{},{},{},{},{},{}",
                r.scenario,
                r.step,
                r.runtime,
                r.ordinal,
                r.sample.wall.as_micros(),
                cpu.unwrap_or_default(),
                rss.unwrap_or_default()
            ); // writing to a String cannot fail
        }
        std::fs::write(path, text).map_err(|source| XtaskError::WriteFile {
            path: path.to_owned(),
            source,
        })
    }
}
