//! `exec_user` and `additional_groups` against one pair of files, case by case: names,
//! numbers, both mixed, missing files, unknown names, malformed numbers, the id range,
//! supplementary groups and the home directory.

#![allow(clippy::unwrap_used)] // test helpers: a panic is how they report a failure

use hull_user::{ExecUser, UserError, additional_groups, exec_user};

const PASSWD: &str = "\
# users of the test image
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:1000:1000:App User:/home/app:/bin/sh

   staffer:x:1001:50::/home/staffer
2000:x:3000:3000:a user named by a number:/home/numeric:/bin/sh
nohome:x:1002:1002:::/bin/sh
wide:x:1003:1003::/home/wide:/bin/sh:extra:fields
bigid:x:2147483648:100::/home/big:/bin/sh
biggid:x:1004:4294967294::/home/biggid:/bin/sh
hugemember:x:1005:1005::/home/hm:/bin/sh
broken:x:notanumber:0::/:/bin/sh
this line is garbage
app:x:1999:1999:second app:/home/dup:/bin/sh
";

fn group_file() -> String {
    let mut large: Vec<String> = (0..7000).map(|i| format!("member{i}")).collect();
    large.push("app".into());
    format!(
        "\
root:x:0:root
daemon:x:1:
staff:x:50:app,staffer
wheel:x:10:root,app
# a comment between groups
users:x:100:app,daemon
staff:x:51:root
3000:x:4000:
huge:x:4294967294:hugemember
large:x:5000:{}
",
        large.join(",")
    )
}

fn defaults() -> ExecUser {
    ExecUser {
        uid: 8888,
        gid: 8888,
        sgids: vec![8888],
        home: "/8888".into(),
    }
}

