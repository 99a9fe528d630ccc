//! `cargo xtask test --cgroup-v2-only`: the privileged cgroup tests (`hull-tests`'
//! `cgroups_*`) and the library's container tests (`container_process`: the init's way
//! into the cgroup, limits, the cgroup namespace, the hardened init with seccomp;
//! `container_errors`: bad input and a multi-threaded init) on a pure cgroup v2 host.
//!
//! On a host whose `/sys/fs/cgroup` is cgroup2 they run here. Elsewhere (the hybrid build
//! machines) they run in a VM: Debian's kernel (`linux-image-amd64`'s package, downloaded
//! once into `target/vm`) booted under `qemu-system-x86_64 -accel tcg` (KVM hangs on these
//! machines) with an initramfs of busybox, the test binaries, `hull` and their libraries,
//! the test rootfs, and an init that mounts cgroup2 on `/sys/fs/cgroup`, runs each binary
//! and powers off. The serial console comes back to us; `HULL-VM:` lines carry the results.

mod initramfs;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::error::{Result, XtaskError};
use crate::packages::{self, Package};
use crate::{cargo, command};

/// What the VM needs on the host.
const VM_PACKAGES: &[Package] = &[
    Package {
        name: "qemu-system-x86",
        why: "qemu-system-x86_64, to boot a pure cgroup v2 kernel for the cgroup tests",
    },
    Package {
        name: "busybox-static",
        why: "the shell and tools of the VM's initramfs",
    },
];

/// The Debian package whose dependency names the current kernel image.
const KERNEL_META: &str = "linux-image-amd64";
/// How long the VM may run, boot and all tests included.
const TIMEOUT: Duration = Duration::from_secs(900);

/// What can go wrong running the tests in the VM.
#[derive(Debug, thiserror::Error)]
pub enum VmError {
    /// `apt-cache depends` named no kernel image.
    #[error("`apt-cache depends {KERNEL_META}` names no kernel image package")]
    NoKernelPackage,
    /// The kernel package holds no `vmlinuz`.
    #[error("{dir} holds no boot/vmlinuz-*")]
    NoVmlinuz {
        /// Where the package was unpacked.
        dir: PathBuf,
    },
    /// cargo built no `cgroups_*` or `container_process` test binary.
    #[error("cargo built no {0} test binary of hull-tests")]
    NoTests(&'static str),
    /// The VM did not power off in time.
    #[error("the VM was still running after {0:?}: killed")]
    Timeout(Duration),
    /// Test binaries failed, or never reported.
    #[error("tests failed on cgroup v2: {0}")]
    Failed(String),
}

/// The test binaries of `hull-tests` that run on cgroup v2.
const TESTS: [&str; 3] = ["cgroups_*", "container_process", "container_errors"];

/// Runs the cgroup and container tests on pure cgroup v2, with the test rootfs at
/// `rootfs`: here if this host is (they need root then, and say so), else in the VM (where
/// they run as root whoever we are).
pub fn run(rootfs: &Path) -> Result<()> {
    cargo::run(&["build", "-p", "hull-cli"])?;
    let hull = cargo::target_dir().join("debug").join("hull");
    if is_pure_v2() {
        println!("==> /sys/fs/cgroup is cgroup2: running the cgroup and container tests here");
        let mut cmd = cargo::cargo();
        cmd.args(["test", "-p", "hull-tests"]);
        for test in TESTS {
            cmd.args(["--test", test]);
        }
        return command::run(
            cmd.env("HULL_TEST_ROOTFS", rootfs)
                .env("HULL_BINARY", &hull),
        );
    }
    println!("==> this host is not pure cgroup v2: running the cgroup and container tests in a VM");
    println!("{}", packages::ensure(VM_PACKAGES)?.summary());
    let dir = cargo::target_dir().join("vm");
    let kernel = kernel(&dir)?;
    let tests = test_binaries()?;
    let image = dir.join("initramfs.cpio");
    let contents = initramfs::Contents {
        tests: &tests,
        hull: &hull,
        rootfs,
    };
    initramfs::build(&dir.join("initramfs"), &image, &contents)?;
    let output = boot(&kernel, &image)?;
    verdict(&output, tests.len())
}

/// Whether `/sys/fs/cgroup` is a cgroup2 mount, from `/proc/self/mountinfo`.
fn is_pure_v2() -> bool {
    std::fs::read_to_string("/proc/self/mountinfo").is_ok_and(|text| {
        text.lines().any(|line| {
            let mut fields = line.split(' ');
            let mount_point = fields.nth(4);
            let fstype = line
                .split(" - ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next());
            mount_point == Some("/sys/fs/cgroup") && fstype == Some("cgroup2")
        })
    })
}

/// The kernel image: downloaded and unpacked into `dir` once.
fn kernel(dir: &Path) -> Result<PathBuf> {
    let unpacked = dir.join("kernel");
    if let Some(vmlinuz) = find_vmlinuz(&unpacked)? {
        return Ok(vmlinuz);
    }
    std::fs::create_dir_all(dir).map_err(|source| XtaskError::CreateDir {
        path: dir.to_owned(),
        source,
    })?;
    let depends = command::stdout_of(Command::new("apt-cache").args(["depends", KERNEL_META]))?;
    let package = depends
        .lines()
        .filter_map(|line| line.trim().strip_prefix("Depends: "))
        .find(|name| name.starts_with("linux-image-"))
        .ok_or(VmError::NoKernelPackage)?
        .to_owned();
    println!("==> downloading {package}");
    command::run(
        Command::new("apt-get")
            .args(["download", &package])
            .current_dir(dir),
    )?;
    let deb = std::fs::read_dir(dir)
        .map_err(|source| XtaskError::ReadDir {
            path: dir.to_owned(),
            source,
        })?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| {
            path.to_string_lossy().ends_with(".deb") && path.to_string_lossy().contains(&package)
        })
        .ok_or(VmError::NoKernelPackage)?;
    command::run(Command::new("dpkg").arg("-x").arg(&deb).arg(&unpacked))?;
    find_vmlinuz(&unpacked)?.ok_or_else(|| VmError::NoVmlinuz { dir: unpacked }.into())
}

fn find_vmlinuz(unpacked: &Path) -> Result<Option<PathBuf>> {
    let boot = unpacked.join("boot");
    let Ok(entries) = std::fs::read_dir(&boot) else {
        return Ok(None);
    };
    Ok(entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("vmlinuz-"))
        }))
}

