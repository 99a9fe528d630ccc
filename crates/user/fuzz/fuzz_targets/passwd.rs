//! Any bytes as a passwd file: parsing never panics, every entry it yields is found again
//! by name and by uid, and what it yields reads back the same once written out.

#![no_main]

use hull_user::{User, find_user_by_name, find_user_by_uid, parse_passwd};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(users) = parse_passwd(data) else {
        return;
    };
    for user in &users {
        let first = find_user_by_name(data, &user.name).ok().flatten();
        assert_eq!(first.map(|u| u.name), Some(user.name.clone()));
        let first = find_user_by_uid(data, user.uid).ok().flatten();
        assert_eq!(first.map(|u| u.uid), Some(user.uid));
    }
    // Written out, entries whose fields survive the line format read back unchanged.
    let clean: Vec<&User> = users.iter().filter(|u| round_trips(u)).collect();
    let file: String = clean.iter().map(|u| format!("{u}\n")).collect();
    let again = parse_passwd(file.as_bytes()).unwrap_or_default();
    assert_eq!(again.iter().collect::<Vec<_>>(), clean);
});

/// Whether `user`'s line reads back as `user`: the parser trims the line and skips
/// comments, so the first field must not start with whitespace or `#`, nor the last end
/// with whitespace.
fn round_trips(user: &User) -> bool {
    let line = user.to_string();
    line.trim_ascii() == line && !line.starts_with('#') && !line.contains('\n')
}
