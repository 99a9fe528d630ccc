//! The default OCI spec that `hull spec` writes: the same content as `runc spec`, and its
//! rootless variant.
//!
//! The spec is kept as JSON text so that what `hull spec` prints has a fixed key order
//! (runc's), whatever order `oci-spec` would serialize in.

use oci_spec::runtime::Spec;
use serde_json::{Map, Value, json};

/// The version of the OCI runtime spec hull implements: what the default spec declares and
/// what a converted config records, as runc records its own.
pub const OCI_VERSION: &str = "1.2.1";

/// The default spec as hull ships it.
const DEFAULT_SPEC: &str = include_str!("default-spec.json");

/// The ids a rootless spec maps to root inside the container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RootlessIds {
    /// The caller's effective uid.
    pub uid: u32,
    /// The caller's effective gid.
    pub gid: u32,
}

/// What the default spec depends on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DefaultSpecOptions {
    /// Make the rootless variant for a caller with these ids.
    pub rootless: Option<RootlessIds>,
    /// Give the container a cgroup namespace (runc does on pure cgroup v2 hosts).
    pub cgroup_namespace: bool,
}

/// The default spec as a JSON value, in runc's key order.
pub fn default_spec_value(opts: DefaultSpecOptions) -> Value {
    // The text is ours and fixed; a parse failure is caught by this module's tests.
    let mut spec: Value = serde_json::from_str(DEFAULT_SPEC).unwrap_or(Value::Null);
    if opts.cgroup_namespace
        && let Some(namespaces) = spec
            .pointer_mut("/linux/namespaces")
            .and_then(Value::as_array_mut)
    {
        namespaces.push(json!({ "type": "cgroup" }));
    }
    if let Some(ids) = opts.rootless {
        to_rootless(&mut spec, ids);
    }
    spec
}

/// The default spec as `hull spec` writes it: tab-indented JSON, like runc's.
pub fn default_spec_json(opts: DefaultSpecOptions) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Writing a `Value` to a Vec cannot fail.
    let _ = serde::Serialize::serialize(&default_spec_value(opts), &mut ser);
    String::from_utf8_lossy(&out).into_owned()
}

/// The default spec as `oci-spec` types.
///
/// # Errors
///
/// Only if the shipped default does not parse as a spec, which this module's tests rule out.
pub fn default_spec(opts: DefaultSpecOptions) -> crate::Result<Spec> {
    serde_json::from_value(default_spec_value(opts)).map_err(|source| crate::ConfigsError::Json {
        field: ".".to_owned(),
        source,
    })
}

/// Turns the default spec into one a non-root caller can run, as `runc spec --rootless`
/// does: a user namespace mapping the caller to root, no network namespace, `/sys` bound
/// from the host, no `uid=`/`gid=` mount options and no cgroup resources.
fn to_rootless(spec: &mut Value, ids: RootlessIds) {
    if let Some(Value::Object(linux)) = spec.get_mut("linux") {
        let mut rebuilt = Map::new();
        let mapping = |id: u32| json!([{ "containerID": 0, "hostID": id, "size": 1 }]);
        rebuilt.insert("uidMappings".into(), mapping(ids.uid));
        rebuilt.insert("gidMappings".into(), mapping(ids.gid));
        for (key, mut value) in std::mem::take(linux) {
            match key.as_str() {
                "resources" | "uidMappings" | "gidMappings" => continue,
                "namespaces" => {
                    if let Some(list) = value.as_array_mut() {
                        list.retain(|ns| !matches!(ns["type"].as_str(), Some("network" | "user")));
                        list.push(json!({ "type": "user" }));
                    }
                }
                _ => {}
            }
            rebuilt.insert(key, value);
        }
        *linux = rebuilt;
    }
    if let Some(Value::Array(mounts)) = spec.get_mut("mounts") {
        for mount in mounts {
            if mount["destination"] == "/sys" {
                *mount = json!({
                    "destination": "/sys",
                    "type": "none",
                    "source": "/sys",
                    "options": ["rbind", "nosuid", "noexec", "nodev", "ro"],
                });
            } else if let Some(Value::Array(options)) = mount.get_mut("options") {
                options.retain(|o| {
                    !o.as_str()
                        .is_some_and(|o| o.starts_with("uid=") || o.starts_with("gid="))
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_parses_as_a_spec() {
        let spec = default_spec(DefaultSpecOptions::default()).unwrap();
        assert_eq!(spec.hostname().as_deref(), Some("hull"));
        assert_eq!(spec.mounts().as_ref().map(Vec::len), Some(7));
    }

    #[test]
    fn json_is_tab_indented_in_runc_key_order() {
        let json = default_spec_json(DefaultSpecOptions::default());
        assert!(
            json.starts_with("{\n\t\"ociVersion\": \"1.2.1\",\n\t\"process\": {"),
            "{json}"
        );
    }

    #[test]
    fn cgroup_namespace_is_added_on_request() {
        let opts = DefaultSpecOptions {
            cgroup_namespace: true,
            ..Default::default()
        };
        let spec = default_spec_value(opts);
        let last = spec
            .pointer("/linux/namespaces")
            .and_then(Value::as_array)
            .and_then(|n| n.last());
        assert_eq!(last, Some(&json!({ "type": "cgroup" })));
    }

    #[test]
    fn rootless_maps_the_caller_and_drops_what_needs_root() {
        let ids = RootlessIds {
            uid: 1000,
            gid: 100,
        };
        let spec = default_spec_value(DefaultSpecOptions {
            rootless: Some(ids),
            cgroup_namespace: false,
        });
        assert_eq!(
            spec.pointer("/linux/uidMappings/0/hostID"),
            Some(&json!(1000))
        );
        assert_eq!(
            spec.pointer("/linux/gidMappings/0/hostID"),
            Some(&json!(100))
        );
        assert!(spec.pointer("/linux/resources").is_none());
        let types: Vec<_> = spec["linux"]["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ns| ns["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["pid", "ipc", "uts", "mount", "user"]);
        let pts = &spec["mounts"][2];
        assert!(!pts["options"].as_array().unwrap().contains(&json!("gid=5")));
        assert_eq!(spec["mounts"][5]["options"][0], "rbind");
    }
}
