//! Hostile input to the `hull` binary, one test per class of container escape that runc's
//! history teaches: a sysctl name that walks out of `/proc/sys`, a descriptor of the host
//! that reaches the container's working directory (CVE-2024-21626), fake `/proc` files in
//! the image, an init that can be ptraced before it executes its program (CVE-2016-9962),
//! and an init binary that could be rewritten (CVE-2019-5736). Each test states the attack
//! and the defence, fails without the defence, and leaves nothing behind. As root.

#![allow(clippy::unwrap_used)] // a panic is a failed test

mod cli_support;

use std::fs::{self, File};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use cli_support::{Ran, TIMEOUT, TestBundle, reap, run_to_files};
use hull_tests::{PROBE, Report, hull_binary, require_root, test_rootfs};
use nix::fcntl::{FcntlArg, SealFlag, fcntl};
use serde_json::json;

/// A harmless kernel parameter that no namespace owns: writing it from a container would
/// change the host's.
const LEASE_BREAK_TIME: &str = "/proc/sys/fs/lease-break-time";

/// A supplementary group the test gives `hull` and the container must not inherit.
const HOST_GROUP: u32 = 4242;

/// Attack: a `linux.sysctl` key whose components walk out of the namespaced directory it
/// starts in — `fs/mqueue/../lease-break-time` passes for an IPC parameter (`fs.mqueue.`)
/// and `net/ipv4/../../fs/lease-break-time` for a network one, but both name the host's
/// `fs.lease-break-time`, which the init, root on the host, would write. The dotted form
/// `fs.mqueue.//.lease-break-time` spells the same `..` component (`/` stands for `.`).
///
/// Defence: every key is parsed into components and one that is empty, `.` or `..` is
/// refused, at validation and again when the init writes it: `hull run` fails naming the
/// key, and the host's value stays. Should it change all the same, it is put back.
#[test]
fn sysctl_keys_cannot_leave_their_directory() {
    require_root();
    let restore = RestoreOnDrop::new(LEASE_BREAK_TIME);
    let before: u64 = restore.value.trim().parse().unwrap();
    let bundle = TestBundle::new("sysctl", &["/bin/true"]);
    for key in [
        "fs/mqueue/../lease-break-time",
        "fs.mqueue.//.lease-break-time",
        "net/ipv4/../../fs/lease-break-time",
    ] {
        bundle.edit(|spec| {
            spec["linux"]["sysctl"] = json!({ key: (before + 1).to_string() });
            let namespaces = spec["linux"]["namespaces"].as_array().unwrap();
            for kind in ["ipc", "network"] {
                assert!(namespaces.iter().any(|ns| ns["type"] == kind), "{kind}");
            }
        });
        let ran = bundle.hull(&["run", &bundle.id]);
        assert_eq!(
            fs::read_to_string(LEASE_BREAK_TIME).unwrap(),
            restore.value,
            "the host's fs.lease-break-time was written through {key:?}: {ran:?}"
        );
        ran.fails_with("invalid sysctl name").fails_with(key);
        bundle.assert_nothing_left();
    }
}

/// Attack (CVE-2024-21626): the caller of `hull` leaks a descriptor of the host's `/`
/// (fd 7, not close-on-exec) and the config's `process.cwd` is `/proc/self/fd/7`: an init
/// that still holds the descriptor when it enters the working directory starts the
/// program outside the container's root, where `../../..` is the host's `/`.
///
/// Defence: stage 1 is spawned with every stray descriptor close-on-exec, the init closes
/// whatever is past its channel before reading anything, and the program gets only its
/// stdio and extra files. The run fails, and nothing of the host is printed; a container
/// run with the same leak sees only descriptors 0, 1 and 2.
#[test]
fn a_leaked_descriptor_is_no_way_out() {
    let bundle = TestBundle::new("leaked-fd", &[]);
    let secret = HostSecret::new(&bundle);
    bundle.edit(|spec| {
        spec["process"]["cwd"] = "/proc/self/fd/7".into();
        spec["process"]["args"] = json!(["cat", secret.path_from_host_root()]);
    });
    let ran = hull_with_host_root_at(&bundle, 7, &["run", &bundle.id]);
    secret.assert_not_in(&ran);
    assert_eq!(ran.code, Some(1), "hull did not fail: {ran:?}");
    assert!(ran.stderr.contains("/proc/self/fd/7"), "{ran:?}");
    bundle.assert_nothing_left();

    bundle.edit(|spec| {
        spec["process"]["cwd"] = "/".into();
        spec["process"]["args"] = json!([PROBE, "report"]);
    });
    let ran = hull_with_host_root_at(&bundle, 7, &["run", &bundle.id]).ok();
    let report = Report::parse(ran.stdout.as_bytes()).unwrap();
    let fds: Vec<i32> = report.fds.unwrap().iter().map(|open| open.fd).collect();
    assert_eq!(fds, [0, 1, 2], "{ran:?}");
    bundle.assert_nothing_left();
}

