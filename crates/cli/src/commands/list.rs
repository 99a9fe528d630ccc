//! `hull list`: the containers under the state root, as runc's table or JSON.

use std::io::Write;

use clap::{Args, ValueEnum};
use hull_container::Factory;
use hull_container::user::{RootDir, User};

use super::Root;
use super::state::ContainerState;
use crate::error::CliError;
use crate::{gojson, tabwriter};

/// Arguments of `hull list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print only the ids.
    #[arg(short, long)]
    quiet: bool,
    /// The output format.
    #[arg(short, long, value_enum, default_value = "table")]
    format: Format,
}

/// How `list` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Aligned columns: ID, PID, STATUS, BUNDLE, CREATED, OWNER.
    Table,
    /// A JSON array of states (`null` when there are none).
    Json,
}

/// Prints the containers, sorted by id. One that cannot be read is reported on stderr
/// and left out, as runc does.
pub fn run(root: &Root, args: &ListArgs) -> Result<(), CliError> {
    let states = states(root)?;
    let text = if args.quiet {
        states.iter().map(|s| format!("{}\n", s.id)).collect()
    } else {
        match args.format {
            Format::Table => table(&states),
            Format::Json if states.is_empty() => "null\n".to_owned(),
            Format::Json => format!("{}\n", gojson::compact(&states)),
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::Stdout)
}

/// The state of every container; none when the default root does not exist yet.
fn states(root: &Root) -> Result<Vec<ContainerState>, CliError> {
    if !root.path().exists() {
        if root.explicit {
            return Err(CliError::ListRoot {
                path: root.path.clone(),
                source: std::io::ErrorKind::NotFound.into(),
            });
        }
        return Ok(Vec::new());
    }
    let factory = Factory::new(root.path())?;
    let users = host_users();
    let mut states = Vec::new();
    for (id, state) in factory.states()? {
        let state = state.map(|state| ContainerState {
            owner: owner_name(&users, state.owner),
            ..ContainerState::new(state)
        });
        match state {
            Ok(state) => states.push(state),
            Err(err) => eprintln!("hull: container {id}: {}", hull_container::chain(&err)),
        }
    }
    Ok(states)
}

/// The host's users, from `/etc/passwd` as runc's `list` reads it (no NSS), read once for
/// every container; none when it cannot be read.
fn host_users() -> Vec<User> {
    RootDir::open("/")
        .and_then(|root| root.users())
        .unwrap_or_default()
}

/// The user name of `uid` among `users`, or `#uid` without one.
fn owner_name(users: &[User], uid: u32) -> String {
    match users.iter().find(|user| user.uid == uid) {
        Some(user) => user.name.clone(),
        None => format!("#{uid}"),
    }
}

/// runc's table.
fn table(states: &[ContainerState]) -> String {
    let header = ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    rows.extend(states.iter().map(|s| {
        vec![
            s.id.clone(),
            s.pid.to_string(),
            s.status.clone(),
            s.bundle.clone(),
            s.created.clone(),
            s.owner.clone(),
        ]
    }));
    tabwriter::align(&rows)
}
