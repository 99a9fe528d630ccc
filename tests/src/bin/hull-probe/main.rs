//! `hull-probe`: the program integration tests run inside containers.
//!
//! ```text
//! hull-probe [report]         print a JSON report of this process (hull_tests::Report)
//! hull-probe exit N           exit with status N
//! hull-probe sleep SECS       sleep, then exit 0
//! hull-probe write PATH [TEXT] create or truncate PATH and write TEXT to it
//! hull-probe read PATH        print the content of PATH
//! hull-probe mkdir PATH       create the directory PATH
//! ```
//!
//! `write`, `read` and `mkdir` exit 0 on success; on failure they print
//! `hull-probe: OP PATH: ENAME (errno N)` to stderr and exit 1. A usage error exits 2.
//! The binary is built statically so it runs in a root filesystem that has nothing else.

mod errno;
mod report;
mod sys;

use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str =
    "usage: hull-probe [report | exit N | sleep SECS | write PATH [TEXT] | read PATH | mkdir PATH]";

/// What `write` puts in the file when given no text.
const DEFAULT_TEXT: &str = "hull-probe\n";

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let words: Vec<&str> = args.iter().map(|a| a.to_str().unwrap_or("")).collect();
    match words.as_slice() {
        [] | ["report"] => print_report(),
        ["exit", code] => match code.parse::<u8>() {
            Ok(code) => ExitCode::from(code),
            Err(_) => usage(),
        },
        ["sleep", secs] => match secs.parse().map(Duration::try_from_secs_f64) {
            Ok(Ok(duration)) => {
                std::thread::sleep(duration);
                ExitCode::SUCCESS
            }
            _ => usage(),
        },
        ["write", ..] if (2..=3).contains(&args.len()) => {
            let text = args.get(2).map_or(DEFAULT_TEXT.into(), |t| t.clone());
            file_op("write", &args[1], |path| {
                write(path, text.as_encoded_bytes())
            })
        }
        ["read", _] => file_op("read", &args[1], read),
        ["mkdir", _] => file_op("mkdir", &args[1], |path| std::fs::create_dir(path)),
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

fn print_report() -> ExitCode {
    let report = report::collect();
    let mut stdout = io::stdout().lock();
    let written = serde_json::to_writer(&mut stdout, &report)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(stdout))
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hull-probe: cannot print the report: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `op` on `path`; on failure prints the errno's name and number and exits 1.
fn file_op(name: &str, path: &OsStr, op: impl FnOnce(&Path) -> io::Result<()>) -> ExitCode {
    let path = Path::new(path);
    match op(path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            match err.raw_os_error() {
                Some(n) => eprintln!(
                    "hull-probe: {name} {}: {} (errno {n})",
                    path.display(),
                    errno::name(n)
                ),
                None => eprintln!("hull-probe: {name} {}: {err}", path.display()),
            }
            ExitCode::FAILURE
        }
    }
}

fn write(path: &Path, text: &[u8]) -> io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .open(path)?;
    file.write_all(text)?;
    file.sync_all()
}

fn read(path: &Path) -> io::Result<()> {
    let content = std::fs::read(path)?;
    let mut stdout = io::stdout().lock();
    stdout.write_all(&content)?;
    stdout.flush()
}
