//! Shared code of the CLI tests: a bundle in a temporary directory (a copy of the test
//! rootfs and a `config.json` that `hull spec` wrote, then edited), a state root of its
//! own, and the real `hull` binary to run on them. Whatever a test leaves is deleted when
//! its [`TestBundle`] is dropped, even when the test fails.

#![allow(dead_code, clippy::unwrap_used)] // each test binary uses part of it; a panic is a failed test

use std::fs::{self, File};
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use tempfile::TempDir;

/// How long any one `hull` command may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A name no other test of this run uses, short enough for an id and a cgroup.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("cli-{prefix}-{}-{n}", std::process::id())
}

/// Makes the test process a child subreaper, once: a container whose `hull create` or
/// `hull run -d` has exited is reparented here (PID 1 of these machines does not reap),
/// and [`TestBundle`] reaps its init by pid.
fn become_subreaper() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| nix::sys::prctl::set_child_subreaper(true).unwrap());
}

/// What a `hull` command printed and how it ended.
#[derive(Debug)]
pub struct Ran {
    /// The exit status (`None` when a signal killed hull).
    pub code: Option<i32>,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

impl Ran {
    /// Panics with the output unless hull exited with 0.
    #[track_caller]
    pub fn ok(self) -> Ran {
        assert_eq!(self.code, Some(0), "hull failed: {self:?}");
        self
    }

    /// Panics unless hull failed with status 1 and `needle` on stderr.
    #[track_caller]
    pub fn fails_with(self, needle: &str) -> Ran {
        assert_eq!(self.code, Some(1), "hull did not fail: {self:?}");
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}: {self:?}"
        );
        self
    }
}

/// A bundle and a state root, and the id of the container a test makes from them.
pub struct TestBundle {
    /// The container's id (and the last part of its cgroup path).
    pub id: String,
    dir: TempDir,
    root: TempDir,
    /// Pids of inits to reap once their containers are deleted.
    inits: Vec<i32>,
}

impl TestBundle {
    /// A bundle whose process runs `args`, without a terminal, in the cgroup
    /// `/hull-test/<id>`.
    pub fn new(prefix: &str, args: &[&str]) -> TestBundle {
        let bundle = TestBundle::without_rootfs(prefix, args);
        let status = Command::new("cp")
            .arg("-a")
            .arg(hull_tests::test_rootfs())
            .arg(bundle.path().join("rootfs"))
            .status()
            .unwrap();
        assert!(status.success(), "cannot copy the test rootfs");
        bundle
    }

    /// The same, but with no `rootfs` directory in the bundle.
    pub fn without_rootfs(prefix: &str, args: &[&str]) -> TestBundle {
        hull_tests::require_root();
        become_subreaper();
        let bundle = TestBundle {
            id: unique(prefix),
            dir: tempfile::tempdir().unwrap(),
            root: tempfile::tempdir().unwrap(),
            inits: Vec::new(),
        };
        let path = bundle.path().to_owned();
        bundle
            .hull(&["spec", "--bundle", path.to_str().unwrap()])
            .ok();
        let id = bundle.id.clone();
        bundle.edit(|spec| {
            spec["process"]["terminal"] = false.into();
            spec["process"]["args"] = args.into();
            spec["linux"]["cgroupsPath"] = format!("/hull-test/{id}").into();
        });
        bundle
    }

    /// The bundle directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The state root (`--root`).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The container's state directory.
    pub fn state_dir(&self) -> PathBuf {
        self.root().join(&self.id)
    }

