//! Containers through the library: the lifecycle, exit statuses, signals and destroy.

mod container_support;

use container_support::*;
use hull_container::configs::NamespaceKind;
use hull_container::{ExitStatus, Status};
use nix::sys::signal::Signal;

#[test]
fn true_and_a_failing_command_report_their_exit_status() {
    let t = TestFactory::new();
    let id = unique("true");
    let ran = run_in(&t.factory, &id, config_for(&id, |_| {}), shell("true"));
    assert_eq!(ran.status, ExitStatus::Exited(0));
    let id = unique("fail");
    let ran = run_in(&t.factory, &id, config_for(&id, |_| {}), shell("exit 3"));
    assert_eq!(ran.status, ExitStatus::Exited(3));
}

#[test]
fn created_running_stopped_then_destroyed() {
    let t = TestFactory::new();
    let id = unique("life");
    let mut container = t.factory.create(&id, config_for(&id, |_| {})).unwrap();
    assert_eq!(container.status().unwrap(), Status::Stopped);
    let mut process = shell("read line; exit 0");
    let (reader, mut writer) = std::io::pipe().unwrap();
    process.stdin = hull_container::Stdio::Fd(reader.into());
    container.start(&mut process).unwrap();
    let state = container.state().unwrap();
    assert_eq!(state.status, Status::Created);
    assert_eq!(state.pid, process.pid());
    let listed = t.factory.states().unwrap();
    let (listed_id, listed_state) = listed.into_iter().find(|(i, _)| *i == id).unwrap();
    assert_eq!(listed_id, id);
    assert_eq!(listed_state.unwrap(), state);
    assert_eq!(t.factory.state(&id).unwrap(), state);
    assert!(t.root().join(&id).join("exec.fifo").exists());

    container.exec().unwrap();
    assert_eq!(container.status().unwrap(), Status::Running);
    assert!(!t.root().join(&id).join("exec.fifo").exists());
    assert!(
        container
            .processes()
            .unwrap()
            .contains(&process.pid().unwrap())
    );

    std::io::Write::write_all(&mut writer, b"go\n").unwrap();
    assert_eq!(process.wait().unwrap(), ExitStatus::Exited(0));
    assert_eq!(container.status().unwrap(), Status::Stopped);
    container.destroy().unwrap();
    assert!(!t.root().join(&id).exists());
    assert!(!cgroup_left(&id));
}

#[test]
fn the_init_binary_a_created_container_runs_cannot_be_written() {
    let t = TestFactory::new();
    let id = unique("exe");
    let mut container = t.factory.create(&id, config_for(&id, |_| {})).unwrap();
    let mut process = shell("true");
    container.start(&mut process).unwrap();
    // The init waits for `exec`, running hull: what its /proc/<pid>/exe leads to is the
    // binary a process of the container could reach (CVE-2019-5736).
    let exe = format!("/proc/{}/exe", process.pid().unwrap());
    let fs = nix::sys::statvfs::statvfs(exe.as_str()).unwrap();
    assert!(
        fs.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY),
        "{exe} is on a writable mount"
    );
    let opened = std::fs::OpenOptions::new().write(true).open(&exe);
    let err = opened.expect_err("the init binary opened for writing");
    let errno = err.raw_os_error();
    assert!(
        errno == Some(libc::EROFS) || errno == Some(libc::ETXTBSY),
        "{err}"
    );
    container.exec().unwrap();
    assert_eq!(process.wait().unwrap(), ExitStatus::Exited(0));
    container.destroy().unwrap();
}

#[test]
fn the_container_process_is_pid_1_with_its_own_hostname() {
    let t = TestFactory::new();
    let id = unique("pid1");
    let config = config_for(&id, |spec| spec["hostname"] = "inside".into());
    let report = probe_report(&t.factory, &id, config, probe());
    assert_eq!(report.pid, 1);
    assert_eq!(report.hostname.as_deref(), Some("inside"));
}

