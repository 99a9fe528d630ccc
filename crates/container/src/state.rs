//! The state store: `<root>/<id>/state.json`, written atomically under the container's
//! lock, and the status read from the live system.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use hull_configs::Config;
use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};

use crate::error::{ContainerError, Result};

/// What can go wrong with a container's state directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The directory could not be created.
    #[error("cannot create state directory {path}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The container's lock could not be taken.
    #[error("cannot lock {path}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `state.json` could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `state.json` is not a state hull wrote.
    #[error("cannot parse {path}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// `state.json` could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The directory could not be removed.
    #[error("cannot remove state directory {path}")]
    RemoveDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The state root could not be listed.
    #[error("cannot list the state root {path}")]
    ReadRoot {
        /// The root.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A `/proc` file could not be read.
    #[error("cannot read {path}")]
    ReadProc {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `/proc/<pid>/stat` did not have the expected fields.
    #[error("cannot parse /proc/{pid}/stat")]
    ParseProcStat {
        /// The process.
        pid: i32,
    },
}

/// The file holding a container's state, in its directory.
pub(crate) const STATE_FILE: &str = "state.json";
/// The exec FIFO, in the container's directory, present from create until start.
pub(crate) const EXEC_FIFO: &str = "exec.fifo";
/// The lock file, in the container's directory.
const LOCK_FILE: &str = "lock";

/// The status of a container, as runc reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Its init is being set up.
    Creating,
    /// Its init is ready and waits to be started.
    Created,
    /// Its program runs.
    Running,
    /// Its processes are frozen.
    Paused,
    /// Its init has exited (or never ran).
    Stopped,
}

impl Status {
    /// The status as runc writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Creating => "creating",
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Stopped => "stopped",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The init process of a container, identified beyond its pid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitProcess {
    /// Its pid, in the namespace of hull.
    pub pid: i32,
    /// Its start time (`/proc/<pid>/stat` field 22, in clock ticks since boot): a process
    /// with the same pid and another start time is not this one.
    pub start_time: u64,
}

impl InitProcess {
    /// The process with `pid`, as it is now.
    pub(crate) fn of(pid: i32) -> Result<InitProcess> {
        let stat = crate::proc::stat(pid)?.ok_or(ContainerError::InitGone { pid })?;
        Ok(InitProcess {
            pid,
            start_time: stat.start_time,
        })
    }

    /// Whether this very process still exists (a zombie counts as gone).
    pub fn is_alive(&self) -> bool {
        matches!(crate::proc::stat(self.pid), Ok(Some(stat))
            if stat.start_time == self.start_time && !stat.is_zombie())
    }
}

/// What `state.json` holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredState {
    /// The container's id.
    pub id: String,
    /// Its init process, once started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<InitProcess>,
    /// When it was created, RFC 3339 in UTC.
    pub created: String,
    /// The uid of its creator.
    pub owner: u32,
    /// Its cgroup directories, by controller (or `""` on pure v2).
    #[serde(default)]
    pub cgroup_paths: BTreeMap<String, PathBuf>,
    /// Its configuration.
    pub config: Config,
}

/// The part of `state.json` that [`crate::State`] shows: read for a listing, where the bulk
/// of the configuration is skipped rather than built.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub(crate) struct StoredSummary {
    /// The container's id.
    pub id: String,
    /// Its init process, once started.
    #[serde(default)]
    pub init: Option<InitProcess>,
    /// When it was created.
    pub created: String,
    /// The uid of its creator.
    pub owner: u32,
    /// Its cgroup directories.
    #[serde(default)]
    pub cgroup_paths: BTreeMap<String, PathBuf>,
    /// What the state shows of its configuration.
    pub config: ConfigSummary,
}

/// The fields of a [`Config`] that [`crate::State`] shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub(crate) struct ConfigSummary {
    /// [`Config::version`].
    pub version: String,
    /// [`Config::rootfs`].
    pub rootfs: PathBuf,
    /// [`Config::labels`].
    pub labels: Vec<String>,
}

impl StoredState {
    /// What [`crate::State`] shows of this state.
    pub(crate) fn summary(&self) -> StoredSummary {
        StoredSummary {
            id: self.id.clone(),
            init: self.init,
            created: self.created.clone(),
            owner: self.owner,
            cgroup_paths: self.cgroup_paths.clone(),
            config: ConfigSummary {
                version: self.config.version.clone(),
                rootfs: self.config.rootfs.clone(),
                labels: self.config.labels.clone(),
            },
        }
    }
}

