#![doc = include_str!("../README.md")]

mod error;
mod idmap;
mod mapper;
mod procfs;
mod setns;
mod sys;
mod timens;
mod userns;

pub use error::{NamespacesError, Result};
pub use idmap::read_id_maps;
pub use mapper::{IdMapStep, IdMapper, Writer};
pub use setns::{NamespaceFile, open, proc_ns_path, unshare};
pub use timens::write_time_offsets;
pub use userns::{UserNamespaceMaps, user_namespace_maps};

/// The namespace types of `hull-configs` that this crate's functions take.
pub use hull_configs::{Clock, IdMap, NamespaceKind, TimeOffset, TimeOffsets};
