//! The container lifecycle through the `hull` binary, as an engine drives runc: `run`,
//! `create`, `start`, `state`, `list`, `delete`, pid files, preserved descriptors,
//! signal forwarding, and flags after the id. As root.

mod cli_support;

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use cli_support::{TIMEOUT, TestBundle, wait_for};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

const SLEEPER: &[&str] = &["/bin/hull-probe", "sleep", "60"];

#[test]
fn run_exits_with_the_status_of_the_container() {
    let bundle = TestBundle::new("run-true", &["/bin/true"]);
    let ran = bundle.hull(&["run", &bundle.id]);
    assert_eq!(ran.code, Some(0), "{ran:?}");
    bundle.assert_nothing_left();

    bundle.edit(|spec| spec["process"]["args"] = ["sh", "-c", "exit 3"].as_slice().into());
    let ran = bundle.hull(&["run", &bundle.id]);
    assert_eq!(ran.code, Some(3), "{ran:?}");
    bundle.assert_nothing_left();
}

#[test]
fn run_prints_what_the_container_prints() {
    let bundle = TestBundle::new("run-echo", &["sh", "-c", "echo out-$((6*7)); echo err >&2"]);
    let ran = bundle.hull(&["run", &bundle.id]).ok();
    assert_eq!(ran.stdout, "out-42\n");
    assert_eq!(ran.stderr, "err\n");
}

#[test]
fn create_start_state_and_delete() {
    let mut bundle = TestBundle::new("lifecycle", &["/bin/hull-probe", "sleep", "1"]);
    bundle.edit(|spec| spec["annotations"] = serde_json::json!({"org.hull.test": "yes"}));
    let pid_file = bundle.path().join("init.pid");
    bundle
        .hull(&[
            "create",
            "--pid-file",
            pid_file.to_str().unwrap(),
            &bundle.id,
        ])
        .ok();
    let pid = bundle.remember_init();
    assert_eq!(fs::read_to_string(&pid_file).unwrap(), pid.to_string());
    assert!(!bundle.path().join(".init.pid").exists());

    let ran = bundle.hull(&["state", &bundle.id]).ok();
    let state: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let created = state["created"].as_str().unwrap();
    assert_go_rfc3339_nano(created);
    let dir = fs::canonicalize(bundle.path()).unwrap();
    let dir = dir.display();
    let expected = format!(
        "{{\n  \"ociVersion\": \"1.2.1\",\n  \"id\": \"{id}\",\n  \"pid\": {pid},\n  \
         \"status\": \"created\",\n  \"bundle\": \"{dir}\",\n  \"rootfs\": \"{dir}/rootfs\",\n  \
         \"created\": \"{created}\",\n  \"annotations\": {{\n    \"org.hull.test\": \"yes\"\n  \
         }},\n  \"owner\": \"\"\n}}",
        id = bundle.id,
    );
    assert_eq!(
        ran.stdout, expected,
        "runc's field order and indentation, no newline"
    );

    bundle.hull(&["start", &bundle.id]).ok();
    assert_eq!(bundle.status(), "running");
    bundle.wait_for_status("stopped");
    assert_eq!(bundle.state()["pid"], 0, "a stopped container has no pid");
    bundle
        .hull(&["start", &bundle.id])
        .fails_with("it is stopped");

    bundle.hull(&["delete", &bundle.id]).ok();
    bundle.assert_nothing_left();
    bundle
        .hull(&["state", &bundle.id])
        .fails_with("does not exist");
}

#[test]
fn list_prints_runc_table_and_json() {
    let mut bundle = TestBundle::new("list", SLEEPER);
    let empty = bundle.hull(&["list"]).ok();
    assert_eq!(
        empty.stdout,
        "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n"
    );
    assert_eq!(bundle.hull(&["list", "-f", "json"]).ok().stdout, "null\n");

    bundle.hull(&["run", "-d", &bundle.id]).ok();
    let pid = bundle.remember_init();
    let state = bundle.state();
    let (dir, created) = (
        state["bundle"].as_str().unwrap(),
        state["created"].as_str().unwrap(),
    );

    let table = bundle.hull(&["list"]).ok().stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    let id_width = (bundle.id.len() + 3).max(12);
    let dir_width = dir.len() + 3;
    let created_width = created.len() + 3;
    let header = format!(
        "{:id_width$}{:12}{:12}{:dir_width$}{:created_width$}OWNER",
        "ID", "PID", "STATUS", "BUNDLE", "CREATED"
    );
    let row = format!(
        "{:id_width$}{:<12}{:12}{:dir_width$}{:created_width$}root",
        bundle.id, pid, "running", dir, created
    );
    assert_eq!(lines, [header.as_str(), row.as_str()]);

    let json = bundle.hull(&["list", "--format", "json"]).ok().stdout;
    assert!(
        json.ends_with("]\n") && !json.contains("\n "),
        "compact: {json}"
    );
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut expected = state.clone();
    expected["owner"] = "root".into();
    assert_eq!(list, serde_json::json!([expected]));
    let keys: Vec<&str> = list[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "ociVersion",
            "id",
            "pid",
            "status",
            "bundle",
            "rootfs",
            "created",
            "owner"
        ]
    );

    assert_eq!(
        bundle.hull(&["list", "-q"]).ok().stdout,
        format!("{}\n", bundle.id)
    );
    bundle.hull(&["delete", "--force", &bundle.id]).ok();
    bundle.assert_nothing_left();
}