/// A container's directory, locked for the lifetime of this value.
#[derive(Debug)]
pub(crate) struct StateDir {
    dir: PathBuf,
    _lock: Flock<File>,
}

impl StateDir {
    /// Creates `dir` (mode 0700); fails if it exists.
    pub(crate) fn create(dir: &Path, id: &str) -> Result<StateDir> {
        let mut builder = fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|source| match source.kind() {
            ErrorKind::AlreadyExists => ContainerError::Exists { id: id.to_owned() },
            _ => StateError::CreateDir {
                path: dir.to_owned(),
                source,
            }
            .into(),
        })?;
        StateDir::lock(dir)
    }

    /// Opens and locks an existing `dir`.
    pub(crate) fn open(dir: &Path, id: &str) -> Result<StateDir> {
        if !dir.join(STATE_FILE).exists() {
            return Err(ContainerError::NotFound { id: id.to_owned() });
        }
        StateDir::lock(dir)
    }

    fn lock(dir: &Path) -> Result<StateDir> {
        let path = dir.join(LOCK_FILE);
        let lock_error = |source| {
            ContainerError::from(StateError::Lock {
                path: path.clone(),
                source,
            })
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC)
            .open(&path)
            .map_err(lock_error)?;
        let lock = Flock::lock(file, FlockArg::LockExclusive)
            .map_err(|(_, errno)| lock_error(errno.into()))?;
        Ok(StateDir {
            dir: dir.to_owned(),
            _lock: lock,
        })
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    /// Reads `state.json`.
    pub(crate) fn read(&self) -> Result<StoredState> {
        self.read_as()
    }

    /// Reads what [`crate::State`] shows of `state.json`.
    pub(crate) fn read_summary(&self) -> Result<StoredSummary> {
        self.read_as()
    }

    fn read_as<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        let path = self.dir.join(STATE_FILE);
        let text = fs::read(&path).map_err(|source| StateError::Read {
            path: path.clone(),
            source,
        })?;
        // From bytes, as the init's channel reads its messages: one instance of the
        // config's deserializer serves both (from a `&str` would be a second, as large).
        Ok(serde_json::from_slice(&text).map_err(|source| StateError::Parse { path, source })?)
    }

    /// Replaces `state.json` atomically: a temporary file, written and `fsync`ed, renamed
    /// over the old one, then the directory `fsync`ed. A crash leaves the old state or the
    /// new one, never a mix.
    pub(crate) fn write(&self, state: &StoredState) -> Result<()> {
        let path = self.dir.join(STATE_FILE);
        let tmp = self.dir.join(".state.json.tmp");
        let write_error = |source| {
            ContainerError::from(StateError::Write {
                path: path.clone(),
                source,
            })
        };
        let json = serde_json::to_vec(state).map_err(|err| write_error(err.into()))?;
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC)
            .open(&tmp)
            .map_err(write_error)?;
        file.write_all(&json).map_err(write_error)?;
        file.sync_all().map_err(write_error)?;
        fs::rename(&tmp, &path).map_err(write_error)?;
        File::open(&self.dir)
            .and_then(|dir| dir.sync_all())
            .map_err(write_error)
    }

    /// Removes the directory and everything in it (the lock goes with it).
    pub(crate) fn remove(self) -> Result<()> {
        fs::remove_dir_all(&self.dir).map_err(|source| {
            StateError::RemoveDir {
                path: self.dir.clone(),
                source,
            }
            .into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_is_written_atomically_and_read_back() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("c1");
        let state_dir = StateDir::create(&dir, "c1").unwrap();
        let state = StoredState {
            id: "c1".into(),
            init: Some(InitProcess {
                pid: 42,
                start_time: 7,
            }),
            created: crate::time::rfc3339_nano(std::time::SystemTime::now()),
            owner: 0,
            cgroup_paths: BTreeMap::new(),
            config: Config::default(),
        };
        state_dir.write(&state).unwrap();
        assert_eq!(state_dir.read().unwrap(), state);
        assert_eq!(state_dir.read_summary().unwrap(), state.summary());
        assert!(!dir.join(".state.json.tmp").exists());
        let again = StateDir::create(&dir, "c1").unwrap_err();
        assert!(matches!(again, ContainerError::Exists { .. }), "{again}");
        state_dir.remove().unwrap();
        assert!(!dir.exists());
    }
}
