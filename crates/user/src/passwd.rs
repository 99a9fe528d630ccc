//! `/etc/passwd`: one user a line, `name:password:uid:gid:gecos:home:shell` (passwd(5)).

use std::fmt;
use std::io::BufRead;
use std::ops::ControlFlow;

use crate::error::{Result, UserError};
use crate::line::{self, field, parse_u32};

/// One user of a passwd file, borrowed from the line it was read from.
///
/// Filters ([`parse_passwd_filter`]) see entries in this form, so that a line that does not
/// match costs no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserEntry<'a> {
    /// The login name.
    pub name: &'a str,
    /// The password field, usually `x` (the hash lives in `/etc/shadow`).
    pub password: &'a str,
    /// The user id.
    pub uid: u32,
    /// The primary group id.
    pub gid: u32,
    /// The comment field: the user's full name and the like.
    pub gecos: &'a str,
    /// The home directory, empty when the line has none.
    pub home: &'a str,
    /// The login shell, empty when the line has none.
    pub shell: &'a str,
}

impl<'a> UserEntry<'a> {
    /// Parses one line of a passwd file, already trimmed of its newline.
    ///
    /// A line is an entry when it has at least the four fields up to the gid and both ids
    /// are decimal numbers that fit a `u32`; fields missing after the gid are empty and
    /// fields past the shell are ignored. Anything else is `None`: such a line is skipped,
    /// never read as a user with id 0.
    pub fn parse(line: &'a str) -> Option<Self> {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let password = fields.next()?;
        let uid = parse_u32(fields.next()?.as_bytes())?;
        let gid = parse_u32(fields.next()?.as_bytes())?;
        Some(UserEntry {
            name,
            password,
            uid,
            gid,
            gecos: fields.next().unwrap_or_default(),
            home: fields.next().unwrap_or_default(),
            shell: fields.next().unwrap_or_default(),
        })
    }

    /// The entry in owned form.
    pub fn to_user(&self) -> User {
        User {
            name: self.name.to_owned(),
            password: self.password.to_owned(),
            uid: self.uid,
            gid: self.gid,
            gecos: self.gecos.to_owned(),
            home: self.home.to_owned(),
            shell: self.shell.to_owned(),
        }
    }
}

/// One user of a passwd file. Its [`Display`](fmt::Display) form is its passwd line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct User {
    /// The login name.
    pub name: String,
    /// The password field, usually `x`.
    pub password: String,
    /// The user id.
    pub uid: u32,
    /// The primary group id.
    pub gid: u32,
    /// The comment field.
    pub gecos: String,
    /// The home directory, empty when the line has none.
    pub home: String,
    /// The login shell, empty when the line has none.
    pub shell: String,
}

impl fmt::Display for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}:{}:{}:{}:{}",
            self.name, self.password, self.uid, self.gid, self.gecos, self.home, self.shell
        )
    }
}

/// Every user of passwd-formatted data, in file order.
///
/// Blank lines, `#` comments and lines that are not entries (see [`UserEntry::parse`])
/// are skipped; lines may be of any length.
///
/// # Errors
///
/// [`UserError::ReadPasswd`] when `reader` fails.
pub fn parse_passwd<R: BufRead>(reader: R) -> Result<Vec<User>> {
    parse_passwd_filter(reader, |_| true)
}

