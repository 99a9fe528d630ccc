//! Running lifecycle hooks: each gets the container's state as JSON on stdin, and no
//! descriptor beyond its standard streams.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hull_configs::{Hook, HookPoint, Hooks};
use serde::Serialize;

use crate::state::Status;

/// The OCI runtime spec's `state` object, as hooks read it on stdin.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OciState<'a> {
    /// The runtime spec version.
    pub oci_version: &'a str,
    /// The container's id.
    pub id: &'a str,
    /// Its status.
    pub status: Status,
    /// The pid of its init (0 when it has none).
    pub pid: i32,
    /// The bundle it was created from.
    pub bundle: &'a Path,
    /// Its annotations.
    pub annotations: std::collections::BTreeMap<String, String>,
}

/// Why a hook failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HookError {
    /// The hook could not be started.
    #[error("cannot run it")]
    Spawn(#[source] std::io::Error),
    /// It exited unsuccessfully.
    #[error("it failed ({status}); stderr: {stderr}")]
    Failed {
        /// How it ended.
        status: std::process::ExitStatus,
        /// What it printed on stderr.
        stderr: String,
    },
    /// It ran past its timeout and was killed.
    #[error("it ran past its timeout of {0:?}")]
    Timeout(Duration),
}

/// A hook that failed, at its lifecycle point.
#[derive(Debug, thiserror::Error)]
#[error("{point} hook #{index} ({path}) failed")]
pub struct HookFailure {
    /// The lifecycle point.
    pub point: HookPoint,
    /// The hook's index in its list.
    pub index: usize,
    /// The hook's program.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: HookError,
}

/// Runs the hooks of `point` in order with `state` on their stdin; stops at the first
/// failure.
pub(crate) fn run(
    hooks: &Hooks,
    point: HookPoint,
    state: &OciState<'_>,
) -> Result<(), HookFailure> {
    let list = hooks.at(point);
    if list.is_empty() {
        return Ok(());
    }
    // A state with only strings and numbers always serializes.
    let json = serde_json::to_vec(state).unwrap_or_default();
    for (index, hook) in list.iter().enumerate() {
        run_one(hook, &json).map_err(|source| HookFailure {
            point,
            index,
            path: hook.path.clone(),
            source,
        })?;
    }
    Ok(())
}

fn run_one(hook: &Hook, state: &[u8]) -> Result<(), HookError> {
    let mut cmd = Command::new(&hook.path);
    if let Some((argv0, rest)) = hook.args.split_first() {
        std::os::unix::process::CommandExt::arg0(&mut cmd, argv0);
        cmd.args(rest);
    }
    cmd.env_clear()
        .envs(hook.env.iter().filter_map(|kv| kv.split_once('=')))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(dir) = &hook.dir {
        cmd.current_dir(dir);
    }
    // In the init, the channel to the parent and the extra files are inheritable: a hook
    // must not get them (nor anything else the caller leaked).
    crate::sys::only_stdio_on_exec(&mut cmd);
    let mut child = cmd.spawn().map_err(HookError::Spawn)?;
    if let Some(mut stdin) = child.stdin.take() {
        // A hook that does not read its stdin closes it early; that is its business.
        let _ = stdin.write_all(state);
    }
    let status = wait(&mut child, hook.timeout)?;
    if status.success() {
        return Ok(());
    }
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        // What it printed helps the user; a read error only loses that help.
        let _ = pipe.read_to_string(&mut stderr);
    }
    Err(HookError::Failed {
        status,
        stderr: stderr.trim().to_owned(),
    })
}

