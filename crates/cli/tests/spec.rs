//! `hull spec` writes a config.json that hull's own specconv reads, and never overwrites one.

use std::process::Command;

fn hull() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hull"))
}

#[test]
fn spec_writes_the_default_config() {
    let dir = tempfile::tempdir().unwrap();
    let status = hull()
        .args(["spec", "--bundle"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    let spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(spec["process"]["args"][0], "sh");
    assert_eq!(spec["root"]["path"], "rootfs");
    assert!(text.starts_with("{\n\t\"ociVersion\""));
}

#[test]
fn spec_rootless_maps_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let status = hull()
        .current_dir(dir.path())
        .args(["spec", "--rootless"])
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    let spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    let euid = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .unwrap();
    assert_eq!(spec["linux"]["uidMappings"][0]["hostID"], euid);
    assert!(spec["linux"]["resources"].is_null());
}

#[test]
fn spec_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), "mine").unwrap();
    let out = hull()
        .args(["spec", "-b"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("config.json already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("config.json")).unwrap(),
        "mine"
    );
}
