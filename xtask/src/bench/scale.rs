//! Scenario 3: N detached `sleep` containers per runtime, made and removed one by one,
//! the runtimes taking turns container by container: `create` + `start` each, `list`
//! (several times), `state` each, `kill` each, wait for them all, `delete` each. Whether a
//! runtime's cost per container grows with N shows in the medians at two N, and in the
//! first and last containers made at the larger N.

use std::thread;
use std::time::Duration;

use super::lab::{Lab, wait_exit};
use super::measure::Sample;
use super::plan::Plan;
use super::results::{self, Results, step};
use crate::error::Result;

/// What the scale containers run: sleep for far longer than any run takes.
const SLEEP: &[&str] = &["/bin/sleep", "100000"];

/// How long the kernel may take to tear down the namespaces of the containers of one count
/// before the next count starts (network namespaces are freed asynchronously).
const SETTLE: Duration = Duration::from_secs(1);

/// One scale container: its runtime, id and init pid.
struct Running {
    index: usize,
    id: String,
    pid: u32,
}

/// Runs scenario 3 at each count of `plan.scales`.
pub fn run(lab: &mut Lab<'_>, results: &mut Results, plan: &Plan) -> Result<()> {
    for &n in &plan.scales {
        let scenario = results::scale(n);
        println!("bench: {n} containers per runtime");
        let running = start_all(lab, results, &scenario, n)?;
        list(lab, results, &scenario, plan.lists)?;
        each(lab, results, &scenario, &running, step::STATE)?;
        each(lab, results, &scenario, &running, step::KILL)?;
        for container in &running {
            wait_exit(container.pid)?;
        }
        each(lab, results, &scenario, &running, step::DELETE)?;
        thread::sleep(SETTLE);
    }
    Ok(())
}

/// Creates and starts `n` containers per runtime, the runtimes taking turns.
fn start_all(
    lab: &mut Lab<'_>,
    results: &mut Results,
    scenario: &str,
    n: usize,
) -> Result<Vec<Running>> {
    let mut running = Vec::with_capacity(n * lab.runtimes.len());
    for ordinal in 0..n {
        for index in lab.order(ordinal) {
            let id = lab.prepare(index, SLEEP)?;
            let runtime = &lab.runtimes[index];
            let pid_file = lab.pid_file(&id);
            lab.settle();
            let create = lab
                .meter
                .measure(&mut runtime.create(&lab.bundle.dir, &pid_file, &id))?;
            let pid = lab.read_pid(&id)?;
            // Recorded now: a failed start leaves a container for the cleanup to delete.
            running.push(Running { index, id, pid });
            let id = &running[running.len() - 1].id;
            let start = lab.meter.measure(&mut runtime.start(id))?;
            let both = Sample::composite(create.wall + start.wall);
            let name = runtime.name;
            results.push(scenario, step::CREATE, name, ordinal, create);
            results.push(scenario, step::START, name, ordinal, start);
            results.push(scenario, step::CREATE_START, name, ordinal, both);
        }
    }
    Ok(running)
}

/// Times `list` `times` times per runtime.
fn list(lab: &Lab<'_>, results: &mut Results, scenario: &str, times: usize) -> Result<()> {
    for ordinal in 0..times {
        for index in lab.order(ordinal) {
            let runtime = &lab.runtimes[index];
            let sample = lab.meter.measure(&mut runtime.list())?;
            results.push(scenario, step::LIST, runtime.name, ordinal, sample);
        }
    }
    Ok(())
}

/// Times `step` (`state`, `kill` or `delete`) on every container, in the order they were
/// made, so that the runtimes take turns (in the rotating order of their creation).
fn each(
    lab: &mut Lab<'_>,
    results: &mut Results,
    scenario: &str,
    running: &[Running],
    step: &'static str,
) -> Result<()> {
    let per_runtime = lab.runtimes.len().max(1);
    for (at, container) in running.iter().enumerate() {
        let runtime = &lab.runtimes[container.index];
        let mut cmd = match step {
            step::STATE => runtime.state(&container.id),
            step::KILL => runtime.kill(&container.id),
            _ => runtime.delete(&container.id, false),
        };
        let sample = lab.meter.measure(&mut cmd)?;
        results.push(scenario, step, runtime.name, at / per_runtime, sample);
        if step == step::DELETE {
            lab.gone(container.index, &container.id);
        }
    }
    Ok(())
}
