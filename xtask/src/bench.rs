//! `cargo xtask bench [--quick]`: hull against crun and runc, side by side, then the crates'
//! criterion benchmarks (the library's own start path among them).
//!
//! As root, in a private mount namespace ([`namespace`]): builds hull (profile `dist`) as a
//! static executable, installs runc and crun from Debian when missing, prepares one bundle
//! for all three, and measures with the runtimes taking turns run by run: (1) a foreground
//! `run` of a container that exits at once, and the floor (`unshare` of the same namespaces
//! running `true`); (2) create → start → wait → delete; (3) N detached containers per runtime,
//! made, listed, queried, killed and deleted one by one; (4) the peak RSS of every command
//! from `wait4`. Then `cargo bench` runs every crate's criterion benchmarks, (6) the
//! library benchmark of `hull-container` included. The report (markdown, an SVG plot and
//! the raw samples as CSV) goes to `target/bench/`.

mod bundle;
mod cgroupfs;
mod criterion;
mod error;
mod foreground;
mod lab;
mod library;
mod lifecycle;
mod measure;
mod namespace;
mod plan;
mod report;
mod results;
mod runtime;
mod scale;
mod stats;
mod svg;
mod sys;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

pub use error::BenchError;

use bundle::Bundle;
use lab::Lab;
use measure::{Meter, Sample};
use plan::Plan;
use results::{CRUN, HULL, LIBRARY, RUN, RUNC, Results, step};
use runtime::{Runtime, find_program};

use crate::error::{Result, XtaskError};
use crate::packages::{self, Package};
use crate::{cargo, command};

/// The Debian packages the comparison needs.
const PACKAGES: &[Package] = &[
    Package {
        name: "runc",
        why: "the reference runtime hull is compared with",
    },
    Package {
        name: "crun",
        why: "the fastest C runtime, which hull must beat",
    },
    Package {
        name: "busybox-static",
        why: "/bin/true, /bin/sleep and /bin/echo in the bundle's rootfs",
    },
    Package {
        name: "libc6-dev",
        why: "libc.a, to link hull-probe statically for the rootfs",
    },
    Package {
        name: "util-linux",
        why: "unshare(1), the floor: namespaces and `true` without any runtime",
    },
];

/// Runs the comparison and the criterion benchmarks, and writes the report.
pub fn run(quick: bool) -> Result<()> {
    if !crate::sys::is_root() {
        return Err(BenchError::NotRoot.into());
    }
    let plan = Plan::new(quick);
    let out = cargo::target_dir().join("bench");
    // First, while this process has a single thread, as unshare(CLONE_NEWNS) requires.
    let isolation = namespace::enter(&out.join("state"))?;
    println!("bench: {isolation}");
    sys::set_child_subreaper().map_err(BenchError::Subreaper)?;
    sys::on_interrupt().map_err(BenchError::Signals)?;
    packages::ensure(PACKAGES)?;
    // hull as it ships (profile `dist`): one static executable, no shared library to load
    // or map.
    let hull = cargo::build_static("hull-cli", "hull", "dist", "static")?;
    let runtimes = runtimes(&hull, &isolation.state)?;
    let unshare = find_program("unshare", "util-linux")?;
    let bundle = Bundle::prepare(&out.join("bundle"), &hull)?;

    let mut results = comparison(&plan, &runtimes, &bundle, &isolation, &unshare, &out)?;
    let summary = benchmarks(quick, &bundle, &isolation, &mut results)?;
    println!("\nxtask bench: {} criterion results", summary.len());
    for line in &summary {
        println!("  {line}");
    }
    let setting = setting(&isolation, &runtimes, &plan);
    write_report(&out, &results, &plan, &setting)
}

/// Scenarios 1 to 4, with every container deleted when this returns, however it does.
fn comparison(
    plan: &Plan,
    runtimes: &[Runtime],
    bundle: &Bundle,
    isolation: &namespace::Isolation,
    unshare: &Path,
    out: &Path,
) -> Result<Results> {
    let mut results = Results::default();
    let meter = Meter::new(out.join("stderr.log"));
    let mut lab = Lab::new(
        runtimes.to_vec(),
        bundle,
        meter,
        isolation.state.join("pids"),
        isolation.hidden.clone(),
        plan.settle,
    )?;
    let compared = compare(plan, &mut lab, unshare, out, &mut results);
    drop(lab); // the cleanup, before the result is looked at
    compared.map(|()| results)
}

/// The crates' criterion benchmarks, the library's among them (scenario 6, whose samples
/// join `results`); returns their summary lines.
fn benchmarks(
    quick: bool,
    bundle: &Bundle,
    isolation: &namespace::Isolation,
    results: &mut Results,
) -> Result<Vec<String>> {
    bundle.configure("lib", foreground::TRUE)?;
    let since = SystemTime::now();
    let library_state = isolation.state.join("library");
    let env = [
        ("HULL_BENCH_BUNDLE", bundle.dir.as_path()),
        ("HULL_BENCH_STATE", library_state.as_path()),
    ];
    let criterion = criterion::run(quick, &env).map_err(interrupted_or);
    sweep_after_library(&isolation.hidden);
    let summary = criterion?;
    if let Some(samples) = library::samples(&cargo::target_dir(), since)? {
        for (ordinal, wall) in samples.into_iter().enumerate() {
            results.push(RUN, step::RUN, LIBRARY, ordinal, Sample::composite(wall));
        }
    }
    Ok(summary)
}

