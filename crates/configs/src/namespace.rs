//! Namespaces, user-namespace id maps and time-namespace offsets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::names::named_enum;

named_enum! {
    /// A kind of Linux namespace (`namespaces(7)`), named as in the OCI runtime spec.
    pub enum NamespaceKind("namespace type") {
        /// Process ids.
        Pid = "pid",
        /// Network devices, stacks and ports.
        Network = "network",
        /// Mount points.
        Mount = "mount",
        /// System V IPC and POSIX message queues.
        Ipc = "ipc",
        /// Hostname and NIS domain name.
        Uts = "uts",
        /// User and group ids.
        User = "user",
        /// The cgroup root directory.
        Cgroup = "cgroup",
        /// Boot-time and monotonic clocks.
        Time = "time",
    }
}

impl NamespaceKind {
    /// The order in which a process joins or creates namespaces: the user namespace first,
    /// so that the others are owned by it, then the rest as libcontainer orders them.
    pub const JOIN_ORDER: [NamespaceKind; 8] = [
        NamespaceKind::User,
        NamespaceKind::Ipc,
        NamespaceKind::Uts,
        NamespaceKind::Network,
        NamespaceKind::Pid,
        NamespaceKind::Mount,
        NamespaceKind::Cgroup,
        NamespaceKind::Time,
    ];

    /// The `CLONE_NEW*` flag that creates this kind of namespace.
    pub const fn clone_flag(self) -> i32 {
        match self {
            NamespaceKind::Pid => libc::CLONE_NEWPID,
            NamespaceKind::Network => libc::CLONE_NEWNET,
            NamespaceKind::Mount => libc::CLONE_NEWNS,
            NamespaceKind::Ipc => libc::CLONE_NEWIPC,
            NamespaceKind::Uts => libc::CLONE_NEWUTS,
            NamespaceKind::User => libc::CLONE_NEWUSER,
            NamespaceKind::Cgroup => libc::CLONE_NEWCGROUP,
            NamespaceKind::Time => libc::CLONE_NEWTIME,
        }
    }

    /// The file name under `/proc/<pid>/ns/`, which is also the type the kernel shows in
    /// the link text of a namespace file (`net:[4026531840]`).
    pub const fn proc_name(self) -> &'static str {
        match self {
            NamespaceKind::Pid => "pid",
            NamespaceKind::Network => "net",
            NamespaceKind::Mount => "mnt",
            NamespaceKind::Ipc => "ipc",
            NamespaceKind::Uts => "uts",
            NamespaceKind::User => "user",
            NamespaceKind::Cgroup => "cgroup",
            NamespaceKind::Time => "time",
        }
    }

    /// The kind whose `/proc/<pid>/ns/` file is named `name`.
    pub fn from_proc_name(name: &str) -> Option<NamespaceKind> {
        NamespaceKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.proc_name() == name)
    }
}

/// One namespace of a container: a new one, or an existing one joined by path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Namespace {
    /// The kind of namespace.
    #[serde(rename = "type")]
    pub kind: NamespaceKind,
    /// A namespace file to join (`/proc/<pid>/ns/net`, `/run/netns/x`); `None` creates a
    /// new namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
}

/// The namespaces of a container. Kinds not listed are shared with the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Namespaces(pub Vec<Namespace>);

impl Namespaces {
    /// The entry of the given kind, if the container has one.
    pub fn get(&self, kind: NamespaceKind) -> Option<&Namespace> {
        self.0.iter().find(|ns| ns.kind == kind)
    }

    /// Whether the container has its own namespace of this kind, new or joined.
    pub fn contains(&self, kind: NamespaceKind) -> bool {
        self.get(kind).is_some()
    }

    /// The path the container joins for this kind, if it joins one.
    pub fn path_of(&self, kind: NamespaceKind) -> Option<&Path> {
        self.get(kind).and_then(|ns| ns.path.as_deref())
    }

    /// Whether the container creates a new namespace of this kind.
    pub fn is_new(&self, kind: NamespaceKind) -> bool {
        self.get(kind).is_some_and(|ns| ns.path.is_none())
    }

