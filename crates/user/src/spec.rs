//! The user spec of a container process: `user`, `user:group`, with either part a name or
//! a numeric id.

use crate::error::{Result, UserError};

/// The largest uid or gid a spec, or an entry a lookup returns, may hold: 2^31 - 1.
///
/// The kernel takes ids up to 2^32 - 2, but tools that keep ids in a signed 32-bit integer
/// do not, and 2^32 - 1 means "no change" to `setresuid(2)`; libcontainer and containerd
/// draw the line here too.
pub const MAX_ID: u32 = i32::MAX as u32;

/// How a spec names a user or a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdOrName<'a> {
    /// A numeric id, in `0..=MAX_ID`. It is matched against ids only, never names: a user
    /// literally named `1000` is not found by the spec `1000`.
    Id(u32),
    /// A name, to be found in the passwd or group file.
    Name(&'a str),
}

impl<'a> IdOrName<'a> {
    /// Reads one part of a spec. An empty part is `None`; a part that is an optionally
    /// signed decimal integer is an id, anything else a name.
    ///
    /// # Errors
    ///
    /// [`UserError::ParseId`] when the part is an integer outside `0..=MAX_ID`.
    pub fn parse(part: &'a str) -> Result<Option<Self>> {
        if part.is_empty() {
            return Ok(None);
        }
        let (negative, digits) = match part.as_bytes()[0] {
            b'-' => (true, &part[1..]),
            b'+' => (false, &part[1..]),
            _ => (false, part),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Some(IdOrName::Name(part)));
        }
        let out_of_range = || UserError::ParseId {
            value: part.to_owned(),
        };
        // Leading zeros are allowed, so the length of `digits` bounds nothing: saturate.
        let value = digits.bytes().fold(0u64, |value, digit| {
            value
                .saturating_mul(10)
                .saturating_add(u64::from(digit - b'0'))
        });
        if negative && value != 0 {
            return Err(out_of_range());
        }
        match u32::try_from(value) {
            Ok(id) if id <= MAX_ID => Ok(Some(IdOrName::Id(id))),
            _ => Err(out_of_range()),
        }
    }
}

/// A parsed user spec: `user`, `user:group`, `:group` or empty, where each part is a name
/// or a numeric id. A missing part means "the default".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct UserSpec<'a> {
    /// The user, if the spec names one.
    pub user: Option<IdOrName<'a>>,
    /// The group, if the spec names one.
    pub group: Option<IdOrName<'a>>,
}

impl<'a> UserSpec<'a> {
    /// Parses `spec`.
    ///
    /// # Errors
    ///
    /// - [`UserError::ParseSpec`] when `spec` has more than one `:`; libcontainer ignores
    ///   what follows the second, we refuse it;
    /// - [`UserError::ParseId`] when a numeric part is outside `0..=MAX_ID`.
    pub fn parse(spec: &'a str) -> Result<Self> {
        let mut parts = spec.split(':');
        let user = parts.next().unwrap_or_default();
        let group = parts.next().unwrap_or_default();
        if parts.next().is_some() {
            return Err(UserError::ParseSpec {
                spec: spec.to_owned(),
            });
        }
        Ok(UserSpec {
            user: IdOrName::parse(user)?,
            group: IdOrName::parse(group)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::IdOrName::{Id, Name};
    use super::*;

    #[test]
    fn parts_are_ids_or_names() {
        let cases = [
            ("", None, None),
            ("daemon", Some(Name("daemon")), None),
            ("1000", Some(Id(1000)), None),
            ("app:staff", Some(Name("app")), Some(Name("staff"))),
            ("0:0", Some(Id(0)), Some(Id(0))),
            (":staff", None, Some(Name("staff"))),
            ("app:", Some(Name("app")), None),
            ("+5:007", Some(Id(5)), Some(Id(7))),
            ("-0", Some(Id(0)), None),
            ("1e3", Some(Name("1e3")), None),
            ("-", Some(Name("-")), None),
            ("user-1", Some(Name("user-1")), None),
        ];
        for (spec, user, group) in cases {
            assert_eq!(
                UserSpec::parse(spec).unwrap(),
                UserSpec { user, group },
                "{spec}"
            );
        }
    }

    #[test]
    fn ids_outside_the_range_are_refused() {
        let huge = "9".repeat(40);
        for spec in [
            "-1",
            "0:-3",
            "2147483648",
            "4294967295",
            "1:4294967296",
            &huge,
        ] {
            let err = UserSpec::parse(spec).unwrap_err();
            assert!(matches!(err, UserError::ParseId { .. }), "{spec}: {err:?}");
        }
        assert_eq!(
            UserSpec::parse("2147483647").unwrap().user,
            Some(Id(MAX_ID))
        );
    }

    #[test]
    fn more_than_two_parts_are_refused() {
        let err = UserSpec::parse("a:b:c").unwrap_err();
        assert!(matches!(err, UserError::ParseSpec { .. }));
    }
}
