//! hull-rootfs against a hostile rootfs, as root: symlinks in the image that point mount
//! destinations at the host (`data -> /etc`, `dev -> /`, an absolute path of a host
//! directory, `../../..`) must end up inside the rootfs or fail, never mount on or create
//! anything in the host. Each test checks the host's mount table and files around the run.
//!
//! Each test re-executes this binary in a new mount namespace (see `rootfs_support`); its
//! own harness (`harness = false`): `cargo test -p hull-tests --test rootfs_hostile [NAME]`.

#[path = "rootfs_support/mod.rs"]
mod support;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hull_configs::{Config, Mount, MountFlags};
use hull_rootfs::{finalize, prepare};
use support::{
    Child, Scenario, Scratch, Test, chain, default_config, expect_empty, host_cgroup_options,
    print_mounts, try_write,
};

const TESTS: &[(&str, Test)] = &[
    (
        "symlinked_destinations_stay_inside",
        symlinked_destinations_stay_inside,
    ),
    (
        "dev_linked_to_root_is_refused",
        dev_linked_to_root_is_refused,
    ),
    (
        "proc_through_a_symlink_is_refused",
        proc_through_a_symlink_is_refused,
    ),
    (
        "mount_into_proc_through_a_symlink_is_refused",
        mount_into_proc_is_refused,
    ),
    (
        "dev_null_linked_to_a_kernel_file_masks_nothing",
        dev_null_linked_to_a_kernel_file_masks_nothing,
    ),
    (
        "dev_null_as_a_regular_file_masks_nothing",
        dev_null_as_a_regular_file_masks_nothing,
    ),
    (
        "dev_console_linked_to_a_kernel_file_is_refused",
        dev_console_linked_to_a_kernel_file_is_refused,
    ),
];

const SCENARIOS: &[(&str, Scenario)] = &[
    ("symlinks", run_symlinks),
    ("default_prepare", run_prepare_only),
    ("into_proc", run_into_proc),
    ("own_dev", run_own_dev),
    ("own_dev_console", run_own_dev_console),
];

fn main() -> ExitCode {
    support::main(TESTS, SCENARIOS)
}

// ---- child side ----

fn bind(source: &Path, destination: &str) -> Mount {
    Mount {
        source: source.to_owned(),
        destination: destination.into(),
        device: "bind".into(),
        flags: MountFlags::BIND,
        ..Mount::default()
    }
}

/// The default config plus binds of `src/` onto each symlinked destination; prints the
/// mount table as the host namespace would see it after `prepare` (`prepared=` lines), then
/// enters and prints the container's.
fn run_symlinks(dir: &Path) -> Result<(), String> {
    let mut config = default_config(dir)?;
    let src = dir.join("src");
    for destination in ["/data", "/hostdir/sub", "/up/escaped", "/dangle/x"] {
        config.mounts.push(bind(&src, destination));
    }
    let prepared = prepare(&config, &host_cgroup_options(false)?)
        .map_err(|e| format!("prepare: {}", chain(&e)))?;
    let text = fs::read_to_string("/proc/self/mountinfo").map_err(|e| e.to_string())?;
    for line in text.lines() {
        println!("prepared={line}");
    }
    prepared
        .enter(false)
        .map_err(|e| format!("enter: {}", chain(&e)))?;
    finalize(&config).map_err(|e| format!("finalize: {}", chain(&e)))?;
    print_mounts()?;
    try_write("/etc/through-data");
    Ok(())
}

/// `prepare` of `config`, printing its error as a `prepare_error=` line.
fn prepare_reporting(config: &Config) -> Result<(), String> {
    match prepare(config, &host_cgroup_options(false)?) {
        Ok(_) => println!("prepare_error=none"),
        Err(err) => println!("prepare_error={}", chain(&err)),
    }
    let text = fs::read_to_string("/proc/self/mountinfo").map_err(|e| e.to_string())?;
    for line in text.lines() {
        println!("prepared={line}");
    }
    Ok(())
}

fn run_prepare_only(dir: &Path) -> Result<(), String> {
    prepare_reporting(&default_config(dir)?)
}

fn run_into_proc(dir: &Path) -> Result<(), String> {
    let mut config = default_config(dir)?;
    fs::write(dir.join("src/hostname"), "x\n").map_err(|e| e.to_string())?;
    config
        .mounts
        .push(bind(&dir.join("src/hostname"), "/sneaky"));
    prepare_reporting(&config)
}

/// The default config with `/dev` bound from the bundle's `dev/` (which the test fills)
/// instead of hull's tmpfs; prepares, enters and finalizes, printing the finalize error as
/// a `finalize_error=` line, then the container's mounts.
fn run_own_dev(dir: &Path) -> Result<(), String> {
    let config = enter_own_dev(dir)?;
    match finalize(&config) {
        Ok(()) => println!("finalize_error=none"),
        Err(err) => println!("finalize_error={}", chain(&err)),
    }
    print_mounts()
}

