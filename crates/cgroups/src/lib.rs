#![doc = include_str!("../README.md")]

mod cgroupfs;
pub mod devices;
mod error;
pub mod events;
mod file;
#[cfg(test)]
mod fixture;
mod hierarchy;
mod manager;
mod membership;
mod memory;
mod pids;
mod plan;
mod rdma;
pub mod stats;
mod sys;
mod v1;
mod v2;

pub use cgroupfs::{CgroupfsManager, Entry, freezer_state_at};
pub use error::{CgroupsError, DevicesError, EventsError, Result};
pub use hierarchy::{Hierarchies, Layout, UnifiedHierarchy, V1Hierarchy, is_cgroup2_mount};
pub use manager::Manager;
pub use membership::Membership;
pub use stats::Stats;
pub use v2::cpu::shares_to_weight;
pub use v2::io::blkio_weight_to_io_weight;
pub use v2::memory::swap_limit;
