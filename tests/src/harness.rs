//! A small test runner for test binaries with their own `main` (`harness = false`): those
//! that re-execute themselves as single-threaded children, which libtest's threads would
//! not allow. It prints what libtest prints, so `cargo xtask test` reads the same summary.

use std::process::ExitCode;

/// A test: `Err` says what went wrong.
pub type Test = fn() -> Result<(), String>;

/// Runs the tests whose names contain the first non-flag argument (all without one), or
/// lists them with `--list`, and prints libtest's summary line.
pub fn run(tests: &[(&str, Test)]) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--list") {
        for (name, _) in tests {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let filter = args.iter().find(|arg| !arg.starts_with('-'));
    let chosen: Vec<_> = tests
        .iter()
        .filter(|(name, _)| filter.is_none_or(|f| name.contains(f.as_str())))
        .collect();
    println!("\nrunning {} tests", chosen.len());
    let mut failed = 0;
    for (name, test) in &chosen {
        match test() {
            Ok(()) => println!("test {name} ... ok"),
            Err(message) => {
                println!("test {name} ... FAILED\n{message}\n");
                failed += 1;
            }
        }
    }
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {verdict}. {} passed; {failed} failed; 0 ignored; 0 measured; {} filtered out\n",
        chosen.len() - failed,
        tests.len() - chosen.len(),
    );
    match failed {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
