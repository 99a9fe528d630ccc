//! Bad input to the `hull` binary: each is a clear error on stderr naming the problem,
//! exit status 1, and nothing left behind (no state directory, cgroup or mount). As root.

mod cli_support;

use std::fs;

use cli_support::TestBundle;

const SLEEPER: &[&str] = &["/bin/hull-probe", "sleep", "60"];

/// The state root holds nothing.
#[track_caller]
fn assert_root_empty(bundle: &TestBundle) {
    let left: Vec<_> = fs::read_dir(bundle.root())
        .expect("the state root")
        .flatten()
        .collect();
    assert!(left.is_empty(), "left in the state root: {left:?}");
}

#[test]
fn ids_that_are_not_plain_names_are_refused() {
    let bundle = TestBundle::new("bad-id", SLEEPER);
    for id in ["../x", "a/b", "..", ""] {
        let message = format!("invalid container id {id:?}");
        bundle.hull(&["create", id]).fails_with(&message);
        bundle.hull(&["run", "-d", id]).fails_with(&message);
        bundle.hull(&["delete", "--force", id]).fails_with(&message);
    }
    assert!(
        !bundle.root().join("../x").exists(),
        "escaped the state root"
    );
    assert_root_empty(&bundle);
    bundle.assert_nothing_left();
}

#[test]
fn an_existing_id_is_refused_and_the_container_kept() {
    let mut bundle = TestBundle::new("exists", SLEEPER);
    bundle.hull(&["run", "-d", &bundle.id]).ok();
    bundle.remember_init();
    let message = format!("container {} already exists", bundle.id);
    bundle.hull(&["create", &bundle.id]).fails_with(&message);
    bundle.hull(&["run", "-d", &bundle.id]).fails_with(&message);
    bundle.hull(&["run", &bundle.id]).fails_with(&message);
    assert_eq!(
        bundle.status(),
        "running",
        "the first container was touched"
    );
    bundle.hull(&["delete", "--force", &bundle.id]).ok();
    bundle.assert_nothing_left();
}

#[test]
fn a_missing_rootfs_is_refused() {
    let bundle = TestBundle::without_rootfs("no-rootfs", SLEEPER);
    let rootfs = fs::canonicalize(bundle.path()).unwrap().join("rootfs");
    let ran = bundle
        .hull(&["create", &bundle.id])
        .fails_with(&format!("rootfs {}", rootfs.display()));
    assert!(ran.stderr.contains("No such file or directory"), "{ran:?}");
    bundle.assert_nothing_left();
    assert_root_empty(&bundle);
}

#[test]
fn a_malformed_config_is_refused_naming_the_field() {
    let bundle = TestBundle::new("malformed", SLEEPER);
    bundle.edit(|spec| spec["linux"]["namespaces"][1]["type"] = 7.into());
    let config = fs::canonicalize(bundle.path()).unwrap().join("config.json");
    bundle
        .hull(&["run", "-d", &bundle.id])
        .fails_with(&format!("invalid spec {}", config.display()))
        .fails_with("linux.namespaces[1].type");
    fs::write(&config, "{ not json").unwrap();
    bundle
        .hull(&["create", &bundle.id])
        .fails_with("invalid spec");
    fs::remove_file(&config).unwrap();
    bundle
        .hull(&["create", &bundle.id])
        .fails_with("config.json: No such file or directory");
    bundle.assert_nothing_left();
    assert_root_empty(&bundle);
}

#[test]
fn a_missing_bundle_is_refused() {
    let bundle = TestBundle::new("no-bundle", SLEEPER);
    bundle
        .hull(&["create", "--bundle", "/nonexistent/bundle", &bundle.id])
        .fails_with("cannot use bundle /nonexistent/bundle");
    assert_root_empty(&bundle);
}

#[test]
fn a_terminal_without_a_console_socket_is_refused_when_detached() {
    let bundle = TestBundle::new("no-socket", SLEEPER);
    bundle.edit(|spec| spec["process"]["terminal"] = true.into());
    let message = "cannot allocate a terminal when hull detaches without --console-socket";
    bundle.hull(&["create", &bundle.id]).fails_with(message);
    bundle.hull(&["run", "-d", &bundle.id]).fails_with(message);
    bundle
        .hull(&["run", "--console-socket", "/x.sock", &bundle.id])
        .fails_with("--console-socket needs process.terminal and a detached container");
    bundle.assert_nothing_left();
    assert_root_empty(&bundle);
}

#[test]
fn errors_go_to_the_log_as_json_lines() {
    let bundle = TestBundle::new("log-json", SLEEPER);
    let log = bundle.path().join("hull.log");
    let log_arg = log.to_str().unwrap();
    let ran = bundle
        .hull(&["--log", log_arg, "--log-format", "json", "create", "../x"])
        .fails_with("invalid container id \"../x\"");
    let text = fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    let line: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(line["level"], "error");
    assert_eq!(
        format!("hull: {}\n", line["msg"].as_str().unwrap()),
        ran.stderr,
        "the same error, whole, on stderr"
    );
    let time = line["time"].as_str().unwrap();
    assert!(time.len() == 20 && time.ends_with('Z'), "RFC 3339: {time}");
    let keys: Vec<&str> = line
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, ["level", "msg", "time"], "logrus's sorted keys");

    // Appended, as containerd reads the last error of the file.
    bundle
        .hull(&["--log", log_arg, "--log-format", "json", "state", "missing"])
        .fails_with("container missing does not exist");
    let text = fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert_root_empty(&bundle);
}

#[test]
fn a_state_of_a_missing_container_is_an_error() {
    let bundle = TestBundle::new("missing", SLEEPER);
    for command in ["state", "start", "kill", "delete"] {
        bundle
            .hull(&[command, "nothing-here"])
            .fails_with("container nothing-here does not exist");
    }
}