    /// Adds a namespace of this kind, or replaces the path of the one already there.
    pub fn set(&mut self, kind: NamespaceKind, path: Option<PathBuf>) {
        match self.0.iter_mut().find(|ns| ns.kind == kind) {
            Some(ns) => ns.path = path,
            None => self.0.push(Namespace { kind, path }),
        }
    }

    /// Removes the namespace of this kind; returns whether there was one.
    pub fn remove(&mut self, kind: NamespaceKind) -> bool {
        let before = self.0.len();
        self.0.retain(|ns| ns.kind != kind);
        self.0.len() != before
    }

    /// The `CLONE_NEW*` flags of the namespaces to create.
    pub fn clone_flags(&self) -> i32 {
        self.0
            .iter()
            .filter(|ns| ns.path.is_none())
            .fold(0, |flags, ns| flags | ns.kind.clone_flag())
    }

    /// The entries in [`NamespaceKind::JOIN_ORDER`].
    pub fn in_join_order(&self) -> impl Iterator<Item = &Namespace> {
        NamespaceKind::JOIN_ORDER
            .iter()
            .filter_map(|&kind| self.get(kind))
    }
}

/// One range of a user-namespace id map (`user_namespaces(7)`): `size` ids starting at
/// `container_id` inside map to ids starting at `host_id` outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdMap {
    /// The first id inside the namespace.
    pub container_id: u32,
    /// The first id outside the namespace.
    pub host_id: u32,
    /// How many ids the range holds.
    pub size: u32,
}

impl IdMap {
    /// The outside id of `container_id` if this range holds it.
    pub fn host_id_of(&self, container_id: u32) -> Option<u32> {
        let offset = container_id.checked_sub(self.container_id)?;
        (offset < self.size)
            .then(|| self.host_id.checked_add(offset))
            .flatten()
    }
}

/// The outside id of `container_id` under `maps`, if a range holds it.
pub fn host_id(maps: &[IdMap], container_id: u32) -> Option<u32> {
    maps.iter().find_map(|map| map.host_id_of(container_id))
}

named_enum! {
    /// A clock whose offset a time namespace can change (`time_namespaces(7)`).
    pub enum Clock("clock") {
        /// `CLOCK_MONOTONIC`.
        Monotonic = "monotonic",
        /// `CLOCK_BOOTTIME`.
        Boottime = "boottime",
    }
}

/// The offset of one clock in a new time namespace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeOffset {
    /// Whole seconds.
    #[serde(default)]
    pub secs: i64,
    /// Nanoseconds, below one second.
    #[serde(default)]
    pub nanosecs: u32,
}

/// The clock offsets of a new time namespace.
pub type TimeOffsets = BTreeMap<Clock, TimeOffset>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_map_translates_inside_its_range_only() {
        let map = IdMap {
            container_id: 0,
            host_id: 100_000,
            size: 65_536,
        };
        assert_eq!(map.host_id_of(0), Some(100_000));
        assert_eq!(map.host_id_of(65_535), Some(165_535));
        assert_eq!(map.host_id_of(65_536), None);
        let shifted = IdMap {
            container_id: 10,
            host_id: 5,
            size: 1,
        };
        assert_eq!(shifted.host_id_of(9), None);
        assert_eq!(host_id(&[shifted, map], 10), Some(5));
    }

    #[test]
    fn id_map_never_overflows() {
        let map = IdMap {
            container_id: 0,
            host_id: u32::MAX,
            size: 2,
        };
        assert_eq!(map.host_id_of(1), None);
    }

    #[test]
    fn join_order_starts_with_user() {
        let mut ns = Namespaces::default();
        ns.set(NamespaceKind::Mount, None);
        ns.set(NamespaceKind::User, None);
        ns.set(NamespaceKind::Network, Some("/run/netns/x".into()));
        let order: Vec<_> = ns.in_join_order().map(|n| n.kind).collect();
        assert_eq!(
            order,
            [
                NamespaceKind::User,
                NamespaceKind::Network,
                NamespaceKind::Mount
            ]
        );
        assert_eq!(ns.clone_flags(), libc::CLONE_NEWUSER | libc::CLONE_NEWNS);
        assert!(ns.is_new(NamespaceKind::User));
        assert!(!ns.is_new(NamespaceKind::Network));
        assert!(ns.remove(NamespaceKind::Network));
        assert!(!ns.contains(NamespaceKind::Network));
    }
}
