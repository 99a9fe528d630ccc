//! [`Container`]: one container and what can be done to it, one file per operation.

mod destroy;
mod exec;
mod pause;
mod signal;
mod start;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hull_cgroups::{CgroupfsManager, Manager};
use hull_configs::Config;
use hull_namespaces::IdMapper;
use nix::unistd::Pid;

use crate::error::Result;
use crate::spawn::InitCommand;
use crate::state::{EXEC_FIFO, InitProcess, StateDir, Status, StoredState, StoredSummary};

/// A container: its id, configuration and state, kept in `<root>/<id>/`.
///
/// Every operation takes the container's lock and reads its state afresh, so several
/// `Container` values (in several processes) for one id stay consistent.
#[derive(Debug)]
pub struct Container {
    id: String,
    dir: PathBuf,
    init: InitCommand,
    id_mapper: IdMapper,
    state: StoredState,
}

/// What a container is, as `hull state` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The runtime spec version of its configuration.
    pub oci_version: String,
    /// The id.
    pub id: String,
    /// The status, read from the live system.
    pub status: Status,
    /// The pid of its init, while there is one.
    pub pid: Option<i32>,
    /// The bundle it was created from (its `bundle=` label).
    pub bundle: Option<PathBuf>,
    /// Its root filesystem.
    pub rootfs: PathBuf,
    /// When it was created, RFC 3339.
    pub created: String,
    /// The uid of its creator.
    pub owner: u32,
    /// Its labels as annotations (`key=value`), the bundle label aside.
    pub annotations: BTreeMap<String, String>,
}

impl Container {
    pub(crate) fn new(
        id: String,
        dir: PathBuf,
        init: InitCommand,
        id_mapper: IdMapper,
        state: StoredState,
    ) -> Container {
        Container {
            id,
            dir,
            init,
            id_mapper,
            state,
        }
    }

    /// The container's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its configuration.
    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// Its state directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its state, read afresh.
    ///
    /// # Errors
    ///
    /// When the state cannot be read (the container was destroyed meanwhile:
    /// [`crate::ContainerError::NotFound`]).
    pub fn state(&mut self) -> Result<State> {
        let dir = StateDir::open(&self.dir, &self.id)?;
        self.state = dir.read()?;
        Ok(describe(&self.dir, self.state.summary()))
    }

    /// Its status, read afresh.
    ///
    /// # Errors
    ///
    /// As [`Container::state`].
    pub fn status(&mut self) -> Result<Status> {
        self.state().map(|state| state.status)
    }

    /// The pids of every process in the container's cgroup.
    ///
    /// # Errors
    ///
    /// When the cgroup cannot be read.
    pub fn processes(&self) -> Result<Vec<i32>> {
        let pids = self.cgroup()?.pids()?;
        Ok(pids.into_iter().map(Pid::as_raw).collect())
    }

    /// The cgroup manager of the container.
    pub(crate) fn cgroup(&self) -> Result<CgroupfsManager> {
        Ok(CgroupfsManager::new(&self.state.config.cgroup)?)
    }

    /// The status of `state`, from the live system.
    fn status_of(&self, state: &StoredState) -> Status {
        status(&self.dir, state.init, &state.cgroup_paths)
    }
}

/// A container's state from what its state file (in `dir`) says, and its status from the
/// live system.
pub(crate) fn describe(dir: &Path, stored: StoredSummary) -> State {
    let status = status(dir, stored.init, &stored.cgroup_paths);
    let config = stored.config;
    let label = |key: &str| {
        config.labels.iter().find_map(|label| {
            let (k, v) = label.split_once('=')?;
            (k == key).then_some(v)
        })
    };
    State {
        oci_version: match config.version.is_empty() {
            true => hull_configs::OCI_VERSION.to_owned(),
            false => config.version.clone(),
        },
        id: stored.id,
        status,
        pid: stored
            .init
            .filter(|_| status != Status::Stopped)
            .map(|init| init.pid),
        bundle: label("bundle").map(PathBuf::from),
        rootfs: config.rootfs.clone(),
        created: stored.created,
        owner: stored.owner,
        annotations: annotations_of(&config.labels),
    }
}

/// The status of a container whose state file (in `dir`) names `init` and `cgroup_paths`:
/// no init (or another process with its pid) is stopped; an init still blocked on the exec
/// FIFO is created; a frozen cgroup is paused; otherwise running.
fn status(
    dir: &Path,
    init: Option<InitProcess>,
    cgroup_paths: &BTreeMap<String, PathBuf>,
) -> Status {
    if !init.is_some_and(|init| init.is_alive()) {
        return Status::Stopped;
    }
    if dir.join(EXEC_FIFO).exists() {
        return Status::Created;
    }
    // From the directories the state keeps: no mount table read for a status.
    let frozen = hull_cgroups::freezer_state_at(cgroup_paths).ok().flatten();
    match frozen {
        Some(hull_configs::FreezerState::Frozen) => Status::Paused,
        _ => Status::Running,
    }
}

/// A config's labels as annotations: `key=value` pairs, the `bundle` label aside.
pub(crate) fn annotations(config: &Config) -> BTreeMap<String, String> {
    annotations_of(&config.labels)
}

/// `key=value` labels as annotations, the `bundle` label aside.
fn annotations_of(labels: &[String]) -> BTreeMap<String, String> {
    labels
        .iter()
        .filter_map(|label| label.split_once('='))
        .filter(|(key, _)| *key != "bundle")
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}
