//! Enums that are written in configs as fixed names (`"CAP_CHOWN"`, `"RLIMIT_NOFILE"`).
//!
//! [`named_enum!`] gives such an enum its name table once: `as_str`, `FromStr`, `Display`,
//! and serde as that name, with an [`UnknownName`] error that lists what was expected.

use std::fmt;

/// A name that is not one of the names an enum accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {name:?}")]
pub struct UnknownName {
    /// What kind of name was expected (`"capability"`, `"namespace type"`).
    pub what: &'static str,
    /// The name as it was given.
    pub name: String,
}

/// Writes `names` as `a, b or c`, for error messages.
pub(crate) struct OneOf<'a>(pub &'a [&'static str]);

impl fmt::Display for OneOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().enumerate() {
            match i {
                0 => {}
                _ if i + 1 == self.0.len() => f.write_str(" or ")?,
                _ => f.write_str(", ")?,
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

/// Declares a fieldless enum whose values are written as the given names.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every accepted name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The name this value is written as.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::names::UnknownName;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::names::UnknownName { what: $what, name: s.to_owned() }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::string::String>::deserialize(d)?;
                s.parse().map_err(|_| {
                    ::serde::de::Error::custom(format_args!(
                        "unknown {} {:?}, expected {}",
                        $what,
                        s,
                        $crate::names::OneOf($name::NAMES),
                    ))
                })
            }
        }
    };
}

pub(crate) use named_enum;
