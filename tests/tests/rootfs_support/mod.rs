//! What the privileged rootfs tests share.
//!
//! Building a root filesystem changes the mount table and the root of the process that does
//! it, so no test does it in the test runner: each test copies the test rootfs into a
//! scratch directory and re-executes its own binary there, as a child started by
//! `unshare --mount` (a new mount namespace, nothing leaks to the host's mount table) with
//! [`CHILD_ENV`] naming the scenario. The child runs `hull_rootfs::prepare`, `enter` and
//! `finalize` on the copy and prints what it sees as `key=value` lines; the parent checks
//! them, and that the host's mount table and files are as they were.

#![allow(dead_code)] // Each test file uses a part.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use hull_cgroups::{Hierarchies, Membership};
use hull_configs::specconv::{SpecOptions, convert};
use hull_configs::{Config, DefaultSpecOptions, default_spec};
use hull_rootfs::{CgroupMount, RootfsOptions};
use hull_tests::{require_root, test_rootfs};

/// Names the scenario a re-executed test binary runs.
pub const CHILD_ENV: &str = "HULL_ROOTFS_TEST_CHILD";

/// The scratch directory of the test: `rootfs/` (a copy of the test rootfs), `host/` (stands
/// for host files a hostile rootfs aims at) and `src/` (bind sources).
pub const DIR_ENV: &str = "HULL_ROOTFS_TEST_DIR";

/// How long a child may take.
const TIMEOUT: Duration = Duration::from_secs(60);

pub use hull_tests::harness::Test;

/// A child scenario, given the scratch directory.
pub type Scenario = fn(&Path) -> Result<(), String>;

/// The test binary's main: a child runs its scenario, the parent runs the tests whose names
/// contain the first argument (all without one) and prints libtest's summary line.
pub fn main(tests: &[(&str, Test)], scenarios: &[(&str, Scenario)]) -> ExitCode {
    if let Some(scenario) = std::env::var_os(CHILD_ENV) {
        return child_main(&scenario.to_string_lossy(), scenarios);
    }
    hull_tests::harness::run(tests)
}

fn child_main(scenario: &str, scenarios: &[(&str, Scenario)]) -> ExitCode {
    let Some(dir) = std::env::var_os(DIR_ENV) else {
        println!("error={DIR_ENV} is not set");
        return ExitCode::FAILURE;
    };
    let Some((_, run)) = scenarios.iter().find(|(name, _)| *name == scenario) else {
        println!("error=no scenario {scenario}");
        return ExitCode::FAILURE;
    };
    let result = run(Path::new(&dir));
    let _ = std::io::stdout().flush(); // Best effort: the status says the rest.
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            println!("error={message}");
            ExitCode::FAILURE
        }
    }
}

/// A scratch directory holding a copy of the test rootfs; removed on drop.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// Copies the test rootfs into `<tempdir>/rootfs` and makes `host/` and `src/`.
    pub fn new() -> Result<Self, String> {
        require_root();
        let source = test_rootfs();
        let dir = tempfile::Builder::new()
            .prefix("hull-rootfs-test")
            .tempdir()
            .map_err(|err| format!("tempdir: {err}"))?;
        let status = Command::new("cp")
            .arg("-a")
            .arg(&source)
            .arg(dir.path().join("rootfs"))
            .status()
            .map_err(|err| format!("cp: {err}"))?;
        if !status.success() {
            return Err(format!("cp -a {} failed: {status}", source.display()));
        }
        for sub in ["host", "src"] {
            fs::create_dir(dir.path().join(sub)).map_err(|err| format!("mkdir {sub}: {err}"))?;
        }
        Ok(Scratch { dir })
    }

    /// The scratch directory (the bundle: `rootfs/` is the container's root).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The copy of the rootfs.
    pub fn rootfs(&self) -> PathBuf {
        self.dir.path().join("rootfs")
    }

    /// `host/`, which nothing may ever create anything in.
    pub fn host(&self) -> PathBuf {
        self.dir.path().join("host")
    }

    /// Runs `scenario` in a child in a new mount namespace (`unshare --mount`, and the
    /// extra `unshare` options given), checks the host's mount table around it, and
    /// returns what the child said.
    pub fn run(&self, scenario: &str, unshare: &[&str]) -> Result<Child, String> {
        let before = host_mounts()?;
        let child = run_child(scenario, self.path(), unshare)?;
        let after = host_mounts()?;
        check_no_new_mounts(&before, &after, self)
            .map_err(|message| format!("{message}\n{child}"))?;
        Ok(child)
    }
}

