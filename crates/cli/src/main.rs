//! `hull`, a runc-compatible command line over `hull-container`.

mod commands;
mod error;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A runc-compatible runtime for Linux containers.
#[derive(Debug, Parser)]
#[command(name = "hull", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new specification file (config.json) for a bundle.
    Spec(commands::spec::SpecArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Spec(args) => commands::spec::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hull: {}", error::chain(&err));
            ExitCode::FAILURE
        }
    }
}
