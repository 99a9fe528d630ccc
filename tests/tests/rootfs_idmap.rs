//! Id-mapped bind mounts through hull-rootfs, as root: a mount whose config names a user
//! namespace by path (the init makes the tree), one whose tree the caller made with
//! `hull_rootfs::idmapped_tree` (the host side's part), and explicit mappings without a tree,
//! which are refused with a typed error.
//!
//! The user namespace is held by an `unshare --user sleep` whose maps the test writes:
//! container ids 0-65535 are host ids 100000-165535. On-disk owner 0 then shows as 100000
//! through the mount. Each test re-executes this binary in a new mount namespace (see
//! `rootfs_support`); its own harness (`harness = false`).

#[path = "rootfs_support/mod.rs"]
mod support;

use std::fs;
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::thread;
use std::time::{Duration, Instant};

use hull_configs::{IdMap, Mount, MountFlags, MountIdMapping};
use hull_rootfs::{finalize, idmapped_tree, prepare};
use support::{Scenario, Scratch, Test, chain, default_config, host_cgroup_options};

const TESTS: &[(&str, Test)] = &[
    (
        "idmapped_binds_show_mapped_owners",
        idmapped_binds_show_mapped_owners,
    ),
    (
        "explicit_mappings_need_a_tree",
        explicit_mappings_need_a_tree,
    ),
];

const SCENARIOS: &[(&str, Scenario)] = &[("idmap", run_idmap), ("no_tree", run_no_tree)];

/// The scratch file holding the pid of the process that holds the user namespace.
const PID_FILE: &str = "userns_pid";

/// The mapping of the test's user namespace.
const MAP: IdMap = IdMap {
    container_id: 0,
    host_id: 100_000,
    size: 65_536,
};

fn main() -> ExitCode {
    support::main(TESTS, SCENARIOS)
}

// ---- child side ----

fn idmapped_bind(source: &Path, destination: &str, idmap: MountIdMapping) -> Mount {
    Mount {
        source: source.to_owned(),
        destination: destination.into(),
        device: "bind".into(),
        flags: MountFlags::BIND,
        id_mapping: Some(idmap),
        ..Mount::default()
    }
}

fn userns_path(dir: &Path) -> Result<PathBuf, String> {
    let pid = fs::read_to_string(dir.join(PID_FILE)).map_err(|e| e.to_string())?;
    Ok(PathBuf::from(format!("/proc/{}/ns/user", pid.trim())))
}

fn explicit() -> MountIdMapping {
    MountIdMapping {
        uid_mappings: vec![MAP],
        gid_mappings: vec![MAP],
        ..MountIdMapping::default()
    }
}

fn run_idmap(dir: &Path) -> Result<(), String> {
    let userns = userns_path(dir)?;
    let mut config = default_config(dir)?;
    let src = dir.join("src");
    let by_path = MountIdMapping {
        userns_path: Some(userns.clone()),
        ..MountIdMapping::default()
    };
    config
        .mounts
        .push(idmapped_bind(&src, "/mnt/by-path", by_path));
    config
        .mounts
        .push(idmapped_bind(&src, "/mnt/by-tree", explicit()));
    let mut opts = host_cgroup_options(false)?;
    // The host side's part: a tree mapped with the container's user namespace.
    let ns = fs::File::open(&userns).map_err(|e| format!("open {}: {e}", userns.display()))?;
    let index = config.mounts.len() - 1;
    let tree = idmapped_tree(&config.mounts[index], ns.as_fd())
        .map_err(|e| format!("idmapped_tree: {}", chain(&e)))?;
    opts.idmapped_trees.insert(index, tree);

    let prepared = prepare(&config, &opts).map_err(|e| format!("prepare: {}", chain(&e)))?;
    prepared
        .enter(false)
        .map_err(|e| format!("enter: {}", chain(&e)))?;
    finalize(&config).map_err(|e| format!("finalize: {}", chain(&e)))?;
    for path in ["/mnt/by-path", "/mnt/by-tree", "/etc"] {
        let owner = fs::metadata(path).map_or_else(|e| e.to_string(), |m| m.uid().to_string());
        println!("owner {path}={owner}");
    }
    Ok(())
}

fn run_no_tree(dir: &Path) -> Result<(), String> {
    let mut config = default_config(dir)?;
    config
        .mounts
        .push(idmapped_bind(&dir.join("src"), "/mnt/mapped", explicit()));
    match prepare(&config, &host_cgroup_options(false)?) {
        Ok(_) => println!("prepare_error=none"),
        Err(err) => println!("prepare_error={}", chain(&err)),
    }
    Ok(())
}

// ---- parent side ----

/// A process in a new user namespace with [`MAP`] as its maps; killed on drop.
struct UsernsHolder(std::process::Child);

impl UsernsHolder {
    fn start() -> Result<Self, String> {
        let child = Command::new("unshare")
            .args(["--user", "sleep", "60"])
            .spawn()
            .map_err(|e| format!("spawn unshare --user: {e}"))?;
        let holder = UsernsHolder(child);
        let pid = holder.0.id();
        let own = fs::read_link("/proc/self/ns/user").map_err(|e| e.to_string())?;
        let started = Instant::now();
        while fs::read_link(format!("/proc/{pid}/ns/user")).ok().as_ref() == Some(&own) {
            if started.elapsed() > Duration::from_secs(10) {
                return Err("unshare --user did not make a user namespace".into());
            }
            thread::sleep(Duration::from_millis(10));
        }
        let map = format!("{} {} {}\n", MAP.container_id, MAP.host_id, MAP.size);
        for file in ["uid_map", "gid_map"] {
            fs::write(format!("/proc/{pid}/{file}"), &map)
                .map_err(|e| format!("write {file}: {e}"))?;
        }
        Ok(holder)
    }
}

impl Drop for UsernsHolder {
    fn drop(&mut self) {
        // Best effort: the sleep ends by itself within a minute anyway.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn idmapped_binds_show_mapped_owners() -> Result<(), String> {
    let scratch = Scratch::new()?;
    let holder = UsernsHolder::start()?;
    fs::write(scratch.path().join(PID_FILE), holder.0.id().to_string())
        .map_err(|e| e.to_string())?;
    let child = scratch.run("idmap", &[])?;
    child.succeeded()?;
    child.expect("owner /mnt/by-path", "100000")?;
    child.expect("owner /mnt/by-tree", "100000")?;
    // Not id-mapped: the image's own owner.
    child.expect("owner /etc", "0")
}

fn explicit_mappings_need_a_tree() -> Result<(), String> {
    let scratch = Scratch::new()?;
    let child = scratch.run("no_tree", &[])?;
    child.succeeded()?;
    let error = child.get("prepare_error").unwrap_or_default();
    match error.contains("id-mapped mount on /mnt/mapped has explicit mappings") {
        true => Ok(()),
        false => Err(format!("unexpected result of prepare\n{child}")),
    }
}
