//! The Debian packages the tests need, and installing them with apt.

use std::process::{Command, Stdio};

use crate::command;
use crate::error::Result;
use crate::sys;

/// A Debian package the tests need.
pub struct Package {
    /// Its Debian name.
    pub name: &'static str,
    /// What the tests use it for, shown when it is missing.
    pub why: &'static str,
}

/// The Debian packages `cargo xtask test` and `cargo xtask demo` make sure of. A new need
/// (criu for checkpoint tests, ...) goes here, with its reason.
pub const TEST_PACKAGES: &[Package] = &[
    Package {
        name: "busybox-static",
        why: "a static /bin/sh and core utilities for the test rootfs",
    },
    Package {
        name: "libc6-dev",
        why: "libc.a, to link hull-probe statically",
    },
    Package {
        name: "util-linux",
        why: "unshare(1), with which the rootfs tests mount /proc in a private mount namespace",
    },
    Package {
        name: "uidmap",
        why: "newuidmap and newgidmap, which write several id ranges for an unprivileged user",
    },
    Package {
        name: "iproute2",
        why: "ip netns, to make the bind-mounted network namespaces containers join in tests",
    },
];

/// What [`ensure`] found and did.
pub enum Outcome {
    /// All were installed already.
    Present,
    /// These were missing and are now installed.
    Installed(Vec<&'static str>),
    /// These are missing, and we are not root to install them.
    Missing(Vec<&'static str>),
    /// This is not a Debian system (no `dpkg-query`): nothing was checked.
    Unchecked,
}

impl Outcome {
    /// A few words for a summary line.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Present => "ok".into(),
            Outcome::Installed(names) => format!("ok (installed {})", names.join(" ")),
            Outcome::Missing(names) => format!("missing {}", names.join(" ")),
            Outcome::Unchecked => "unchecked (no dpkg-query)".into(),
        }
    }
}

/// Makes sure `packages` are installed: as root, installs the missing ones with apt-get;
/// otherwise says what to install and carries on (the tests that need them fail later).
pub fn ensure(packages: &'static [Package]) -> Result<Outcome> {
    let mut missing = Vec::new();
    for package in packages {
        match is_installed(package.name) {
            Some(true) => {}
            Some(false) => missing.push(package),
            None => {
                println!(
                    "packages: no dpkg-query, not a Debian system: make sure these are installed:"
                );
                print_list(packages);
                return Ok(Outcome::Unchecked);
            }
        }
    }
    let names: Vec<&'static str> = missing.iter().map(|p| p.name).collect();
    if missing.is_empty() {
        let all: Vec<&str> = packages.iter().map(|p| p.name).collect();
        println!("packages: installed: {}", all.join(" "));
        return Ok(Outcome::Present);
    }
    if !sys::is_root() {
        println!("warning: missing Debian packages, and not root to install them:");
        print_list(missing.iter().copied());
        println!(
            "  install them as root with: apt-get install {}",
            names.join(" ")
        );
        return Ok(Outcome::Missing(names));
    }
    println!("packages: installing {}", names.join(" "));
    command::run(Command::new("apt-get").arg("update"))?;
    command::run(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&names)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    Ok(Outcome::Installed(names))
}

fn print_list<'a>(packages: impl IntoIterator<Item = &'a Package>) {
    for package in packages {
        println!("  {}: {}", package.name, package.why);
    }
}

/// Whether Debian package `name` is installed; `None` when dpkg-query cannot run.
fn is_installed(name: &str) -> Option<bool> {
    let output = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", name])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    // "install ok installed"; an unknown package makes dpkg-query fail.
    let status = String::from_utf8_lossy(&output.stdout);
    Some(output.status.success() && status.split_whitespace().nth(2) == Some("installed"))
}
