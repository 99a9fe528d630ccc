//! hull-rootfs on a copy of the test rootfs, as root: the default spec's mounts, device
//! nodes and links, masked and read-only paths, a read-only root, `no_pivot_root`, bind
//! mount flags, `tmpcopyup`, devices bound from the host and a cgroup namespace.
//!
//! Each test re-executes this binary in a new mount namespace (see `rootfs_support`); its
//! own harness (`harness = false`): `cargo test -p hull-tests --test rootfs_mounts [NAME]`.

#[path = "rootfs_support/mod.rs"]
mod support;

use std::fs;
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::ExitCode;

use hull_configs::oci::Spec;
use hull_configs::specconv::{SpecOptions, convert};
use hull_configs::{Config, DefaultSpecOptions, default_spec_value};
use hull_rootfs::{RootfsOptions, finalize, prepare};
use serde_json::json;
use support::{
    Child, Scenario, Scratch, Test, chain, default_config, host_cgroup_options, print_link,
    print_mounts, print_node, try_read, try_write,
};

const TESTS: &[(&str, Test)] = &[
    ("default_spec_mounts", default_spec_mounts),
    ("device_nodes_and_links", device_nodes_and_links),
    ("masked_paths_are_unreadable", masked_paths_are_unreadable),
    ("readonly_paths_refuse_writes", readonly_paths_refuse_writes),
    ("readonly_root_and_umask", readonly_root_and_umask),
    ("no_pivot_root", no_pivot_root),
    ("bind_mount_flags", bind_mount_flags),
    ("tmpcopyup_keeps_the_content", tmpcopyup_keeps_the_content),
    ("devices_bound_from_the_host", devices_bound_from_the_host),
    (
        "cgroup_namespace_mounts_cgroupfs",
        cgroup_namespace_mounts_cgroupfs,
    ),
];

const SCENARIOS: &[(&str, Scenario)] = &[
    ("default", |dir| run_default(dir, false, false)),
    ("no_pivot", |dir| run_default(dir, true, false)),
    ("bind_devices", |dir| run_default(dir, false, true)),
    ("cgroupns", run_cgroupns),
    ("binds", run_binds),
];

fn main() -> ExitCode {
    support::main(TESTS, SCENARIOS)
}

// ---- child side ----

/// prepare, enter, finalize, then the facts of the container.
fn build(config: &Config, opts: &RootfsOptions) -> Result<(), String> {
    let prepared = prepare(config, opts).map_err(|e| format!("prepare: {}", chain(&e)))?;
    prepared
        .enter(config.no_pivot_root)
        .map_err(|e| format!("enter: {}", chain(&e)))?;
    finalize(config).map_err(|e| format!("finalize: {}", chain(&e)))
}

fn run_default(dir: &Path, no_pivot: bool, bind_devices: bool) -> Result<(), String> {
    let mut config = default_config(dir)?;
    config.no_pivot_root = no_pivot;
    let mut opts = host_cgroup_options(false)?;
    opts.bind_devices = bind_devices;
    build(&config, &opts)?;
    print_mounts()?;
    for node in ["null", "zero", "full", "random", "urandom", "tty"] {
        print_node(&format!("/dev/{node}"));
    }
    for link in ["ptmx", "fd", "stdin", "stdout", "stderr", "core"] {
        print_link(&format!("/dev/{link}"));
    }
    for path in ["/proc/keys", "/proc/timer_list", "/proc/kcore"] {
        try_read(path);
    }
    let firmware = fs::read_dir("/sys/firmware").map(|d| d.count());
    println!(
        "entries /sys/firmware={}",
        firmware.map_or_else(|e| e.to_string(), |n| n.to_string())
    );
    for path in [
        "/sys/firmware/x",
        "/proc/sys/kernel/hostname",
        "/newfile",
        "/tmp/x",
        "/dev/shm/x",
        "/dev/x",
        "/sys/fs/cgroup/x",
    ] {
        try_write(path);
    }
    let old = nix::sys::stat::umask(nix::sys::stat::Mode::empty());
    println!("umask={:o}", old.bits());
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    println!("cwd={}", cwd.display());
    // Standard input was the host's /dev/null: it must now be the container's.
    let stdin = nix::sys::stat::fstat(std::io::stdin().as_fd()).map_err(|e| e.to_string())?;
    let null = fs::metadata("/dev/null").map_err(|e| e.to_string())?;
    println!("stdin on container null={}", stdin.st_dev == null.dev());
    Ok(())
}

