//! The one bundle all runtimes run: the test rootfs and `hull spec`'s config.json with the
//! terminal off, rewritten before each container with its program and cgroup path.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use super::BenchError;
use super::cgroupfs::PARENT;
use crate::error::{Result, XtaskError};
use crate::{command, rootfs};

/// The spec version written in the config: runc 1.1.5's. crun 1.8.1 refuses `hull spec`'s
/// own (1.2.1) with "unknown version specified"; the fields used here mean the same in both.
const OCI_VERSION: &str = "1.0.2";

/// A bundle directory: `rootfs/` and `config.json`.
#[derive(Debug)]
pub struct Bundle {
    /// The directory, absolute.
    pub dir: PathBuf,
    /// The config every container starts from.
    base: Value,
}

impl Bundle {
    /// Builds the test rootfs in `dir/rootfs` and writes `dir/config.json` with `hull spec`,
    /// then turns the terminal off and sets a spec version every runtime accepts.
    pub fn prepare(dir: &Path, hull: &Path) -> Result<Bundle> {
        let built = rootfs::build(&dir.join("rootfs"))?;
        println!("{built}");
        let config = dir.join("config.json");
        match std::fs::remove_file(&config) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(XtaskError::RemoveDir {
                    path: config,
                    source,
                });
            }
        }
        command::run(Command::new(hull).arg("spec").arg("--bundle").arg(dir))?;
        let text = std::fs::read_to_string(&config).map_err(|source| XtaskError::ReadFile {
            path: config.clone(),
            source,
        })?;
        let mut base: Value = serde_json::from_str(&text).map_err(|source| BenchError::Spec {
            path: config.clone(),
            source,
        })?;
        for field in ["process", "linux"] {
            if !base[field].is_object() {
                return Err(BenchError::SpecField {
                    path: config,
                    field,
                }
                .into());
            }
        }
        base["ociVersion"] = OCI_VERSION.into();
        base["process"]["terminal"] = false.into();
        Ok(Bundle {
            dir: built.dir.parent().unwrap_or(dir).to_owned(),
            base,
        })
    }

    /// Writes the config for container `id`: program `args`, cgroup `/hull-bench/<id>`.
    pub fn configure(&self, id: &str, args: &[&str]) -> Result<()> {
        let mut config = self.base.clone();
        config["process"]["args"] = json!(args);
        config["linux"]["cgroupsPath"] = cgroups_path(id).into();
        let path = self.dir.join("config.json");
        let text = serde_json::to_string_pretty(&config).map_err(|source| BenchError::Spec {
            path: path.clone(),
            source,
        })?;
        std::fs::write(&path, text).map_err(|source| XtaskError::WriteFile { path, source })
    }
}

/// The cgroup of container `id`: absolute, under the benchmark's own parent.
pub fn cgroups_path(id: &str) -> String {
    format!("/{PARENT}/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configures_program_and_cgroup() {
        let dir = std::env::temp_dir().join(format!("hull-bench-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bundle = Bundle {
            dir: dir.clone(),
            base: json!({"ociVersion": "1.0.2", "process": {"args": ["sh"]}, "linux": {}}),
        };
        bundle.configure("hull-7", &["/bin/true"]).unwrap();
        let written: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap())
                .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(written["process"]["args"], json!(["/bin/true"]));
        assert_eq!(written["linux"]["cgroupsPath"], "/hull-bench/hull-7");
    }
}
