//! JSON as Go's `encoding/json` writes it, so that `state`, `list` and JSON log lines are
//! byte for byte what runc prints.
//!
//! serde_json and Go agree on everything these documents hold but one thing: Go escapes
//! `<`, `>` and `&` (and U+2028, U+2029) inside strings, for safe embedding in HTML.

use serde::Serialize;

/// `value` as one line of compact JSON, as `json.Marshal` writes it.
pub fn compact<T: Serialize + ?Sized>(value: &T) -> String {
    // The values written here (strings, numbers, maps of strings) always serialize.
    escape_html(&serde_json::to_string(value).unwrap_or_default())
}

/// `value` indented by two spaces, as `json.MarshalIndent(v, "", "  ")` writes it.
pub fn indented<T: Serialize + ?Sized>(value: &T) -> String {
    escape_html(&serde_json::to_string_pretty(value).unwrap_or_default())
}

/// Applies Go's HTML escaping to a JSON document. The characters it replaces never appear
/// in JSON outside strings, so the whole document can be rewritten.
fn escape_html(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn escapes_what_go_escapes() {
        let value = BTreeMap::from([("msg", "a<b>&c\u{2028}\"\n")]);
        assert_eq!(
            compact(&value),
            r#"{"msg":"a\u003cb\u003e\u0026c\u2028\"\n"}"#
        );
    }

    #[test]
    fn indents_by_two_spaces() {
        let value = BTreeMap::from([("a", 1), ("b", 2)]);
        assert_eq!(indented(&value), "{\n  \"a\": 1,\n  \"b\": 2\n}");
    }
}