/// Attack: the same escape through a descriptor the container is meant to get
/// (`--preserve-fds 1`): fd 3 is the host's `/` and `process.cwd` is `/proc/self/fd/3`.
/// Closing strays cannot help here; the descriptor is the process's own.
///
/// Defence: once in its working directory the init checks that the directory is inside
/// its root (`getcwd(3)` has no path for one reached from outside it) and refuses to run
/// the program: `hull run` fails saying so, and nothing of the host is printed.
#[test]
fn a_preserved_descriptor_is_no_working_directory() {
    let bundle = TestBundle::new("preserved-cwd", &[]);
    let secret = HostSecret::new(&bundle);
    bundle.edit(|spec| {
        spec["process"]["cwd"] = "/proc/self/fd/3".into();
        spec["process"]["args"] = json!(["cat", secret.path_from_host_root()]);
    });
    let ran = hull_with_host_root_at(&bundle, 3, &["run", "--preserve-fds", "1", &bundle.id]);
    secret.assert_not_in(&ran);
    ran.fails_with("the working directory is outside the container's root");
    bundle.assert_nothing_left();
}

/// A missing working directory is made inside the root, as runc makes it (`/new/deep/dir`
/// exists for the program). Attack: `process.cwd` `/proc/self/fd/3/<name>` with fd 3 the
/// host's `/` (`--preserve-fds 1`): a `mkdir -p` through the magic link would create
/// `/<name>` on the host, as root (CVE-2024-45310 class).
///
/// Defence: the directory is made by a walk inside the root that reads a magic link as a
/// path inside the root instead of following it; the run then fails (that directory is not
/// where the link leads), and nothing appears on the host.
#[test]
fn a_missing_working_directory_is_made_inside_the_root_only() {
    let bundle = TestBundle::new("make-cwd", &["sh", "-c", "pwd"]);
    bundle.edit(|spec| spec["process"]["cwd"] = "/new/deep/dir".into());
    let ran = bundle.hull(&["run", &bundle.id]).ok();
    assert_eq!(ran.stdout, "/new/deep/dir\n");
    assert!(bundle.path().join("rootfs/new/deep/dir").is_dir());
    bundle.assert_nothing_left();

    let name = format!("hull-made-{}", bundle.id);
    let on_host = Path::new("/").join(&name);
    bundle.edit(|spec| spec["process"]["cwd"] = format!("/proc/self/fd/3/{name}").into());
    let ran = hull_with_host_root_at(&bundle, 3, &["run", "--preserve-fds", "1", &bundle.id]);
    let made = on_host.exists();
    if made {
        let _ = fs::remove_dir(&on_host);
    }
    assert!(!made, "{} was made on the host: {ran:?}", on_host.display());
    assert_eq!(ran.code, Some(1), "{ran:?}");
    bundle.assert_nothing_left();
}

/// Attack: an image with no procfs at `/proc` whose `proc/self/setgroups` is a regular
/// file that says `deny`. An init that reads it after entering the root believes its user
/// namespace forbids `setgroups(2)` and skips the call: the program keeps the
/// supplementary groups of whoever ran `hull` (here 0 and 4242).
///
/// Defence: `setgroups(2)` is always called; only when the kernel refuses it is the
/// namespace's `setgroups` file read, through the init's verified procfs handle. The
/// program runs as uid 1000 and gid 1000 with no supplementary group, as configured.
#[test]
fn a_fake_setgroups_file_keeps_no_host_group() {
    let bundle = TestBundle::new("fake-setgroups", &[PROBE, "report"]);
    without_procfs(&bundle);
    fs::write(bundle.path().join("rootfs/proc/self/setgroups"), "deny\n").unwrap();
    bundle.edit(|spec| spec["process"]["user"] = json!({"uid": 1000, "gid": 1000}));
    let mut cmd = Command::new("setpriv");
    cmd.arg(format!("--groups=0,{HOST_GROUP}"))
        .arg("--")
        .arg(hull_binary())
        .arg("--root")
        .arg(bundle.root())
        .args(["run", &bundle.id])
        .current_dir(bundle.path());
    let ran = run_wrapped(cmd, &["run"]);
    assert_eq!(ran.code, Some(0), "{ran:?}");
    let report = Report::parse(ran.stdout.as_bytes()).unwrap();
    let ids = report.ids.unwrap();
    assert_eq!((ids.uid, ids.gid), (1000, 1000), "{ran:?}");
    assert_eq!(
        report.groups,
        Some(Vec::new()),
        "supplementary groups other than the config's (hull ran with 0 and {HOST_GROUP})"
    );
    bundle.assert_nothing_left();
}