/// What a child printed and how it ended.
pub struct Child {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Child {
    /// The values of the child's `key=value` lines for `key`.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.stdout
            .lines()
            .filter_map(|line| line.strip_prefix(key)?.strip_prefix('='))
            .collect()
    }

    /// The value of the child's first `key=value` line.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.all(key).into_iter().next()
    }

    /// Fails unless the child's `key` line says `value`.
    pub fn expect(&self, key: &str, value: &str) -> Result<(), String> {
        match self.get(key) {
            Some(got) if got == value => Ok(()),
            got => Err(format!("{key}: expected {value:?}, got {got:?}\n{self}")),
        }
    }

    /// Fails unless the child succeeded.
    pub fn succeeded(&self) -> Result<(), String> {
        match self.status.success() {
            true => Ok(()),
            false => Err(format!("the child failed\n{self}")),
        }
    }

    /// The mounts the child listed (`mount=` lines, mountinfo format), parsed.
    pub fn mounts(&self) -> Vec<hull_tests::Mount> {
        hull_tests::procfs::parse_mountinfo(&self.all("mount").join("\n"))
    }

    /// The last mount on `point` the child listed.
    pub fn mount(&self, point: &str) -> Result<hull_tests::Mount, String> {
        self.mounts()
            .into_iter()
            .rev()
            .find(|m| m.mount_point == point)
            .ok_or_else(|| format!("nothing is mounted on {point}\n{self}"))
    }
}

impl fmt::Display for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "    status: {}\n    stdout:\n{}\n    stderr: {}",
            self.status,
            self.stdout.trim_end(),
            self.stderr.trim()
        )
    }
}

fn run_child(scenario: &str, dir: &Path, unshare: &[&str]) -> Result<Child, String> {
    let exe = std::env::current_exe().map_err(|err| format!("current_exe: {err}"))?;
    // `--propagation unchanged`: the propagation is for hull_rootfs::prepare to change.
    let mut child = Command::new("unshare")
        .args(["--mount", "--propagation", "unchanged"])
        .args(unshare)
        .arg(exe)
        .env(CHILD_ENV, scenario)
        .env(DIR_ENV, OsString::from(dir))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("spawn unshare: {err}"))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let reader = thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out); // What was read is kept either way.
        out
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|err| err.to_string())? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            child.kill().map_err(|err| err.to_string())?;
            return Err(format!("scenario {scenario} timed out"));
        }
        thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    let _ = stderr.read_to_string(&mut err); // As above.
    let out = reader.join().unwrap_or_default();
    Ok(Child {
        status,
        stdout: out,
        stderr: err,
    })
}

/// The host's mounts as `(mount point, root, type)`.
pub fn host_mounts() -> Result<BTreeSet<(String, String, String)>, String> {
    let text = fs::read_to_string("/proc/self/mountinfo").map_err(|err| err.to_string())?;
    Ok(hull_tests::procfs::parse_mountinfo(&text)
        .into_iter()
        .map(|m| (m.mount_point, m.root, m.fs_type))
        .collect())
}

/// Fails when a mount appeared on the host where a test could have put it: in the scratch
/// directory, or on a host path a hostile rootfs aims at. (Mounts elsewhere may come and
/// go with other work on the machine.)
fn check_no_new_mounts(
    before: &BTreeSet<(String, String, String)>,
    after: &BTreeSet<(String, String, String)>,
    scratch: &Scratch,
) -> Result<(), String> {
    let scratch_dir = scratch.path().to_string_lossy().into_owned();
    let aimed_at = [
        "/", "/etc", "/dev", "/proc", "/sys", "/tmp", "/made", "/escaped",
    ];
    let leaked: Vec<_> = after
        .difference(before)
        .filter(|(point, _, _)| {
            point.starts_with(&scratch_dir)
                || aimed_at.contains(&point.as_str())
                || point.starts_with("/dev/")
                || point.starts_with("/sys/")
                || point.starts_with("/etc/")
        })
        .collect();
    match leaked.is_empty() {
        true => Ok(()),
        false => Err(format!("mounts leaked to the host: {leaked:?}")),
    }
}

/// Fails when `dir` (a host directory) is not empty.
pub fn expect_empty(dir: &Path) -> Result<(), String> {
    let entries: Vec<_> = fs::read_dir(dir)
        .map_err(|err| format!("{}: {err}", dir.display()))?
        .flatten()
        .map(|e| e.file_name())
        .collect();
    match entries.is_empty() {
        true => Ok(()),
        false => Err(format!("{} holds {entries:?}", dir.display())),
    }
}

