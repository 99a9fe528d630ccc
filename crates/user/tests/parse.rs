//! The parsers take what real files hold: comments, blank lines, whitespace, short and
//! long lines, lines of any length and lines that are not entries at all.

#![allow(clippy::unwrap_used)] // test helpers: a panic is how they report a failure

use std::io::{self, BufRead, BufReader, Read};

use hull_user::*;

#[test]
fn passwd_skips_what_is_not_an_entry() {
    let data = "\
# comment
   root:x:0:0:root:/root:/bin/bash   \r
\t
adm:x:3:4:adm:/var/adm:/bin/false:and:more
short:x:5:6
this is just some garbage data
nouid:x::6:::
badgid:x:7:gid:::
#hidden:x:8:8:::
nouser:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";
    let users = parse_passwd(data.as_bytes()).unwrap();
    let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["root", "adm", "short", "nouser"]);
    assert_eq!(users[0].shell, "/bin/bash");
    assert_eq!(users[1].shell, "/bin/false");
    assert_eq!(
        (users[2].uid, users[2].gid, users[2].home.as_str()),
        (5, 6, "")
    );
}

#[test]
fn group_reads_member_lists_of_any_length() {
    let members: Vec<String> = (1..=20_000).map(|i| format!("user{i}")).collect();
    let data = format!(
        "root:x:0:root\nadm:x:4:root,adm,daemon\ngarbage\nbig:x:1000:{}\n",
        members.join(",")
    );
    let groups = parse_group(data.as_bytes()).unwrap();
    assert_eq!(groups.len(), 3);
    assert_eq!(groups[1].members, ["root", "adm", "daemon"]);
    assert_eq!(groups[2].members.len(), 20_000);
    assert_eq!(groups[2].members.last().unwrap(), "user20000");
    let found = find_group_by_name(data.as_bytes(), "big").unwrap().unwrap();
    assert_eq!(found.gid, 1000);
}

#[test]
fn filters_see_borrowed_entries() {
    let data = "a:x:1:1:::\nb:x:2:2:::\nc:x:3:3:::\n";
    let odd = parse_passwd_filter(data.as_bytes(), |u| u.uid % 2 == 1).unwrap();
    assert_eq!(odd.iter().map(|u| u.uid).collect::<Vec<_>>(), [1, 3]);
    let groups = "g:x:1:a,b\nh:x:2:c\n";
    let with_b = parse_group_filter(groups.as_bytes(), |g| g.has_member("b")).unwrap();
    assert_eq!(with_b.len(), 1);
    assert_eq!(with_b[0].name, "g");
}

#[test]
fn lookups_by_name_and_by_id() {
    let data = "root:x:0:0:::\nadm:x:3:4:::\n";
    assert_eq!(
        find_user_by_name(data.as_bytes(), "adm")
            .unwrap()
            .unwrap()
            .uid,
        3
    );
    assert_eq!(
        find_user_by_uid(data.as_bytes(), 0).unwrap().unwrap().name,
        "root"
    );
    assert_eq!(find_user_by_name(data.as_bytes(), "ad").unwrap(), None);
    let groups = "root:x:0:\nadm:x:4:\n";
    assert_eq!(
        find_group_by_gid(groups.as_bytes(), 4)
            .unwrap()
            .unwrap()
            .name,
        "adm"
    );
}

#[test]
fn subids_skip_what_is_not_a_range() {
    let data = "alice:100000:65536\n# comment\n\nbob:165536\ncarol:x:1\n 1000:231072:65536 \n";
    let ranges = parse_sub_ids(data.as_bytes()).unwrap();
    assert_eq!(
        ranges.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["alice", "1000"]
    );
}

#[test]
fn lines_that_are_not_utf8_are_skipped() {
    let data = b"caf\xe9:x:1:1:::\nok:x:2:2:::\n";
    let users = parse_passwd(&data[..]).unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].name, "ok");
}

/// A reader that fails after its first line.
struct Failing(bool);

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0 {
            return Err(io::Error::other("disk on fire"));
        }
        self.0 = true;
        let line = b"root:x:0:0:::\n";
        buf[..line.len()].copy_from_slice(line);
        Ok(line.len())
    }
}

fn failing() -> impl BufRead {
    BufReader::new(Failing(false))
}

#[test]
fn read_errors_are_kept_as_the_source() {
    let err = parse_passwd(failing()).unwrap_err();
    assert!(matches!(err, UserError::ReadPasswd(_)));
    assert_eq!(
        std::error::Error::source(&err).unwrap().to_string(),
        "disk on fire"
    );
    assert!(matches!(
        parse_group(failing()),
        Err(UserError::ReadGroup(_))
    ));
    assert!(matches!(
        parse_sub_ids(failing()),
        Err(UserError::ReadSubIds(_))
    ));
    let err = exec_user("nosuch", &ExecUser::default(), failing(), &[][..]).unwrap_err();
    assert!(matches!(err, UserError::ReadPasswd(_)));
}
