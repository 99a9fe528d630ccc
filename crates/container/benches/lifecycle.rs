//! The library without the CLI: `Factory::create`, `Container::run`, `Process::wait` and
//! `Container::destroy` of a container that runs `/bin/true`, all in this one process.
//!
//! It needs root and a bundle: `HULL_BENCH_BUNDLE` names a directory with `rootfs/` and a
//! `config.json`, `HULL_BENCH_STATE` the containers' state directory. `cargo xtask bench`
//! sets both (and runs this in the same private mount namespace as the runtimes it
//! compares); without them the benchmark says why on a `summary:` line and is skipped.
//! Containers get the cgroup `/hull-bench/lib-<pid>-<n>`.
//!
//! Each iteration starts after a pause of [`SETTLE`], outside the timed part, as each
//! `run` of `cargo xtask bench` does: the first move of a process into a v1 cgroup after a
//! quiet moment waits for an RCU grace period (5 to 15 ms here), which back-to-back
//! iterations would mostly skip.

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use hull_container::configs::Config;
use hull_container::configs::specconv::{self, SpecOptions};
use hull_container::{Factory, Process, Stdio, chain};

/// The bundle directory variable.
const BUNDLE_ENV: &str = "HULL_BENCH_BUNDLE";
/// The state directory variable.
const STATE_ENV: &str = "HULL_BENCH_STATE";
/// The benchmark's group and name; criterion keeps its samples under
/// `target/criterion/container/create-run-wait-destroy/`.
const GROUP: &str = "container";
const NAME: &str = "create-run-wait-destroy";
/// The pause before each iteration, as in `cargo xtask bench`.
const SETTLE: Duration = Duration::from_millis(50);

fn main() {
    // Each container's init is this very program: it takes over here.
    hull_container::init();
    let mut criterion = Criterion::default().configure_from_args();
    match Setup::from_env() {
        Ok(setup) => lifecycle(&mut criterion, &setup),
        Err(why) => println!("summary: {GROUP}/{NAME}: skipped: {why}"),
    }
    criterion.final_summary();
}

/// What every iteration starts from.
struct Setup {
    factory: Factory,
    config: Config,
    env: Vec<String>,
}

impl Setup {
    /// The factory on `HULL_BENCH_STATE` and the config of the bundle at
    /// `HULL_BENCH_BUNDLE`, converted once; or why the benchmark cannot run.
    fn from_env() -> Result<Setup, String> {
        if !nix::unistd::geteuid().is_root() {
            return Err("needs root; `cargo xtask bench` runs it".into());
        }
        let var = |name: &str| {
            std::env::var_os(name)
                .map(PathBuf::from)
                .ok_or_else(|| format!("{name} is not set; `cargo xtask bench` sets it"))
        };
        let (bundle, state) = (var(BUNDLE_ENV)?, var(STATE_ENV)?);
        let spec = specconv::load_spec(&bundle).map_err(|err| chain(&err))?;
        let opts = SpecOptions {
            bundle,
            cgroup_name: "lib".into(),
            ..SpecOptions::default()
        };
        let config = specconv::convert(&spec, &opts)
            .map_err(|err| chain(&err))?
            .config;
        let env = spec
            .process()
            .as_ref()
            .and_then(|p| p.env().clone())
            .unwrap_or_default();
        let factory = Factory::new(state).map_err(|err| chain(&err))?;
        Ok(Setup {
            factory,
            config,
            env,
        })
    }

    /// One container, from create to destroy; panics on any failure (the cleanup of
    /// `cargo xtask bench` removes what is left).
    fn once(&self, n: u64) {
        let id = format!("lib-{}-{n}", std::process::id());
        let mut config = self.config.clone();
        config.cgroup.name = None;
        config.cgroup.parent = None;
        config.cgroup.path = Some(format!("/hull-bench/{id}"));
        let fail = |what: &str, err: &dyn std::error::Error| -> ! {
            panic!("{GROUP}/{NAME}: {what} {id}: {}", chain(err))
        };
        let mut container = self
            .factory
            .create(&id, config)
            .unwrap_or_else(|err| fail("create", &err));
        let mut process = Process::new(["/bin/true"]);
        process.env = self.env.clone();
        process.stdin = Stdio::Null;
        process.stdout = Stdio::Null;
        process.stderr = Stdio::Null;
        let status = container
            .run(&mut process)
            .and_then(|()| process.wait())
            .unwrap_or_else(|err| fail("run", &err));
        container
            .destroy()
            .unwrap_or_else(|err| fail("destroy", &err));
        assert!(
            status.success(),
            "{GROUP}/{NAME}: {id} exited with {status:?}"
        );
    }
}

/// The benchmark: 15 to 30 ms an iteration here, plus the pause, so flat sampling, few
/// samples and a short window (the pauses make the run about four times longer).
fn lifecycle(c: &mut Criterion, setup: &Setup) {
    let mut group = c.benchmark_group(GROUP);
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let mut n = 0;
    group.bench_function(NAME, |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                thread::sleep(SETTLE);
                let started = Instant::now();
                setup.once(n);
                timed += started.elapsed();
            }
            timed
        })
    });
    group.finish();
}