/// Waits for `child`, killing it after `timeout`.
fn wait(
    child: &mut std::process::Child,
    timeout: Option<Duration>,
) -> Result<std::process::ExitStatus, HookError> {
    let Some(timeout) = timeout else {
        return child.wait().map_err(HookError::Spawn);
    };
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().map_err(HookError::Spawn)? {
            return Ok(status);
        }
        if Instant::now() >= deadline {
            // Killing a child that just exited fails harmlessly; the wait reaps it either way.
            let _ = child.kill();
            let _ = child.wait();
            return Err(HookError::Timeout(timeout));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn state() -> OciState<'static> {
        OciState {
            oci_version: "1.2.1",
            id: "hooked",
            status: Status::Creating,
            pid: 42,
            bundle: Path::new("/bundle"),
            annotations: BTreeMap::new(),
        }
    }

    fn hook(script: &str) -> Hook {
        Hook {
            path: "/bin/sh".into(),
            args: vec!["sh".into(), "-c".into(), script.into()],
            env: vec!["MARK=here".into()],
            dir: None,
            timeout: Some(Duration::from_secs(5)),
        }
    }

    #[test]
    fn hooks_read_the_state_and_their_env() {
        let out = tempfile::tempdir().unwrap();
        let file = out.path().join("state");
        let script = format!("cat > {} && [ \"$MARK\" = here ]", file.display());
        let hooks = Hooks {
            poststart: vec![hook(&script)],
            ..Hooks::default()
        };
        run(&hooks, HookPoint::Poststart, &state()).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(json["id"], "hooked");
        assert_eq!(json["status"], "creating");
        assert_eq!(json["pid"], 42);
        assert_eq!(json["ociVersion"], "1.2.1");
    }

    #[test]
    fn a_failing_hook_stops_the_list_with_its_stderr() {
        let out = tempfile::tempdir().unwrap();
        let marker = out.path().join("second-ran");
        let hooks = Hooks {
            prestart: vec![
                hook("echo broken >&2; exit 3"),
                hook(&format!("touch {}", marker.display())),
            ],
            ..Hooks::default()
        };
        let err = run(&hooks, HookPoint::Prestart, &state()).unwrap_err();
        assert_eq!(err.index, 0);
        assert!(
            matches!(&err.source, HookError::Failed { stderr, .. } if stderr == "broken"),
            "{err:?}"
        );
        assert!(!marker.exists());
    }

    #[test]
    fn a_hook_gets_no_descriptor_beyond_its_standard_streams() {
        // Inheritable, as the init channel is in the init.
        let null = std::fs::File::open("/dev/null").unwrap();
        let leaked = rustix::io::fcntl_dupfd_cloexec(&null, 500).unwrap();
        rustix::io::fcntl_setfd(&leaked, rustix::io::FdFlags::empty()).unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&leaked);
        let out = tempfile::tempdir().unwrap();
        let file = out.path().join("fds");
        let script = format!("ls /proc/self/fd > {}", file.display());
        let hooks = Hooks {
            prestart: vec![
                hook(&format!("[ ! -e /proc/self/fd/{fd} ] || exit 7")),
                hook(&script),
            ],
            ..Hooks::default()
        };
        run(&hooks, HookPoint::Prestart, &state()).unwrap();
        // `ls` sees 0 to 2 (1 being the file) and 3, the directory it reads.
        let seen = std::fs::read_to_string(file).unwrap();
        let seen: Vec<&str> = seen.lines().collect();
        assert_eq!(seen, ["0", "1", "2", "3"]);
    }

    #[test]
    fn a_missing_hook_cannot_be_started() {
        let mut missing = hook("");
        missing.path = "/nonexistent/hook".into();
        let hooks = Hooks {
            poststart: vec![missing],
            ..Hooks::default()
        };
        let err = run(&hooks, HookPoint::Poststart, &state()).unwrap_err();
        assert!(matches!(err.source, HookError::Spawn(_)), "{err:?}");
    }

    #[test]
    fn a_slow_hook_is_killed_at_its_timeout() {
        let mut slow = hook("sleep 10");
        slow.timeout = Some(Duration::from_millis(100));
        let hooks = Hooks {
            poststop: vec![slow],
            ..Hooks::default()
        };
        let started = Instant::now();
        let err = run(&hooks, HookPoint::Poststop, &state()).unwrap_err();
        assert!(matches!(err.source, HookError::Timeout(_)), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
