//! The demo that `cargo xtask demo` runs: a real container from hull's default spec, with the
//! probe as its program, a hostname and a 64 MiB memory limit in a cgroup of its own.
//!
//! Usage: `demo BUNDLE`, where `BUNDLE/rootfs` is a root filesystem (`cargo xtask rootfs`).
//! It writes `BUNDLE/config.json`, runs the container (state under `BUNDLE/state`), and
//! shows what the container saw from inside. Run it as root.

use std::error::Error;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use hull_container::configs::specconv::{self, SpecOptions};
use hull_container::configs::validate::HostFacts;
use hull_container::configs::{DefaultSpecOptions, default_spec_value};
use hull_container::{Factory, Process, Stdio, chain};

fn main() -> ExitCode {
    // The container's init is this very program: it takes over here.
    hull_container::init();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("demo: {}", chain(err.as_ref()));
            ExitCode::FAILURE
        }
    }
}

/// The command the container runs: the memory limit as the container sees it in its cgroup
/// filesystem (v1, or v2), then the probe's report, as pid 1 in place of the shell.
const SCRIPT: &str = "(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || \
    cat /sys/fs/cgroup/memory.max) && exec hull-probe report";

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
    spec["process"]["args"] = serde_json::json!(["/bin/sh", "-c", SCRIPT]);
    spec["hostname"] = "hull-demo".into();
    spec["linux"]["cgroupsPath"] = "/hull-demo".into();
    spec["linux"]["resources"]["memory"] = serde_json::json!({ "limit": 64 << 20 });
    std::fs::write(
        bundle.join("config.json"),
        serde_json::to_string_pretty(&spec)?,
    )?;

    let oci = specconv::load_spec(&bundle)?;
    let opts = SpecOptions {
        bundle: bundle.clone(),
        cgroup_name: "hull-demo".into(),
        ..SpecOptions::default()
    };
    let conversion = specconv::convert(&oci, &opts)?;
    for warning in &conversion.warnings {
        eprintln!("demo: warning: {warning}");
    }

    let factory = Factory::new(bundle.join("state"))?;
    if let Ok(stale) = factory.load("hull-demo") {
        stale.destroy()?;
    }
    let mut container = factory.create("hull-demo", conversion.config)?;
    let (mut output, writer) = std::io::pipe()?;
    let mut process = Process::new(["/bin/sh", "-c", SCRIPT]);
    process.env = vec!["PATH=/bin:/usr/bin".into()];
    process.stdout = Stdio::Fd(writer.into());
    let ran = container.run(&mut process);
    let mut text = String::new();
    if ran.is_ok() {
        output.read_to_string(&mut text)?;
    }
    let status = ran.and_then(|()| process.wait());
    container.destroy()?;
    let status = status?;
    report(&text, status.code())
}

/// Prints what the container saw.
fn report(text: &str, code: i32) -> Result<(), Box<dyn Error>> {
    let (limit, json) = text.split_once('\n').unwrap_or(("", text));
    let seen: serde_json::Value = serde_json::from_str(json.trim())?;
    let mounts = seen["mounts"].as_array().map(Vec::len).unwrap_or(0);
    let points: Vec<&str> = seen["mounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["mount_point"].as_str())
        .take(8)
        .collect();
    println!("hull demo: a container ran and exited with status {code}. From inside, it saw:");
    println!("  pid:      {}", seen["pid"]);
    println!("  hostname: {}", seen["hostname"]);
    println!(
        "  mounts:   {mounts} of its own ({} ...)",
        points.join(", ")
    );
    println!(
        "  memory:   a limit of {} bytes in its cgroup",
        limit.trim()
    );
    println!("  user:     uid {} in {}", seen["ids"]["uid"], seen["cwd"]);
    Ok(())
}
