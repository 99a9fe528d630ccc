//! Real filters, installed in child processes: a filter stays with its process for good, so
//! the test binary re-executes itself as a child for each scenario (`child.rs`) and checks
//! what the child reports and how it ended. The test runner's own process never installs
//! one. No root is needed: the child sets `no_new_privs` first.
//!
//! A small harness of its own (`harness = false`): `cargo test --test filters [NAME]` runs
//! the scenarios whose names contain NAME.

mod child;
#[path = "../support/mod.rs"]
mod support;
mod sys;

use std::ffi::OsString;
use std::os::unix::net::UnixListener;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use hull_seccomp::{Arch, Response, receive_listener};

/// Tells a re-executed test binary which scenario to run.
const CHILD_ENV: &str = "HULL_SECCOMP_TEST_CHILD";

/// How long a child may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A test: `Err` says what went wrong.
type Test = fn() -> Result<(), String>;

const TESTS: [(&str, Test); 10] = [
    ("mkdir_gets_the_configured_errno", errno),
    ("argument_filter", arguments),
    ("kill_process_ends_with_sigsys", kill_process),
    ("trap_sends_sigsys", trap),
    ("log_lets_the_call_run", log),
    ("unknown_syscall_is_skipped_with_a_warning", unknown_name),
    ("enosys_stub_for_newer_syscalls", enosys_stub),
    ("docker_profile_runs_a_workload", docker_workload),
    ("podman_profile_runs_a_workload", podman_workload),
    ("notify_round_trip", notify),
];

