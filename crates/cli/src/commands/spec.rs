//! `hull spec`: write the default `config.json` into a bundle, as `runc spec` does.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::PathBuf;

use clap::Args;
use hull_container::configs::validate::HostFacts;
use hull_container::configs::{DefaultSpecOptions, RootlessIds, default_spec_json};

use crate::error::CliError;

/// Arguments of `hull spec`.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// Write a spec for a container run by the calling non-root user.
    #[arg(long)]
    rootless: bool,
    /// The bundle directory to write config.json into.
    #[arg(short, long, default_value = ".")]
    bundle: PathBuf,
}

/// Writes `<bundle>/config.json`; refuses to overwrite one.
pub fn run(args: &SpecArgs) -> Result<(), CliError> {
    let rootless = args.rootless.then(|| RootlessIds {
        uid: nix::unistd::geteuid().as_raw(),
        gid: nix::unistd::getegid().as_raw(),
    });
    let opts = DefaultSpecOptions {
        rootless,
        cgroup_namespace: HostFacts::detect().cgroup2_unified,
    };
    let path = args.bundle.join("config.json");
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|source| match source.kind() {
            ErrorKind::AlreadyExists => CliError::SpecExists { path: path.clone() },
            _ => CliError::WriteFile {
                path: path.clone(),
                source,
            },
        })?;
    file.write_all(default_spec_json(opts).as_bytes())
        .map_err(|source| CliError::WriteFile { path, source })
}