#[test]
fn a_frozen_cgroup_makes_the_container_paused() {
    use hull_container::cgroups::{CgroupfsManager, Manager};
    let t = TestFactory::new();
    let id = unique("paused");
    let (mut container, mut process) = t.running(&id, "sleep 100");
    let cgroup = CgroupfsManager::new(&container.config().cgroup).unwrap();
    cgroup.freeze().unwrap();
    assert_eq!(container.status().unwrap(), Status::Paused);
    cgroup.thaw().unwrap();
    assert_eq!(container.status().unwrap(), Status::Running);
    container.destroy().unwrap();
    assert_eq!(process.wait().unwrap(), ExitStatus::Signaled(9));
}

#[test]
fn kill_reaches_the_init_and_destroy_of_a_running_container_leaves_nothing() {
    let t = TestFactory::new();
    let before = host_mounts();
    let id = unique("kill");
    let (mut container, mut process) = t.running(&id, "sleep 100");
    container.signal(Signal::SIGKILL, false).unwrap();
    assert_eq!(process.wait().unwrap(), ExitStatus::Signaled(9));

    let id = unique("force");
    let (mut container, mut process) = t.running(&id, "sleep 100 & sleep 100");
    assert_eq!(container.status().unwrap(), Status::Running);
    container.destroy().unwrap();
    assert_eq!(process.wait().unwrap(), ExitStatus::Signaled(9));
    assert!(!t.root().join(&id).exists());
    assert!(!cgroup_left(&id));
    assert_eq!(host_mounts(), before);
}

#[test]
fn kill_all_signals_every_process_of_the_container() {
    let t = TestFactory::new();
    let id = unique("killall");
    // Two processes: the shell and the sleep it waits for.
    let (mut container, mut process) = t.running(&id, "sleep 100 & wait");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(container.processes().unwrap().len(), 2);
    container.signal(Signal::SIGKILL, true).unwrap();
    assert_eq!(process.wait().unwrap(), ExitStatus::Signaled(9));
    container.destroy().unwrap();
}

#[test]
fn a_network_namespace_can_be_joined_by_path() {
    let t = TestFactory::new();
    let holder = unique("netns");
    // A process of ours in a network namespace of its own, to join.
    let mut owner = std::process::Command::new("unshare")
        .args(["--net", "sleep", "30"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let path = format!("/proc/{}/ns/net", owner.id());
    let expected = std::fs::read_link(&path).unwrap();
    let mut config = config_for(&holder, |_| {});
    config
        .namespaces
        .set(NamespaceKind::Network, Some(path.into()));
    config.networks.clear();
    let ran = run_in(
        &t.factory,
        &holder,
        config,
        shell("readlink /proc/self/ns/net"),
    );
    let _ = owner.kill();
    let _ = owner.wait();
    assert!(ran.status.success());
    assert_eq!(ran.stdout.trim(), expected.to_str().unwrap());
}

#[test]
fn a_bind_mounted_network_namespace_can_be_joined() {
    let t = TestFactory::new();
    let id = unique("netns-bind");
    // As `ip netns add` (and podman) make them: a namespace file bind-mounted under /run/netns.
    let name = unique("hull-test");
    let added = std::process::Command::new("ip")
        .args(["netns", "add", &name])
        .status()
        .unwrap();
    assert!(added.success(), "ip netns add failed");
    let path = format!("/run/netns/{name}");
    let expected = std::process::Command::new("ip")
        .args(["netns", "exec", &name, "readlink", "/proc/self/ns/net"])
        .output()
        .unwrap();
    let mut config = config_for(&id, |_| {});
    config
        .namespaces
        .set(NamespaceKind::Network, Some(path.into()));
    config.networks.clear();
    let ran = run_in(&t.factory, &id, config, shell("readlink /proc/self/ns/net"));
    let deleted = std::process::Command::new("ip")
        .args(["netns", "delete", &name])
        .status()
        .unwrap();
    assert!(ran.status.success());
    assert_eq!(
        ran.stdout.trim(),
        String::from_utf8_lossy(&expected.stdout).trim()
    );
    assert!(deleted.success());
}