/// The default config with `/dev` bound from the bundle's `dev/`, prepared and entered.
fn enter_own_dev(dir: &Path) -> Result<Config, String> {
    let mut config = default_config(dir)?;
    config.mounts.retain(|m| m.destination != Path::new("/dev"));
    config.mounts.push(bind(&dir.join("dev"), "/dev"));
    let prepared = prepare(&config, &host_cgroup_options(false)?)
        .map_err(|e| format!("prepare: {}", chain(&e)))?;
    prepared
        .enter(false)
        .map_err(|e| format!("enter: {}", chain(&e)))?;
    Ok(config)
}

/// The `own_dev` root, entered, then a terminal (a pty of the host's, opened before) bound
/// onto its `/dev/console` with `mount_console`, printing the error as a `console_error=`
/// line, then the container's mounts.
fn run_own_dev_console(dir: &Path) -> Result<(), String> {
    use rustix::pty::{OpenptFlags, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).map_err(|e| e.to_string())?;
    unlockpt(&master).map_err(|e| e.to_string())?;
    let name = ptsname(&master, Vec::new()).map_err(|e| e.to_string())?;
    let slave = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_string_lossy().as_ref())
        .map_err(|e| format!("open pty slave: {e}"))?;
    enter_own_dev(dir)?;
    match hull_rootfs::mount_console(std::os::fd::AsFd::as_fd(&slave)) {
        Ok(()) => println!("console_error=none"),
        Err(err) => println!("console_error={}", chain(&err)),
    }
    print_mounts()
}

// ---- parent side ----

/// The mount points the child listed after `prepare` that the host did not have.
fn new_mount_points(child: &Child) -> Result<Vec<String>, String> {
    let host = support::host_mounts()?;
    let host_points: Vec<&String> = host.iter().map(|(point, _, _)| point).collect();
    let prepared = hull_tests::procfs::parse_mountinfo(&child.all("prepared").join("\n"));
    Ok(prepared
        .into_iter()
        .map(|m| m.mount_point)
        .filter(|p| !host_points.contains(&p))
        .collect())
}

/// Fails unless every mount `prepare` made is inside the rootfs copy.
fn all_inside(child: &Child, rootfs: &Path) -> Result<Vec<String>, String> {
    let points = new_mount_points(child)?;
    let outside: Vec<_> = points
        .iter()
        .filter(|p| !Path::new(p).starts_with(rootfs))
        .collect();
    match outside.is_empty() {
        true => Ok(points),
        false => Err(format!("mounts outside the rootfs: {outside:?}\n{child}")),
    }
}

/// Fails when anything a hostile link aims at exists on the host.
fn host_untouched(scratch: &Scratch) -> Result<(), String> {
    expect_empty(&scratch.host())?;
    for path in ["/made", "/escaped", "/etc/through-data", "/sneaky"] {
        if Path::new(path).exists() {
            return Err(format!("{path} was created on the host"));
        }
    }
    Ok(())
}

fn symlinked_destinations_stay_inside() -> Result<(), String> {
    let scratch = Scratch::new()?;
    let rootfs = scratch.rootfs();
    let link = |target: &Path, name: &str| {
        symlink(target, rootfs.join(name)).map_err(|e| format!("symlink {name}: {e}"))
    };
    link(Path::new("/etc"), "data")?;
    link(&scratch.host(), "hostdir")?;
    link(Path::new("../../../../../../.."), "up")?;
    link(Path::new("/made/here"), "dangle")?;

    let child = scratch.run("symlinks", &[])?;
    child.succeeded()?;
    let points = all_inside(&child, &rootfs)?;
    let host_inside = rootfs.join(scratch.host().strip_prefix("/").unwrap_or(Path::new("")));
    let expected: [PathBuf; 4] = [
        rootfs.join("etc"),
        host_inside.join("sub"),
        rootfs.join("escaped"),
        rootfs.join("made/here/x"),
    ];
    for path in &expected {
        if !points.iter().any(|p| Path::new(p) == path) {
            return Err(format!(
                "nothing mounted on {}: {points:?}\n{child}",
                path.display()
            ));
        }
    }
    // Inside, the bind through `data` is the container's /etc, read-only root or not.
    child.mount("/etc")?;
    host_untouched(&scratch)
}

fn dev_linked_to_root_is_refused() -> Result<(), String> {
    let scratch = Scratch::new()?;
    let dev = scratch.rootfs().join("dev");
    fs::remove_dir(&dev).map_err(|e| format!("rmdir dev: {e}"))?;
    symlink("/", &dev).map_err(|e| format!("symlink dev: {e}"))?;
    let child = scratch.run("default_prepare", &[])?;
    child.succeeded()?;
    let error = child.get("prepare_error").unwrap_or_default();
    if !error.contains("/dev resolves to the root of the rootfs") {
        return Err(format!("unexpected result of prepare\n{child}"));
    }
    all_inside(&child, &scratch.rootfs())?;
    host_untouched(&scratch)
}

