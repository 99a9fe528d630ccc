//! Any string as a kernel parameter name ([`SysctlKey::parse`]): a name that parses has no
//! component that is empty, `.` or `..`, or holds a `/` or a NUL; its path under
//! `/proc/sys` is exactly its components, all plain names; and its dotted form parses back
//! as the same key.

#![no_main]

use std::path::Component;

use hull_configs::SysctlKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(key) = SysctlKey::parse(name) else {
        return;
    };
    let components = key.components();
    assert!(!components.is_empty());
    for component in components {
        assert!(
            !matches!(component.as_str(), "" | "." | ".."),
            "{component:?}"
        );
        assert!(!component.contains(['/', '\0']), "{component:?}");
    }
    let path = key.path();
    assert!(path.is_relative());
    let parts: Vec<Component<'_>> = path.components().collect();
    assert_eq!(parts.len(), components.len(), "{path:?}");
    for (part, component) in parts.iter().zip(components) {
        assert_eq!(*part, Component::Normal(component.as_ref()), "{path:?}");
    }
    let prefix: Vec<&str> = components.iter().map(String::as_str).collect();
    assert!(key.starts_with(&prefix));
    let dotted = key.to_string();
    assert_eq!(SysctlKey::parse(&dotted).as_ref(), Ok(&key), "{dotted:?}");
});
