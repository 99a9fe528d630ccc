//! The VM's initramfs: busybox, the test binaries and `hull` (without debug info) and the
//! libraries they load, the test rootfs, and an init that runs the tests on cgroup2, as a
//! `newc` cpio archive (`Documentation/driver-api/early-userspace/buffer-format.rst`).

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::command;
use crate::error::{Result, XtaskError};

/// The busybox applets the init and the tests use.
const APPLETS: &[&str] = &[
    "sh",
    "mount",
    "mkdir",
    "cat",
    "echo",
    "poweroff",
    "sleep",
    "uname",
    "head",
    "tr",
    "ls",
    "cp",
    "switch_root",
];

/// The init: moves everything onto a tmpfs root first (`pivot_root(2)`, which containers
/// need, refuses the initramfs as the current root), mounts, runs every test binary with
/// its result on a `HULL-VM:` line, and powers off (PID 1 must never exit).
const INIT: &str = r#"#!/bin/sh
export PATH=/bin
if [ ! -e /.on-tmpfs ]; then
  mkdir -p /newroot
  mount -t tmpfs -o mode=0755 tmpfs /newroot
  for entry in /*; do
    case "$entry" in /newroot|/proc|/sys|/dev) ;; *) cp -a "$entry" /newroot/ ;; esac
  done
  mkdir -p /newroot/proc /newroot/sys /newroot/dev
  echo > /newroot/.on-tmpfs
  exec switch_root /newroot /init
fi
export HULL_BINARY=/hull HULL_TEST_ROOTFS=/rootfs
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo "HULL-VM: kernel $(uname -r)"
echo "HULL-VM: controllers $(cat /sys/fs/cgroup/cgroup.controllers)"
for t in /tests/*; do
  echo "HULL-VM: run $t"
  "$t" --test-threads=1
  echo "HULL-VM: exit ${t##*/} $?"
done
poweroff -f
"#;

/// One archive member.
enum Entry {
    Dir { mode: u32 },
    File { from: PathBuf, mode: u32 },
    Text { text: &'static str, mode: u32 },
    Symlink { target: String },
}

/// What goes into the VM besides busybox and the init.
pub struct Contents<'a> {
    /// The test binaries, run in order.
    pub tests: &'a [PathBuf],
    /// The `hull` binary, installed as `/hull` (the container tests' init).
    pub hull: &'a Path,
    /// The test rootfs, copied whole to `/rootfs`.
    pub rootfs: &'a Path,
}

/// Builds the archive `image` of `contents`, staging stripped binaries in `stage`.
pub fn build(stage: &Path, image: &Path, contents: &Contents<'_>) -> Result<()> {
    let mut entries: Vec<(String, Entry)> = Vec::new();
    for dir in ["bin", "dev", "proc", "sys", "tmp", "tests"] {
        entries.push((dir.into(), Entry::Dir { mode: 0o755 }));
    }
    entries.push((
        "init".into(),
        Entry::Text {
            text: INIT,
            mode: 0o755,
        },
    ));
    entries.push((
        "bin/busybox".into(),
        Entry::File {
            from: "/bin/busybox".into(),
            mode: 0o755,
        },
    ));
    for applet in APPLETS {
        entries.push((
            format!("bin/{applet}"),
            Entry::Symlink {
                target: "busybox".into(),
            },
        ));
    }
    fs::create_dir_all(stage).map_err(|source| XtaskError::CreateDir {
        path: stage.to_owned(),
        source,
    })?;
    let mut libraries = BTreeSet::new();
    for test in contents.tests {
        let name = test
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // `cgroups_limits-0123abcd` runs as `cgroups_limits`.
        let name = name
            .rsplit_once('-')
            .map_or(name.clone(), |(base, _)| base.to_owned());
        entries.push((format!("tests/{name}"), stripped(stage, test, &name)?));
        libraries.extend(shared_libraries(test)?);
    }
    entries.push(("hull".into(), stripped(stage, contents.hull, "hull")?));
    libraries.extend(shared_libraries(contents.hull)?);
    tree(contents.rootfs, "rootfs", &mut entries)?;
    let mut dirs = BTreeSet::new();
    for library in &libraries {
        for parent in library.ancestors().skip(1).filter(|p| p != &Path::new("/")) {
            dirs.insert(parent.to_owned());
        }
    }
    for dir in dirs {
        entries.push((relative(&dir), Entry::Dir { mode: 0o755 }));
    }
    for library in libraries {
        entries.push((
            relative(&library),
            Entry::File {
                from: library,
                mode: 0o755,
            },
        ));
    }
    write_archive(image, &entries)
}

