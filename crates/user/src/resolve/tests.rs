//! Both resolvers against one fixture tree: they agree, and neither leaves the root.

use std::fs;
use std::io::Read;
use std::os::unix::fs::symlink;

use tempfile::TempDir;

use super::*;

type Open = fn(BorrowedFd<'_>, &Path, OFlag) -> nix::Result<OwnedFd>;

const RESOLVERS: [(&str, Open); 2] = [("openat2", openat2_in_root), ("walk", walk_in_root)];

/// A root holding `etc/passwd` ("inside") beside a directory outside it holding `secret`
/// ("outside"), with links of every kind from the first towards the second.
struct Fixture {
    _dirs: TempDir,
    root: OwnedFd,
}

impl Fixture {
    fn new() -> Fixture {
        let dirs = tempfile::tempdir().unwrap();
        let root = dirs.path().join("root");
        let outside = dirs.path().join("outside");
        fs::create_dir_all(root.join("etc/sub")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(root.join("etc/passwd"), "inside").unwrap();
        fs::write(outside.join("secret"), "outside").unwrap();
        let secret = outside.join("secret");
        let links = [
            ("etc/abs", "/etc/passwd".into()),
            ("etc/rel", "../etc/passwd".into()),
            ("etc/escape-abs", secret.clone()),
            (
                "etc/escape-rel",
                Path::new("../../../../../../..").join(&secret),
            ),
            ("etc/escape-dir", outside.clone()),
            ("etc/up", "../../../..".into()),
            ("etc/sub/up", "../..".into()),
            ("etc/dangling", "nowhere".into()),
            ("loop", "loop".into()),
            ("etc-link", "/etc".into()),
        ];
        for (link, target) in links {
            symlink(target, root.join(link)).unwrap();
        }
        let root = fcntl::open(&root, OFlag::O_PATH | OFlag::O_DIRECTORY, Mode::empty()).unwrap();
        Fixture { _dirs: dirs, root }
    }

    /// What `open` reads at `path`, or the errno it fails with.
    fn read(&self, open: Open, path: &str) -> Result<String, Errno> {
        let fd = open(self.root.as_fd(), Path::new(path), OFlag::O_RDONLY)?;
        let mut text = String::new();
        fs::File::from(fd).read_to_string(&mut text).unwrap();
        Ok(text)
    }
}

#[test]
fn paths_inside_the_root_resolve() {
    let fixture = Fixture::new();
    for (resolver, open) in RESOLVERS {
        for path in [
            "etc/passwd",
            "/etc/passwd",
            "./etc//passwd",
            "etc/abs",
            "etc/rel",
            "etc-link/passwd",
            "etc/sub/../passwd",
            "etc/sub/up/etc/passwd",
            "../../etc/passwd",
            "/../etc/../etc/passwd",
        ] {
            assert_eq!(
                fixture.read(open, path).as_deref(),
                Ok("inside"),
                "{resolver} {path}"
            );
        }
    }
}

#[test]
fn links_out_of_the_root_stay_in_it() {
    let fixture = Fixture::new();
    for (resolver, open) in RESOLVERS {
        for path in ["etc/escape-abs", "etc/escape-rel", "etc/escape-dir/secret"] {
            // The target is looked up under the root, where it does not exist.
            assert_eq!(
                fixture.read(open, path),
                Err(Errno::ENOENT),
                "{resolver} {path}"
            );
        }
        // `..` past the root is the root.
        assert_eq!(
            fixture.read(open, "etc/up/etc/passwd").as_deref(),
            Ok("inside"),
            "{resolver}"
        );
    }
}

#[test]
fn failures_match_the_kernel() {
    let fixture = Fixture::new();
    for (resolver, open) in RESOLVERS {
        let cases = [
            ("loop", Errno::ELOOP),
            ("etc/dangling", Errno::ENOENT),
            ("etc/missing", Errno::ENOENT),
            ("etc/passwd/x", Errno::ENOTDIR),
        ];
        for (path, errno) in cases {
            assert_eq!(fixture.read(open, path), Err(errno), "{resolver} {path}");
        }
    }
}

#[test]
fn follows_forty_symlinks_and_no_more() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("target"), "end").unwrap();
    for i in 0..41 {
        symlink(format!("l{}", i + 1), dir.path().join(format!("l{i}"))).unwrap();
    }
    symlink("target", dir.path().join("l41")).unwrap();
    let root = fcntl::open(dir.path(), OFlag::O_PATH, Mode::empty()).unwrap();
    for (resolver, open) in RESOLVERS {
        let read = |path: &str| open(root.as_fd(), Path::new(path), OFlag::O_RDONLY).map(drop);
        // l1 -> ... -> l41 -> target is 41 links; l2 onwards is 40.
        assert_eq!(read("l2"), Ok(()), "{resolver}");
        assert_eq!(read("l1"), Err(Errno::ELOOP), "{resolver}");
    }
}

#[test]
fn the_root_itself_and_directories_open() {
    let fixture = Fixture::new();
    for (resolver, open) in RESOLVERS {
        let empty = open(fixture.root.as_fd(), Path::new(""), OFlag::O_PATH).map(drop);
        assert_eq!(empty, Err(Errno::ENOENT), "{resolver}");
        for path in ["/", "..", "etc/..", "etc/sub/up"] {
            let fd = open(
                fixture.root.as_fd(),
                Path::new(path),
                OFlag::O_PATH | OFlag::O_DIRECTORY,
            );
            let st = stat::fstat(fd.unwrap()).unwrap();
            let root = stat::fstat(&fixture.root).unwrap();
            assert_eq!(
                (st.st_dev, st.st_ino),
                (root.st_dev, root.st_ino),
                "{resolver} {path:?}"
            );
        }
    }
}

#[test]
fn o_path_on_the_last_component_does_not_follow_it_twice() {
    let fixture = Fixture::new();
    let fd = walk_in_root(fixture.root.as_fd(), Path::new("etc/abs"), OFlag::O_PATH).unwrap();
    let kind = SFlag::from_bits_truncate(stat::fstat(&fd).unwrap().st_mode) & SFlag::S_IFMT;
    assert_eq!(kind, SFlag::S_IFREG);
}
