//! What the privileged cgroup tests share: a cgroup under `/hull-test/` in every hierarchy
//! that is killed and removed when dropped, even when the test fails, and small processes
//! to put in it.
//!
//! Nothing here touches the caller's own cgroups: every path is absolute under
//! `/hull-test/`, which [`TestCgroup::new`] checks for each hierarchy before creating
//! anything.

#![allow(dead_code)] // Each test file uses a part.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use hull_cgroups::{CgroupfsManager, Hierarchies, Manager, Membership};
use hull_configs::{Cgroup, Resources};
use nix::sys::signal::Signal;
use nix::unistd::Pid;

/// The environment variable that turns this test binary into a helper process.
pub const HELPER_ENV: &str = "HULL_CGROUPS_HELPER";

/// A cgroup of a test, removed on drop.
pub struct TestCgroup {
    pub manager: CgroupfsManager,
    pub path: String,
    children: Vec<Child>,
}

impl TestCgroup {
    /// A manager for `/hull-test/<test>-<pid>-<n>` with `resources`; the cgroup is created.
    pub fn new(test: &str, resources: Resources) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = format!("/hull-test/{test}-{}-{n}", std::process::id());
        let cgroup = Cgroup {
            path: Some(path.clone()),
            resources,
            ..Cgroup::default()
        };
        let hierarchies = Hierarchies::detect().expect("read the cgroup hierarchies");
        // Placement never reads our own cgroups for an absolute path; an empty membership
        // proves it.
        let manager = CgroupfsManager::with_host(&cgroup, &hierarchies, &Membership::default())
            .expect("a manager for the test cgroup");
        for dir in manager.paths().values() {
            assert!(
                dir.to_string_lossy()
                    .contains(&format!("/hull-test/{test}-")),
                "test cgroup outside /hull-test: {}",
                dir.display()
            );
        }
        let test_cgroup = TestCgroup {
            manager,
            path,
            children: Vec::new(),
        };
        test_cgroup
            .manager
            .create()
            .expect("create the test cgroup");
        test_cgroup
    }

    /// The cgroup's directories.
    pub fn paths(&self) -> BTreeMap<String, PathBuf> {
        self.manager.paths()
    }

    /// Starts `sh -c SCRIPT` in the cgroup: the shell waits for a line on its stdin until
    /// it has been moved in, then runs the script. Its stdout and stderr are pipes.
    pub fn spawn_sh(&mut self, script: &str) -> Pid {
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg(format!("read _go; {script}"));
        self.spawn(command)
    }

    /// Starts this test binary as the helper `name` (with `arg`) in the cgroup.
    pub fn spawn_helper(&mut self, name: &str, arg: &str) -> Pid {
        let mut command = Command::new(std::env::current_exe().expect("test binary"));
        command
            .args([
                "--exact",
                "helper",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(HELPER_ENV, format!("{name}:{arg}"));
        self.spawn(command)
    }

    fn spawn(&mut self, mut command: Command) -> Pid {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn a test process");
        let pid = Pid::from_raw(i32::try_from(child.id()).expect("pid"));
        self.manager
            .join(pid)
            .expect("move the test process into the cgroup");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"go\n").expect("start the test process");
        self.children.push(child);
        pid
    }

    /// Waits (at most `timeout`) for the child `pid` to end; its status, stdout and
    /// stderr.
    pub fn wait(
        &mut self,
        pid: Pid,
        timeout: Duration,
    ) -> (Option<std::process::ExitStatus>, String, String) {
        let index = self
            .children
            .iter()
            .position(|c| c.id() == pid.as_raw().unsigned_abs())
            .expect("a child of this test");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.children[index].try_wait().expect("wait") {
                break Some(status);
            }
            if started.elapsed() > timeout {
                break None;
            }
            thread::sleep(Duration::from_millis(20));
        };
        let child = &mut self.children[index];
        let stdout = status
            .and(child.stdout.take())
            .map(read_all::<ChildStdout>)
            .unwrap_or_default();
        let stderr = status
            .and(child.stderr.take())
            .map(read_all::<ChildStderr>)
            .unwrap_or_default();
        (status, stdout, stderr)
    }

    /// Total CPU time of the cgroup in nanoseconds.
    pub fn cpu_time(&self) -> u64 {
        self.manager.stats().expect("cgroup stats").cpu.usage.total
    }
}

fn read_all<R: Read>(mut r: R) -> String {
    let mut text = String::new();
    let _partial = r.read_to_string(&mut text);
    text
}

impl Drop for TestCgroup {
    fn drop(&mut self) {
        // Thaw first: a frozen process would not die, and the cgroup would stay.
        let _not_frozen = self.manager.thaw();
        let _none_left = self.manager.kill_all(Signal::SIGKILL);
        for child in &mut self.children {
            // Only our own children, by pid; gone already is fine.
            let _gone = child.kill();
            let _reaped = child.wait();
        }
        if let Err(err) = self.manager.destroy() {
            eprintln!("cannot remove test cgroup {}: {err}", self.path);
        }
        // The shared parent `/hull-test` stays, as the container tests leave it: removing
        // it once empty raced with another test creating its cgroup under it (the parent
        // made, then gone before the child's mkdir: ENOENT).
    }
}

/// Runs the helper named in [`HELPER_ENV`], if any: the `helper` test of each file calls
/// this, and the helper processes run only that test.
pub fn run_helper() {
    let Ok(spec) = std::env::var(HELPER_ENV) else {
        return;
    };
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .expect("wait to be moved");
    match spec.split_once(':') {
        Some(("allocate", mib)) => allocate(mib.parse().expect("MiB")),
        _ => panic!("unknown helper {spec}"),
    }
}

/// Allocates and touches `mib` MiB, then sleeps: in a cgroup with a smaller limit, the OOM
/// killer ends it.
fn allocate(mib: usize) {
    let mut chunks = Vec::new();
    for _ in 0..mib {
        let mut chunk = vec![0u8; 1 << 20];
        for page in chunk.chunks_mut(4096) {
            page[0] = 1;
        }
        chunks.push(chunk);
    }
    println!("allocated {} MiB", chunks.len());
    thread::sleep(Duration::from_secs(30));
}
