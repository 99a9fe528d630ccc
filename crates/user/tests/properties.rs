//! Properties: no input makes a parser panic, and the files we write read back as written.

use hull_user::*;
use proptest::prelude::*;

/// A name as `useradd` accepts it.
fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_-]{0,31}"
}

/// A field that holds no `:` and no newline, and neither starts nor ends with whitespace.
fn text() -> impl Strategy<Value = String> {
    "([A-Za-z0-9/._,-][A-Za-z0-9/._, -]{0,30}[A-Za-z0-9/._,-])?"
}

fn user() -> impl Strategy<Value = User> {
    (
        name(),
        "x|\\*|!|",
        any::<u32>(),
        any::<u32>(),
        text(),
        text(),
        text(),
    )
        .prop_map(|(name, password, uid, gid, gecos, home, shell)| User {
            name,
            password,
            uid,
            gid,
            gecos,
            home,
            shell,
        })
}

fn group() -> impl Strategy<Value = Group> {
    (
        name(),
        "x|",
        any::<u32>(),
        prop::collection::vec(name(), 0..8),
    )
        .prop_map(|(name, password, gid, members)| Group {
            name,
            password,
            gid,
            members,
        })
}

proptest! {
    #[test]
    fn parsers_take_any_bytes(data in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _users = parse_passwd(&data[..]);
        let _groups = parse_group(&data[..]);
        let _ranges = parse_sub_ids(&data[..]);
    }

    #[test]
    fn parsers_take_any_colon_heavy_text(data in "[a-z0-9:,#+ \t\n-]{0,512}") {
        let _users = parse_passwd(data.as_bytes());
        let _groups = parse_group(data.as_bytes());
        let _ranges = parse_sub_ids(data.as_bytes());
    }

    #[test]
    fn exec_user_takes_any_spec_and_data(
        spec in "[a-z0-9:+-]{0,16}|\\PC{0,16}",
        passwd in "[a-z0-9:,\n]{0,256}",
        group in "[a-z0-9:,\n]{0,256}",
    ) {
        let result = exec_user(&spec, &ExecUser::default(), passwd.as_bytes(), group.as_bytes());
        if let Ok(user) = result {
            prop_assert!(user.uid <= MAX_ID && user.gid <= MAX_ID);
            prop_assert!(user.sgids.iter().all(|&gid| gid <= MAX_ID));
        }
        let _gids = additional_groups(&[spec.as_str()], group.as_bytes());
    }

    #[test]
    fn a_passwd_file_we_write_reads_back(users in prop::collection::vec(user(), 0..16)) {
        let file: String = users.iter().map(|u| format!("{u}\n")).collect();
        prop_assert_eq!(parse_passwd(file.as_bytes()).unwrap(), users);
    }

    #[test]
    fn a_group_file_we_write_reads_back(groups in prop::collection::vec(group(), 0..16)) {
        let file: String = groups.iter().map(|g| format!("{g}\n")).collect();
        prop_assert_eq!(parse_group(file.as_bytes()).unwrap(), groups);
    }

    #[test]
    fn every_user_of_a_file_is_found(users in prop::collection::vec(user(), 1..16), pick in any::<prop::sample::Index>()) {
        let file: String = users.iter().map(|u| format!("{u}\n")).collect();
        let wanted = pick.get(&users);
        let first = users.iter().find(|u| u.name == wanted.name).unwrap();
        let found = find_user_by_name(file.as_bytes(), &wanted.name).unwrap();
        prop_assert_eq!(found.as_ref(), Some(first));
        let by_uid = users.iter().find(|u| u.uid == wanted.uid).unwrap();
        let found = find_user_by_uid(file.as_bytes(), wanted.uid).unwrap();
        prop_assert_eq!(found.as_ref(), Some(by_uid));
    }
}
