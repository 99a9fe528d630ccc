//! Kernel parameter names (`net.ipv4.ip_forward`, `net/ipv4/conf/eno2.100/rp_filter`),
//! split once into the components of their file under `/proc/sys`.
//!
//! A name becomes a path that the container's init opens as root while `/proc/sys` is still
//! writable: a component that is empty, `.` or `..`, or holds a NUL, could lead that path
//! out of the parameter's directory (`fs/mqueue/../../kernel/core_pattern` is the host's
//! `kernel.core_pattern`). [`SysctlKey::parse`] refuses every such name, so validation and
//! the write both work on components that can only name what they say.

use std::fmt;
use std::path::PathBuf;

/// A kernel parameter name that cannot name a file under `/proc/sys`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid sysctl name {key:?}: {reason}")]
pub struct InvalidSysctlKey {
    /// The name as given.
    pub key: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A kernel parameter name, as the components of its file under `/proc/sys`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SysctlKey {
    components: Vec<String>,
}

impl SysctlKey {
    /// Parses a name as `sysctl.d(5)` reads it: the first separator decides the form. In
    /// the dotted form (`net.ipv4.conf.eno2/100.rp_filter`) dots separate and a `/` stands
    /// for a dot inside a component; in the slash form (`net/ipv4/conf/eno2.100/rp_filter`)
    /// slashes separate and dots are plain characters.
    ///
    /// # Errors
    ///
    /// [`InvalidSysctlKey`] for an empty name, a NUL, or a component that is empty, `.` or
    /// `..` (leading, trailing and doubled separators included).
    pub fn parse(key: &str) -> Result<SysctlKey, InvalidSysctlKey> {
        let invalid = |reason| InvalidSysctlKey {
            key: key.to_owned(),
            reason,
        };
        if key.is_empty() {
            return Err(invalid("the name is empty"));
        }
        if key.contains('\0') {
            return Err(invalid("the name holds a NUL"));
        }
        let slash_form = key
            .find(['.', '/'])
            .is_some_and(|i| key.as_bytes()[i] == b'/');
        let components: Vec<String> = match slash_form {
            true => key.split('/').map(str::to_owned).collect(),
            false => key.split('.').map(|c| c.replace('/', ".")).collect(),
        };
        for component in &components {
            match component.as_str() {
                "" => return Err(invalid("a component is empty")),
                "." | ".." => return Err(invalid("a component is \".\" or \"..\"")),
                _ => {}
            }
        }
        Ok(SysctlKey { components })
    }

    /// The components, in order (`["net", "ipv4", "conf", "eno2.100", "rp_filter"]`).
    pub fn components(&self) -> &[String] {
        &self.components
    }

    /// The file relative to `/proc/sys` (`net/ipv4/conf/eno2.100/rp_filter`).
    pub fn path(&self) -> PathBuf {
        self.components.iter().collect()
    }

    /// Whether the name starts with these components (`["net"]`, `["fs", "mqueue"]`).
    pub fn starts_with(&self, prefix: &[&str]) -> bool {
        self.components.len() >= prefix.len()
            && self.components.iter().zip(prefix).all(|(c, p)| c == p)
    }
}

impl fmt::Display for SysctlKey {
    /// The dotted form, with a dot inside a component written `/`
    /// (`net.ipv4.conf.eno2/100.rp_filter`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, component) in self.components.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(&component.replace('.', "/"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(key: &str) -> Vec<String> {
        SysctlKey::parse(key).unwrap().components().to_vec()
    }

    #[test]
    fn both_forms_give_the_same_components() {
        let expected = ["net", "ipv4", "conf", "eno2.100", "rp_filter"];
        assert_eq!(parts("net/ipv4/conf/eno2.100/rp_filter"), expected);
        assert_eq!(parts("net.ipv4.conf.eno2/100.rp_filter"), expected);
        assert_eq!(parts("kernel.shmmax"), ["kernel", "shmmax"]);
        assert_eq!(parts("kernel"), ["kernel"]);
        let key = SysctlKey::parse("net/ipv4/conf/eno2.100/rp_filter").unwrap();
        assert_eq!(key.to_string(), "net.ipv4.conf.eno2/100.rp_filter");
        assert_eq!(
            key.path(),
            PathBuf::from("net/ipv4/conf/eno2.100/rp_filter")
        );
        assert!(key.starts_with(&["net", "ipv4"]));
        assert!(!key.starts_with(&["net", "ipv6"]));
    }

    #[test]
    fn names_that_could_leave_their_directory_are_refused() {
        for key in [
            "fs/mqueue/../../kernel/core_pattern",
            "net/ipv4/../../kernel/core_pattern",
            "fs.mqueue.//.//.kernel.core_pattern",
            "net/./ipv4/ip_forward",
            "net.ipv4./.ip_forward",
            "/kernel/core_pattern",
            "net/ipv4/",
            "net..ipv4",
            ".net.ipv4",
            "net.ipv4.",
            "",
            "net.ipv4\0.x",
            "..",
            "/",
        ] {
            let err = SysctlKey::parse(key).unwrap_err();
            assert_eq!(err.key, key);
            assert!(err.to_string().starts_with("invalid sysctl name"), "{err}");
        }
    }
}
