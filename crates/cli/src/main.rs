//! `hull`, a runc-compatible command line.

fn main() {}
