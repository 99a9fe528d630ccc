//! `hull ps`: the processes of a container, as runc prints them: the pids as JSON, or the
//! lines of `ps(1)` (with the options given, `-ef` by default) whose `PID` column is one of
//! the container's.

use std::io::Write;
use std::process::Command;

use clap::{Args, ValueEnum};
use hull_container::Factory;

use super::Root;
use crate::error::CliError;

/// How `hull ps` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum PsFormat {
    /// `ps(1)`'s own table, the container's lines only.
    #[default]
    Table,
    /// The pids, as a JSON array.
    Json,
}

/// Arguments of `hull ps`.
#[derive(Debug, Args)]
pub struct PsArgs {
    /// The output format.
    #[arg(short, long, value_enum, default_value = "table")]
    format: PsFormat,
    /// The container's id.
    id: String,
    /// Options for `ps(1)` (default `-ef`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    ps_args: Vec<String>,
}

/// Prints the container's processes.
pub fn run(root: &Root, args: &PsArgs) -> Result<(), CliError> {
    let container = Factory::new(root.path())?.load(&args.id)?;
    let pids = container.processes()?;
    let text = match args.format {
        PsFormat::Json => format!("{}\n", serde_json::to_string(&pids).unwrap_or_default()),
        PsFormat::Table => {
            let options = match args.ps_args.is_empty() {
                true => vec!["-ef".to_owned()],
                false => args.ps_args.clone(),
            };
            let output = Command::new("ps")
                .args(&options)
                .output()
                .map_err(|source| CliError::Ps { source })?;
            let table = String::from_utf8_lossy(&output.stdout);
            container_lines(&table, &pids)?
        }
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(CliError::Stdout)
}

/// The header of `ps(1)`'s `table` and the lines whose `PID` column is in `pids`.
///
/// # Errors
///
/// [`CliError::PsTable`] when the table has no `PID` column.
fn container_lines(table: &str, pids: &[i32]) -> Result<String, CliError> {
    let mut lines = table.lines();
    let header = lines.next().unwrap_or_default();
    let column = header
        .split_whitespace()
        .position(|field| field == "PID")
        .ok_or_else(|| CliError::PsTable {
            header: header.to_owned(),
        })?;
    let mut text = format!("{header}\n");
    for line in lines {
        let pid = line
            .split_whitespace()
            .nth(column)
            .and_then(|f| f.parse().ok());
        if pid.is_some_and(|pid: i32| pids.contains(&pid)) {
            text.push_str(line);
            text.push('\n');
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 17:23 ?        00:00:01 /sbin/init
root        4242       1  0 17:30 ?        00:00:00 sleep 100
root        4243    4242  0 17:30 ?        00:00:00 sh -c 4242
";

    #[test]
    fn only_the_containers_lines_under_the_header() {
        let text = container_lines(TABLE, &[4242]).unwrap();
        assert_eq!(
            text,
            "UID          PID    PPID  C STIME TTY          TIME CMD\n\
             root        4242       1  0 17:30 ?        00:00:00 sleep 100\n"
        );
    }

    #[test]
    fn a_table_without_a_pid_column_is_an_error() {
        let err = container_lines("USER COMMAND\nroot init\n", &[1]).unwrap_err();
        assert!(err.to_string().contains("USER COMMAND"), "{err}");
    }
}
