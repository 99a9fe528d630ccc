//! [`Factory`]: where containers are kept, and how their init is started.

use std::fs;
use std::path::{Path, PathBuf};

use hull_configs::Config;
use hull_configs::validate::{self, HostFacts};
use hull_namespaces::IdMapper;

use crate::container::{Container, State};
use crate::error::Result;
use crate::id::check_id;
use crate::spawn::InitCommand;
use crate::state::{StateDir, StateError, StoredState};

/// Creates and loads containers kept under one state root (`<root>/<id>/state.json`).
#[derive(Clone, Debug)]
pub struct Factory {
    root: PathBuf,
    init: InitCommand,
    id_mapper: IdMapper,
}

impl Factory {
    /// A factory keeping containers under `root`, which is created (mode 0700) if missing.
    ///
    /// # Errors
    ///
    /// [`StateError::CreateDir`] when `root` cannot be created.
    pub fn new(root: impl Into<PathBuf>) -> Result<Factory> {
        let root = root.into();
        let mut builder = fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .recursive(true)
            .create(&root)
            .map_err(|source| StateError::CreateDir {
                path: root.clone(),
                source,
            })?;
        Ok(Factory {
            root,
            init: InitCommand::default(),
            id_mapper: IdMapper {
                newuidmap: None,
                newgidmap: None,
            },
        })
    }

    /// Starts containers' init from `init` instead of the caller's own executable.
    pub fn with_init(mut self, init: InitCommand) -> Factory {
        self.init = init;
        self
    }

    /// Writes user-namespace maps of several ranges through these `newuidmap` and
    /// `newgidmap` programs when hull is not privileged enough to write them itself. By
    /// default they are looked up in `PATH`, as runc does.
    pub fn with_id_mapper(mut self, id_mapper: IdMapper) -> Factory {
        self.id_mapper = id_mapper;
        self
    }

    /// The state root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates container `id` from `config`, after checking the id and validating the
    /// config against this host. Nothing runs yet: [`Container::start`] does that.
    ///
    /// # Errors
    ///
    /// [`ContainerError::InvalidId`](crate::ContainerError::InvalidId), [`ContainerError::Exists`](crate::ContainerError::Exists), a validation error
    /// ([`ContainerError::Configs`](crate::ContainerError::Configs)), or a failure to write the state.
    pub fn create(&self, id: &str, config: Config) -> Result<Container> {
        check_id(id)?;
        validate::validate(&config, &HostFacts::detect())
            .map_err(hull_configs::ConfigsError::from)?;
        let dir = self.root.join(id);
        let state_dir = StateDir::create(&dir, id)?;
        let state = StoredState {
            id: id.to_owned(),
            init: None,
            created: crate::time::rfc3339_nano(std::time::SystemTime::now()),
            owner: nix::unistd::geteuid().as_raw(),
            cgroup_paths: Default::default(),
            config,
        };
        if let Err(err) = state_dir.write(&state) {
            // Nothing of the container exists yet but its directory; leave nothing behind.
            let _ = state_dir.remove();
            return Err(err);
        }
        Ok(self.container(id, dir, state))
    }

    /// Loads container `id`.
    ///
    /// # Errors
    ///
    /// [`ContainerError::InvalidId`](crate::ContainerError::InvalidId), [`ContainerError::NotFound`](crate::ContainerError::NotFound), or a state file that
    /// cannot be read.
    pub fn load(&self, id: &str) -> Result<Container> {
        check_id(id)?;
        let dir = self.root.join(id);
        let state = StateDir::open(&dir, id)?.read()?;
        Ok(self.container(id, dir, state))
    }

    /// The ids of every container under the root, sorted.
    ///
    /// # Errors
    ///
    /// [`StateError::ReadRoot`] when the root cannot be listed.
    pub fn ids(&self) -> Result<Vec<String>> {
        let entries = fs::read_dir(&self.root).map_err(|source| StateError::ReadRoot {
            path: self.root.clone(),
            source,
        })?;
        let mut ids: Vec<String> = entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.path().join(crate::state::STATE_FILE).is_file())
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|id| check_id(id).is_ok())
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// The state of container `id`, read as [`Factory::states`] reads each: once, under its
    /// lock, parsing only what [`State`] shows. [`Factory::load`] and [`Container::state`]
    /// give the same, with the whole configuration.
    ///
    /// # Errors
    ///
    /// [`crate::ContainerError::InvalidId`], [`crate::ContainerError::NotFound`], or the
    /// state file's read or parse error.
    pub fn state(&self, id: &str) -> Result<State> {
        check_id(id)?;
        let dir = self.root.join(id);
        let stored = StateDir::open(&dir, id)?.read_summary()?;
        Ok(crate::container::describe(&dir, stored))
    }

    /// The state of every container under the root, by id, sorted: for a listing, each
    /// state file is read once under its container's lock and only what [`State`] shows
    /// is parsed from it. A container that cannot be read comes with its error.
    ///
    /// # Errors
    ///
    /// [`StateError::ReadRoot`] when the root cannot be listed.
    pub fn states(&self) -> Result<Vec<(String, Result<State>)>> {
        let ids = self.ids()?;
        Ok(ids
            .into_iter()
            .map(|id| {
                let dir = self.root.join(&id);
                let state = StateDir::open(&dir, &id)
                    .and_then(|locked| locked.read_summary())
                    .map(|stored| crate::container::describe(&dir, stored));
                (id, state)
            })
            .collect())
    }

    fn container(&self, id: &str, dir: PathBuf, state: StoredState) -> Container {
        Container::new(
            id.to_owned(),
            dir,
            self.init.clone(),
            self.id_mapper.clone(),
            state,
        )
    }
}
