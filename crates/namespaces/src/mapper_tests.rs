//! The decision direct / tool / setgroups for each kind of writer, and applying the steps
//! to a fixture tree.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use super::*;

const PID: Pid = Pid::from_raw(42);

fn range(container_id: u32, host_id: u32, size: u32) -> IdMap {
    IdMap {
        container_id,
        host_id,
        size,
    }
}

const ROOT: Writer = Writer {
    euid: 0,
    egid: 0,
    cap_setuid: true,
    cap_setgid: true,
};

const USER: Writer = Writer {
    euid: 1000,
    egid: 1000,
    cap_setuid: false,
    cap_setgid: false,
};

fn tools() -> IdMapper {
    IdMapper {
        newuidmap: Some("/usr/bin/newuidmap".into()),
        newgidmap: Some("/usr/bin/newgidmap".into()),
    }
}

fn plan(mapper: &IdMapper, writer: &Writer, uids: &[IdMap], gids: &[IdMap]) -> Vec<IdMapStep> {
    mapper
        .plan(Path::new("/proc"), PID, writer, uids, gids)
        .unwrap()
}

fn write(file: &str, content: &str) -> IdMapStep {
    IdMapStep::WriteMap {
        path: PathBuf::from(format!("/proc/42/{file}")),
        content: content.into(),
    }
}

fn deny() -> IdMapStep {
    IdMapStep::DenySetgroups {
        path: "/proc/42/setgroups".into(),
    }
}

fn tool(name: &str, args: &[&str]) -> IdMapStep {
    IdMapStep::RunTool {
        program: PathBuf::from(format!("/usr/bin/{name}")),
        pid: PID,
        args: args.iter().map(|arg| arg.to_string()).collect(),
    }
}

#[test]
fn root_writes_a_single_range_directly_and_leaves_setgroups() {
    let maps = [range(0, 100_000, 65_536)];
    let expected = [
        write("uid_map", "0 100000 65536\n"),
        write("gid_map", "0 100000 65536\n"),
    ];
    assert_eq!(plan(&IdMapper::default(), &ROOT, &maps, &maps), expected);
    assert_eq!(plan(&tools(), &ROOT, &maps, &maps), expected);
}

#[test]
fn root_writes_several_ranges_directly_even_with_tools() {
    let uids = [range(0, 100_000, 1000), range(1000, 300_000, 1000)];
    let gids = [range(0, 200_000, 65_536)];
    assert_eq!(
        plan(&tools(), &ROOT, &uids, &gids),
        [
            write("uid_map", "0 100000 1000\n1000 300000 1000\n"),
            write("gid_map", "0 200000 65536\n"),
        ]
    );
}

#[test]
fn unprivileged_own_ids_are_written_directly_after_denying_setgroups() {
    let own = [range(0, 1000, 1)];
    let expected = [
        deny(),
        write("uid_map", "0 1000 1\n"),
        write("gid_map", "0 1000 1\n"),
    ];
    assert_eq!(plan(&IdMapper::default(), &USER, &own, &own), expected);
    // Tools at hand change nothing: the kernel allows it.
    assert_eq!(plan(&tools(), &USER, &own, &own), expected);
    // Only the outside id counts: the inside one may be anything.
    let shifted = [range(1000, 1000, 1)];
    assert_eq!(plan(&tools(), &USER, &[], &shifted)[0], deny());
}

#[test]
fn unprivileged_several_ranges_go_through_the_tools_without_setgroups() {
    let uids = [range(0, 1000, 1), range(1, 100_000, 65_536)];
    let gids = [range(0, 1000, 1), range(1, 200_000, 65_536)];
    assert_eq!(
        plan(&tools(), &USER, &uids, &gids),
        [
            tool("newuidmap", &["0", "1000", "1", "1", "100000", "65536"]),
            tool("newgidmap", &["0", "1000", "1", "1", "200000", "65536"]),
        ]
    );
}

#[test]
fn unprivileged_ranges_that_are_not_only_the_own_id_need_the_tools() {
    for maps in [
        vec![range(0, 100_000, 65_536)],
        vec![range(0, 1000, 2)],
        vec![range(0, 1001, 1)],
    ] {
        let steps = plan(&tools(), &USER, &maps, &maps);
        assert!(
            steps
                .iter()
                .all(|step| matches!(step, IdMapStep::RunTool { .. })),
            "{maps:?}: {steps:?}"
        );
    }
}

#[test]
fn a_missing_tool_is_a_typed_error_before_anything_is_written() {
    let several = [range(0, 1000, 1), range(1, 100_000, 65_536)];
    let err = IdMapper::default()
        .plan(Path::new("/proc"), PID, &USER, &several, &[])
        .unwrap_err();
    assert!(
        matches!(
            err,
            NamespacesError::MappingToolMissing {
                which: "uid",
                tool: "newuidmap",
                ..
            }
        ),
        "{err:?}"
    );
    let only_uid_tool = IdMapper {
        newgidmap: None,
        ..tools()
    };
    let err = only_uid_tool
        .plan(Path::new("/proc"), PID, &USER, &several, &several)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "mapping these gid ranges of process 42 needs privilege or newgidmap, and no newgidmap \
         was given"
    );
}