/// `binary` without debug info, staged as `stage/name`.
fn stripped(stage: &Path, binary: &Path, name: &str) -> Result<Entry> {
    let staged = stage.join(name);
    command::run(Command::new("strip").arg("-o").arg(&staged).arg(binary))?;
    Ok(Entry::File {
        from: staged,
        mode: 0o755,
    })
}

/// The directory `dir` and everything in it as members under `name`, with their modes;
/// symlinks stay links.
fn tree(dir: &Path, name: &str, entries: &mut Vec<(String, Entry)>) -> Result<()> {
    let read_error = |path: &Path| {
        let path = path.to_owned();
        move |source| XtaskError::ReadFile { path, source }
    };
    let meta = fs::symlink_metadata(dir).map_err(read_error(dir))?;
    entries.push((
        name.to_owned(),
        Entry::Dir {
            mode: meta.permissions().mode() & 0o7777,
        },
    ));
    let mut children: Vec<_> = fs::read_dir(dir)
        .map_err(read_error(dir))?
        .filter_map(std::result::Result::ok)
        .map(|entry| entry.path())
        .collect();
    children.sort();
    for path in children {
        let child = format!(
            "{name}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let meta = fs::symlink_metadata(&path).map_err(read_error(&path))?;
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&path).map_err(read_error(&path))?;
            let target = target.to_string_lossy().into_owned();
            entries.push((child, Entry::Symlink { target }));
        } else if meta.is_dir() {
            tree(&path, &child, entries)?;
        } else {
            let mode = meta.permissions().mode() & 0o7777;
            entries.push((child, Entry::File { from: path, mode }));
        }
    }
    Ok(())
}

/// The libraries `ldd` lists for `binary`, the dynamic loader included.
fn shared_libraries(binary: &Path) -> Result<Vec<PathBuf>> {
    let listing = command::stdout_of(Command::new("ldd").arg(binary))?;
    Ok(listing
        .lines()
        .filter_map(|line| {
            let path = line.split("=>").last()?.split_whitespace().next()?;
            path.starts_with('/').then(|| PathBuf::from(path))
        })
        .collect())
}

fn relative(path: &Path) -> String {
    path.to_string_lossy().trim_start_matches('/').to_owned()
}

/// Writes the members in `newc` format, then the trailer.
fn write_archive(image: &Path, entries: &[(String, Entry)]) -> Result<()> {
    let write_error = |source| XtaskError::WriteFile {
        path: image.to_owned(),
        source,
    };
    let file = fs::File::create(image).map_err(write_error)?;
    let mut out = BufWriter::new(file);
    for (index, (name, entry)) in entries.iter().enumerate() {
        let (mode, data) = match entry {
            Entry::Dir { mode } => (0o040_000 | mode, Vec::new()),
            Entry::File { from, mode } => {
                let data = fs::read(from).map_err(|source| XtaskError::ReadFile {
                    path: from.clone(),
                    source,
                })?;
                (0o100_000 | mode, data)
            }
            Entry::Text { text, mode } => (0o100_000 | mode, text.as_bytes().to_vec()),
            Entry::Symlink { target } => (0o120_777, target.as_bytes().to_vec()),
        };
        member(&mut out, index + 1, name, mode, &data).map_err(write_error)?;
    }
    member(&mut out, 0, "TRAILER!!!", 0, &[]).map_err(write_error)?;
    out.flush().map_err(write_error)
}

/// One `newc` member: a 110-byte header of hex fields, the name, the data, each padded to
/// four bytes.
fn member(
    out: &mut impl Write,
    ino: usize,
    name: &str,
    mode: u32,
    data: &[u8],
) -> std::io::Result<()> {
    let nlink = if mode & 0o040_000 != 0 { 2 } else { 1 };
    let fields = [
        ino,
        mode as usize,
        0,
        0,
        nlink,
        0,
        data.len(),
        0,
        0,
        0,
        0,
        name.len() + 1,
        0,
    ];
    let mut header = String::from("070701");
    for field in fields {
        header.push_str(&format!("{field:08X}"));
    }
    out.write_all(header.as_bytes())?;
    out.write_all(name.as_bytes())?;
    out.write_all(&[0])?;
    pad(out, 110 + name.len() + 1)?;
    out.write_all(data)?;
    pad(out, data.len())
}

fn pad(out: &mut impl Write, written: usize) -> std::io::Result<()> {
    out.write_all(&[0; 3][..(4 - written % 4) % 4])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newc_members_are_aligned() {
        let mut out = Vec::new();
        member(&mut out, 1, "init", 0o100_755, b"#!/bin/sh\n").unwrap();
        assert_eq!(&out[..6], b"070701");
        assert_eq!(out.len() % 4, 0);
        // Header, "init\0" padded to 4 (116 bytes), then 10 bytes of data padded to 12.
        assert_eq!(out.len(), 116 + 12);
        assert_eq!(&out[110..115], b"init\0");
    }
}
