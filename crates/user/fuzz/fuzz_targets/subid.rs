//! Any bytes as a subuid or subgid file: parsing never panics, and what it yields reads
//! back the same once written out.

#![no_main]

use hull_user::parse_sub_ids;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(ranges) = parse_sub_ids(data) else {
        return;
    };
    let clean: Vec<_> = ranges
        .iter()
        .filter(|r| {
            let line = r.to_string();
            line.trim_ascii() == line && !line.starts_with('#')
        })
        .collect();
    let file: String = clean.iter().map(|r| format!("{r}\n")).collect();
    let again = parse_sub_ids(file.as_bytes()).unwrap_or_default();
    assert_eq!(again.iter().collect::<Vec<_>>(), clean);
});
