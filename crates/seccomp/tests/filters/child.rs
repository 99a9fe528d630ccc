//! The child side: each scenario installs a filter in this (re-executed, single-threaded)
//! process, makes syscalls, and reports what they returned on stdout as `key=value` lines.

use std::io::Write;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use hull_configs::oci::State;
use hull_configs::{Seccomp, SeccompAction, SeccompOp, SyscallArg, SyscallRule};
use hull_seccomp::{compile, container_process_state, send_listener};

use crate::support::profiles;
use crate::sys::{self, Probe};

/// The scenario's working directory (a temporary directory of the parent).
pub const DIR_ENV: &str = "HULL_SECCOMP_TEST_DIR";

type Outcome = Result<(), String>;

/// Runs `scenario` and turns its failure into a message and exit status 2.
pub fn main(scenario: &str) -> ExitCode {
    let dir = std::env::var_os(DIR_ENV)
        .map(PathBuf::from)
        .unwrap_or_default();
    let outcome = match scenario {
        "errno" => errno(&dir),
        "arguments" => arguments(),
        "kill_process" => kill(SeccompAction::KillProcess),
        "trap" => kill(SeccompAction::Trap),
        "log" => log(),
        "unknown_name" => unknown_name(&dir),
        "enosys_stub" => enosys_stub(),
        "docker_workload" => workload(profiles::docker_x86_64(), &dir),
        "podman_workload" => workload(profiles::podman(), &dir),
        "notify" => notify(&dir),
        _ => Err(format!("no scenario {scenario:?}")),
    };
    // Flushing stdout makes the report reach the parent even if a later call kills us.
    let _flushed = std::io::stdout().flush();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("child {scenario}: {message}");
            ExitCode::from(2)
        }
    }
}

fn rule(name: &str, action: SeccompAction, args: Vec<SyscallArg>) -> SyscallRule {
    SyscallRule {
        name: name.into(),
        action,
        args,
    }
}

fn allow_but(syscalls: Vec<SyscallRule>) -> Seccomp {
    Seccomp {
        default_action: SeccompAction::Allow,
        architectures: vec![],
        flags: None,
        syscalls,
        listener_path: None,
        listener_metadata: None,
    }
}

/// Sets no_new_privs, compiles and installs `config`, and reports its warnings.
fn install(config: &Seccomp) -> Result<Option<std::os::fd::OwnedFd>, String> {
    nix::sys::prctl::set_no_new_privs().map_err(|err| format!("no_new_privs: {err}"))?;
    let filter = compile(config).map_err(|err| format!("compile: {err}"))?;
    for warning in filter.warnings() {
        println!("warning={warning}");
    }
    filter.install().map_err(|err| format!("install: {err:?}"))
}

fn errno_of(result: std::io::Result<()>) -> String {
    match result {
        Ok(()) => "ok".into(),
        Err(err) => err.raw_os_error().unwrap_or(0).to_string(),
    }
}

/// mkdir fails with the configured errno (ENOTSUP), other calls work.
fn errno(dir: &Path) -> Outcome {
    install(&allow_but(vec![
        rule("mkdir", SeccompAction::Errno(95), vec![]),
        rule("mkdirat", SeccompAction::Errno(95), vec![]),
    ]))?;
    println!(
        "mkdir={}",
        errno_of(std::fs::create_dir(dir.join("denied")))
    );
    println!("write={}", errno_of(std::fs::write(dir.join("file"), "x")));
    println!("getpid={}", std::process::id() > 0);
    Ok(())
}

/// personality is refused for PER_LINUX32 (EPERM) and for values with high bits (EINVAL).
fn arguments() -> Outcome {
    let arg = |op, value| SyscallArg {
        index: 0,
        value,
        value_two: 0,
        op,
    };
    install(&allow_but(vec![
        rule(
            "personality",
            SeccompAction::Errno(1),
            vec![arg(SeccompOp::Eq, 8)],
        ),
        rule(
            "personality",
            SeccompAction::Errno(22),
            vec![arg(SeccompOp::Ge, 0x1_0000_0000)],
        ),
    ]))?;
    let show = |r: Result<i64, i32>| match r {
        Ok(_) => "ok".to_owned(),
        Err(errno) => errno.to_string(),
    };
    println!("query={}", show(sys::personality(0xffff_ffff)));
    println!("linux32={}", show(sys::personality(8)));
    println!("high={}", show(sys::personality(0x1_0000_0000)));
    Ok(())
}

