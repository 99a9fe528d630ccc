//! Writing the uid and gid maps of a process that has just unshared its user namespace:
//! directly to `/proc/<pid>/uid_map` and `gid_map` where the kernel lets the writer, through
//! the setuid `newuidmap` / `newgidmap` of shadow-utils otherwise.
//!
//! [`IdMapper::plan`] decides, as a pure function of the maps and the writer's credentials,
//! which files get what (or which tool runs with which arguments); [`IdMapStep::apply`]
//! carries each step out.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use caps::{CapSet, Capability};
use hull_configs::IdMap;
use nix::unistd::{Pid, getegid, geteuid};

use crate::error::{NamespacesError, Result};
use crate::idmap::{map_file_content, tool_args};

/// Where the uid/gid maps of a child's new user namespace are written from: the paths of
/// the shadow-utils mapping tools (Debian package `uidmap`), for writers that need them.
///
/// The default has no tools: enough for a privileged writer, or an unprivileged one that
/// maps only its own ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdMapper {
    /// `newuidmap`, used for uid maps the caller may not write itself.
    pub newuidmap: Option<PathBuf>,
    /// `newgidmap`, used for gid maps the caller may not write itself.
    pub newgidmap: Option<PathBuf>,
}

/// The credentials of the process that writes the maps, which decide what the kernel lets
/// it write (`user_namespaces(7)`, "Defining user and group ID mappings").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Writer {
    /// The effective uid.
    pub euid: u32,
    /// The effective gid.
    pub egid: u32,
    /// `CAP_SETUID` is in the effective set, so the writer is privileged over the parent
    /// of the child's user namespace (its own user namespace: the child unshared from it).
    pub cap_setuid: bool,
    /// `CAP_SETGID` is in the effective set, likewise.
    pub cap_setgid: bool,
}

/// One step of writing a child's maps, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdMapStep {
    /// Write `deny` to `/proc/<pid>/setgroups`, which the kernel requires before an
    /// unprivileged writer's gid map.
    DenySetgroups {
        /// The setgroups file.
        path: PathBuf,
    },
    /// Write `content` to a map file in one `write(2)`.
    WriteMap {
        /// `/proc/<pid>/uid_map` or `gid_map`.
        path: PathBuf,
        /// One `inside outside count` line per range.
        content: String,
    },
    /// Run `program pid args...` with an empty environment.
    RunTool {
        /// `newuidmap` or `newgidmap`.
        program: PathBuf,
        /// The process whose namespace it maps.
        pid: Pid,
        /// The ranges as `inside outside count` triples.
        args: Vec<String>,
    },
}

/// The two kinds of map.
#[derive(Clone, Copy)]
struct Ids {
    which: &'static str,
    file: &'static str,
    tool: &'static str,
}

const UIDS: Ids = Ids {
    which: "uid",
    file: "uid_map",
    tool: "newuidmap",
};

const GIDS: Ids = Ids {
    which: "gid",
    file: "gid_map",
    tool: "newgidmap",
};

/// How the kernel lets one map be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// The writer has `CAP_SETUID` / `CAP_SETGID` over the parent namespace: any ranges.
    Privileged,
    /// One range of one id, the writer's own effective id: allowed without privilege (a
    /// gid map only once setgroups is denied).
    OwnId,
    /// Anything else needs the setuid tool, which checks `/etc/subuid` / `/etc/subgid`.
    Tool,
}

fn route(maps: &[IdMap], own_id: u32, privileged: bool) -> Route {
    match maps {
        _ if privileged => Route::Privileged,
        [only] if only.host_id == own_id && only.size == 1 => Route::OwnId,
        _ => Route::Tool,
    }
}

impl IdMapper {
    /// The mapper with `newuidmap` and `newgidmap` as found in the absolute directories of
    /// `search_path` (a `PATH`-style list); a tool that is not found stays `None`.
    pub fn find_in(search_path: &OsStr) -> IdMapper {
        let find = |name: &str| {
            std::env::split_paths(search_path)
                .filter(|dir| dir.is_absolute())
                .map(|dir| dir.join(name))
                .find(|path| is_executable(path))
        };
        IdMapper {
            newuidmap: find(UIDS.tool),
            newgidmap: find(GIDS.tool),
        }
    }

    /// [`IdMapper::find_in`] the caller's `PATH`, as runc looks the tools up.
    pub fn find() -> IdMapper {
        std::env::var_os("PATH")
            .map(|path| IdMapper::find_in(&path))
            .unwrap_or_default()
    }

