//! Errors of `hull-configs`.

use std::io;
use std::path::PathBuf;

use crate::specconv::SpecError;
use crate::validate::ValidateError;

/// Result of `hull-configs` operations.
pub type Result<T, E = ConfigsError> = std::result::Result<T, E>;

/// What can go wrong reading, converting or validating a configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigsError {
    /// A JSON document is malformed or holds a value of the wrong kind; `field` is where
    /// (`linux.namespaces[2].type`), `.` for the whole document.
    #[error("invalid JSON at `{field}`")]
    Json {
        /// The path of the offending field.
        field: String,
        /// What the JSON parser found.
        #[source]
        source: serde_json::Error,
    },
    /// A file could not be read.
    #[error("cannot read {path}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A value could not be written as JSON.
    #[error("cannot serialize to JSON")]
    Serialize(#[source] serde_json::Error),
    /// An OCI spec could not be converted to a [`crate::Config`].
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// A [`crate::Config`] fails a check against itself or the host.
    #[error(transparent)]
    Validate(#[from] ValidateError),
}

impl ConfigsError {
    /// The error of a JSON document read through `serde_path_to_error`.
    pub(crate) fn from_json_path(err: serde_path_to_error::Error<serde_json::Error>) -> Self {
        ConfigsError::Json {
            field: err.path().to_string(),
            source: err.into_inner(),
        }
    }
}

/// Reads `T` from a JSON document, naming the offending field on error.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(ConfigsError::from_json_path)
}