fn main() -> ExitCode {
    if let Some(scenario) = std::env::var_os(CHILD_ENV) {
        return child::main(&scenario.to_string_lossy());
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filter = args.iter().find(|arg| !arg.starts_with('-'));
    if args.iter().any(|arg| arg == "--list") {
        for (name, _) in TESTS {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let chosen: Vec<_> = TESTS
        .iter()
        .filter(|(name, _)| filter.is_none_or(|f| name.contains(f.as_str())))
        .collect();
    println!("\nrunning {} tests", chosen.len());
    let mut failed = Vec::new();
    for (name, test) in &chosen {
        match test() {
            Ok(()) => println!("test {name} ... ok"),
            Err(message) => {
                println!("test {name} ... FAILED\n    {message}");
                failed.push(*name);
            }
        }
    }
    let verdict = if failed.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {verdict}. {} passed; {} failed\n",
        chosen.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// What a child said and how it ended.
struct Child {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Child {
    /// The value of the child's `key=value` line.
    fn get(&self, key: &str) -> Option<&str> {
        self.stdout
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
    }

    /// Fails unless the child's `key` line says `value`.
    fn expect(&self, key: &str, value: &str) -> Result<(), String> {
        match self.get(key) {
            Some(got) if got == value => Ok(()),
            got => Err(format!("{key}: expected {value:?}, got {got:?}\n{self}")),
        }
    }

    fn succeeded(&self) -> Result<(), String> {
        match self.status.success() {
            true => Ok(()),
            false => Err(format!("the child failed\n{self}")),
        }
    }
}

impl std::fmt::Display for Child {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "    status: {}\n    stdout: {}\n    stderr: {}",
            self.status,
            self.stdout.trim(),
            self.stderr.trim()
        )
    }
}

/// Runs `scenario` in a re-executed copy of this binary, in `dir`.
fn run_child(scenario: &str, dir: &Path) -> Result<Child, String> {
    let exe = std::env::current_exe().map_err(|err| format!("current_exe: {err}"))?;
    let mut child = Command::new(exe)
        .env(CHILD_ENV, scenario)
        .env(child::DIR_ENV, OsString::from(dir))
        // A core dump of a child killed by SIGSYS lands in its scratch directory.
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("spawn: {err}"))?;
    let started = Instant::now();
    while child.try_wait().map_err(|err| err.to_string())?.is_none() {
        if started.elapsed() > TIMEOUT {
            child.kill().map_err(|err| err.to_string())?;
            return Err(format!("scenario {scenario} timed out"));
        }
        thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().map_err(|err| err.to_string())?;
    Ok(Child {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

fn tempdir() -> Result<tempfile::TempDir, String> {
    tempfile::tempdir().map_err(|err| format!("tempdir: {err}"))
}

fn errno() -> Result<(), String> {
    let dir = tempdir()?;
    let child = run_child("errno", dir.path())?;
    child.succeeded()?;
    child.expect("mkdir", "95")?;
    child.expect("write", "ok")?;
    child.expect("getpid", "true")?;
    match dir.path().join("denied").exists() {
        false => Ok(()),
        true => Err("mkdir ran despite the filter".into()),
    }
}

fn arguments() -> Result<(), String> {
    let dir = tempdir()?;
    let child = run_child("arguments", dir.path())?;
    child.succeeded()?;
    child.expect("query", "ok")?;
    child.expect("linux32", "1")?;
    child.expect("high", "22")
}

fn killed_by_sigsys(scenario: &str) -> Result<(), String> {
    let dir = tempdir()?;
    let child = run_child(scenario, dir.path())?;
    child.expect("installed", "yes")?;
    match (child.status.signal(), child.get("survived")) {
        (Some(libc::SIGSYS), None) => Ok(()),
        _ => Err(format!("expected death by SIGSYS\n{child}")),
    }
}

fn kill_process() -> Result<(), String> {
    killed_by_sigsys("kill_process")
}

fn trap() -> Result<(), String> {
    killed_by_sigsys("trap")
}

fn log() -> Result<(), String> {
    let dir = tempdir()?;
    let child = run_child("log", dir.path())?;
    child.succeeded()?;
    child.expect("uname", "Linux")
}

fn unknown_name() -> Result<(), String> {
    let dir = tempdir()?;
    let child = run_child("unknown_name", dir.path())?;
    child.succeeded()?;
    child.expect("warning", "unknown syscall \"no_such_syscall\" ignored")?;
    child.expect("mkdir", "95")
}

fn enosys_stub() -> Result<(), String> {
    let dir = tempdir()?;
    let child = run_child("enosys_stub", dir.path())?;
    child.succeeded()?;
    child.expect("create_module", &libc::EPERM.to_string())?;
    child.expect("cachestat", &libc::ENOSYS.to_string())
}

fn workload(scenario: &str) -> Result<(), String> {
    if Arch::native() != Some(Arch::X86_64) {
        return Err("the profiles are resolved for x86_64".into());
    }
    let dir = tempdir()?;
    let child = run_child(scenario, dir.path())?;
    child.succeeded()?;
    let sh = child.get("/bin/sh").unwrap_or_default();
    match sh.starts_with("exit status: 0 hi f hi Linux") && sh.ends_with("done") {
        true => Ok(()),
        false => Err(format!("unexpected workload output\n{child}")),
    }
}

fn docker_workload() -> Result<(), String> {
    workload("docker_workload")
}

fn podman_workload() -> Result<(), String> {
    workload("podman_workload")
}

fn notify() -> Result<(), String> {
    let dir = tempdir()?;
    let agent =
        UnixListener::bind(dir.path().join("agent.sock")).map_err(|err| format!("bind: {err}"))?;
    let answers = thread::spawn(move || -> Result<Vec<(i32, u32)>, String> {
        let (mut conn, _) = agent.accept().map_err(|err| format!("accept: {err}"))?;
        let (state, listener) = receive_listener(&mut conn).map_err(|err| format!("{err:?}"))?;
        if state.metadata().as_deref() != Some("test-metadata") || *state.fds() != ["seccompFd"] {
            return Err(format!("unexpected state {state:?}"));
        }
        let mut seen = Vec::new();
        for response in [Response::Errno(libc::EXDEV), Response::Continue] {
            let notification = listener.receive().map_err(|err| format!("{err:?}"))?;
            let pid = u32::try_from(*state.pid()).unwrap_or_default();
            seen.push((notification.data.nr, notification.pid ^ pid));
            listener
                .respond(notification.id, response)
                .map_err(|err| format!("{err:?}"))?;
        }
        Ok(seen)
    });
    let child = run_child("notify", dir.path())?;
    child.succeeded()?;
    child.expect("first", &libc::EXDEV.to_string())?;
    child.expect("second", "ok")?;
    let seen = answers.join().map_err(|_| "the agent panicked")??;
    let mkdirs =
        ["mkdir", "mkdirat"].map(|name| Arch::native().and_then(|a| a.syscall_number(name)));
    for (nr, pid_difference) in seen {
        let nr = u32::try_from(nr).ok();
        if !mkdirs.contains(&nr) || pid_difference != 0 {
            return Err(format!(
                "unexpected notification: syscall {nr:?} from another pid"
            ));
        }
    }
    match (
        dir.path().join("first").exists(),
        dir.path().join("second").is_dir(),
    ) {
        (false, true) => Ok(()),
        other => Err(format!("directories first/second exist: {other:?}")),
    }
}
