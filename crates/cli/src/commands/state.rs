//! `hull state`: a container's state as runc prints it.

use std::collections::BTreeMap;
use std::io::Write;

use clap::Args;
use hull_container::{Factory, State};
use serde::Serialize;

use super::Root;
use crate::error::CliError;
use crate::gojson;

/// Arguments of `hull state`.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// The container's id.
    id: String,
}

/// What `state` and `list` print of a container: runc's `containerState`, its fields in
/// runc's order and under its names.
#[derive(Clone, Debug, Serialize)]
pub struct ContainerState {
    /// The runtime spec version of the container's config.
    #[serde(rename = "ociVersion")]
    pub version: String,
    /// The id.
    pub id: String,
    /// The init's pid, 0 when stopped.
    pub pid: i32,
    /// `created`, `running`, `paused` or `stopped`.
    pub status: String,
    /// The bundle.
    pub bundle: String,
    /// The root filesystem.
    pub rootfs: String,
    /// When it was created, as Go's RFC3339Nano.
    pub created: String,
    /// The annotations, left out when there are none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The owner's user name (`list`); runc leaves it empty in `state`.
    pub owner: String,
}

impl ContainerState {
    /// What runc prints of `state`; `owner` is left empty.
    pub fn new(state: State) -> ContainerState {
        ContainerState {
            version: state.oci_version,
            id: state.id,
            pid: state.pid.unwrap_or(0),
            status: state.status.to_string(),
            bundle: state
                .bundle
                .map(|b| b.display().to_string())
                .unwrap_or_default(),
            rootfs: state.rootfs.display().to_string(),
            created: state.created.clone(),
            annotations: state.annotations,
            owner: String::new(),
        }
    }
}

/// Prints the state as indented JSON, without a final newline, as runc does.
pub fn run(root: &Root, args: &StateArgs) -> Result<(), CliError> {
    let state = ContainerState::new(Factory::new(root.path())?.state(&args.id)?);
    let mut out = std::io::stdout().lock();
    out.write_all(gojson::indented(&state).as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::Stdout)
}
