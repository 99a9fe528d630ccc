//! A container root whose `etc/passwd` or `etc` leads out of it: what is read is the
//! container's (nothing, here), never the host file the link points at.

#![allow(clippy::unwrap_used)] // test helpers: a panic is how they report a failure

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use hull_user::{ExecUser, RootDir, UserError};

const HOST_PASSWD: &str = "hostonly:x:0:0:host root:/host:/bin/sh\n";
const HOST_GROUP: &str = "hostgroup:x:0:hostonly\n";

/// A tempdir holding `host/etc/{passwd,group}` and an empty `rootfs/etc`.
fn layout() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let host = dir.path().join("host");
    let rootfs = dir.path().join("rootfs");
    fs::create_dir_all(host.join("etc")).unwrap();
    fs::create_dir_all(rootfs.join("etc")).unwrap();
    fs::write(host.join("etc/passwd"), HOST_PASSWD).unwrap();
    fs::write(host.join("etc/group"), HOST_GROUP).unwrap();
    (dir, host, rootfs)
}

fn assert_reads_nothing_of_the_host(rootfs: &Path) {
    let root = RootDir::open(rootfs).unwrap();
    assert_eq!(root.users().unwrap(), []);
    assert_eq!(root.groups().unwrap(), []);
    let err = root
        .exec_user("hostonly", &ExecUser::default())
        .unwrap_err();
    assert!(matches!(err, UserError::FindUser { .. }), "{err}");
    let err = root.additional_groups(&["hostgroup"]).unwrap_err();
    assert!(matches!(err, UserError::FindGroup { .. }), "{err}");
}

#[test]
fn an_absolute_link_to_a_host_file() {
    let (_dir, host, rootfs) = layout();
    symlink(host.join("etc/passwd"), rootfs.join("etc/passwd")).unwrap();
    symlink(host.join("etc/group"), rootfs.join("etc/group")).unwrap();
    assert_reads_nothing_of_the_host(&rootfs);
}

#[test]
fn a_relative_link_climbing_out() {
    let (_dir, host, rootfs) = layout();
    let climb = Path::new("../../../../../../../../..");
    symlink(
        climb
            .join(host.strip_prefix("/").unwrap())
            .join("etc/passwd"),
        rootfs.join("etc/passwd"),
    )
    .unwrap();
    symlink("../../host/etc/group", rootfs.join("etc/group")).unwrap();
    assert_reads_nothing_of_the_host(&rootfs);
}

#[test]
fn an_etc_directory_linked_out() {
    let (_dir, host, rootfs) = layout();
    fs::remove_dir(rootfs.join("etc")).unwrap();
    symlink(host.join("etc"), rootfs.join("etc")).unwrap();
    assert_reads_nothing_of_the_host(&rootfs);
}

#[test]
fn a_link_inside_the_root_is_followed() {
    let (_dir, _host, rootfs) = layout();
    fs::create_dir_all(rootfs.join("usr/lib")).unwrap();
    fs::write(
        rootfs.join("usr/lib/passwd"),
        "app:x:1000:1000::/home/app:/bin/sh\n",
    )
    .unwrap();
    // Absolute targets are read as the container would see them.
    symlink("/usr/lib/passwd", rootfs.join("etc/passwd")).unwrap();
    let root = RootDir::open(&rootfs).unwrap();
    let user = root.exec_user("app", &ExecUser::default()).unwrap();
    assert_eq!((user.uid, user.home.as_str()), (1000, "/home/app"));
}
