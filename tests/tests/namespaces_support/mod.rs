//! What the privileged namespace tests share: a small harness and the processes of each
//! scenario.
//!
//! Namespace changes stay with a process (and `unshare(CLONE_NEWUSER)` refuses a
//! multi-threaded one), so the test runner never makes them itself: each test binary has
//! its own `main` (`harness = false`) and re-executes itself with [`CHILD_ENV`] naming a
//! scenario. Such a child is single-threaded until it starts a [`Child`] of its own. It
//! talks `key=value` lines on stdout and reads orders (`go`) on stdin.

#![allow(dead_code)] // Each test file uses a part.

use std::collections::HashMap;
use std::error::Error;
use std::fmt::Display;
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use nix::unistd::Pid;

/// Names the scenario a re-executed test binary runs.
pub const CHILD_ENV: &str = "HULL_NAMESPACES_TEST_CHILD";

/// How long a child may take to say its next line.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A test, or a scenario: `Err` says what went wrong.
pub type Outcome = Result<(), String>;

pub use hull_tests::harness::Test;

/// The `main` of a test binary: runs `scenario` in a re-executed child, else the tests
/// whose names contain the first non-option argument (all of them without one), as root.
pub fn main(tests: &[(&str, Test)], scenario: fn(&str) -> Outcome) -> ExitCode {
    if let Some(name) = std::env::var_os(CHILD_ENV) {
        let name = name.to_string_lossy();
        let outcome = scenario(&name);
        // The report must reach the parent before we go.
        let _flushed = std::io::stdout().flush();
        return match outcome {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                say("error", &message);
                eprintln!("child {name}: {message}");
                ExitCode::from(2)
            }
        };
    }
    hull_tests::require_root();
    hull_tests::harness::run(tests)
}

/// In a child: reports `key=value` to the parent.
pub fn say(key: &str, value: impl Display) {
    let value = value.to_string().replace('\n', ";");
    println!("{key}={value}");
    let _flushed = std::io::stdout().flush();
}

/// In a child: waits until the parent sends `word` (or closes stdin, for `exit`).
pub fn wait_for(word: &str) -> Outcome {
    let mut line = String::new();
    let read = std::io::stdin()
        .read_line(&mut line)
        .map_err(|err| format!("reading stdin: {err}"))?;
    match line.trim() {
        got if got == word => Ok(()),
        "" if read == 0 && word == "exit" => Ok(()),
        got => Err(format!("expected {word:?} from the parent, got {got:?}")),
    }
}

/// An error with its sources, as the CLI prints it.
pub fn chain(err: &dyn Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// A text file's lines with their spacing normalised (`0 100000 65536;...`), for
/// comparing what the kernel prints with `%10u`.
pub fn normalised(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect();
    lines.join(";")
}

/// [`normalised`] content of a file, or `<errno text>` when it cannot be read.
pub fn read_normalised(path: &str) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => normalised(&text),
        Err(err) => format!("<{err}>"),
    }
}

/// A re-executed copy of this test binary running a scenario, killed if still running
/// when dropped.
pub struct Child {
    name: String,
    process: std::process::Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: HashMap<String, String>,
}

impl Child {
    /// Starts `scenario` with `env` added.
    pub fn spawn(scenario: &str, env: &[(&str, String)]) -> Result<Child, String> {
        let exe = std::env::current_exe().map_err(|err| format!("current_exe: {err}"))?;
        let mut command = Command::new(exe);
        command
            .env(CHILD_ENV, scenario)
            .envs(env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut process = command
            .spawn()
            .map_err(|err| format!("spawn {scenario}: {err}"))?;
        let stdout = process.stdout.take().ok_or("no stdout")?;
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Child {
            name: scenario.into(),
            stdin: process.stdin.take(),
            process,
            lines,
            seen: HashMap::new(),
        })
    }

    /// Its pid.
    pub fn pid(&self) -> Pid {
        Pid::from_raw(self.process.id() as i32)
    }

    /// Waits for its `key=...` line and returns the value; fails on its `error=` line.
    pub fn get(&mut self, key: &str) -> Result<String, String> {
        loop {
            if let Some(value) = self.seen.get(key) {
                return Ok(value.clone());
            }
            if let Some(error) = self.seen.get("error") {
                return Err(format!("{}: {error}", self.name));
            }
            let line = match self.lines.recv_timeout(TIMEOUT) {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("{}: no {key}= line within {TIMEOUT:?}", self.name));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.process.wait().map_err(|err| err.to_string())?;
                    return Err(format!("{}: ended ({status}) without {key}=", self.name));
                }
            };
            if let Some((k, v)) = line.split_once('=') {
                self.seen.insert(k.into(), v.into());
            }
        }
    }

    /// Fails unless its `key` line says `expected`.
    pub fn expect(&mut self, key: &str, expected: &str) -> Outcome {
        match self.get(key)? {
            got if got == expected => Ok(()),
            got => Err(format!(
                "{}: {key} is {got:?}, expected {expected:?}",
                self.name
            )),
        }
    }

    /// Sends it an order line.
    pub fn send(&mut self, word: &str) -> Outcome {
        let stdin = self.stdin.as_mut().ok_or("stdin closed")?;
        writeln!(stdin, "{word}").map_err(|err| format!("{}: send {word}: {err}", self.name))
    }

    /// Closes its stdin (which tells a waiting scenario to exit) and checks that it ends
    /// well.
    pub fn finish(mut self) -> Outcome {
        drop(self.stdin.take());
        let status = self.process.wait().map_err(|err| err.to_string())?;
        match status.success() {
            true => Ok(()),
            false => Err(format!("{} ended with {status}", self.name)),
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        // Only a child that is still running is left to kill; its end is no test result.
        if let Ok(None) = self.process.try_wait() {
            let _killed = self.process.kill();
            let _reaped = self.process.wait();
        }
    }
}