// ---- child side ----

/// The default spec (`hull spec`) converted for a bundle at `dir` (`dir/rootfs`).
pub fn default_config(dir: &Path) -> Result<Config, String> {
    let spec = default_spec(DefaultSpecOptions::default()).map_err(|err| err.to_string())?;
    let opts = SpecOptions {
        bundle: dir.to_owned(),
        cgroup_name: "rootfs-test".into(),
        ..SpecOptions::default()
    };
    convert(&spec, &opts)
        .map(|c| c.config)
        .map_err(|err| format!("convert: {err}"))
}

/// Options with this process's own cgroups as the container's: one entry per hierarchy
/// under `/sys/fs/cgroup`, as the container crate learns them from hull-cgroups.
pub fn host_cgroup_options(cgroupns: bool) -> Result<RootfsOptions, String> {
    let hierarchies = Hierarchies::detect().map_err(|err| err.to_string())?;
    let membership = Membership::of_self().map_err(|err| err.to_string())?;
    let top = Path::new("/sys/fs/cgroup");
    let name_of = |point: &Path| match point == top {
        true => String::new(),
        false => point
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into()),
    };
    let inside = |point: &Path, root: &Path, own: Option<&PathBuf>| {
        let own = own.map_or(Path::new("/"), PathBuf::as_path);
        let rel = own.strip_prefix(root).unwrap_or(Path::new(""));
        point.join(rel)
    };
    let mut mounts = Vec::new();
    for h in &hierarchies.v1 {
        let own = h.controllers.first().and_then(|c| membership.v1.get(c));
        mounts.push(CgroupMount {
            name: name_of(&h.mount_point),
            fstype: "cgroup".into(),
            options: h.controllers.join(","),
            host_path: inside(&h.mount_point, &h.root, own),
        });
    }
    if let Some(u) = &hierarchies.unified {
        mounts.push(CgroupMount {
            name: name_of(&u.mount_point),
            fstype: "cgroup2".into(),
            options: String::new(),
            host_path: inside(&u.mount_point, &u.root, membership.unified.as_ref()),
        });
    }
    Ok(RootfsOptions {
        cgroup_mounts: mounts,
        cgroupns,
        ..RootfsOptions::default()
    })
}

/// The full error chain of `err`, for a child's `error=` line.
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Prints every mount of this process as a `mount=` line.
pub fn print_mounts() -> Result<(), String> {
    let text = fs::read_to_string("/proc/self/mountinfo").map_err(|e| format!("mountinfo: {e}"))?;
    for line in text.lines() {
        println!("mount={line}");
    }
    Ok(())
}

/// `ok` or the name of the errno of a failed result.
pub fn outcome<T>(result: std::io::Result<T>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(err) => err.raw_os_error().map_or_else(
            || err.to_string(),
            |n| format!("{:?}", nix::errno::Errno::from_raw(n)),
        ),
    }
}

/// Prints `write PATH=ok|ERRNO` for opening `path` for writing, created if missing. Nothing
/// is written: a sysctl file that should be read-only is never changed, even when it is not.
pub fn try_write(path: &str) {
    let result = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path);
    println!("write {path}={}", outcome(result));
}

/// Prints `read PATH=<bytes>|ERRNO` for reading `path` whole.
pub fn try_read(path: &str) {
    let text = match fs::read(path) {
        Ok(bytes) => bytes.len().to_string(),
        Err(err) => outcome::<()>(Err(err)),
    };
    println!("read {path}={text}");
}

/// Prints `node PATH=c MAJOR:MINOR MODE` (or the errno) for a device node.
pub fn print_node(path: &str) {
    use std::os::unix::fs::MetadataExt;
    let text = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_char_device() => {
            let rdev = meta.rdev();
            let (major, minor) = (nix::sys::stat::major(rdev), nix::sys::stat::minor(rdev));
            format!("c {major}:{minor} {:o}", meta.mode() & 0o7777)
        }
        Ok(meta) => format!("not a char device: {:?}", meta.file_type()),
        Err(err) => outcome::<()>(Err(err)),
    };
    println!("node {path}={text}");
}

/// Prints `link PATH=TARGET` (or the errno).
pub fn print_link(path: &str) {
    let text = fs::read_link(path).map_or_else(
        |err| outcome::<()>(Err(err)),
        |target| target.display().to_string(),
    );
    println!("link {path}={text}");
}