    /// Changes `config.json`.
    pub fn edit(&self, edit: impl FnOnce(&mut serde_json::Value)) {
        let path = self.path().join("config.json");
        let mut spec: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        edit(&mut spec);
        fs::write(&path, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
    }

    /// A `hull --root <root>` command with `args`, in the bundle directory, its stdin
    /// from /dev/null.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(hull_tests::hull_binary());
        cmd.arg("--root")
            .arg(self.root())
            .args(args)
            .current_dir(self.path())
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `hull --root <root> ARGS` and returns what it printed. Its output goes to
    /// files, not pipes: a container that `create` or `run -d` leaves running keeps
    /// hull's stdout and stderr, and a pipe would never end.
    pub fn hull(&self, args: &[&str]) -> Ran {
        self.hull_with_stdin(args, Stdio::null())
    }

    /// The same, with `stdin`.
    pub fn hull_with_stdin(&self, args: &[&str], stdin: impl Into<Stdio>) -> Ran {
        let mut cmd = self.command(args);
        cmd.stdin(stdin);
        run_to_files(cmd, args)
    }

    /// `hull state`, parsed.
    pub fn state(&self) -> serde_json::Value {
        let ran = self.hull(&["state", &self.id]).ok();
        serde_json::from_str(&ran.stdout).unwrap()
    }

    /// The status `hull state` reports.
    pub fn status(&self) -> String {
        self.state()["status"].as_str().unwrap().to_owned()
    }

    /// Remembers the container's init (from `hull state`) to reap it when dropped.
    pub fn remember_init(&mut self) -> i32 {
        let pid = self.state()["pid"].as_i64().unwrap() as i32;
        assert!(pid > 0, "the container has no init");
        self.inits.push(pid);
        pid
    }

    /// Waits until `hull state` reports `status`.
    #[track_caller]
    pub fn wait_for_status(&self, status: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while self.status() != status {
            assert!(
                Instant::now() < deadline,
                "{} never became {status}",
                self.id
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The container's cgroup directories that exist.
    pub fn cgroup_dirs(&self) -> Vec<PathBuf> {
        cgroup_dirs_of(&self.id)
    }

    /// Checks that nothing of the container is left: no state directory, no cgroup
    /// directory, no mount under the bundle.
    #[track_caller]
    pub fn assert_nothing_left(&self) {
        assert!(!self.state_dir().exists(), "state directory left");
        assert_eq!(self.cgroup_dirs(), Vec::<PathBuf>::new(), "cgroup left");
        let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap();
        let bundle = self.path().to_str().unwrap();
        assert!(
            !mountinfo.contains(bundle),
            "mounts left under {bundle}: {mountinfo}"
        );
    }
}

impl Drop for TestBundle {
    /// Deletes the container whatever state it is in, then reaps its init.
    fn drop(&mut self) {
        if let Ok(out) = self.command(&["state", &self.id]).output() {
            let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            if let Some(pid) = state["pid"].as_i64().filter(|&pid| pid > 0) {
                self.inits.push(pid as i32);
            }
        }
        let _ = self
            .command(&["delete", "--force", &self.id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        for &pid in &self.inits {
            reap(pid);
        }
    }
}

/// The cgroup directories of container `id` (under `/hull-test/`) that exist, in every
/// hierarchy.
pub fn cgroup_dirs_of(id: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for entry in fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
        let dir = entry.path().join("hull-test").join(id);
        if dir.exists() {
            dirs.push(dir);
        }
    }
    let top = Path::new("/sys/fs/cgroup/hull-test").join(id);
    if top.exists() {
        dirs.push(top);
    }
    dirs
}

/// Reaps `pid` if it is a child of this process that has ended (an init reparented here);
/// waits a little for it to end.
pub fn reap(pid: i32) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            _ => return,
        }
    }
}

/// Waits for `child` at most `timeout`; kills it and panics past that.
pub fn wait_for(mut child: Child, timeout: Duration, what: &[&str]) -> Option<i32> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hull {what:?} ran past {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `cmd` (a `hull` command, or a program that runs one), its stdout and stderr to
/// files, not pipes: a container that `create` or `run -d` leaves running keeps them, and a
/// pipe would never end. `what` names it if it times out.
pub fn run_to_files(mut cmd: Command, what: &[&str]) -> Ran {
    let mut stdout = tempfile::tempfile().unwrap();
    let mut stderr = tempfile::tempfile().unwrap();
    let child = cmd
        .stdout(stdout.try_clone().unwrap())
        .stderr(stderr.try_clone().unwrap())
        .spawn()
        .unwrap();
    let code = wait_for(child, TIMEOUT, what);
    Ran {
        code,
        stdout: read_back(&mut stdout),
        stderr: read_back(&mut stderr),
    }
}

fn read_back(file: &mut File) -> String {
    let mut text = String::new();
    file.rewind().unwrap();
    file.read_to_string(&mut text).unwrap();
    text
}
