//! Network interfaces and routes set up in a container's network namespace.

use serde::{Deserialize, Serialize};

use crate::names::named_enum;

named_enum! {
    /// The kind of interface a [`Network`] sets up.
    pub enum NetworkKind("network type") {
        /// The namespace's own loopback device, brought up.
        Loopback = "loopback",
        /// A veth pair with one end in the container.
        Veth = "veth",
    }
}

/// An interface set up in the container's network namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// The kind of interface.
    #[serde(rename = "type")]
    pub kind: NetworkKind,
    /// The interface name in the container.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The host bridge the outer end joins.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bridge: String,
    /// The MAC address.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac_address: String,
    /// The IPv4 address with its prefix length.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// The IPv4 default gateway.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub gateway: String,
    /// The IPv6 address with its prefix length.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ipv6_address: String,
    /// The IPv6 default gateway.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ipv6_gateway: String,
    /// The MTU of both ends of a pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// The transmit queue length of both ends of a pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txqueuelen: Option<u32>,
    /// The name of the host end of a pair.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host_interface_name: String,
    /// Hairpin mode on the bridge port.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hairpin_mode: bool,
}

impl Network {
    /// The loopback interface, brought up.
    pub fn loopback() -> Network {
        Network {
            kind: NetworkKind::Loopback,
            name: String::new(),
            bridge: String::new(),
            mac_address: String::new(),
            address: String::new(),
            gateway: String::new(),
            ipv6_address: String::new(),
            ipv6_gateway: String::new(),
            mtu: None,
            txqueuelen: None,
            host_interface_name: String::new(),
            hairpin_mode: false,
        }
    }
}

/// A routing-table entry added in the container.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Route {
    /// The destination in CIDR form.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub destination: String,
    /// The source in CIDR form.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// The gateway address.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub gateway: String,
    /// The interface the route uses.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub interface_name: String,
}

/// A host network device moved into the container's network namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetDevice {
    /// Its name inside the container; empty keeps the host name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
}