#[test]
fn each_map_takes_its_own_route() {
    // CAP_SETUID without CAP_SETGID: uids directly, the own gid after denying setgroups.
    let half = Writer {
        cap_setuid: true,
        ..USER
    };
    let uids = [range(0, 100_000, 65_536)];
    let own_gid = [range(0, 1000, 1)];
    assert_eq!(
        plan(&IdMapper::default(), &half, &uids, &own_gid),
        [
            deny(),
            write("uid_map", "0 100000 65536\n"),
            write("gid_map", "0 1000 1\n"),
        ]
    );
    // Unprivileged: the own uid directly, several gids through newgidmap, no deny.
    let gids = [range(0, 1000, 1), range(1, 200_000, 10)];
    assert_eq!(
        plan(&tools(), &USER, &[range(0, 1000, 1)], &gids),
        [
            write("uid_map", "0 1000 1\n"),
            tool("newgidmap", &["0", "1000", "1", "1", "200000", "10"]),
        ]
    );
}

#[test]
fn empty_maps_are_left_unwritten() {
    assert_eq!(plan(&IdMapper::default(), &USER, &[], &[]), []);
    assert_eq!(
        plan(&IdMapper::default(), &ROOT, &[range(0, 0, 1)], &[]),
        [write("uid_map", "0 0 1\n")]
    );
}

#[test]
fn steps_apply_to_a_fixture_proc() {
    let proc = tempfile::tempdir().unwrap();
    let dir = proc.path().join("42");
    fs::create_dir(&dir).unwrap();
    for file in ["setgroups", "uid_map", "gid_map"] {
        fs::write(dir.join(file), "").unwrap();
    }
    let own = [range(0, 1000, 1)];
    let steps = IdMapper::default()
        .plan(proc.path(), PID, &USER, &own, &own)
        .unwrap();
    steps.iter().try_for_each(IdMapStep::apply).unwrap();
    let read = |file| fs::read_to_string(dir.join(file)).unwrap();
    assert_eq!(read("setgroups"), "deny");
    assert_eq!(read("uid_map"), "0 1000 1\n");
    assert_eq!(read("gid_map"), "0 1000 1\n");

    let missing = IdMapStep::WriteMap {
        path: proc.path().join("43/uid_map"),
        content: "0 0 1\n".into(),
    };
    let err = missing.apply().unwrap_err();
    assert!(matches!(err, NamespacesError::WriteIdMap { .. }), "{err:?}");
}

/// Applies a step that runs a script just written, retrying while a fork of another test
/// still holds it open for writing (`ETXTBSY`).
fn apply_fresh_script(step: &IdMapStep) -> Result<()> {
    for _ in 0..100 {
        match step.apply() {
            Err(NamespacesError::RunMappingTool { source, .. })
                if source.raw_os_error() == Some(libc::ETXTBSY) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
    step.apply()
}

/// A script standing in for newuidmap: it records its arguments and environment.
#[test]
fn tools_run_with_the_pid_the_ranges_and_no_environment() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record");
    let script = dir.path().join("newuidmap");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" > {0}\nenv >> {0}\n",
            record.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let step = IdMapStep::RunTool {
        program: script,
        pid: PID,
        args: tool_args(&[range(0, 1000, 1), range(1, 100_000, 65_536)]).collect(),
    };
    apply_fresh_script(&step).unwrap();
    let recorded = fs::read_to_string(&record).unwrap();
    let mut lines = recorded.lines();
    assert_eq!(lines.next(), Some("42 0 1000 1 1 100000 65536"));
    // sh sets PWD (and maybe SHLVL, _) itself; nothing of ours leaks.
    assert!(lines.all(|line| !line.starts_with("PATH=")), "{recorded}");
}

#[test]
fn a_failing_tool_reports_its_status_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("newgidmap");
    fs::write(
        &script,
        "#!/bin/sh\necho 'newgidmap: gid range not allowed' >&2\nexit 1\n",
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let step = IdMapStep::RunTool {
        program: script.clone(),
        pid: PID,
        args: vec!["0".into(), "5".into(), "1".into()],
    };
    let err = apply_fresh_script(&step).unwrap_err();
    match &err {
        NamespacesError::MappingToolFailed { stderr, pid, .. } => {
            assert_eq!(stderr, "newgidmap: gid range not allowed");
            assert_eq!(*pid, PID);
        }
        other => panic!("{other:?}"),
    }
    let missing = IdMapStep::RunTool {
        program: dir.path().join("absent"),
        pid: PID,
        args: vec![],
    };
    assert!(matches!(
        missing.apply(),
        Err(NamespacesError::RunMappingTool { .. })
    ));
}

#[test]
fn tools_are_found_in_absolute_executable_entries_only() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let other = dir.path().join("other");
    fs::create_dir(&bin).unwrap();
    fs::create_dir(&other).unwrap();
    // Not executable: skipped for the next directory's.
    fs::write(bin.join("newuidmap"), "").unwrap();
    for (dir, name) in [(&other, "newuidmap"), (&bin, "newgidmap")] {
        fs::write(dir.join(name), "").unwrap();
        fs::set_permissions(dir.join(name), fs::Permissions::from_mode(0o755)).unwrap();
    }
    let search =
        std::env::join_paths(["relative/bin".as_ref(), bin.as_path(), other.as_path()]).unwrap();
    assert_eq!(
        IdMapper::find_in(&search),
        IdMapper {
            newuidmap: Some(other.join("newuidmap")),
            newgidmap: Some(bin.join("newgidmap")),
        }
    );
    assert_eq!(IdMapper::find_in(OsStr::new("")), IdMapper::default());
}