fn run_cgroupns(dir: &Path) -> Result<(), String> {
    let config = default_config(dir)?;
    build(&config, &host_cgroup_options(true)?)?;
    print_mounts()
}

/// The default spec with extra mounts, converted for the bundle at `dir`.
fn config_with_mounts(dir: &Path, extra: serde_json::Value) -> Result<Config, String> {
    let mut spec = default_spec_value(DefaultSpecOptions::default());
    if let (Some(mounts), Some(extra)) = (spec["mounts"].as_array_mut(), extra.as_array()) {
        mounts.extend(extra.iter().cloned());
    }
    let spec: Spec = serde_json::from_value(spec).map_err(|e| e.to_string())?;
    let opts = SpecOptions {
        bundle: dir.to_owned(),
        cgroup_name: "rootfs-test".into(),
        ..SpecOptions::default()
    };
    convert(&spec, &opts)
        .map(|c| c.config)
        .map_err(|e| format!("convert: {e}"))
}

fn run_binds(dir: &Path) -> Result<(), String> {
    let src = dir.join("src");
    let bind = |destination: &str, source: &Path, options: &[&str]| json!({ "destination": destination, "type": "bind", "source": source, "options": options });
    let extra = json!([
        { "destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "nosuid"] },
        bind("/mnt/ro", &src, &["bind", "ro", "nosuid", "nodev", "noexec"]),
        bind("/mnt/rw", &src, &["rbind", "rw"]),
        bind("/mnt/attrs", &src, &["rbind", "rro", "rnosuid"]),
        bind("/etc/hostname", &src.join("hostname"), &["bind", "ro"]),
        { "destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "size=1m"] },
    ]);
    let config = config_with_mounts(dir, extra)?;
    build(&config, &host_cgroup_options(false)?)?;
    print_mounts()?;
    for path in [
        "/mnt/ro/x",
        "/mnt/rw/x",
        "/mnt/attrs/x",
        "/etc/new",
        "/run/x",
        "/etc/hostname",
    ] {
        try_write(path);
    }
    for path in [
        "/etc/passwd",
        "/etc/group",
        "/etc/hostname",
        "/mnt/ro/hostname",
    ] {
        try_read(path);
    }
    Ok(())
}

// ---- parent side ----

fn default_child() -> Result<(Scratch, Child), String> {
    let scratch = Scratch::new()?;
    let child = scratch.run("default", &[])?;
    child.succeeded()?;
    Ok((scratch, child))
}

fn expect_options(
    child: &Child,
    point: &str,
    fs_type: &str,
    options: &[&str],
) -> Result<(), String> {
    let mount = child.mount(point)?;
    if mount.fs_type != fs_type {
        return Err(format!(
            "{point} is {}, not {fs_type}\n{child}",
            mount.fs_type
        ));
    }
    for option in options {
        let has = mount.has_option(option) || mount.super_options.iter().any(|o| o == option);
        if !has {
            return Err(format!("{point} lacks {option}: {mount:?}\n{child}"));
        }
    }
    Ok(())
}

fn default_spec_mounts() -> Result<(), String> {
    let (_scratch, child) = default_child()?;
    expect_options(&child, "/proc", "proc", &["rw"])?;
    expect_options(
        &child,
        "/dev",
        "tmpfs",
        &["nosuid", "mode=755", "size=65536k"],
    )?;
    let pts = ["nosuid", "noexec", "ptmxmode=666", "mode=620", "gid=5"];
    expect_options(&child, "/dev/pts", "devpts", &pts)?;
    let shm = ["nosuid", "nodev", "noexec", "size=65536k"];
    expect_options(&child, "/dev/shm", "tmpfs", &shm)?;
    expect_options(
        &child,
        "/dev/mqueue",
        "mqueue",
        &["nosuid", "nodev", "noexec"],
    )?;
    expect_options(
        &child,
        "/sys",
        "sysfs",
        &["ro", "nosuid", "nodev", "noexec"],
    )?;
    expect_options(&child, "/sys/fs/cgroup", "tmpfs", &["ro", "mode=755"])?;
    // This machine's hierarchies (hybrid): each bound read-only under the tmpfs.
    let cgroups: Vec<_> = child
        .mounts()
        .into_iter()
        .filter(|m| m.mount_point.starts_with("/sys/fs/cgroup/"))
        .collect();
    if cgroups.is_empty() || cgroups.iter().any(|m| !m.has_option("ro")) {
        return Err(format!(
            "cgroup hierarchies not bound read-only: {cgroups:?}\n{child}"
        ));
    }
    child.expect("write /sys/fs/cgroup/x", "EROFS")?;
    child.expect("write /dev/shm/x", "ok")?;
    child.expect("write /dev/x", "ok")?;
    child.expect("cwd", "/")
}

fn device_nodes_and_links() -> Result<(), String> {
    let (_scratch, child) = default_child()?;
    for (node, number) in [
        ("null", "1:3"),
        ("zero", "1:5"),
        ("full", "1:7"),
        ("random", "1:8"),
        ("urandom", "1:9"),
        ("tty", "5:0"),
    ] {
        child.expect(&format!("node /dev/{node}"), &format!("c {number} 666"))?;
    }
    child.expect("link /dev/ptmx", "pts/ptmx")?;
    child.expect("link /dev/fd", "/proc/self/fd")?;
    child.expect("link /dev/stdin", "/proc/self/fd/0")?;
    child.expect("link /dev/stdout", "/proc/self/fd/1")?;
    child.expect("link /dev/stderr", "/proc/self/fd/2")?;
    match Path::new("/proc/kcore").exists() {
        true => child.expect("link /dev/core", "/proc/kcore")?,
        false => child.expect("link /dev/core", "ENOENT")?,
    }
    child.expect("stdin on container null", "true")
}

fn masked_paths_are_unreadable() -> Result<(), String> {
    let (_scratch, child) = default_child()?;
    // Files are covered by /dev/null: they read as empty. A path the kernel lacks is
    // skipped (this machine has no /proc/kcore).
    child.expect("read /proc/keys", "0")?;
    child.expect("read /proc/timer_list", "0")?;
    child.mount("/proc/keys")?;
    match Path::new("/proc/kcore").exists() {
        true => child.expect("read /proc/kcore", "0")?,
        false => child.expect("read /proc/kcore", "ENOENT")?,
    }
    // Directories are covered by an empty read-only tmpfs.
    expect_options(&child, "/sys/firmware", "tmpfs", &["ro"])?;
    child.expect("entries /sys/firmware", "0")?;
    child.expect("write /sys/firmware/x", "EROFS")
}

fn readonly_paths_refuse_writes() -> Result<(), String> {
    let (_scratch, child) = default_child()?;
    expect_options(&child, "/proc/sys", "proc", &["ro"])?;
    expect_options(&child, "/proc/bus", "proc", &["ro"])?;
    child.expect("write /proc/sys/kernel/hostname", "EROFS")
}

fn readonly_root_and_umask() -> Result<(), String> {
    let (_scratch, child) = default_child()?;
    let root = child.mount("/")?;
    if !root.has_option("ro") {
        return Err(format!("/ is not read-only: {root:?}\n{child}"));
    }
    child.expect("write /newfile", "EROFS")?;
    child.expect("write /tmp/x", "EROFS")?;
    child.expect("umask", "22")
}

fn no_pivot_root() -> Result<(), String> {
    let scratch = Scratch::new()?;
    let child = scratch.run("no_pivot", &[])?;
    child.succeeded()?;
    let root = child.mount("/")?;
    if !root.root.ends_with("/rootfs") || !root.has_option("ro") {
        return Err(format!("/ is not the read-only rootfs: {root:?}\n{child}"));
    }
    expect_options(&child, "/proc", "proc", &[])?;
    expect_options(&child, "/sys", "sysfs", &["ro"])?;
    child.expect("read /proc/keys", "0")?;
    child.expect("write /proc/sys/kernel/hostname", "EROFS")?;
    child.expect("node /dev/null", "c 1:3 666")?;
    child.expect("cwd", "/")
}

fn binds_child() -> Result<(Scratch, Child), String> {
    let scratch = Scratch::new()?;
    let src = scratch.path().join("src");
    fs::write(src.join("hostname"), "from-the-host\n").map_err(|e| e.to_string())?;
    let child = scratch.run("binds", &[])?;
    child.succeeded()?;
    Ok((scratch, child))
}

fn bind_mount_flags() -> Result<(), String> {
    let (scratch, child) = binds_child()?;
    let ro = ["ro", "nosuid", "nodev", "noexec"];
    expect_options(&child, "/mnt/ro", "ext4", &ro)?;
    child.expect("write /mnt/ro/x", "EROFS")?;
    let rw = child.mount("/mnt/rw")?;
    if !rw.has_option("rw") || rw.has_option("nosuid") {
        return Err(format!(
            "/mnt/rw should keep its source's flags: {rw:?}\n{child}"
        ));
    }
    child.expect("write /mnt/rw/x", "ok")?;
    expect_options(&child, "/mnt/attrs", "ext4", &["ro", "nosuid"])?;
    child.expect("write /mnt/attrs/x", "EROFS")?;
    expect_options(&child, "/etc/hostname", "ext4", &["ro"])?;
    child.expect("read /etc/hostname", "14")?;
    child.expect("write /etc/hostname", "EROFS")?;
    // A read-only tmpfs is filled first and made read-only in finalize.
    expect_options(&child, "/run", "tmpfs", &["ro", "size=1024k"])?;
    child.expect("write /run/x", "EROFS")?;
    // The write through /mnt/rw reached the bind source.
    match scratch.path().join("src/x").exists() {
        true => Ok(()),
        false => Err(format!("src/x was not written through the bind\n{child}")),
    }
}

fn tmpcopyup_keeps_the_content() -> Result<(), String> {
    let (scratch, child) = binds_child()?;
    expect_options(&child, "/etc", "tmpfs", &["nosuid"])?;
    let passwd = fs::metadata(scratch.rootfs().join("etc/passwd")).map_err(|e| e.to_string())?;
    child.expect("read /etc/passwd", &passwd.len().to_string())?;
    child.expect("write /etc/new", "ok")?;
    // The write went to the tmpfs, not to the image.
    match scratch.rootfs().join("etc/new").exists() {
        true => Err(format!("/etc/new reached the image\n{child}")),
        false => Ok(()),
    }
}

fn devices_bound_from_the_host() -> Result<(), String> {
    let scratch = Scratch::new()?;
    let child = scratch.run("bind_devices", &[])?;
    child.succeeded()?;
    let null = child.mount("/dev/null")?;
    if null.root != "/null" {
        return Err(format!(
            "/dev/null is not the host's node: {null:?}\n{child}"
        ));
    }
    child.expect("node /dev/null", "c 1:3 666")?;
    child.expect("node /dev/zero", "c 1:5 666")?;
    child.expect("read /proc/keys", "0")
}

fn cgroup_namespace_mounts_cgroupfs() -> Result<(), String> {
    let scratch = Scratch::new()?;
    let child = scratch.run("cgroupns", &["--cgroup"])?;
    child.succeeded()?;
    let cgroups: Vec<_> = child
        .mounts()
        .into_iter()
        .filter(|m| m.mount_point.starts_with("/sys/fs/cgroup"))
        .collect();
    let real = cgroups
        .iter()
        .filter(|m| m.fs_type == "cgroup" || m.fs_type == "cgroup2");
    let mut count = 0;
    for m in real {
        count += 1;
        // A new mount in the namespace shows the namespace's root, read-only.
        if m.root != "/" || !m.has_option("ro") {
            return Err(format!(
                "{m:?} is not a read-only namespaced mount\n{child}"
            ));
        }
    }
    match count {
        0 => Err(format!("no cgroup filesystem mounted\n{child}")),
        _ => Ok(()),
    }
}