/// Attack: an image with no procfs at `/proc` whose `proc/sys/kernel/domainname` is a
/// symlink to `/victim/file`, a file of the host bind-mounted into the container. An init
/// that writes the configured `domainname` by path, as root, writes the host's file.
///
/// Defence: the domain name (and every sysctl) is written through the init's verified
/// procfs handle, opened before the root changed, never through the container's `/proc`.
/// The container's UTS namespace gets the domain name; the host's file is unchanged.
#[test]
fn a_fake_proc_sys_file_receives_no_write() {
    let bundle = TestBundle::new("fake-proc-sys", &[PROBE, "report"]);
    without_procfs(&bundle);
    let victim = tempfile::tempdir().unwrap();
    let file = victim.path().join("file");
    fs::write(&file, "untouched\n").unwrap();
    let kernel = bundle.path().join("rootfs/proc/sys/kernel");
    fs::create_dir_all(&kernel).unwrap();
    symlink("/victim/file", kernel.join("domainname")).unwrap();
    bundle.edit(|spec| {
        spec["domainname"] = "hull-domain".into();
        spec["mounts"].as_array_mut().unwrap().push(json!({
            "destination": "/victim",
            "type": "bind",
            "source": victim.path(),
            "options": ["rbind", "rw"],
        }));
    });
    let ran = bundle.hull(&["run", &bundle.id]);
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        "untouched\n",
        "the host's file was written: {ran:?}"
    );
    assert_eq!(ran.code, Some(0), "{ran:?}");
    let report = Report::parse(ran.stdout.as_bytes()).unwrap();
    assert_eq!(report.domainname.as_deref(), Some("hull-domain"), "{ran:?}");
    bundle.assert_nothing_left();
}

/// Attack (CVE-2016-9962): while a created container waits for `start`, its init runs
/// hull with the host's descriptors (the exec FIFO, a procfs handle); a process in the
/// container with the same uid (here: root, with only the container's capabilities) that
/// may ptrace it, or open its `/proc/<pid>/` files, can take them.
///
/// Defence: stage 1 makes itself non-dumpable before it enters any namespace of the
/// container, and stays so until `execve` of the program, which makes the program
/// dumpable again. Without a user namespace such a process cannot read the init's
/// `/proc/<pid>/environ` (the ptrace access check) until the program runs. With one
/// (0 → 100000), the init's `/proc/<pid>/` files belong to the host's root, not to 100000,
/// until the program runs. (`/proc/<pid>` itself always belongs to the effective uid,
/// whatever the dumpable flag, so its files are what tells. The kernel also makes a
/// process non-dumpable when its effective uid changes, as stage 1's does when it becomes
/// root of the new namespace: with `fs.suid_dumpable` 0 this half holds even without the
/// defence, and the first half is the one that needs it.)
#[test]
fn the_init_is_not_dumpable_before_exec() {
    let sleeper = [PROBE, "sleep", "100"];
    let mut bundle = TestBundle::new("dumpable", &sleeper);
    bundle.hull(&["create", &bundle.id]).ok();
    let pid = bundle.remember_init();
    assert!(
        !readable_by_container_root(pid),
        "the created init's /proc/{pid}/environ is readable without CAP_SYS_PTRACE"
    );
    bundle.hull(&["start", &bundle.id]).ok();
    eventually("the program to be dumpable", || {
        readable_by_container_root(pid)
    });
    bundle.hull(&["delete", "--force", &bundle.id]).ok();
    assert_gone(pid);
    bundle.assert_nothing_left();

    let mut bundle = TestBundle::new("dumpable-userns", &sleeper);
    bundle.edit(|spec| {
        let map = json!([{"containerID": 0, "hostID": 100_000, "size": 65_536}]);
        spec["linux"]["namespaces"]
            .as_array_mut()
            .unwrap()
            .push(json!({"type": "user"}));
        spec["linux"]["uidMappings"] = map.clone();
        spec["linux"]["gidMappings"] = map;
    });
    bundle.hull(&["create", &bundle.id]).ok();
    let pid = bundle.remember_init();
    assert_eq!(owner(&format!("/proc/{pid}")), 100_000, "the init's euid");
    assert_eq!(
        owner(&format!("/proc/{pid}/status")),
        0,
        "the created init's /proc files belong to its uid: it is dumpable"
    );
    bundle.hull(&["start", &bundle.id]).ok();
    eventually("the program's /proc files to belong to 100000", || {
        owner(&format!("/proc/{pid}/status")) == 100_000
    });
    bundle.hull(&["delete", "--force", &bundle.id]).ok();
    assert_gone(pid);
    bundle.assert_nothing_left();
}

