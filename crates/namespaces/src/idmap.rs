//! The text of `/proc/<pid>/uid_map` and `gid_map` (`user_namespaces(7)`): one range per
//! line, `<first id inside> <first id outside> <count>`.

use std::fs;
use std::path::Path;

use hull_configs::IdMap;

use crate::error::{NamespacesError, Result};

/// What to write to a map file for `maps`: one `inside outside count` line per range, all
/// in one `write(2)`, as the kernel takes it.
pub(crate) fn map_file_content(maps: &[IdMap]) -> String {
    maps.iter()
        .map(|map| format!("{} {} {}\n", map.container_id, map.host_id, map.size))
        .collect()
}

/// The arguments of `newuidmap` / `newgidmap` after the pid: the ranges as
/// `inside outside count` triples.
pub(crate) fn tool_args(maps: &[IdMap]) -> impl Iterator<Item = String> + '_ {
    maps.iter().flat_map(|map| {
        [map.container_id, map.host_id, map.size]
            .into_iter()
            .map(|id| id.to_string())
    })
}

/// Reads and parses a uid or gid map file, such as `/proc/<pid>/uid_map`.
///
/// The kernel writes `%10u %10u %10u` per range; any whitespace between the three numbers
/// is accepted, blank lines are skipped.
///
/// The outside ids are relative to the user namespace of the reader when it is not in the
/// namespace itself, else to the namespace's parent (`user_namespaces(7)`).
///
/// # Errors
///
/// [`NamespacesError::ReadIdMap`] when the file cannot be read,
/// [`NamespacesError::ParseIdMap`] for a line that is not three ids.
///
/// # References
///
/// <https://man7.org/linux/man-pages/man7/user_namespaces.7.html>
pub fn read_id_maps(path: &Path) -> Result<Vec<IdMap>> {
    let text = fs::read_to_string(path).map_err(|source| NamespacesError::ReadIdMap {
        path: path.to_owned(),
        source,
    })?;
    parse_id_maps(path, &text)
}

/// Parses the text of a map file read from `path` (named in errors).
pub(crate) fn parse_id_maps(path: &Path, text: &str) -> Result<Vec<IdMap>> {
    let mut maps = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let map = parse_range(line).ok_or_else(|| NamespacesError::ParseIdMap {
            path: path.to_owned(),
            line: index + 1,
            text: line.to_owned(),
        })?;
        maps.push(map);
    }
    Ok(maps)
}

fn parse_range(line: &str) -> Option<IdMap> {
    let mut fields = line.split_whitespace().map(str::parse::<u32>);
    let map = IdMap {
        container_id: fields.next()?.ok()?,
        host_id: fields.next()?.ok()?,
        size: fields.next()?.ok()?,
    };
    fields.next().is_none().then_some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(container_id: u32, host_id: u32, size: u32) -> IdMap {
        IdMap {
            container_id,
            host_id,
            size,
        }
    }

    #[test]
    fn content_is_one_line_per_range() {
        assert_eq!(map_file_content(&[]), "");
        assert_eq!(
            map_file_content(&[range(0, 100_000, 65_536)]),
            "0 100000 65536\n"
        );
        assert_eq!(
            map_file_content(&[range(0, 1000, 1), range(1, 100_000, 65_536)]),
            "0 1000 1\n1 100000 65536\n"
        );
        assert_eq!(
            map_file_content(&[range(0, 0, u32::MAX)]),
            "0 0 4294967295\n"
        );
    }

    #[test]
    fn tool_args_are_flat_triples() {
        let args: Vec<String> =
            tool_args(&[range(0, 1000, 1), range(1, 100_000, 65_536)]).collect();
        assert_eq!(args, ["0", "1000", "1", "1", "100000", "65536"]);
    }

    /// What the kernel prints for the initial user namespace and for a rootless one.
    #[test]
    fn parses_the_kernels_format() {
        let path = Path::new("/proc/1/uid_map");
        let initial = "         0          0 4294967295\n";
        assert_eq!(
            parse_id_maps(path, initial).unwrap(),
            [range(0, 0, u32::MAX)]
        );
        let rootless = "         0       1000          1\n         1     100000      65536\n";
        assert_eq!(
            parse_id_maps(path, rootless).unwrap(),
            [range(0, 1000, 1), range(1, 100_000, 65_536)]
        );
        // A namespace whose maps are not written yet.
        assert_eq!(parse_id_maps(path, "").unwrap(), []);
        // What we write reads back the same.
        let maps = [range(5, 6, 7), range(100, 200, 300)];
        assert_eq!(parse_id_maps(path, &map_file_content(&maps)).unwrap(), maps);
    }

    #[test]
    fn refuses_lines_that_are_not_three_ids() {
        let path = Path::new("/proc/1/gid_map");
        for (text, bad_line) in [
            ("0 0\n", 1),
            ("0 1000 1\n0 1 2 3\n", 2),
            ("0 -1 1\n", 1),
            ("0 0 4294967296\n", 1),
            ("uid 0 1\n", 1),
        ] {
            match parse_id_maps(path, text) {
                Err(NamespacesError::ParseIdMap { line, path: p, .. }) => {
                    assert_eq!((line, p.as_path()), (bad_line, path), "{text:?}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
        let err = parse_id_maps(path, "0 x 1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "/proc/1/gid_map line 1 is not an id map range: \"0 x 1\""
        );
    }

    #[test]
    fn reads_a_fixture_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uid_map");
        fs::write(&path, "         0     100000      65536\n").unwrap();
        assert_eq!(read_id_maps(&path).unwrap(), [range(0, 100_000, 65_536)]);
        let missing = dir.path().join("missing");
        assert!(matches!(
            read_id_maps(&missing),
            Err(NamespacesError::ReadIdMap { .. })
        ));
    }
}
