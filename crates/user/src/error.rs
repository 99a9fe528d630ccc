//! Errors of `hull-user`.

use std::io;
use std::path::PathBuf;

use crate::spec::MAX_ID;

/// Result of `hull-user` operations.
pub type Result<T, E = UserError> = std::result::Result<T, E>;

/// What can go wrong reading passwd-style files or resolving a user against them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UserError {
    /// Reading passwd-formatted data failed.
    #[error("cannot read passwd data")]
    ReadPasswd(#[source] io::Error),
    /// Reading group-formatted data failed.
    #[error("cannot read group data")]
    ReadGroup(#[source] io::Error),
    /// Reading subuid- or subgid-formatted data failed.
    #[error("cannot read subordinate id data")]
    ReadSubIds(#[source] io::Error),
    /// A user spec has more than one `:`.
    #[error("user spec `{spec}` is not `user[:group]`")]
    ParseSpec {
        /// The spec as given.
        spec: String,
    },
    /// A numeric user or group id is negative or above [`MAX_ID`].
    #[error("id `{value}` is outside 0..={MAX_ID}")]
    ParseId {
        /// The value as given.
        value: String,
    },
    /// A user name has no entry in the passwd data.
    #[error("no user `{user}` in the passwd file")]
    FindUser {
        /// The name looked for.
        user: String,
    },
    /// A group name has no entry in the group data.
    #[error("no group `{group}` in the group file")]
    FindGroup {
        /// The name looked for.
        group: String,
    },
    /// An entry that a lookup matched carries an id above [`MAX_ID`].
    #[error("entry `{name}` has id {id}, outside 0..={MAX_ID}")]
    EntryId {
        /// The name of the user or group.
        name: String,
        /// Its id.
        id: u32,
    },
    /// The root directory could not be opened.
    #[error("cannot open root directory {root}")]
    OpenRoot {
        /// The directory.
        root: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file could not be opened inside a root directory.
    #[error("cannot open {path} in root {root}")]
    OpenInRoot {
        /// The root directory.
        root: PathBuf,
        /// The file, as a path inside the root.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A path inside a root directory names something other than a regular file, or was
    /// replaced by something else while it was being opened.
    #[error("{path} in root {root} is not a regular file")]
    NotRegularFile {
        /// The root directory.
        root: PathBuf,
        /// The path inside the root.
        path: PathBuf,
    },
}