/// Attack (CVE-2019-5736): a process of the container opens `/proc/<init>/exe` for
/// writing and rewrites the binary the init runs, which is the host's `hull`.
///
/// Defence: the init is executed from a protected view of the binary. As root that is a
/// read-only bind mount (`container_lifecycle`'s
/// `the_init_binary_a_created_container_runs_cannot_be_written`); here, run by an
/// unprivileged user who may not mount, it is the fallback: a sealed `memfd` copy. What
/// `/proc/<init>/exe` leads to is that copy, sealed against writing, growing, shrinking
/// and further changes of seals, and it cannot be opened for writing.
#[test]
fn a_rootless_init_runs_from_a_sealed_copy() {
    require_root();
    nix::sys::prctl::set_child_subreaper(true).unwrap();
    let rootless = Rootless::new(&[PROBE, "sleep", "100"]);
    rootless.hull(&["create", &rootless.id]).ok();
    let pid = rootless.init_pid();
    let exe = format!("/proc/{pid}/exe");
    let target = fs::read_link(&exe).unwrap();
    assert!(
        target.to_string_lossy().starts_with("/memfd:hull-init"),
        "{exe} leads to {target:?}"
    );
    let copy = File::open(&exe).unwrap();
    let seals = SealFlag::from_bits_truncate(fcntl(&copy, FcntlArg::F_GET_SEALS).unwrap());
    let expected = SealFlag::F_SEAL_SEAL
        | SealFlag::F_SEAL_SHRINK
        | SealFlag::F_SEAL_GROW
        | SealFlag::F_SEAL_WRITE;
    assert!(seals.contains(expected), "{seals:?}");
    let opened = fs::OpenOptions::new().write(true).open(&exe);
    let err = opened.expect_err("the init binary opened for writing");
    assert!(
        matches!(err.raw_os_error(), Some(libc::ETXTBSY | libc::EPERM)),
        "{err}"
    );
    rootless.hull(&["delete", "--force", &rootless.id]).ok();
    reap(pid);
    assert_gone(pid);
    rootless.assert_nothing_left();
}

/// Puts a file's first contents back when dropped, if they changed: a test that fails
/// because the host's value changed leaves the host as it was.
struct RestoreOnDrop {
    path: &'static str,
    value: String,
}

impl RestoreOnDrop {
    fn new(path: &'static str) -> RestoreOnDrop {
        let value = fs::read_to_string(path).unwrap();
        RestoreOnDrop { path, value }
    }
}

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        if fs::read_to_string(self.path).ok().as_deref() != Some(self.value.as_str()) {
            fs::write(self.path, &self.value).unwrap();
        }
    }
}

/// A file of the host, outside the container's root, with contents no container has.
struct HostSecret {
    path: PathBuf,
    text: String,
}

impl HostSecret {
    fn new(bundle: &TestBundle) -> HostSecret {
        let path = fs::canonicalize(bundle.path()).unwrap().join("host-secret");
        let text = format!("host-secret-of-{}", bundle.id);
        fs::write(&path, &text).unwrap();
        HostSecret { path, text }
    }

    /// The file's path from the host's `/`, climbing first (`../../../tmp/...`), as a
    /// process whose working directory is the host's `/` would name it.
    fn path_from_host_root(&self) -> String {
        format!("../../..{}", self.path.display())
    }

    #[track_caller]
    fn assert_not_in(&self, ran: &Ran) {
        assert!(
            !ran.stdout.contains(&self.text) && !ran.stderr.contains(&self.text),
            "the container read {}: {ran:?}",
            self.path.display()
        );
    }
}

