//! What can go wrong comparing the runtimes.

use std::io;
use std::path::PathBuf;

/// A failure of the runtime comparison of `cargo xtask bench`.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The comparison runs containers, which needs root.
    #[error(
        "the runtime comparison runs containers and needs root: run `cargo xtask bench` as root"
    )]
    NotRoot,
    /// A program the comparison needs is not in `PATH`.
    #[error("cannot find `{program}` in PATH (its Debian package is `{package}`)")]
    NotFound {
        /// The program.
        program: &'static str,
        /// Where it comes from.
        package: &'static str,
    },
    /// The private mount namespace could not be set up.
    #[error("cannot set up the benchmark's private mount namespace: {step}")]
    Namespace {
        /// What was being done.
        step: String,
        /// Why it failed.
        #[source]
        source: io::Error,
    },
    /// Becoming the containers' subreaper failed.
    #[error("cannot become the child subreaper")]
    Subreaper(#[source] io::Error),
    /// Catching Ctrl-C failed.
    #[error("cannot install the interrupt handler")]
    Signals(#[source] io::Error),
    /// A runtime (or the floor command) could not be started or waited for.
    #[error("cannot run `{command}`")]
    Spawn {
        /// The command line.
        command: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A runtime command ran and failed.
    #[error("`{command}` failed ({status}); its stderr said: {stderr}")]
    Failed {
        /// The command line.
        command: String,
        /// How it ended.
        status: String,
        /// The end of what it wrote on stderr.
        stderr: String,
    },
    /// A container ran, but did not print what it was told to.
    #[error("{runtime} ran the check container, which printed {got:?} instead of {expected:?}")]
    Check {
        /// The runtime.
        runtime: &'static str,
        /// What the container should have printed.
        expected: &'static str,
        /// What it printed.
        got: String,
    },
    /// `hull spec` printed a config that is not the JSON object expected.
    #[error("cannot use the config.json that `hull spec` wrote in {path}")]
    Spec {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// `hull spec` wrote a config.json without a `process` or `linux` object.
    #[error("the config.json that `hull spec` wrote in {path} has no `{field}` object")]
    SpecField {
        /// The file.
        path: PathBuf,
        /// The missing object.
        field: &'static str,
    },
    /// A pid file a runtime wrote holds no pid.
    #[error("the pid file {path} holds no pid")]
    PidFile {
        /// The file.
        path: PathBuf,
    },
    /// Waiting for a container's process to end failed.
    #[error("cannot wait for the container process {pid}")]
    WaitContainer {
        /// Its pid.
        pid: u32,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A criterion sample file could not be understood.
    #[error("cannot read criterion's samples in {path}")]
    Samples {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// Ctrl-C (or SIGTERM, SIGHUP) stopped the run; what it made was cleaned up.
    #[error("interrupted")]
    Interrupted,
}
