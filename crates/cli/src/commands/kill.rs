//! `hull kill`: send a signal to a container's init, or with `--all` to all its processes.

use std::str::FromStr;

use clap::Args;
use hull_container::{ContainerError, Factory, Status};
use nix::sys::signal::Signal;

use super::Root;
use crate::error::CliError;

/// Arguments of `hull kill`.
#[derive(Debug, Args)]
pub struct KillArgs {
    /// Send the signal to every process of the container, not only its init.
    #[arg(short, long)]
    all: bool,
    /// The container's id.
    id: String,
    /// The signal: a name with or without `SIG` (`KILL`, `sigterm`), or a number.
    #[arg(default_value = "SIGTERM")]
    signal: String,
}

/// Sends the signal. With `--all`, a container that is already stopped is not an error.
pub fn run(root: &Root, args: &KillArgs) -> Result<(), CliError> {
    let signal = parse_signal(&args.signal)?;
    let mut container = Factory::new(root.path())?.load(&args.id)?;
    match container.signal(signal, args.all) {
        Err(ContainerError::InvalidStatus {
            status: Status::Stopped,
            ..
        }) if args.all => Ok(()),
        done => Ok(done?),
    }
}

/// A signal as runc's `kill` reads it: a number, or a name in any case with or without
/// its `SIG` prefix.
///
/// # Errors
///
/// [`CliError::UnknownSignal`] for anything else.
pub fn parse_signal(text: &str) -> Result<Signal, CliError> {
    let unknown = || CliError::UnknownSignal {
        name: text.to_owned(),
    };
    if let Ok(number) = text.parse::<i32>() {
        return Signal::try_from(number).map_err(|_| unknown());
    }
    let upper = text.to_ascii_uppercase();
    let name = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    Signal::from_str(&name).map_err(|_| unknown())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        for (text, signal) in [
            ("KILL", Signal::SIGKILL),
            ("SIGKILL", Signal::SIGKILL),
            ("term", Signal::SIGTERM),
            ("SigUsr1", Signal::SIGUSR1),
            ("9", Signal::SIGKILL),
            ("15", Signal::SIGTERM),
        ] {
            assert_eq!(parse_signal(text).unwrap(), signal, "{text}");
        }
    }

    #[test]
    fn unknown_signals_are_errors_naming_them() {
        for text in ["", "SIG", "NOPE", "0", "999", "-9"] {
            let err = parse_signal(text).unwrap_err();
            assert!(err.to_string().contains(&format!("{text:?}")), "{err}");
        }
    }
}