/// Builds the test binaries of [`TESTS`] and returns their paths, cgroup tests first.
fn test_binaries() -> Result<Vec<PathBuf>> {
    let mut cmd = cargo::cargo();
    cmd.args([
        "test",
        "-p",
        "hull-tests",
        "--no-run",
        "--message-format=json",
    ]);
    for test in TESTS {
        cmd.args(["--test", test]);
    }
    let json = command::stdout_of(&mut cmd)?;
    let mut tests: Vec<PathBuf> = json
        .lines()
        .filter(|line| line.contains("\"reason\":\"compiler-artifact\""))
        .filter_map(|line| {
            let start = line.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = start + line[start..].find('"')?;
            Some(PathBuf::from(&line[start..end]))
        })
        .filter(|path| {
            path.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.starts_with("cgroups_")
                    || n.starts_with("container_process-")
                    || n.starts_with("container_errors-")
            })
        })
        .collect();
    tests.sort();
    for (prefix, wanted) in [
        ("cgroups_", "cgroups_*"),
        ("container_process-", "container_process"),
        ("container_errors-", "container_errors"),
    ] {
        let built = |p: &PathBuf| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        };
        if !tests.iter().any(built) {
            return Err(VmError::NoTests(wanted).into());
        }
    }
    Ok(tests)
}

/// Boots the VM, streams its console to ours and returns it.
fn boot(kernel: &Path, initramfs: &Path) -> Result<String> {
    let mut qemu = Command::new("qemu-system-x86_64");
    qemu.args([
        "-accel",
        "tcg",
        "-m",
        "1024",
        "-smp",
        "2",
        "-nographic",
        "-no-reboot",
    ])
    .arg("-kernel")
    .arg(kernel)
    .arg("-initrd")
    .arg(initramfs)
    .args(["-append", "console=ttyS0 panic=-1 quiet"])
    .stdin(Stdio::null())
    .stdout(Stdio::piped());
    let described = command::describe(&qemu);
    let mut child = qemu.spawn().map_err(|source| XtaskError::Spawn {
        command: described.clone(),
        source,
    })?;
    let Some(stdout) = child.stdout.take() else {
        return Err(VmError::Failed("qemu's console was not captured".into()).into());
    };
    let (lines, received) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let mut console = String::new();
    loop {
        match received.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => {
                println!("{line}");
                console.push_str(&line);
                console.push('\n');
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) if started.elapsed() > TIMEOUT => {
                // Our own child, by its handle.
                let _already_gone = child.kill();
                let _reaped = child.wait();
                return Err(VmError::Timeout(TIMEOUT).into());
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
    command::wait(&mut child, described)?;
    Ok(console)
}

/// Reads the `HULL-VM: exit NAME CODE` lines: every binary must have run and passed.
fn verdict(console: &str, expected: usize) -> Result<()> {
    let exits: Vec<(&str, &str)> = console
        .lines()
        .filter_map(|line| line.split_once("HULL-VM: exit ").map(|(_, rest)| rest))
        .filter_map(|rest| rest.trim().split_once(' '))
        .collect();
    let failed: Vec<String> = exits
        .iter()
        .filter(|(_, code)| *code != "0")
        .map(|(name, code)| format!("{name} exited {code}"))
        .collect();
    let kernel = console
        .lines()
        .find_map(|line| line.split_once("HULL-VM: kernel ").map(|(_, k)| k.trim()))
        .unwrap_or("unknown");
    if !failed.is_empty() {
        return Err(VmError::Failed(failed.join(", ")).into());
    }
    if exits.len() != expected {
        let report = format!("{} of {expected} test binaries reported", exits.len());
        return Err(VmError::Failed(report).into());
    }
    println!("\ncgroup v2 VM (kernel {kernel}): {expected} test binaries passed");
    Ok(())
}