    /// The steps that write `uid_maps` and `gid_maps` for process `pid` by `writer`, with
    /// procfs at `proc`. An empty list of maps is left unwritten.
    ///
    /// Each map is written directly when the writer is privileged for it, or when it is a
    /// single range of one id that is the writer's own; otherwise through the tool. `deny`
    /// goes to `setgroups` first exactly when an unprivileged writer writes its own gid
    /// directly, as the kernel requires; never otherwise (`newgidmap` decides it itself).
    ///
    /// # Errors
    ///
    /// [`NamespacesError::MappingToolMissing`] when a map needs a tool this mapper has no
    /// path for.
    pub fn plan(
        &self,
        proc: &Path,
        pid: Pid,
        writer: &Writer,
        uid_maps: &[IdMap],
        gid_maps: &[IdMap],
    ) -> Result<Vec<IdMapStep>> {
        let dir = proc.join(pid.to_string());
        let uid_route = route(uid_maps, writer.euid, writer.cap_setuid);
        let gid_route = route(gid_maps, writer.egid, writer.cap_setgid);
        let mut steps = Vec::with_capacity(3);
        if !gid_maps.is_empty() && gid_route == Route::OwnId {
            steps.push(IdMapStep::DenySetgroups {
                path: dir.join("setgroups"),
            });
        }
        for (ids, maps, route, tool) in [
            (UIDS, uid_maps, uid_route, &self.newuidmap),
            (GIDS, gid_maps, gid_route, &self.newgidmap),
        ] {
            if maps.is_empty() {
                continue;
            }
            steps.push(match (route, tool) {
                (Route::Privileged | Route::OwnId, _) => IdMapStep::WriteMap {
                    path: dir.join(ids.file),
                    content: map_file_content(maps),
                },
                (Route::Tool, Some(program)) => IdMapStep::RunTool {
                    program: program.clone(),
                    pid,
                    args: tool_args(maps).collect(),
                },
                (Route::Tool, None) => {
                    return Err(NamespacesError::MappingToolMissing {
                        which: ids.which,
                        tool: ids.tool,
                        pid,
                    });
                }
            });
        }
        Ok(steps)
    }

    /// Writes the uid and gid maps of `pid`, a process that has just unshared its user
    /// namespace from the caller's, as the caller's credentials allow: the
    /// [`IdMapper::plan`] for [`Writer::current`], applied step by step.
    ///
    /// # Errors
    ///
    /// Those of [`Writer::current`], [`IdMapper::plan`] and [`IdMapStep::apply`].
    ///
    /// # References
    ///
    /// - <https://man7.org/linux/man-pages/man7/user_namespaces.7.html>
    /// - <https://man7.org/linux/man-pages/man1/newuidmap.1.html>
    #[doc(alias = "uid_map")]
    #[doc(alias = "newuidmap")]
    pub fn write(&self, pid: Pid, uid_maps: &[IdMap], gid_maps: &[IdMap]) -> Result<()> {
        let writer = Writer::current()?;
        let steps = self.plan(Path::new("/proc"), pid, &writer, uid_maps, gid_maps)?;
        steps.iter().try_for_each(IdMapStep::apply)
    }
}

impl Writer {
    /// The credentials of the calling thread: `geteuid()`, `getegid()` and its effective
    /// capabilities (`capget(2)`).
    ///
    /// # Errors
    ///
    /// [`NamespacesError::ReadCapabilities`] when `capget(2)` fails.
    pub fn current() -> Result<Writer> {
        let has = |cap| {
            caps::has_cap(None, CapSet::Effective, cap).map_err(NamespacesError::ReadCapabilities)
        };
        Ok(Writer {
            euid: geteuid().as_raw(),
            egid: getegid().as_raw(),
            cap_setuid: has(Capability::CAP_SETUID)?,
            cap_setgid: has(Capability::CAP_SETGID)?,
        })
    }
}

impl IdMapStep {
    /// Carries the step out. Files are written with a single `write(2)`, as the kernel
    /// wants a map whole; a tool runs with an empty environment and must exit with 0.
    ///
    /// # Errors
    ///
    /// [`NamespacesError::DenySetgroups`], [`NamespacesError::WriteIdMap`],
    /// [`NamespacesError::RunMappingTool`] or [`NamespacesError::MappingToolFailed`].
    pub fn apply(&self) -> Result<()> {
        match self {
            IdMapStep::DenySetgroups { path } => {
                write_once(path, b"deny").map_err(|source| NamespacesError::DenySetgroups {
                    path: path.clone(),
                    source,
                })
            }
            IdMapStep::WriteMap { path, content } => {
                write_once(path, content.as_bytes()).map_err(|source| NamespacesError::WriteIdMap {
                    path: path.clone(),
                    source,
                })
            }
            IdMapStep::RunTool { program, pid, args } => run_tool(program, *pid, args),
        }
    }
}

/// Opens `path` for writing (no create, no truncate: a proc file; a file of the real procfs
/// through the verified handle of [`crate::procfs`]) and writes `bytes` in one call.
pub(crate) fn write_once(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let written = crate::procfs::open_for_write(path)?.write(bytes)?;
    match written == bytes.len() {
        true => Ok(()),
        false => Err(io::Error::new(
            io::ErrorKind::WriteZero,
            format!("the kernel took {written} of {} bytes", bytes.len()),
        )),
    }
}

fn run_tool(program: &Path, pid: Pid, args: &[String]) -> Result<()> {
    let output = Command::new(program)
        .arg(pid.to_string())
        .args(args)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|source| NamespacesError::RunMappingTool {
            program: program.to_owned(),
            pid,
            source,
        })?;
    match output.status.success() {
        true => Ok(()),
        false => Err(NamespacesError::MappingToolFailed {
            program: program.to_owned(),
            pid,
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        }),
    }
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
#[path = "mapper_tests.rs"]
mod tests;
