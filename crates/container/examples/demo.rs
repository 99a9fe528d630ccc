//! The demo that `cargo xtask demo` runs: the default spec, made into a small container
//! (the probe as its program, a hostname, a 64 MiB memory limit, its own cgroup), converted
//! and validated as `hull create` will do.
//!
//! Usage: `demo BUNDLE`, where `BUNDLE/rootfs` is a root filesystem (`cargo xtask rootfs`).
//! It writes `BUNDLE/config.json` and prints the container configuration it would run.
//! Running it arrives with the container lifecycle; until then the demo stops here.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use hull_container::configs::specconv::{self, SpecOptions};
use hull_container::configs::validate::{self, HostFacts};
use hull_container::configs::{DefaultSpecOptions, default_spec_value};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut text = err.to_string();
            let mut source = err.source();
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("demo: {text}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let bundle: PathBuf = std::env::args_os()
        .nth(1)
        .ok_or("usage: demo BUNDLE")?
        .into();
    let bundle = bundle.canonicalize()?;
    let host = HostFacts::detect();

    let mut spec = default_spec_value(DefaultSpecOptions {
        rootless: None,
        cgroup_namespace: host.cgroup2_unified,
    });
    spec["process"]["terminal"] = false.into();
    spec["process"]["args"] = serde_json::json!(["/bin/hull-probe", "report"]);
    spec["hostname"] = "hull-demo".into();
    spec["linux"]["cgroupsPath"] = "/hull-demo".into();
    spec["linux"]["resources"]["memory"] = serde_json::json!({ "limit": 64 << 20 });
    std::fs::write(
        bundle.join("config.json"),
        serde_json::to_string_pretty(&spec)?,
    )?;

    let spec = specconv::load_spec(&bundle)?;
    let opts = SpecOptions {
        bundle: bundle.clone(),
        cgroup_name: "hull-demo".into(),
        ..SpecOptions::default()
    };
    let conversion = specconv::convert(&spec, &opts)?;
    for warning in &conversion.warnings {
        eprintln!("demo: warning: {warning}");
    }
    let config = conversion.config;
    validate::validate(&config, &host)?;

    println!("{}", serde_json::to_string_pretty(&config)?);
    let memory = config.cgroup.resources.memory.unwrap_or(-1);
    println!();
    println!(
        "hull demo: the bundle {} converts and validates on this host.",
        bundle.display()
    );
    println!(
        "It would run {:?} as pid 1 of new {} namespaces, with hostname {:?}, a memory limit of {} MiB in cgroup {}, on a read-only root with {} mounts.",
        spec.process()
            .as_ref()
            .and_then(|p| p.args().clone())
            .unwrap_or_default(),
        config
            .namespaces
            .0
            .iter()
            .map(|ns| ns.kind.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        config.hostname.as_deref().unwrap_or_default(),
        memory >> 20,
        config.cgroup.path.as_deref().unwrap_or_default(),
        config.mounts.len(),
    );
    println!("Running it arrives with the container lifecycle (hull-container).");
    Ok(())
}
