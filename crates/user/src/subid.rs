//! `/etc/subuid` and `/etc/subgid`: the ranges of subordinate ids a user may map into a
//! user namespace, one range a line, `name:start:count` (subuid(5)).

use std::fmt;
use std::io::BufRead;

use crate::error::{Result, UserError};
use crate::line::{self, parse_u32};

/// One range of a subuid or subgid file, borrowed from the line it was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubIdEntry<'a> {
    /// The user the range belongs to: a login name, or a uid written in decimal.
    pub name: &'a str,
    /// The first id of the range.
    pub start: u32,
    /// How many ids the range holds.
    pub count: u32,
}

impl<'a> SubIdEntry<'a> {
    /// Parses one line of a subuid or subgid file, already trimmed of its newline.
    ///
    /// A line is an entry when it has at least three fields and the last two are decimal
    /// numbers that fit a `u32`; fields past the count are ignored. Anything else is `None`.
    pub fn parse(line: &'a str) -> Option<Self> {
        let mut fields = line.split(':');
        Some(SubIdEntry {
            name: fields.next()?,
            start: parse_u32(fields.next()?.as_bytes())?,
            count: parse_u32(fields.next()?.as_bytes())?,
        })
    }

    /// The entry in owned form.
    pub fn to_sub_id(&self) -> SubId {
        SubId {
            name: self.name.to_owned(),
            start: self.start,
            count: self.count,
        }
    }
}

/// One range of a subuid or subgid file. Its [`Display`](fmt::Display) form is its line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SubId {
    /// The user the range belongs to: a login name, or a uid written in decimal.
    pub name: String,
    /// The first id of the range.
    pub start: u32,
    /// How many ids the range holds.
    pub count: u32,
}

impl fmt::Display for SubId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.name, self.start, self.count)
    }
}

/// Every range of subuid- or subgid-formatted data, in file order.
///
/// Blank lines, `#` comments and lines that are not entries (see [`SubIdEntry::parse`])
/// are skipped.
///
/// # Errors
///
/// [`UserError::ReadSubIds`] when `reader` fails.
pub fn parse_sub_ids<R: BufRead>(reader: R) -> Result<Vec<SubId>> {
    parse_sub_ids_filter(reader, |_| true)
}

/// The ranges of subuid- or subgid-formatted data that `filter` accepts, in file order.
///
/// The ranges of one user are those whose name is the user's name or uid:
/// `parse_sub_ids_filter(reader, |r| r.name == "alice" || r.name == "1000")`.
///
/// # Errors
///
/// [`UserError::ReadSubIds`] when `reader` fails.
pub fn parse_sub_ids_filter<R: BufRead>(
    reader: R,
    mut filter: impl FnMut(&SubIdEntry<'_>) -> bool,
) -> Result<Vec<SubId>> {
    let mut ranges = Vec::new();
    line::scan(reader, |line| {
        let entry = std::str::from_utf8(line).ok().and_then(SubIdEntry::parse);
        if let Some(range) = entry.filter(|range| filter(range)) {
            ranges.push(range.to_sub_id());
        }
        std::ops::ControlFlow::Continue(())
    })
    .map_err(UserError::ReadSubIds)?;
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_and_skips_the_rest() {
        let data = "# ranges\nalice:100000:65536\n1000:165536:65536:extra\nbad:1\nbad:-1:5\n";
        let ranges = parse_sub_ids(data.as_bytes()).unwrap();
        assert_eq!(ranges.len(), 2);
        assert_eq!(ranges[0].to_string(), "alice:100000:65536");
        assert_eq!(
            (ranges[1].name.as_str(), ranges[1].start),
            ("1000", 165_536)
        );
    }

    #[test]
    fn filters_by_owner() {
        let data = "alice:100000:65536\nbob:165536:65536\n1000:231072:10\n";
        let alice =
            parse_sub_ids_filter(data.as_bytes(), |r| r.name == "alice" || r.name == "1000")
                .unwrap();
        assert_eq!(
            alice.iter().map(|r| r.count).collect::<Vec<_>>(),
            [65536, 10]
        );
    }
}
