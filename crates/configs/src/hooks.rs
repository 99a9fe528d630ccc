//! Commands run at points of a container's lifecycle.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::names::named_enum;

named_enum! {
    /// A point of the lifecycle where hooks run, named as in the OCI runtime spec.
    pub enum HookPoint("hook") {
        /// After namespaces exist, before pivot, in the runtime's namespaces (deprecated by
        /// the runtime spec, still run).
        Prestart = "prestart",
        /// During create, after the environment exists, before pivot, in the runtime's
        /// namespaces.
        CreateRuntime = "createRuntime",
        /// During create, before pivot, in the container's namespaces.
        CreateContainer = "createContainer",
        /// During start, before the user's program runs, in the container's namespaces.
        StartContainer = "startContainer",
        /// After the user's program started, in the runtime's namespaces.
        Poststart = "poststart",
        /// After the container stopped, in the runtime's namespaces.
        Poststop = "poststop",
    }
}

/// A command run as a hook. It gets the container's state as JSON on its stdin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hook {
    /// The program, an absolute path.
    pub path: PathBuf,
    /// Its arguments, `argv[0]` included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Its environment, `KEY=value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Its working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
    /// How long it may run before it is killed and fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
}

/// The hooks of a container, by lifecycle point, each list run in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Hooks {
    /// See [`HookPoint::Prestart`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prestart: Vec<Hook>,
    /// See [`HookPoint::CreateRuntime`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub create_runtime: Vec<Hook>,
    /// See [`HookPoint::CreateContainer`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub create_container: Vec<Hook>,
    /// See [`HookPoint::StartContainer`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub start_container: Vec<Hook>,
    /// See [`HookPoint::Poststart`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub poststart: Vec<Hook>,
    /// See [`HookPoint::Poststop`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub poststop: Vec<Hook>,
}

impl Hooks {
    /// The hooks of one lifecycle point.
    pub fn at(&self, point: HookPoint) -> &[Hook] {
        match point {
            HookPoint::Prestart => &self.prestart,
            HookPoint::CreateRuntime => &self.create_runtime,
            HookPoint::CreateContainer => &self.create_container,
            HookPoint::StartContainer => &self.start_container,
            HookPoint::Poststart => &self.poststart,
            HookPoint::Poststop => &self.poststop,
        }
    }

    /// The hooks of one lifecycle point, to change.
    pub fn at_mut(&mut self, point: HookPoint) -> &mut Vec<Hook> {
        match point {
            HookPoint::Prestart => &mut self.prestart,
            HookPoint::CreateRuntime => &mut self.create_runtime,
            HookPoint::CreateContainer => &mut self.create_container,
            HookPoint::StartContainer => &mut self.start_container,
            HookPoint::Poststart => &mut self.poststart,
            HookPoint::Poststop => &mut self.poststop,
        }
    }

    /// Whether any of the given points has a hook.
    pub fn has_any(&self, points: &[HookPoint]) -> bool {
        points.iter().any(|&point| !self.at(point).is_empty())
    }
}
