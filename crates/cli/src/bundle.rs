//! An OCI bundle: its `config.json` turned into the container's configuration (specconv)
//! and the process it runs.

use std::path::{Path, PathBuf};

use hull_container::Process;
use hull_container::configs::oci::Spec;
use hull_container::configs::specconv::{self, SpecOptions};
use hull_container::configs::{Config, ConfigsError};

use crate::error::CliError;

/// What the command line says about how to make the container, beyond the bundle.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConvertFlags {
    /// `--no-pivot`.
    pub no_pivot: bool,
    /// `--no-new-keyring`.
    pub no_new_keyring: bool,
}

/// A bundle directory and its spec.
#[derive(Debug)]
pub struct Bundle {
    /// The directory, absolute and canonical.
    pub path: PathBuf,
    /// Its `config.json`.
    pub spec: Spec,
}

impl Bundle {
    /// Reads the bundle at `dir`, or the current directory; the path is made absolute and
    /// canonical, so that nothing depends on hull's working directory afterwards.
    ///
    /// # Errors
    ///
    /// [`CliError::Bundle`] when the directory cannot be resolved,
    /// [`CliError::Configs`] when `config.json` cannot be read, [`CliError::Spec`] when it
    /// is malformed.
    pub fn load(dir: Option<&Path>) -> Result<Bundle, CliError> {
        let dir = dir.unwrap_or(Path::new("."));
        let path = std::fs::canonicalize(dir).map_err(|source| CliError::Bundle {
            path: dir.to_owned(),
            source,
        })?;
        let spec = specconv::load_spec(&path).map_err(|err| match err {
            // The reader's error names the file already; the parser's names only the field.
            err @ ConfigsError::ReadFile { .. } => CliError::Configs(err),
            source => CliError::Spec {
                path: path.join("config.json"),
                source,
            },
        })?;
        Ok(Bundle { path, spec })
    }

    /// The container's configuration: the spec converted as runc converts it, with the
    /// cgroup named after `id` when the spec gives no path. Conversion warnings are logged.
    ///
    /// # Errors
    ///
    /// [`CliError::Convert`] for the part of the spec that cannot be converted.
    pub fn config(&self, id: &str, flags: ConvertFlags) -> Result<Config, CliError> {
        let rootless = !nix::unistd::geteuid().is_root();
        let opts = SpecOptions {
            bundle: self.path.clone(),
            cgroup_name: id.to_owned(),
            no_pivot_root: flags.no_pivot,
            no_new_keyring: flags.no_new_keyring,
            rootless_euid: rootless,
            rootless_cgroups: rootless,
            ..SpecOptions::default()
        };
        let conversion =
            specconv::convert(&self.spec, &opts).map_err(|source| CliError::Convert {
                bundle: self.path.clone(),
                source,
            })?;
        for warning in &conversion.warnings {
            tracing::warn!("{warning}");
        }
        Ok(conversion.config)
    }

    /// The process the spec runs, as runc's `newProcess` makes it: arguments, environment,
    /// working directory, user and groups by id, and whether it gets a terminal. Its
    /// capabilities, rlimits and `no_new_privileges` are the container's, from
    /// [`Bundle::config`].
    ///
    /// # Errors
    ///
    /// [`CliError::InvalidProcess`] without a process, arguments or an absolute working
    /// directory.
    pub fn process(&self) -> Result<Process, CliError> {
        let invalid = |reason| CliError::InvalidProcess { reason };
        let spec = self
            .spec
            .process()
            .as_ref()
            .ok_or(invalid("the spec has no process"))?;
        let args = spec.args().clone().unwrap_or_default();
        if args.is_empty() {
            return Err(invalid("process.args is empty"));
        }
        if !spec.cwd().is_absolute() {
            return Err(invalid("process.cwd is not an absolute path"));
        }
        let user = spec.user();
        let mut process = Process::new(args);
        process.env = spec.env().clone().unwrap_or_default();
        process.cwd = spec.cwd().clone();
        process.user = format!("{}:{}", user.uid(), user.gid());
        process.additional_groups = user
            .additional_gids()
            .iter()
            .flatten()
            .map(u32::to_string)
            .collect();
        process.terminal = spec.terminal().unwrap_or(false);
        Ok(process)
    }

    /// Whether the spec's process asks for a terminal.
    pub fn terminal(&self) -> bool {
        self.spec
            .process()
            .as_ref()
            .and_then(|p| p.terminal())
            .unwrap_or(false)
    }
}
