//! Scenario 2: `create`, `start`, wait until the container has stopped, `delete`; each
//! runtime in turn, round after round. Each step is recorded, and the whole as `total`.

use std::time::Instant;

use super::foreground::TRUE;
use super::lab::{Lab, wait_exit};
use super::measure::Sample;
use super::plan::Plan;
use super::results::{CYCLE, Results, step};
use crate::error::Result;

/// Runs scenario 2 for `plan.cycles` rounds.
pub fn run(lab: &mut Lab<'_>, results: &mut Results, plan: &Plan) -> Result<()> {
    for round in 0..plan.cycles {
        for index in lab.order(round) {
            cycle(lab, results, index, round)?;
        }
    }
    Ok(())
}

/// One lifecycle of one container of runtime `index`. The wait is ours: the container's
/// init is our child once `create` has exited (we are the subreaper), so no runtime
/// command is needed to see it stop.
fn cycle(lab: &mut Lab<'_>, results: &mut Results, index: usize, round: usize) -> Result<()> {
    let id = lab.prepare(index, TRUE)?;
    let runtime = &lab.runtimes[index];
    let (bundle, pid_file) = (&lab.bundle.dir, lab.pid_file(&id));
    let name = runtime.name;
    lab.settle();
    let started = Instant::now();
    let create = lab
        .meter
        .measure(&mut runtime.create(bundle, &pid_file, &id))?;
    let pid = lab.read_pid(&id)?;
    let start = lab.meter.measure(&mut runtime.start(&id))?;
    wait_exit(pid)?;
    let delete = lab.meter.measure(&mut runtime.delete(&id, false))?;
    let total = Sample::composite(started.elapsed());
    lab.gone(index, &id);
    for (step, sample) in [
        (step::CREATE, create),
        (step::START, start),
        (step::DELETE, delete),
        (step::TOTAL, total),
    ] {
        results.push(CYCLE, step, name, round, sample);
    }
    Ok(())
}