/// What a case must give.
#[derive(Debug)]
enum Want {
    User(u32, u32, &'static [u32], &'static str),
    FindUser(&'static str),
    FindGroup(&'static str),
    ParseId,
    ParseSpec,
    EntryId(&'static str),
}

fn check<T: std::fmt::Debug>(
    what: &str,
    got: Result<T, UserError>,
    want: &Want,
    ok: impl Fn(&T) -> bool,
) {
    let fine = match (&got, want) {
        (Ok(got), Want::User(..)) => ok(got),
        (Err(UserError::FindUser { user }), Want::FindUser(name)) => user == name,
        (Err(UserError::FindGroup { group }), Want::FindGroup(name)) => group == name,
        (Err(UserError::ParseId { .. }), Want::ParseId) => true,
        (Err(UserError::ParseSpec { .. }), Want::ParseSpec) => true,
        (Err(UserError::EntryId { name, .. }), Want::EntryId(want)) => name == want,
        _ => false,
    };
    assert!(fine, "{what}: got {got:?}, want {want:?}");
}

fn run(spec: &str, passwd: &str, group: &str, want: &Want) {
    let got = exec_user(spec, &defaults(), passwd.as_bytes(), group.as_bytes());
    check(&format!("{spec:?}"), got, want, |user| {
        let Want::User(uid, gid, sgids, home) = *want else {
            return false;
        };
        *user
            == ExecUser {
                uid,
                gid,
                sgids: sgids.to_vec(),
                home: home.into(),
            }
    });
}

#[test]
fn specs_against_both_files() {
    use Want::*;
    let group = group_file();
    let cases: &[(&str, Want)] = &[
        // Names: the entry's ids and home, every group listing the name (the second
        // `staff` too, although a lookup of `staff` finds only the first).
        ("root", User(0, 0, &[0, 10, 51], "/root")),
        ("app", User(1000, 1000, &[50, 10, 100, 5000], "/home/app")),
        ("daemon", User(1, 1, &[100], "/usr/sbin")),
        ("staffer", User(1001, 50, &[50], "/home/staffer")),
        ("wide", User(1003, 1003, &[8888], "/home/wide")),
        // Numbers: always ids, found or not.
        ("1000", User(1000, 1000, &[50, 10, 100, 5000], "/home/app")),
        ("+1000", User(1000, 1000, &[50, 10, 100, 5000], "/home/app")),
        ("4242", User(4242, 8888, &[8888], "/8888")),
        ("2000", User(2000, 8888, &[8888], "/8888")),
        ("3000", User(3000, 3000, &[8888], "/home/numeric")),
        ("2147483647", User(2147483647, 8888, &[8888], "/8888")),
        // Mixed: a group part sets the gid and keeps the default supplementary groups.
        ("app:wheel", User(1000, 10, &[8888], "/home/app")),
        ("app:4242", User(1000, 4242, &[8888], "/home/app")),
        ("app:3000", User(1000, 3000, &[8888], "/home/app")),
        ("1000:50", User(1000, 50, &[8888], "/home/app")),
        ("0:wheel", User(0, 10, &[8888], "/root")),
        ("root:staff", User(0, 50, &[8888], "/root")),
        ("4242:4343", User(4242, 4343, &[8888], "/8888")),
        ("4242:staff", User(4242, 50, &[8888], "/8888")),
        ("biggid:0", User(1004, 0, &[8888], "/home/biggid")),
        (
            "app:2147483647",
            User(1000, 2147483647, &[8888], "/home/app"),
        ),
        // Empty parts: the default uid (here without an entry).
        ("", User(8888, 8888, &[8888], "/8888")),
        (":wheel", User(8888, 10, &[8888], "/8888")),
        ("app:", User(1000, 1000, &[50, 10, 100, 5000], "/home/app")),
        // HOME: the default when the entry has none.
        ("nohome", User(1002, 1002, &[8888], "/8888")),
        // Unknown names, and lines that are not entries.
        ("nosuch", FindUser("nosuch")),
        ("nosuch:staff", FindUser("nosuch")),
        ("nosuch:4242", FindUser("nosuch")),
        ("app:nosuch", FindGroup("nosuch")),
        ("4242:nosuch", FindGroup("nosuch")),
        ("broken", FindUser("broken")),
        ("this line is garbage", FindUser("this line is garbage")),
        (" app", FindUser(" app")),
        // Bad numbers and the range.
        ("-1", ParseId),
        ("0:-1", ParseId),
        ("-5:-5", ParseId),
        ("2147483648", ParseId),
        ("0:2147483648", ParseId),
        ("4294967295", ParseId),
        ("99999999999999999999999", ParseId),
        ("app:b:c", ParseSpec),
        ("bigid", EntryId("bigid")),
        ("biggid", EntryId("biggid")),
        ("hugemember", EntryId("huge")),
    ];
    for (spec, want) in cases {
        run(spec, PASSWD, &group, want);
    }
}

#[test]
fn the_first_entry_of_a_name_wins() {
    let user = exec_user("app", &defaults(), PASSWD.as_bytes(), "".as_bytes()).unwrap();
    assert_eq!(user.uid, 1000);
    let user = exec_user(
        "0:staff",
        &defaults(),
        PASSWD.as_bytes(),
        group_file().as_bytes(),
    );
    assert_eq!(user.unwrap().gid, 50);
}

#[test]
fn an_empty_spec_looks_up_the_default_uid() {
    let defaults = ExecUser {
        uid: 1000,
        ..defaults()
    };
    let user = exec_user("", &defaults, PASSWD.as_bytes(), group_file().as_bytes()).unwrap();
    assert_eq!((user.gid, user.home.as_str()), (1000, "/home/app"));
    assert_eq!(user.sgids, [50, 10, 100, 5000]);
}

#[test]
fn missing_files() {
    use Want::*;
    let group = group_file();
    let cases: &[(&str, &str, &str, Want)] = &[
        // Neither file: numbers only.
        ("", "", "", User(8888, 8888, &[8888], "/8888")),
        ("0", "", "", User(0, 8888, &[8888], "/8888")),
        ("0:0", "", "", User(0, 0, &[8888], "/8888")),
        ("root", "", "", FindUser("root")),
        ("0:root", "", "", FindGroup("root")),
        // No group file.
        ("root", PASSWD, "", User(0, 0, &[8888], "/root")),
        ("app:10", PASSWD, "", User(1000, 10, &[8888], "/home/app")),
        ("app:staff", PASSWD, "", FindGroup("staff")),
        // No passwd file: no entry, so no name to find groups for.
        ("1000", "", &group, User(1000, 8888, &[8888], "/8888")),
        ("1000:staff", "", &group, User(1000, 50, &[8888], "/8888")),
    ];
    for (spec, passwd, group, want) in cases {
        run(spec, passwd, group, want);
    }
}

#[test]
fn additional_groups_by_name_and_number() {
    use Want::*;
    let group = group_file();
    let cases: &[(&[&str], Want)] = &[
        (&[], User(0, 0, &[], "")),
        (&["staff"], User(0, 0, &[50], "")),
        (&["staff", "wheel"], User(0, 0, &[50, 10], "")),
        (&["wheel", "staff"], User(0, 0, &[10, 50], "")),
        (&["staff", "50", "staff"], User(0, 0, &[50], "")),
        (&["4242", "staff"], User(0, 0, &[4242, 50], "")),
        (&["3000"], User(0, 0, &[3000], "")),
        (&["large"], User(0, 0, &[5000], "")),
        (&["staff", "nosuch"], FindGroup("nosuch")),
        (&[""], FindGroup("")),
        (&["-1"], ParseId),
        (&["2147483648"], ParseId),
        (&["huge"], EntryId("huge")),
    ];
    for (groups, want) in cases {
        let got = additional_groups(groups, group.as_bytes());
        check(
            &format!("{groups:?}"),
            got,
            want,
            |gids| matches!(want, User(_, _, expected, _) if gids == expected),
        );
    }
}

#[test]
fn additional_groups_without_a_file() {
    assert_eq!(
        additional_groups(&["1", "2", "1"], &[][..]).unwrap(),
        [1, 2]
    );
    let err = additional_groups(&["1", "staff"], &[][..]).unwrap_err();
    assert!(matches!(err, UserError::FindGroup { group } if group == "staff"));
}

#[test]
fn errors_name_what_was_not_found() {
    let err = exec_user("ghost", &defaults(), PASSWD.as_bytes(), &[][..]).unwrap_err();
    assert_eq!(err.to_string(), "no user `ghost` in the passwd file");
    let err = exec_user("0:-3", &defaults(), &[][..], &[][..]).unwrap_err();
    assert_eq!(err.to_string(), "id `-3` is outside 0..=2147483647");
}
