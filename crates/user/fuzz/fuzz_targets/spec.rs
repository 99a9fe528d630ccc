//! A user spec resolved against passwd and group data, all three from the fuzzer: the
//! first line is the spec, then the passwd data up to a line `--`, then the group data.
//! Nothing panics, and every id that comes out is in range.

#![no_main]

use hull_user::{ExecUser, MAX_ID, UserSpec, additional_groups, exec_user};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (spec, files) = text.split_once('\n').unwrap_or((text, ""));
    let (passwd, group) = files.split_once("\n--\n").unwrap_or((files, ""));
    let _parsed = UserSpec::parse(spec);
    let defaults = ExecUser::default();
    if let Ok(user) = exec_user(spec, &defaults, passwd.as_bytes(), group.as_bytes()) {
        assert!(user.uid <= MAX_ID && user.gid <= MAX_ID);
        assert!(user.sgids.iter().all(|&gid| gid <= MAX_ID));
    }
    let names: Vec<&str> = spec.split(',').collect();
    if let Ok(gids) = additional_groups(&names, group.as_bytes()) {
        assert!(gids.iter().all(|&gid| gid <= MAX_ID));
    }
});
