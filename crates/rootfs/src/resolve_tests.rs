//! Resolution inside a root made in a tempdir: no privilege needed, and any escape would
//! show as a file created outside it.

use super::*;
use std::fs;
use std::os::unix::fs::symlink;

/// A root in a tempdir, and a directory beside it that stands for the host.
struct Fixture {
    _dir: tempfile::TempDir,
    root_path: PathBuf,
    host: PathBuf,
    root: Root,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root_path = dir.path().join("root");
    let host = dir.path().join("host");
    fs::create_dir_all(root_path.join("etc")).unwrap();
    fs::create_dir_all(&host).unwrap();
    fs::write(root_path.join("etc/file"), "x").unwrap();
    let root = Root::open(&root_path).unwrap();
    Fixture {
        _dir: dir,
        root_path,
        host,
        root,
    }
}

fn host_is_empty(f: &Fixture) -> bool {
    fs::read_dir(&f.host).unwrap().next().is_none()
}

#[test]
fn existing_directories_resolve_to_themselves() {
    let f = fixture();
    let r = f.root.resolve(Path::new("/etc"), Last::Dir).unwrap();
    assert_eq!(r.path, Path::new("etc"));
    assert_eq!(r.container_path(), Path::new("/etc"));
}

#[test]
fn missing_directories_are_created_inside() {
    let f = fixture();
    let r = f.root.resolve(Path::new("/a/b/c"), Last::Dir).unwrap();
    assert_eq!(r.path, Path::new("a/b/c"));
    assert!(f.root_path.join("a/b/c").is_dir());
}

#[test]
fn open_does_not_create() {
    let f = fixture();
    let err = f
        .root
        .resolve(Path::new("/missing"), Last::Open)
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ENOENT));
    assert!(!f.root_path.join("missing").exists());
}

#[test]
fn absolute_symlinks_are_taken_from_the_root() {
    let f = fixture();
    symlink(&f.host, f.root_path.join("data")).unwrap();
    let r = f.root.resolve(Path::new("/data/new"), Last::Dir).unwrap();
    let inside = f.host.strip_prefix("/").unwrap().join("new");
    assert_eq!(r.path, inside);
    assert!(f.root_path.join(&inside).is_dir());
    assert!(host_is_empty(&f));
}

#[test]
fn a_symlink_to_etc_leads_to_the_roots_etc() {
    let f = fixture();
    symlink("/etc", f.root_path.join("data")).unwrap();
    let r = f.root.resolve(Path::new("/data"), Last::Dir).unwrap();
    assert_eq!(r.path, Path::new("etc"));
}

#[test]
fn dotdot_never_climbs_above_the_root() {
    let f = fixture();
    symlink("../../../../..", f.root_path.join("up")).unwrap();
    let r = f.root.resolve(Path::new("/up/escaped"), Last::Dir).unwrap();
    assert_eq!(r.path, Path::new("escaped"));
    let r = f.root.resolve(Path::new("/../../etc"), Last::Dir).unwrap();
    assert_eq!(r.path, Path::new("etc"));
    assert!(host_is_empty(&f));
}

#[test]
fn a_symlink_to_the_root_resolves_to_the_root() {
    let f = fixture();
    symlink("/", f.root_path.join("dev")).unwrap();
    let r = f.root.resolve(Path::new("/dev"), Last::Dir).unwrap();
    assert!(r.path.as_os_str().is_empty());
}

#[test]
fn dangling_symlinks_are_followed_and_their_target_created() {
    let f = fixture();
    symlink("/made/by/hull", f.root_path.join("dangle")).unwrap();
    let r = f.root.resolve(Path::new("/dangle/x"), Last::Dir).unwrap();
    assert_eq!(r.path, Path::new("made/by/hull/x"));
    assert!(f.root_path.join("made/by/hull/x").is_dir());
}

#[test]
fn relative_symlinks_resolve_from_their_directory() {
    let f = fixture();
    fs::create_dir_all(f.root_path.join("var")).unwrap();
    symlink("../run", f.root_path.join("var/run")).unwrap();
    let r = f
        .root
        .resolve(Path::new("/var/run/lock"), Last::Dir)
        .unwrap();
    assert_eq!(r.path, Path::new("run/lock"));
}

#[test]
fn a_last_symlink_is_followed_for_files() {
    let f = fixture();
    symlink("/etc/file", f.root_path.join("link")).unwrap();
    let r = f.root.resolve(Path::new("/link"), Last::File).unwrap();
    assert_eq!(r.path, Path::new("etc/file"));
}

#[test]
fn missing_files_are_created_empty() {
    let f = fixture();
    let r = f
        .root
        .resolve(Path::new("/etc/new/hosts"), Last::File)
        .unwrap();
    assert_eq!(r.path, Path::new("etc/new/hosts"));
    let created = f.root_path.join("etc/new/hosts");
    assert!(created.is_file());
    assert_eq!(fs::read(created).unwrap(), b"");
}

#[test]
fn strict_directories_refuse_symlinks() {
    let f = fixture();
    symlink("/etc", f.root_path.join("proc")).unwrap();
    let err = f
        .root
        .resolve(Path::new("/proc"), Last::StrictDir)
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ENOTDIR));
    let r = f.root.resolve(Path::new("/sys"), Last::StrictDir).unwrap();
    assert_eq!(r.path, Path::new("sys"));
}

#[test]
fn a_file_on_the_way_is_not_a_directory() {
    let f = fixture();
    let err = f
        .root
        .resolve(Path::new("/etc/file/x"), Last::Dir)
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ENOTDIR));
}

#[test]
fn symlink_loops_end_with_eloop() {
    let f = fixture();
    symlink("/b", f.root_path.join("a")).unwrap();
    symlink("/a", f.root_path.join("b")).unwrap();
    let err = f.root.resolve(Path::new("/a/x"), Last::Dir).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ELOOP));
}

#[test]
fn parents_are_created_and_the_name_returned() {
    let f = fixture();
    let (parent, name) = f.root.resolve_parent(Path::new("/dev/net/tun")).unwrap();
    assert_eq!(parent.path, Path::new("dev/net"));
    assert_eq!(name, "tun");
    assert!(f.root.resolve_parent(Path::new("/")).is_err());
    assert!(f.root.resolve_parent(Path::new("/a/..")).is_err());
}

#[test]
fn a_walk_says_whether_it_made_the_last_component() {
    let f = fixture();
    let made = f.root.resolve(Path::new("/var/lib/x"), Last::Dir).unwrap();
    assert!(made.created);
    let again = f.root.resolve(Path::new("/var/lib/x"), Last::Dir).unwrap();
    assert!(!again.created);
    let parent_made = f.root.resolve(Path::new("/opt/new/.."), Last::Dir).unwrap();
    assert!(!parent_made.created, "the last step went up");
    assert!(
        !f.root
            .resolve(Path::new("/etc"), Last::Dir)
            .unwrap()
            .created
    );
}