/// getppid is fatal: the child dies of SIGSYS.
fn kill(action: SeccompAction) -> Outcome {
    install(&allow_but(vec![rule("getppid", action, vec![])]))?;
    println!("installed=yes");
    let _flushed = std::io::stdout().flush();
    let parent = nix::unistd::getppid();
    println!("survived={parent}");
    Ok(())
}

/// uname runs under the log action.
fn log() -> Outcome {
    install(&allow_but(vec![rule("uname", SeccompAction::Log, vec![])]))?;
    let uname = nix::sys::utsname::uname().map_err(|err| format!("uname: {err}"))?;
    println!("uname={}", uname.sysname().to_string_lossy());
    Ok(())
}

/// A rule for an unknown syscall is skipped with a warning; the rest applies.
fn unknown_name(dir: &Path) -> Outcome {
    install(&allow_but(vec![
        rule("no_such_syscall", SeccompAction::Errno(1), vec![]),
        rule("mkdir", SeccompAction::Errno(95), vec![]),
        rule("mkdirat", SeccompAction::Errno(95), vec![]),
    ]))?;
    println!(
        "mkdir={}",
        errno_of(std::fs::create_dir(dir.join("denied")))
    );
    Ok(())
}

/// Under Docker's profile with an EPERM default: an old syscall outside the profile gets
/// EPERM, one newer than the profile ENOSYS.
fn enosys_stub() -> Outcome {
    let mut config = profiles::docker_x86_64();
    config.default_action = SeccompAction::Errno(1);
    install(&config)?;
    for probe in [Probe::CreateModule, Probe::Cachestat] {
        let errno = sys::call_with_zeros(probe).err().unwrap_or(0);
        println!("{}={errno}", probe.name());
    }
    Ok(())
}

/// A shell workload runs under a real profile: with /bin/sh and coreutils, and with busybox
/// where it is installed.
fn workload(config: Seccomp, dir: &Path) -> Outcome {
    install(&config)?;
    let script = "mkdir -p w/x && echo hi > w/x/f && cat w/x/f && ls w/x && \
                  chmod 600 w/x/f && ln -s f w/x/l && cat w/x/l && rm -r w && \
                  uname -s && id -u && ps >/dev/null 2>&1; date >/dev/null && echo done";
    let mut shells = vec![vec!["/bin/sh", "-c", script]];
    if Path::new("/bin/busybox").exists() {
        shells.push(vec!["/bin/busybox", "sh", "-c", script]);
    }
    for shell in shells {
        let output = Command::new(shell[0])
            .args(&shell[1..])
            .current_dir(dir)
            .env("PATH", "/usr/bin:/bin")
            .output()
            .map_err(|err| format!("{}: {err}", shell[0]))?;
        let stdout = String::from_utf8_lossy(&output.stdout).replace('\n', " ");
        println!("{}={} {}", shell[0], output.status, stdout.trim());
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
    }
    Ok(())
}

/// mkdir goes to the agent: the first is answered EXDEV, the second runs for real.
fn notify(dir: &Path) -> Outcome {
    let socket = dir.join("agent.sock");
    let mut config = allow_but(vec![
        rule("mkdir", SeccompAction::Notify, vec![]),
        rule("mkdirat", SeccompAction::Notify, vec![]),
    ]);
    config.listener_path = Some(socket.clone());
    config.listener_metadata = Some("test-metadata".into());
    let listener = install(&config)?.ok_or("no listener fd")?;
    let pid = i32::try_from(std::process::id()).map_err(|err| err.to_string())?;
    let message = container_process_state(pid, config.listener_metadata.clone(), State::default());
    send_listener(&socket, &message, listener.as_fd()).map_err(|err| format!("{err:?}"))?;
    drop(listener);
    println!("first={}", errno_of(std::fs::create_dir(dir.join("first"))));
    println!(
        "second={}",
        errno_of(std::fs::create_dir(dir.join("second")))
    );
    Ok(())
}
