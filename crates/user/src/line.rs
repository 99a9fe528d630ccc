//! The shape shared by passwd, group and subid files: lines of `:`-separated fields.
//!
//! There is no formal grammar for these files. We take what glibc and libcontainer
//! tolerate: surrounding whitespace is ignored, blank lines and `#` comments are skipped,
//! and a line may be of any length. Deciding which lines are entries is left to each file's
//! parser.

use std::io::{self, BufRead};
use std::ops::ControlFlow;

use memchr::memchr_iter;

/// Calls `visit` with each line of `reader` that may hold an entry: trimmed of ASCII
/// whitespace, neither blank nor a comment. `visit` stops the scan by returning
/// [`ControlFlow::Break`].
///
/// Lines are handed out of the reader's own buffer; only a line that straddles two fills
/// of it is copied, into one buffer reused for every such line. A scan over data in memory
/// copies nothing.
pub(crate) fn scan<R: BufRead>(
    mut reader: R,
    mut visit: impl FnMut(&[u8]) -> ControlFlow<()>,
) -> io::Result<()> {
    // The start of a line whose end is not in the reader's buffer yet.
    let mut partial = Vec::new();
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            // The last line need not end with a newline. Whether `visit` asks to stop no
            // longer matters: there is nothing after it.
            let _last = visit_line(&partial, &mut visit);
            return Ok(());
        }
        let mut start = 0;
        for end in memchr_iter(b'\n', available) {
            let flow = if partial.is_empty() {
                visit_line(&available[start..end], &mut visit)
            } else {
                partial.extend_from_slice(&available[start..end]);
                let flow = visit_line(&partial, &mut visit);
                partial.clear();
                flow
            };
            if flow.is_break() {
                return Ok(());
            }
            start = end + 1;
        }
        partial.extend_from_slice(&available[start..]);
        let used = available.len();
        reader.consume(used);
    }
}

/// Calls `visit` with `line` trimmed, unless that leaves it blank or a comment.
fn visit_line(line: &[u8], visit: &mut impl FnMut(&[u8]) -> ControlFlow<()>) -> ControlFlow<()> {
    match line.trim_ascii() {
        [] | [b'#', ..] => ControlFlow::Continue(()),
        line => visit(line),
    }
}

/// The `index`th `:`-separated field of `line`, counting from 0.
///
/// A plain loop: the fields looked for come first on the line and are short, where
/// `memchr`'s set-up per call costs more than it saves.
pub(crate) fn field(line: &[u8], index: usize) -> Option<&[u8]> {
    let mut start = 0;
    let mut seen = 0;
    for (at, &byte) in line.iter().enumerate() {
        if byte == b':' {
            if seen == index {
                return Some(&line[start..at]);
            }
            seen += 1;
            start = at + 1;
        }
    }
    (seen == index).then(|| &line[start..])
}

/// A numeric field of a file: decimal digits, a leading `+` allowed, that fit a `u32`.
/// This is what `str::parse::<u32>` takes, read from bytes.
pub(crate) fn parse_u32(field: &[u8]) -> Option<u32> {
    let digits = field.strip_prefix(b"+").unwrap_or(field);
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |value, &digit| {
        if !digit.is_ascii_digit() {
            return None;
        }
        value.checked_mul(10)?.checked_add(u32::from(digit - b'0'))
    })
}

/// Whether `list`, a `,`-separated list of names, holds `name`. An empty name is in no
/// list, even one with an empty member (`a,,b`).
pub(crate) fn list_contains(list: &[u8], name: &[u8]) -> bool {
    !name.is_empty() && list.split(|&b| b == b',').any(|member| member == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &str) -> Vec<String> {
        let mut out = Vec::new();
        scan(input.as_bytes(), |line| {
            out.push(String::from_utf8_lossy(line).into_owned());
            ControlFlow::Continue(())
        })
        .unwrap();
        out
    }

    #[test]
    fn skips_blank_lines_and_comments_and_trims() {
        let input = "\n  # comment\n\t a:b \r\n#x:y\n\n c \n   \nlast";
        assert_eq!(lines(input), ["a:b", "c", "last"]);
    }

    #[test]
    fn reads_lines_longer_than_any_buffer() {
        let long = "x".repeat(1 << 20);
        let input = format!("a\n{long}\nb\n");
        assert_eq!(lines(&input), ["a", long.as_str(), "b"]);
    }

    #[test]
    fn lines_may_straddle_the_readers_buffer() {
        let input = "first:line\n  # comment\nsecond:line:longer than the buffer\nlast";
        let mut out = Vec::new();
        let reader = std::io::BufReader::with_capacity(3, input.as_bytes());
        scan(reader, |line| {
            out.push(String::from_utf8_lossy(line).into_owned());
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(
            out,
            ["first:line", "second:line:longer than the buffer", "last"]
        );
    }

    #[test]
    fn stops_when_asked() {
        let mut seen = 0;
        scan(&b"a\nb\nc\n"[..], |_| {
            seen += 1;
            ControlFlow::Break(())
        })
        .unwrap();
        assert_eq!(seen, 1);
    }

    #[test]
    fn fields_count_from_zero() {
        assert_eq!(field(b"a:b::d", 0), Some(&b"a"[..]));
        assert_eq!(field(b"a:b::d", 2), Some(&b""[..]));
        assert_eq!(field(b"a:b::d", 3), Some(&b"d"[..]));
        assert_eq!(field(b"a:b::d", 4), None);
    }

    #[test]
    fn numbers_are_decimal_u32() {
        assert_eq!(parse_u32(b"0"), Some(0));
        assert_eq!(parse_u32(b"007"), Some(7));
        assert_eq!(parse_u32(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32(b"+12"), Some(12));
        for bad in [
            &b""[..],
            b"+",
            b"-1",
            b"4294967296",
            b" 1",
            b"1x",
            b"0x10",
            b"++1",
        ] {
            assert_eq!(parse_u32(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn list_membership_is_exact() {
        assert!(list_contains(b"root,adm,daemon", b"adm"));
        assert!(!list_contains(b"root,admin", b"adm"));
        assert!(!list_contains(b"", b"adm"));
        assert!(!list_contains(b"a,,b", b""));
    }
}
