//! Scenario 1: `run` in the foreground of a container that exits at once, each runtime and
//! the floor in turn, round after round; and the check that each runtime really runs a
//! container here.

use std::path::Path;

use super::BenchError;
use super::lab::{Lab, rotation};
use super::plan::Plan;
use super::results::{FLOOR, RUN, Results, step};
use super::runtime;

/// What every measured container runs.
pub const TRUE: &[&str] = &["/bin/true"];

/// What the check container prints.
const GREETING: &str = "hull-bench: ok";

/// Has every runtime run a container that prints a line, and checks that it did: proof
/// that each works in this mount namespace (crun included) before anything is measured.
pub fn check(lab: &mut Lab<'_>, output: &Path) -> crate::error::Result<()> {
    for index in 0..lab.runtimes.len() {
        let id = lab.prepare(index, &["/bin/echo", GREETING])?;
        let runtime = &lab.runtimes[index];
        let mut cmd = runtime.run(&lab.bundle.dir, &id);
        lab.settle();
        lab.meter.measure_into(&mut cmd, output)?;
        let name = runtime.name;
        lab.gone(index, &id);
        let got = std::fs::read_to_string(output).unwrap_or_default();
        if got.trim() != GREETING {
            return Err(BenchError::Check {
                runtime: name,
                expected: GREETING,
                got,
            }
            .into());
        }
        println!("bench: {name} ran a container here");
    }
    Ok(())
}

/// Runs scenario 1: `plan.warmups` unrecorded rounds, then `plan.runs` recorded ones.
/// Each round runs every runtime and the floor, in an order rotated round by round.
pub fn run(
    lab: &mut Lab<'_>,
    results: &mut Results,
    plan: &Plan,
    unshare: &Path,
) -> crate::error::Result<()> {
    let floor = lab.runtimes.len();
    for round in 0..plan.warmups + plan.runs {
        let recorded = round.checked_sub(plan.warmups);
        for index in rotation(round, floor + 1) {
            let (name, sample) = if index == floor {
                lab.settle();
                (FLOOR, lab.meter.measure(&mut runtime::floor(unshare))?)
            } else {
                let id = lab.prepare(index, TRUE)?;
                let runtime = &lab.runtimes[index];
                lab.settle();
                let sample = lab.meter.measure(&mut runtime.run(&lab.bundle.dir, &id))?;
                let name = runtime.name;
                lab.gone(index, &id);
                (name, sample)
            };
            if let Some(ordinal) = recorded {
                results.push(RUN, step::RUN, name, ordinal, sample);
            }
        }
    }
    Ok(())
}
