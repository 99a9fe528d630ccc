//! What the lifecycle commands do without a container to run (and without root): usage
//! errors, empty lists, missing containers, bad ids, and the JSON log. The privileged
//! tests with real containers are `tests/tests/cli_*.rs`.

use std::path::Path;
use std::process::{Command, Output};

/// `hull --root <root> ARGS`.
fn hull(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hull"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("hull runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn usage_errors_exit_with_one_as_runc() {
    let root = tempfile::tempdir().unwrap();
    for args in [
        &["state"][..],
        &["kill", "a", "b", "c"],
        &["list", "-f", "yaml"],
    ] {
        let out = hull(root.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    }
    let out = hull(root.path(), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_empty_root_lists_nothing() {
    let root = tempfile::tempdir().unwrap();
    let table = hull(root.path(), &["list"]);
    assert!(table.status.success(), "{}", stderr(&table));
    assert_eq!(
        String::from_utf8_lossy(&table.stdout),
        "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n"
    );
    let json = hull(root.path(), &["list", "--format", "json"]);
    assert_eq!(String::from_utf8_lossy(&json.stdout), "null\n");
    let quiet = hull(root.path(), &["list", "-q"]);
    assert!(quiet.status.success() && quiet.stdout.is_empty());
}

#[test]
fn a_missing_explicit_root_is_an_error_for_list() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("missing");
    let out = hull(&missing, &["list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("cannot list containers in {}", missing.display())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_containers_are_errors_but_a_forced_delete() {
    let root = tempfile::tempdir().unwrap();
    for args in [
        &["state", "ghost"][..],
        &["start", "ghost"],
        &["kill", "ghost"],
        &["delete", "ghost"],
    ] {
        let out = hull(root.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), "hull: container ghost does not exist\n");
    }
    // A directory that an aborted create left is removed.
    std::fs::create_dir(root.path().join("ghost")).unwrap();
    let out = hull(root.path(), &["delete", "ghost", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!root.path().join("ghost").exists());
}

#[test]
fn ids_that_are_not_plain_names_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let state_root = root.path().join("state");
    std::fs::create_dir(&state_root).unwrap();
    std::fs::create_dir(root.path().join("x")).unwrap();
    for id in ["../x", "a/b", ".."] {
        for args in [
            &["state", id][..],
            &["start", id],
            &["delete", "--force", id],
            &["create", id],
        ] {
            let out = hull(&state_root, args);
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            let expected = format!("invalid container id {id:?}");
            assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
        }
    }
    assert!(
        root.path().join("x").exists(),
        "delete --force ../x escaped the root"
    );
}

#[test]
fn errors_go_to_the_log_file_as_logrus_json() {
    let root = tempfile::tempdir().unwrap();
    let log = root.path().join("log.json");
    let log_arg = log.to_str().unwrap();
    let out = hull(
        root.path(),
        &["state", "ghost", "--log", log_arg, "--log-format", "json"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "hull: container ghost does not exist\n");
    let text = std::fs::read_to_string(&log).unwrap();
    let line: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(line["level"], "error");
    assert_eq!(line["msg"], "container ghost does not exist");
    assert!(
        text.starts_with(r#"{"level":"error","msg":"container ghost does not exist","time":""#)
    );
    assert!(text.ends_with("Z\"}\n"), "{text}");

    let text_log = root.path().join("log.txt");
    hull(
        root.path(),
        &["--log", text_log.to_str().unwrap(), "kill", "ghost", "NOPE"],
    );
    let text = std::fs::read_to_string(&text_log).unwrap();
    assert!(text.starts_with("time=\""), "{text}");
    assert!(
        text.ends_with(" level=error msg=\"unknown signal \\\"NOPE\\\"\"\n"),
        "{text}"
    );
}
