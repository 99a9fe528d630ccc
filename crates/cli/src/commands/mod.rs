//! One module per `hull` subcommand.

pub mod spec;
