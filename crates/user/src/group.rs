//! `/etc/group`: one group a line, `name:password:gid:member,member,...` (group(5)).

use std::fmt;
use std::io::BufRead;
use std::ops::ControlFlow;

use crate::error::{Result, UserError};
use crate::line::{self, field, parse_u32};

/// One group of a group file, borrowed from the line it was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupEntry<'a> {
    /// The group name.
    pub name: &'a str,
    /// The password field, usually `x`.
    pub password: &'a str,
    /// The group id.
    pub gid: u32,
    /// The member list as written, `,`-separated; see [`GroupEntry::members`].
    pub member_list: &'a str,
}

impl<'a> GroupEntry<'a> {
    /// Parses one line of a group file, already trimmed of its newline.
    ///
    /// A line is an entry when it has at least the three fields up to the gid and the gid
    /// is a decimal number that fits a `u32`; a missing member list is empty and fields
    /// past it are ignored. Anything else is `None`.
    pub fn parse(line: &'a str) -> Option<Self> {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let password = fields.next()?;
        let gid = parse_u32(fields.next()?.as_bytes())?;
        Some(GroupEntry {
            name,
            password,
            gid,
            member_list: fields.next().unwrap_or_default(),
        })
    }

    /// The names of the group's members, in file order; empty names (`a,,b`) are left out.
    pub fn members(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.member_list.split(',').filter(|name| !name.is_empty())
    }

    /// Whether `user` is listed as a member.
    pub fn has_member(&self, user: &str) -> bool {
        line::list_contains(self.member_list.as_bytes(), user.as_bytes())
    }

    /// The entry in owned form.
    pub fn to_group(&self) -> Group {
        Group {
            name: self.name.to_owned(),
            password: self.password.to_owned(),
            gid: self.gid,
            members: self.members().map(str::to_owned).collect(),
        }
    }
}

/// One group of a group file. Its [`Display`](fmt::Display) form is its group line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Group {
    /// The group name.
    pub name: String,
    /// The password field, usually `x`.
    pub password: String,
    /// The group id.
    pub gid: u32,
    /// The names of its members (the users for whom it is a supplementary group).
    pub members: Vec<String>,
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}:", self.name, self.password, self.gid)?;
        for (i, member) in self.members.iter().enumerate() {
            let comma = if i == 0 { "" } else { "," };
            write!(f, "{comma}{member}")?;
        }
        Ok(())
    }
}

/// Every group of group-formatted data, in file order.
///
/// Blank lines, `#` comments and lines that are not entries (see [`GroupEntry::parse`])
/// are skipped; lines may be of any length, as member lists can be.
///
/// # Errors
///
/// [`UserError::ReadGroup`] when `reader` fails.
pub fn parse_group<R: BufRead>(reader: R) -> Result<Vec<Group>> {
    parse_group_filter(reader, |_| true)
}

/// The groups of group-formatted data that `filter` accepts, in file order.
///
/// # Errors
///
/// [`UserError::ReadGroup`] when `reader` fails.
pub fn parse_group_filter<R: BufRead>(
    reader: R,
    mut filter: impl FnMut(&GroupEntry<'_>) -> bool,
) -> Result<Vec<Group>> {
    let mut groups = Vec::new();
    for_each_group(
        reader,
        |_| true,
        |group| {
            if filter(&group) {
                groups.push(group.to_group());
            }
            ControlFlow::Continue(())
        },
    )?;
    Ok(groups)
}

/// The first group named `name` in group-formatted data.
///
/// # Errors
///
/// [`UserError::ReadGroup`] when `reader` fails.
pub fn find_group_by_name<R: BufRead>(reader: R, name: &str) -> Result<Option<Group>> {
    first_group(reader, |line| field(line, 0) == Some(name.as_bytes()))
}

/// The first group with id `gid` in group-formatted data.
///
/// # Errors
///
/// [`UserError::ReadGroup`] when `reader` fails.
pub fn find_group_by_gid<R: BufRead>(reader: R, gid: u32) -> Result<Option<Group>> {
    first_group(reader, |line| {
        field(line, 2).and_then(parse_u32) == Some(gid)
    })
}

/// The first entry whose line passes `prefilter`.
fn first_group<R: BufRead>(
    reader: R,
    prefilter: impl FnMut(&[u8]) -> bool,
) -> Result<Option<Group>> {
    let mut found = None;
    for_each_group(reader, prefilter, |group| {
        found = Some(group.to_group());
        ControlFlow::Break(())
    })?;
    Ok(found)
}

/// Calls `visit` with each entry of `reader` whose line passes `prefilter`, a cheap test
/// on the raw line that spares the full parse of lines that cannot match.
pub(crate) fn for_each_group<R: BufRead>(
    reader: R,
    mut prefilter: impl FnMut(&[u8]) -> bool,
    mut visit: impl FnMut(GroupEntry<'_>) -> ControlFlow<()>,
) -> Result<()> {
    line::scan(reader, |line| {
        if !prefilter(line) {
            return ControlFlow::Continue(());
        }
        match std::str::from_utf8(line).ok().and_then(GroupEntry::parse) {
            Some(group) => visit(group),
            None => ControlFlow::Continue(()),
        }
    })
    .map_err(UserError::ReadGroup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_members() {
        let group = GroupEntry::parse("adm:x:4:root,adm,daemon").unwrap();
        assert_eq!((group.name, group.gid), ("adm", 4));
        assert_eq!(
            group.members().collect::<Vec<_>>(),
            ["root", "adm", "daemon"]
        );
        assert!(group.has_member("adm"));
        assert!(!group.has_member("ad"));
    }

    #[test]
    fn short_long_and_empty_member_lists() {
        let short = GroupEntry::parse("adm:x:43").unwrap();
        assert_eq!(short.members().count(), 0);
        let trailing = GroupEntry::parse("adm:x:43:").unwrap();
        assert_eq!(trailing.members().count(), 0);
        let gaps = GroupEntry::parse("g:x:1:a,,b,:extra:fields").unwrap();
        assert_eq!(gaps.members().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn lines_that_are_not_entries() {
        for line in ["garbage", "adm:x", "adm:x:", "adm:x:four:", "adm:x:-4:"] {
            assert_eq!(GroupEntry::parse(line), None, "{line}");
        }
    }

    #[test]
    fn display_is_the_group_line() {
        for line in ["adm:x:4:root,adm,daemon", "nogroup:x:65534:"] {
            assert_eq!(
                GroupEntry::parse(line).unwrap().to_group().to_string(),
                line
            );
        }
    }

    #[test]
    fn lookups_take_the_first_match() {
        let group = "adm:x:43:\nadm:x:4343:root\nother:x:43:\n";
        let by_name = find_group_by_name(group.as_bytes(), "adm")
            .unwrap()
            .unwrap();
        assert_eq!(by_name.gid, 43);
        let by_gid = find_group_by_gid(group.as_bytes(), 43).unwrap().unwrap();
        assert_eq!(by_gid.name, "adm");
        assert_eq!(find_group_by_name(group.as_bytes(), "none").unwrap(), None);
    }
}