/// hull (just built), crun and runc, each with its state directory under `state`.
fn runtimes(hull: &Path, state: &Path) -> Result<Vec<Runtime>> {
    let runtime = |name, program| Runtime {
        name,
        program,
        root: state.join(name),
    };
    Ok(vec![
        runtime(HULL, hull.to_owned()),
        runtime(CRUN, find_program("crun", "crun")?),
        runtime(RUNC, find_program("runc", "runc")?),
    ])
}

/// Scenarios 1 to 4 in `lab` (the peak RSS comes with every command).
fn compare(
    plan: &Plan,
    lab: &mut Lab<'_>,
    unshare: &Path,
    out: &Path,
    results: &mut Results,
) -> Result<()> {
    // Leftovers of an earlier run that was killed before it could clean up.
    lab.sweep()?;
    foreground::check(lab, &out.join("check.out"))?;
    println!(
        "bench: scenario 1, run: {} rounds of hull, crun, runc and the floor",
        plan.runs
    );
    foreground::run(lab, results, plan, unshare)?;
    println!(
        "bench: scenario 2, create → start → wait → delete: {} rounds",
        plan.cycles
    );
    lifecycle::run(lab, results, plan)?;
    println!("bench: scenario 3, scale: {:?} containers", plan.scales);
    scale::run(lab, results, plan)?;
    Ok(())
}

/// A failure of `cargo bench` after Ctrl-C is the interruption.
fn interrupted_or(err: XtaskError) -> XtaskError {
    if sys::interrupted() {
        BenchError::Interrupted.into()
    } else {
        err
    }
}

/// Removes what a failed or interrupted library benchmark left in `/hull-bench`.
fn sweep_after_library(hidden: &[PathBuf]) {
    while sys::reap_any().is_some() {}
    match cgroupfs::sweep(hidden) {
        Ok(swept) if swept.found_leftovers() => println!(
            "bench: cleanup after the library benchmark: removed {} cgroups, killed {} \
             processes",
            swept.cgroups, swept.processes
        ),
        Ok(_) => {}
        Err(err) => eprintln!("bench: cleanup after the library benchmark: {err}"),
    }
}

/// Where and with what the benchmark ran, for the report.
fn setting(isolation: &namespace::Isolation, runtimes: &[Runtime], plan: &Plan) -> String {
    let first_line = |cmd: &mut Command| {
        command::stdout_of(cmd)
            .ok()
            .and_then(|text| text.lines().next().map(str::to_owned))
            .unwrap_or_else(|| "?".into())
    };
    let versions: Vec<String> = runtimes
        .iter()
        .map(|r| match r.name {
            HULL => format!(
                "hull {} (static, profile dist)",
                first_line(
                    Command::new("git")
                        .args(["rev-parse", "--short", "HEAD"])
                        .current_dir(cargo::workspace_root())
                )
            ),
            _ => first_line(Command::new(&r.program).arg("--version")),
        })
        .collect();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    format!(
        "{}, Linux {}, {cpus} CPUs. {}. Runtimes take turns run by run, in an order rotated \
         every round ({}), each with its own `--root`; one bundle (the test rootfs, `hull \
         spec` with the terminal off, ociVersion 1.0.2, an absolute cgroup path \
         `/hull-bench/<runtime>-<n>` per container). Every `run`, `create` and floor starts \
         after a {} ms pause, so that each pays the kernel's cgroup-attach grace period \
         alike. Rounds: {} run, {} create-start-wait-delete, scale at {:?}.",
        first_line(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"])),
        kernel.trim(),
        isolation,
        versions.join(", "),
        plan.settle.as_millis(),
        plan.runs,
        plan.cycles,
        plan.scales
    )
}

/// Writes `results.md`, `results.svg` and `samples.csv` in `out` and prints the markdown.
fn write_report(out: &Path, results: &Results, plan: &Plan, setting: &str) -> Result<()> {
    let markdown = report::markdown(results, plan, setting);
    let plot = svg::plot(results, plan, "hull, crun and runc: latency (ms)");
    let files: [(PathBuf, &str); 2] = [
        (out.join("results.md"), &markdown),
        (out.join("results.svg"), &plot),
    ];
    for (path, text) in files {
        std::fs::write(&path, text).map_err(|source| XtaskError::WriteFile { path, source })?;
    }
    results.write_csv(&out.join("samples.csv"))?;
    println!("\n{markdown}");
    println!(
        "bench: wrote {} (and results.svg, samples.csv)",
        out.join("results.md").display()
    );
    Ok(())
}