/// The users of passwd-formatted data that `filter` accepts, in file order.
///
/// # Errors
///
/// [`UserError::ReadPasswd`] when `reader` fails.
pub fn parse_passwd_filter<R: BufRead>(
    reader: R,
    mut filter: impl FnMut(&UserEntry<'_>) -> bool,
) -> Result<Vec<User>> {
    let mut users = Vec::new();
    for_each_user(
        reader,
        |_| true,
        |user| {
            if filter(&user) {
                users.push(user.to_user());
            }
            ControlFlow::Continue(())
        },
    )?;
    Ok(users)
}

/// The first user named `name` in passwd-formatted data.
///
/// # Errors
///
/// [`UserError::ReadPasswd`] when `reader` fails.
pub fn find_user_by_name<R: BufRead>(reader: R, name: &str) -> Result<Option<User>> {
    first_user(reader, |line| field(line, 0) == Some(name.as_bytes()))
}

/// The first user with id `uid` in passwd-formatted data.
///
/// # Errors
///
/// [`UserError::ReadPasswd`] when `reader` fails.
pub fn find_user_by_uid<R: BufRead>(reader: R, uid: u32) -> Result<Option<User>> {
    first_user(reader, |line| {
        field(line, 2).and_then(parse_u32) == Some(uid)
    })
}

/// The first entry whose line passes `prefilter`.
fn first_user<R: BufRead>(reader: R, prefilter: impl FnMut(&[u8]) -> bool) -> Result<Option<User>> {
    let mut found = None;
    for_each_user(reader, prefilter, |user| {
        found = Some(user.to_user());
        ControlFlow::Break(())
    })?;
    Ok(found)
}

/// Calls `visit` with each entry of `reader` whose line passes `prefilter`, a cheap test
/// on the raw line that spares the full parse of lines that cannot match.
pub(crate) fn for_each_user<R: BufRead>(
    reader: R,
    mut prefilter: impl FnMut(&[u8]) -> bool,
    mut visit: impl FnMut(UserEntry<'_>) -> ControlFlow<()>,
) -> Result<()> {
    line::scan(reader, |line| {
        if !prefilter(line) {
            return ControlFlow::Continue(());
        }
        match std::str::from_utf8(line).ok().and_then(UserEntry::parse) {
            Some(user) => visit(user),
            None => ControlFlow::Continue(()),
        }
    })
    .map_err(UserError::ReadPasswd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_line() {
        let user = UserEntry::parse("root:x:0:0:root user:/root:/bin/bash").unwrap();
        assert_eq!(user.name, "root");
        assert_eq!((user.uid, user.gid), (0, 0));
        assert_eq!(user.gecos, "root user");
        assert_eq!((user.home, user.shell), ("/root", "/bin/bash"));
    }

    #[test]
    fn short_and_long_lines() {
        let short = UserEntry::parse("daemon:x:1:2").unwrap();
        assert_eq!(
            (short.uid, short.gid, short.home, short.shell),
            (1, 2, "", "")
        );
        let long = UserEntry::parse("odd:x:111:112::/home/odd:::::").unwrap();
        assert_eq!((long.uid, long.home, long.shell), (111, "/home/odd", ""));
    }

    #[test]
    fn lines_that_are_not_entries() {
        for line in [
            "this is just some garbage data",
            "root:x:0",
            "root:x::0:::",
            "root:x:abc:0:::",
            "root:x:-1:0:::",
            "root:x:0:4294967296:::",
            "+::::::",
        ] {
            assert_eq!(UserEntry::parse(line), None, "{line}");
        }
    }

    #[test]
    fn display_is_the_passwd_line() {
        let line = "adm:x:3:4:adm:/var/adm:/bin/false";
        assert_eq!(UserEntry::parse(line).unwrap().to_user().to_string(), line);
    }

    #[test]
    fn lookups_take_the_first_match() {
        let passwd = "a:x:5:5::/a:\nb:x:5:6::/b:\na:x:7:7::/a2:\n";
        let by_name = find_user_by_name(passwd.as_bytes(), "a").unwrap().unwrap();
        assert_eq!(by_name.uid, 5);
        let by_uid = find_user_by_uid(passwd.as_bytes(), 5).unwrap().unwrap();
        assert_eq!(by_uid.name, "a");
        assert_eq!(find_user_by_uid(passwd.as_bytes(), 9).unwrap(), None);
    }

    #[test]
    fn a_matching_line_that_is_not_an_entry_is_skipped() {
        let passwd = "a:x:bad:5\na:x:6:6\n";
        assert_eq!(
            find_user_by_name(passwd.as_bytes(), "a")
                .unwrap()
                .unwrap()
                .uid,
            6
        );
    }
}
