//! Container ids: what a directory name under the state root may safely be.

use crate::error::{ContainerError, Result};

/// The longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 1024;

/// Checks `id`: non-empty, at most [`MAX_ID_LEN`] bytes of `A-Z a-z 0-9 _ + . -`, and not
/// `.` or `..` — so that `<root>/<id>` is always a direct child of the root.
///
/// # Errors
///
/// [`ContainerError::InvalidId`] saying what is wrong.
pub fn check_id(id: &str) -> Result<()> {
    let invalid = |reason| {
        Err(ContainerError::InvalidId {
            id: id.to_owned(),
            reason,
        })
    };
    if id.is_empty() {
        return invalid("it is empty");
    }
    if id.len() > MAX_ID_LEN {
        return invalid("it is longer than 1024 bytes");
    }
    if id == "." || id == ".." {
        return invalid("it names a directory itself");
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'.' | b'-');
    if !id.bytes().all(allowed) {
        return invalid("only letters, digits and _ + . - are allowed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ids() {
        for id in ["a", "web-1", "x_y.z+2", "A1", &"x".repeat(MAX_ID_LEN)] {
            check_id(id).unwrap();
        }
    }

    #[test]
    fn refuses_ids_that_are_not_plain_names() {
        for id in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "a b",
            "é",
            "x\0",
            &"x".repeat(MAX_ID_LEN + 1),
        ] {
            let err = check_id(id).unwrap_err();
            assert!(
                matches!(err, ContainerError::InvalidId { .. }),
                "{id:?}: {err}"
            );
        }
    }
}
