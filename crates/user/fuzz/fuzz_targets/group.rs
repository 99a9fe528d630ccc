//! Any bytes as a group file: parsing never panics, every group it yields is found again
//! by name and by gid, and each of its members is a member.

#![no_main]

use hull_user::{find_group_by_gid, find_group_by_name, parse_group, parse_group_filter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(groups) = parse_group(data) else {
        return;
    };
    for group in &groups {
        let first = find_group_by_name(data, &group.name).ok().flatten();
        assert_eq!(first.map(|g| g.name), Some(group.name.clone()));
        let first = find_group_by_gid(data, group.gid).ok().flatten();
        assert_eq!(first.map(|g| g.gid), Some(group.gid));
        for member in &group.members {
            let of_member = parse_group_filter(data, |g| g.has_member(member)).unwrap_or_default();
            assert!(of_member.iter().any(|g| g == group));
        }
    }
});