#[test]
fn run_detached_then_kill_then_delete() {
    let mut bundle = TestBundle::new("detached", SLEEPER);
    bundle.hull(&["run", "--detach", &bundle.id]).ok();
    bundle.remember_init();
    assert_eq!(bundle.status(), "running");
    bundle.hull(&["kill", &bundle.id, "KILL"]).ok();
    bundle.wait_for_status("stopped");
    bundle.hull(&["delete", &bundle.id]).ok();
    bundle.assert_nothing_left();
}

#[test]
fn flags_after_the_id() {
    let mut bundle = TestBundle::new("flags-after", SLEEPER);
    let dir = bundle.path().to_str().unwrap().to_owned();
    let pid_file = format!("{dir}/after.pid");
    bundle
        .hull(&[
            "run",
            &bundle.id,
            "-d",
            "--pid-file",
            &pid_file,
            "--bundle",
            &dir,
        ])
        .ok();
    let pid = bundle.remember_init();
    assert_eq!(fs::read_to_string(&pid_file).unwrap(), pid.to_string());
    bundle.hull(&["kill", &bundle.id, "9"]).ok();
    bundle.wait_for_status("stopped");
    bundle.hull(&["delete", &bundle.id, "--force"]).ok();
    bundle.assert_nothing_left();
}

#[test]
fn run_forwards_signals_to_the_container() {
    let script = "trap 'exit 7' TERM; echo ready; while true; do sleep 0.1; done";
    let bundle = TestBundle::new("forward", &["sh", "-c", script]);
    let mut child = bundle
        .command(&["run", &bundle.id])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    let stdout = child.stdout.take().unwrap();
    BufReader::new(stdout).read_line(&mut ready).unwrap();
    assert_eq!(ready, "ready\n");
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    assert_eq!(wait_for(child, TIMEOUT, &["run"]), Some(7));
    bundle.assert_nothing_left();
}

#[test]
fn preserved_descriptors_reach_the_container() {
    let bundle = TestBundle::new("preserve", &["sh", "-c", "echo through-fd-3 >&3"]);
    let out = bundle.path().join("fd3.out");
    // The host's shell puts the file at descriptor 3 of hull.
    let script = r#"exec "$0" --root "$1" run --preserve-fds 1 "$2" 3>"$3""#;
    let child = std::process::Command::new("sh")
        .args(["-c", script])
        .arg(hull_tests::hull_binary())
        .arg(bundle.root())
        .arg(&bundle.id)
        .arg(&out)
        .current_dir(bundle.path())
        .spawn()
        .unwrap();
    assert_eq!(
        wait_for(child, TIMEOUT, &["run", "--preserve-fds"]),
        Some(0)
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), "through-fd-3\n");
}

/// Checks `created` is Go's RFC3339Nano in UTC: `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with no
/// trailing zero in the fraction.
#[track_caller]
fn assert_go_rfc3339_nano(created: &str) {
    let (seconds, rest) = created.split_at(19);
    assert_eq!(seconds.len(), 19, "{created}");
    assert_eq!(&seconds[10..11], "T", "{created}");
    assert!(rest.ends_with('Z'), "{created}");
    let fraction = rest.trim_end_matches('Z').trim_start_matches('.');
    assert!(fraction.len() <= 9 && !fraction.ends_with('0'), "{created}");
}

/// A tmpfs without `mode=` takes the mode of the directory it covers when the image has
/// one, and the kernel's 1777 on a directory hull had to make, as runc's do.
#[test]
fn a_tmpfs_takes_its_directorys_mode_or_the_kernels() {
    let bundle = TestBundle::new("tmpfs-mode", &["sh", "-c", "stat -c %a /kept /made"]);
    let kept = bundle.path().join("rootfs/kept");
    fs::create_dir(&kept).unwrap();
    fs::set_permissions(&kept, std::os::unix::fs::PermissionsExt::from_mode(0o750)).unwrap();
    bundle.edit(|spec| {
        let mounts = spec["mounts"].as_array_mut().unwrap();
        for destination in ["/kept", "/made"] {
            mounts.push(serde_json::json!(
                {"destination": destination, "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}
            ));
        }
    });
    let ran = bundle.hull(&["run", &bundle.id]).ok();
    assert_eq!(ran.stdout, "750\n1777\n");
    bundle.assert_nothing_left();
}

/// A failing `poststop` hook fails `delete`, as runc's does, once everything of the
/// container is gone.
#[test]
fn a_failing_poststop_hook_fails_delete_and_leaves_nothing() {
    let mut bundle = TestBundle::new("poststop", &["true"]);
    bundle.edit(|spec| {
        spec["hooks"] = serde_json::json!({"poststop": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 7"]}]})
    });
    bundle.hull(&["create", &bundle.id]).ok();
    bundle.remember_init();
    let ran = bundle.hull(&["delete", "--force", &bundle.id]);
    assert_eq!(ran.code, Some(1), "{ran:?}");
    assert!(ran.stderr.contains("poststop"), "{ran:?}");
    bundle.assert_nothing_left();
}
