//! Tests against the root filesystem that `cargo xtask test` builds: the probe and busybox
//! run chrooted into it. Those that need root say so with `require_root`.
//!
//! The rootfs holds no shared libraries, so the probe running there at all shows that it is
//! statically linked (`cargo xtask rootfs` also checks its ELF headers before copying it).

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use hull_tests::{PROBE, report_of, require_root, test_rootfs};

/// `unshare --mount --mount-proc=ROOT/proc chroot [CHROOT_OPTIONS] ROOT ARGS`: runs ARGS
/// chrooted into `root` with `/proc` mounted in a private mount namespace, so that nothing
/// stays mounted on the host.
fn chrooted(root: &Path, chroot_options: &[&str], args: &[&str]) -> Command {
    let mut mount_proc = OsString::from("--mount-proc=");
    mount_proc.push(root.join("proc"));
    let mut cmd = Command::new("unshare");
    cmd.arg("--mount")
        .arg(mount_proc)
        .arg("chroot")
        .args(chroot_options)
        .arg(root)
        .args(args);
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|err| panic!("cannot run {cmd:?}: {err}"))
}

#[test]
fn probe_reports_from_a_chroot() {
    require_root();
    let root = test_rootfs();
    let output = run(chrooted(&root, &[], &[PROBE, "report"]).env("HULL_TEST_MARK", "chroot-42"));
    let report = report_of(&output);

    assert_eq!(report.cwd.as_deref(), Some("/"));
    assert_eq!(report.env_var("HULL_TEST_MARK"), Some("chroot-42"));
    let ids = report.ids.expect("the probe reads its ids");
    assert_eq!((ids.uid, ids.euid, ids.gid, ids.egid), (0, 0, 0, 0));
    let mounts = report
        .mounts
        .as_ref()
        .expect("mountinfo is readable under /proc");
    assert!(!mounts.is_empty());
    let proc = report
        .mount("/proc")
        .expect("/proc is mounted in the chroot");
    assert_eq!(proc.fs_type, "proc");
    assert_eq!(report.rlimits.len(), 16, "rlimits: {:?}", report.rlimits);
    let nofile = report.rlimit("RLIMIT_NOFILE").expect("RLIMIT_NOFILE");
    assert!(0 < nofile.soft && nofile.soft <= nofile.hard, "{nofile:?}");
    assert!(report.capabilities.bounding.is_some());
}

#[test]
fn probe_runs_with_the_ids_chroot_gave_it() {
    require_root();
    let root = test_rootfs();
    let options = ["--userspec=1000:1000", "--groups=50"];
    let report = report_of(&run(&mut chrooted(&root, &options, &[PROBE])));

    let ids = report.ids.expect("the probe reads its ids");
    assert_eq!((ids.uid, ids.euid, ids.suid), (1000, 1000, 1000));
    assert_eq!((ids.gid, ids.egid, ids.sgid), (1000, 1000, 1000));
    assert_eq!(report.groups, Some(vec![50]));
    assert_eq!(report.capabilities.effective, Some(0));
}

#[test]
fn busybox_shell_runs_in_a_chroot() {
    require_root();
    let root = test_rootfs();
    assert!(
        root.join("bin/busybox").is_file() && root.join("bin/sh").exists(),
        "no busybox in {}: install busybox-static (`cargo xtask test` does, as root) and \
         rebuild the rootfs",
        root.display()
    );
    let output = run(Command::new("chroot")
        .arg(&root)
        .args(["/bin/sh", "-c", "echo ok"]));
    assert!(
        output.status.success(),
        "sh failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "ok\n");
}

#[test]
fn rootfs_has_the_users_and_dirs_tests_expect() {
    let root = test_rootfs();
    let passwd = fs::read_to_string(root.join("etc/passwd")).expect("etc/passwd");
    assert!(
        passwd
            .lines()
            .any(|l| l == "hull:x:1000:1000:hull:/home/hull:/bin/sh")
    );
    assert!(passwd.lines().any(|l| l.starts_with("root:x:0:0:")));
    let group = fs::read_to_string(root.join("etc/group")).expect("etc/group");
    assert!(group.lines().any(|l| l == "staff:x:50:hull"));
    assert!(root.join("home/hull").is_dir());
    assert!(!root.join("etc/hostname").exists());
    let tmp = fs::metadata(root.join("tmp")).expect("tmp");
    assert_eq!(tmp.permissions().mode() & 0o7777, 0o1777);
}
