//! `hull` run by an unprivileged user: `hull spec --rootless`, a user namespace that maps the
//! user to root, and no cgroup (it cannot be written), with a warning — as runc's rootless
//! containers run.

#![allow(clippy::unwrap_used)] // a panic is a failed test

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use hull_tests::{hull_binary, require_root, test_rootfs};

/// The unprivileged user the test runs hull as.
const NOBODY: u32 = 65_534;

#[test]
fn an_unprivileged_user_runs_a_rootless_container() {
    require_root();
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bundle = dir.path().join("bundle");
    let state = dir.path().join("state");
    std::fs::create_dir(&bundle).unwrap();
    std::fs::create_dir(&state).unwrap();
    nix::unistd::chown(&state, Some(NOBODY.into()), Some(NOBODY.into())).unwrap();
    let as_nobody = |args: &[&str]| {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(hull_binary())
            .arg("--root")
            .arg(&state)
            .args(args)
            .current_dir(&bundle)
            .output()
            .unwrap()
    };
    // The bundle is root's; hull spec writes as root, the container runs as nobody.
    let written = Command::new(hull_binary())
        .args(["spec", "--rootless"])
        .current_dir(&bundle)
        .status()
        .unwrap();
    assert!(written.success());
    let path = bundle.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["process"]["terminal"] = false.into();
    config["process"]["args"] =
        serde_json::json!(["/bin/sh", "-c", "id -u; cat /proc/self/uid_map"]);
    config["root"]["path"] = test_rootfs().to_str().unwrap().into();
    config["linux"]["uidMappings"][0]["hostID"] = NOBODY.into();
    config["linux"]["gidMappings"][0]["hostID"] = NOBODY.into();
    std::fs::write(&path, config.to_string()).unwrap();

    let id = format!("rootless-{}", std::process::id());
    let ran = as_nobody(&["run", &id]);
    let stdout = String::from_utf8_lossy(&ran.stdout);
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(ran.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines, [vec!["0"], vec!["0", "65534", "1"]], "{stdout}");
    assert!(stderr.contains("running without a cgroup"), "{stderr}");
    assert!(
        std::fs::read_dir(&state).unwrap().next().is_none(),
        "state left behind"
    );
}
