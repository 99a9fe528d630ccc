//! How fast profiles compile, and how many instructions their programs make a syscall walk.
//!
//! Criterion times `compile_for` on Docker's default profile (as podman uses it on x86_64)
//! and on podman's generated one; the test interpreter counts the instructions executed for
//! each syscall the profile names, and the mean is printed as a `summary:` line, which
//! `cargo xtask bench` collects.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::hint::black_box;

use criterion::Criterion;
use hull_configs::Seccomp;
use hull_seccomp::interpreter::{self, SeccompData};
use hull_seccomp::{Arch, compile_for};
use support::profiles;

fn compile_time(c: &mut Criterion, name: &str, config: &Seccomp) {
    c.bench_function(&format!("seccomp/compile/{name}"), |b| {
        b.iter(|| compile_for(black_box(config), Arch::X86_64))
    });
}

/// The mean number of instructions executed over the syscalls `config` names (x86_64, all
/// arguments zero), with the program's length and the worst case.
fn walk_summary(name: &str, config: &Seccomp) -> String {
    let filter = match compile_for(config, Arch::X86_64) {
        Ok(filter) => filter,
        Err(err) => return format!("summary: seccomp/walk/{name}: cannot compile: {err}"),
    };
    let names: BTreeSet<&str> = config.syscalls.iter().map(|r| r.name.as_str()).collect();
    let counts: Vec<usize> = names
        .iter()
        .filter_map(|name| Arch::X86_64.syscall_number(name))
        .filter_map(|nr| {
            let data = SeccompData::new(Arch::X86_64, nr, [0; 6]);
            interpreter::run(filter.program(), &data).ok()
        })
        .map(|run| run.executed)
        .collect();
    let total: usize = counts.iter().sum();
    let mean = total as f64 / counts.len().max(1) as f64;
    let most = counts.iter().max().copied().unwrap_or_default();
    format!(
        "summary: seccomp/walk/{name}: {mean:.2} instructions per syscall on average \
         (max {most}) over its {} x86_64 syscalls; program of {} instructions",
        counts.len(),
        filter.program().len()
    )
}

fn main() {
    let docker = profiles::docker_x86_64();
    let podman = profiles::podman();
    let mut c = Criterion::default().configure_from_args();
    compile_time(&mut c, "docker-default", &docker);
    compile_time(&mut c, "podman-generated", &podman);
    c.final_summary();
    println!("{}", walk_summary("docker-default", &docker));
    println!("{}", walk_summary("podman-generated", &podman));
}
