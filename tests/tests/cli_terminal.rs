//! Containers with a terminal through the `hull` binary: the pty master handed over a
//! console socket as runc hands it, and a foreground `run` proxying its stdio. As root.

mod cli_support;

use std::fs::File;
use std::io::{IoSliceMut, Read, Seek, Write};
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixListener;
use std::sync::mpsc;
use std::time::Duration;

use cli_support::{TIMEOUT, TestBundle, wait_for};
use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, recvmsg};

/// Accepts one connection on `listener` and receives the descriptor sent on it, with the
/// name that came along.
fn receive_console(listener: &UnixListener) -> (OwnedFd, String) {
    let (stream, _) = listener
        .accept()
        .expect("hull connects to the console socket");
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let mut name = [0u8; 4096];
    let received = recvmsg(
        &stream,
        &mut [IoSliceMut::new(&mut name)],
        &mut control,
        RecvFlags::CMSG_CLOEXEC,
    )
    .expect("a message on the console socket");
    let mut fds: Vec<OwnedFd> = control
        .drain()
        .filter_map(|message| match message {
            RecvAncillaryMessage::ScmRights(fds) => Some(fds.collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(fds.len(), 1, "one descriptor");
    let name = String::from_utf8_lossy(&name[..received.bytes]).into_owned();
    (fds.remove(0), name)
}

/// Reads `master` on a thread until it ends; what it reads comes through the channel.
fn read_all(master: OwnedFd) -> mpsc::Receiver<Vec<u8>> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut master = File::from(master);
        let mut buf = [0u8; 4096];
        // EIO ends it once the container's side is closed.
        while let Ok(n @ 1..) = master.read(&mut buf) {
            if send.send(buf[..n].to_vec()).is_err() {
                return;
            }
        }
    });
    receive
}

/// Collects output until it contains `needle`.
#[track_caller]
fn read_until(output: &mpsc::Receiver<Vec<u8>>, seen: &mut String, needle: &str) {
    while !seen.contains(needle) {
        match output.recv_timeout(TIMEOUT) {
            Ok(bytes) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            Err(err) => panic!("no {needle:?} on the terminal ({err}); saw {seen:?}"),
        }
    }
}

#[test]
fn console_socket_receives_the_terminal() {
    let mut bundle = TestBundle::new("console", &["sh"]);
    bundle.edit(|spec| spec["process"]["terminal"] = true.into());
    let socket = bundle.path().join("console.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let child = bundle
        .command(&[
            "run",
            "-d",
            "--console-socket",
            socket.to_str().unwrap(),
            &bundle.id,
        ])
        .spawn()
        .unwrap();
    let (master, name) = receive_console(&listener);
    assert_eq!(wait_for(child, TIMEOUT, &["run", "-d"]), Some(0));
    assert_eq!(name, "/dev/ptmx");
    bundle.remember_init();
    assert_eq!(bundle.status(), "running");

    let mut input = File::from(master.try_clone().unwrap());
    let output = read_all(master);
    let mut seen = String::new();
    input.write_all(b"tty; echo hull-$((6*7))\n").unwrap();
    read_until(&output, &mut seen, "hull-42");
    assert!(
        seen.contains("/dev/pts/0"),
        "the shell's terminal: {seen:?}"
    );
    // /dev/console is the terminal, bound there as runc does: the same device. The
    // terminal echoes the command line too: the values are read after the marker, which
    // only the output holds.
    input
        .write_all(
            b"stat -Lc %t:%T /dev/console /proc/self/fd/0 | tr '\\n' ' '; echo end-$((6*7))\n",
        )
        .unwrap();
    read_until(&output, &mut seen, "end-42");
    let before = &seen[..seen.rfind("end-42").unwrap()];
    let devices: Vec<&str> = before.split_whitespace().rev().take(2).collect();
    assert_eq!(devices.len(), 2, "{seen:?}");
    assert_eq!(
        devices[0], devices[1],
        "console and terminal differ: {seen:?}"
    );
    assert!(devices[0].starts_with("88:"), "not a pty: {seen:?}");
    input.write_all(b"exit 5\n").unwrap();
    bundle.wait_for_status("stopped");
    bundle.hull(&["delete", &bundle.id]).ok();
    bundle.assert_nothing_left();
}

#[test]
fn foreground_run_proxies_its_stdio_to_the_terminal() {
    let bundle = TestBundle::new("tty-proxy", &["sh"]);
    bundle.edit(|spec| spec["process"]["terminal"] = true.into());
    let mut input = tempfile::tempfile().unwrap();
    input
        .write_all(b"tty; echo hull-$((6*7)); exit 4\n")
        .unwrap();
    input.rewind().unwrap();
    let ran = bundle.hull_with_stdin(&["run", &bundle.id], input);
    assert_eq!(ran.code, Some(4), "{ran:?}");
    assert!(ran.stdout.contains("/dev/pts/0"), "{ran:?}");
    assert!(ran.stdout.contains("hull-42"), "{ran:?}");
    bundle.assert_nothing_left();
}

#[test]
fn create_hands_the_terminal_and_start_runs_on_it() {
    let mut bundle = TestBundle::new("console-create", &["sh", "-c", "echo started-$((6*7))"]);
    bundle.edit(|spec| spec["process"]["terminal"] = true.into());
    let socket = bundle.path().join("console.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let child = bundle
        .command(&[
            "create",
            &bundle.id,
            "--console-socket",
            socket.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let (master, _) = receive_console(&listener);
    assert_eq!(wait_for(child, TIMEOUT, &["create"]), Some(0));
    bundle.remember_init();
    let output = read_all(master);
    std::thread::sleep(Duration::from_millis(50));
    assert!(output.try_recv().is_err(), "output before start");
    bundle.hull(&["start", &bundle.id]).ok();
    let mut seen = String::new();
    read_until(&output, &mut seen, "started-42");
    bundle.wait_for_status("stopped");
}