fn proc_through_a_symlink_is_refused() -> Result<(), String> {
    let scratch = Scratch::new()?;
    let proc = scratch.rootfs().join("proc");
    fs::remove_dir(&proc).map_err(|e| format!("rmdir proc: {e}"))?;
    symlink("/etc", &proc).map_err(|e| format!("symlink proc: {e}"))?;
    let child = scratch.run("default_prepare", &[])?;
    child.succeeded()?;
    let error = child.get("prepare_error").unwrap_or_default();
    if !error.starts_with("filesystem \"proc\" must be mounted on ordinary directory") {
        return Err(format!("unexpected result of prepare\n{child}"));
    }
    let points = all_inside(&child, &scratch.rootfs())?;
    if points.iter().any(|p| p.ends_with("/etc")) {
        return Err(format!(
            "proc was mounted through the link: {points:?}\n{child}"
        ));
    }
    host_untouched(&scratch)
}

fn mount_into_proc_is_refused() -> Result<(), String> {
    let scratch = Scratch::new()?;
    let sneaky = scratch.rootfs().join("sneaky");
    symlink("/proc/sys/kernel/hostname", &sneaky).map_err(|e| format!("symlink: {e}"))?;
    let child = scratch.run("into_proc", &[])?;
    child.succeeded()?;
    let error = child.get("prepare_error").unwrap_or_default();
    if !error.contains("cannot mount on /proc/sys/kernel/hostname") {
        return Err(format!("unexpected result of prepare\n{child}"));
    }
    all_inside(&child, &scratch.rootfs())?;
    host_untouched(&scratch)
}

/// CVE-2025-31133: the container brings its own `/dev`, whose `null` is a symlink to a
/// kernel file. Masking a path with "/dev/null" by path would bind that kernel file over
/// the masked path (writable by the container). hull opens `/dev/null` without following
/// a symlink, checks it is character device 1:3, and refuses to mask with anything else.
fn dev_null_linked_to_a_kernel_file_masks_nothing() -> Result<(), String> {
    own_dev_null_is_refused(|null| {
        symlink("/proc/sys/kernel/core_pattern", null).map_err(|e| format!("symlink: {e}"))
    })
}

/// The same with `/dev/null` a regular file: masking with it would show its content in
/// place of the masked file.
fn dev_null_as_a_regular_file_masks_nothing() -> Result<(), String> {
    own_dev_null_is_refused(|null| fs::write(null, "fake").map_err(|e| format!("write: {e}")))
}

/// Runs the `own_dev` scenario with a `dev/null` made by `make` and checks that finalize
/// refused it and that nothing was mounted from it.
fn own_dev_null_is_refused(make: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), String> {
    let scratch = Scratch::new()?;
    let dev = scratch.path().join("dev");
    fs::create_dir(&dev).map_err(|e| format!("mkdir dev: {e}"))?;
    make(&dev.join("null"))?;
    let child = scratch.run("own_dev", &[])?;
    child.succeeded()?;
    let error = child.get("finalize_error").unwrap_or_default();
    if !error.contains("cannot use /dev/null to mask") {
        return Err(format!("a fake /dev/null was not refused\n{child}"));
    }
    let from_fake = child.mounts().into_iter().filter(|m| {
        m.root.ends_with("core_pattern") || m.root.ends_with("/dev/null") && m.fs_type != "devtmpfs"
    });
    let from_fake: Vec<_> = from_fake.map(|m| m.mount_point).collect();
    match from_fake.is_empty() {
        true => host_untouched(&scratch),
        false => Err(format!("masked with the fake: {from_fake:?}\n{child}")),
    }
}

/// CVE-2025-52565: the container brings its own `/dev`, whose `console` is a symlink to a
/// kernel file. Binding the terminal onto "/dev/console" by path would mount it over that
/// file. hull opens `/dev/console` without following a symlink and refuses anything but a
/// regular file or a device outside procfs and sysfs.
fn dev_console_linked_to_a_kernel_file_is_refused() -> Result<(), String> {
    let scratch = Scratch::new()?;
    let dev = scratch.path().join("dev");
    fs::create_dir(&dev).map_err(|e| format!("mkdir dev: {e}"))?;
    symlink("/proc/sys/kernel/core_pattern", dev.join("console"))
        .map_err(|e| format!("symlink: {e}"))?;
    let child = scratch.run("own_dev_console", &[])?;
    child.succeeded()?;
    let error = child.get("console_error").unwrap_or_default();
    if !error.contains("cannot bind the terminal onto /dev/console") {
        return Err(format!("a symlinked /dev/console was not refused\n{child}"));
    }
    let over_kernel_file: Vec<_> = child
        .mounts()
        .into_iter()
        .filter(|m| m.mount_point.starts_with("/proc/sys"))
        .map(|m| m.mount_point)
        .collect();
    match over_kernel_file.is_empty() {
        true => host_untouched(&scratch),
        false => Err(format!(
            "the terminal was bound over {over_kernel_file:?}\n{child}"
        )),
    }
}
