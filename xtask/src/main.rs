//! hull's project tasks.

fn main() {}