/// Runs `hull --root <root> ARGS` with descriptor `fd` open on the host's `/` and not
/// close-on-exec, as a careless caller leaves one: the host's shell opens it for `hull`.
fn hull_with_host_root_at(bundle: &TestBundle, fd: u32, args: &[&str]) -> Ran {
    let script = format!(r#"hull=$1 root=$2; shift 2; exec "$hull" --root "$root" "$@" {fd}</"#);
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .arg("sh")
        .arg(hull_binary())
        .arg(bundle.root())
        .args(args)
        .current_dir(bundle.path());
    run_wrapped(cmd, args)
}

/// Runs `cmd`, a `hull` command behind a program that shapes its process, as
/// [`TestBundle::hull`] runs hull: stdin from `/dev/null`, output to files.
fn run_wrapped(mut cmd: Command, what: &[&str]) -> Ran {
    cmd.stdin(Stdio::null());
    run_to_files(cmd, what)
}

/// Gives the bundle's container no procfs at `/proc`: the `/proc` mount goes, with the
/// masked and read-only paths under it, so the image's `proc` directory is all there is
/// and a test fills it with fakes.
///
/// An init that reopens its exec FIFO by path, through `/proc/self/fd/<n>` of the
/// container rather than through a verified procfs handle, finds it all the same: the
/// image links
/// `proc/self/fd/3` to `proc/self/fd/64` to the FIFO, bind-mounted from the state
/// directory. Such an init then gets as far as running the program, and what the fakes
/// did to it shows in what the program sees.
fn without_procfs(bundle: &TestBundle) {
    let fifo = bundle.state_dir().join("exec.fifo");
    bundle.edit(|spec| {
        let mounts = spec["mounts"].as_array_mut().unwrap();
        mounts.retain(|mount| mount["destination"] != "/proc");
        mounts.push(json!({
            "destination": "/exec.fifo",
            "type": "bind",
            "source": fifo,
            "options": ["bind"],
        }));
        for list in ["maskedPaths", "readonlyPaths"] {
            let paths = spec["linux"][list].as_array_mut().unwrap();
            paths.retain(|path| !path.as_str().unwrap().starts_with("/proc"));
        }
    });
    let rootfs = bundle.path().join("rootfs");
    File::create(rootfs.join("exec.fifo")).unwrap();
    let fds = rootfs.join("proc/self/fd");
    fs::create_dir_all(&fds).unwrap();
    for fd in 3..=64 {
        symlink("/exec.fifo", fds.join(fd.to_string())).unwrap();
    }
}

/// Whether a process of the host with the container's uid (root) and the container's
/// capabilities, nothing more (no `CAP_SYS_PTRACE`, `CAP_SYS_ADMIN` or `CAP_PERFMON`),
/// may read `/proc/<pid>/environ`: `ptrace_may_access(PTRACE_MODE_READ)`, which a
/// non-dumpable process refuses to such a caller.
fn readable_by_container_root(pid: i32) -> bool {
    Command::new("setpriv")
        .arg("--bounding-set=-all,+audit_write,+kill,+net_bind_service")
        .arg("--")
        .arg("cat")
        .arg(format!("/proc/{pid}/environ"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

/// The owner of `path`.
fn owner(path: &str) -> u32 {
    std::os::unix::fs::MetadataExt::uid(&fs::metadata(path).unwrap())
}

/// Waits until `holds`; panics with `what` past [`TIMEOUT`].
#[track_caller]
fn eventually(what: &str, mut holds: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !holds() {
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Checks that process `pid` is gone (after its container was deleted): no process, not
/// even a zombie, has that pid.
#[track_caller]
fn assert_gone(pid: i32) {
    reap(pid);
    let alive = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None);
    assert_eq!(
        alive,
        Err(nix::errno::Errno::ESRCH),
        "process {pid} is left"
    );
}

/// A rootless container, as `cli_rootless` makes one: `hull spec --rootless` over the test
/// rootfs, the user namespace mapping root to `nobody`, and `hull` run as `nobody` with
/// a state root of its own. Deleted when dropped.
struct Rootless {
    id: String,
    dir: tempfile::TempDir,
}

/// The unprivileged user that runs `hull`.
const NOBODY: u32 = 65_534;

impl Rootless {
    fn new(args: &[&str]) -> Rootless {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let rootless = Rootless {
            id: cli_support::unique("rootless"),
            dir,
        };
        fs::create_dir(rootless.bundle()).unwrap();
        fs::create_dir(rootless.state()).unwrap();
        nix::unistd::chown(
            rootless.state().as_path(),
            Some(NOBODY.into()),
            Some(NOBODY.into()),
        )
        .unwrap();
        let written = Command::new(hull_binary())
            .args(["spec", "--rootless"])
            .current_dir(rootless.bundle())
            .status()
            .unwrap();
        assert!(written.success());
        let path = rootless.bundle().join("config.json");
        let mut spec: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        spec["process"]["terminal"] = false.into();
        spec["process"]["args"] = args.into();
        spec["root"]["path"] = test_rootfs().to_str().unwrap().into();
        spec["linux"]["uidMappings"][0]["hostID"] = NOBODY.into();
        spec["linux"]["gidMappings"][0]["hostID"] = NOBODY.into();
        fs::write(&path, spec.to_string()).unwrap();
        rootless
    }

    fn bundle(&self) -> PathBuf {
        self.dir.path().join("bundle")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// `hull --root <state> ARGS` as `nobody`, in the bundle; its output goes to files,
    /// as a created container keeps hull's stdout and stderr.
    fn hull(&self, args: &[&str]) -> Ran {
        let mut cmd = Command::new("setpriv");
        cmd.arg(format!("--reuid={NOBODY}"))
            .arg(format!("--regid={NOBODY}"))
            .arg("--clear-groups")
            .arg("--")
            .arg(hull_binary())
            .arg("--root")
            .arg(self.state())
            .args(args)
            .current_dir(self.bundle());
        run_wrapped(cmd, args)
    }

    fn init_pid(&self) -> i32 {
        let ran = self.hull(&["state", &self.id]).ok();
        let state: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
        state["pid"].as_i64().unwrap() as i32
    }

    /// No state, no cgroup of its id (a rootless container makes none), no mount under
    /// the directory.
    #[track_caller]
    fn assert_nothing_left(&self) {
        let left: Vec<_> = fs::read_dir(self.state()).unwrap().flatten().collect();
        assert!(left.is_empty(), "left in the state root: {left:?}");
        let cgroups: Vec<PathBuf> = fs::read_dir("/sys/fs/cgroup")
            .unwrap()
            .flatten()
            .map(|entry| entry.path().join(&self.id))
            .filter(|dir| dir.exists())
            .collect();
        assert!(cgroups.is_empty(), "cgroup left: {cgroups:?}");
        let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap();
        let dir = self.dir.path().to_str().unwrap();
        assert!(!mountinfo.contains(dir), "mounts left under {dir}");
    }
}

impl Drop for Rootless {
    /// Deletes the container whatever state it is in, then reaps its init (reparented to
    /// this subreaper when `hull create` exited).
    fn drop(&mut self) {
        if !self.state().join(&self.id).exists() {
            return;
        }
        let ran = self.hull(&["state", &self.id]);
        let state: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap_or_default();
        // Best effort while dropping: a test's own checks report what was left.
        let _ = self.hull(&["delete", "--force", &self.id]);
        if let Some(pid) = state["pid"].as_i64().filter(|&pid| pid > 0) {
            reap(pid as i32);
        }
    }
}

/// While a created container waits for `start`, its init holds nothing of the runtime but
/// the exec FIFO and its own `/proc/self/fd`: no channel to the runtime (it exited), no
/// procfs handle, no descriptor of the caller.
#[test]
fn a_created_init_holds_only_the_fifo_and_its_own_fd_directory() {
    let mut bundle = TestBundle::new("created-fds", &["true"]);
    bundle.hull(&["create", &bundle.id]).ok();
    let pid = bundle.remember_init();
    let dir = format!("/proc/{pid}/fd");
    let mut held: Vec<(i32, String)> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let fd = entry.file_name().to_str().unwrap().parse().unwrap();
            let target = fs::read_link(entry.path()).unwrap();
            (fd, target.display().to_string())
        })
        .filter(|(fd, _)| *fd > 2)
        .collect();
    held.sort();
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(
        held.iter().any(|(_, t)| t.ends_with("exec.fifo")),
        "{held:?}"
    );
    assert!(held.iter().any(|(_, t)| t.ends_with("/fd")), "{held:?}");
    assert!(
        !held.iter().any(|(_, t)| t.starts_with("socket:")),
        "{held:?}"
    );
    bundle.hull(&["delete", "--force", &bundle.id]).ok();
    bundle.assert_nothing_left();
}
