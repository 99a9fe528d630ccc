//! The markdown report: latencies with their spread and ratios, peak RSS per subcommand,
//! scaling with the number of containers, and the targets of issue 7.

use std::fmt::Write as _;

use super::plan::Plan;
use super::results::{self, CRUN, CYCLE, FLOOR, HULL, LIBRARY, RUN, RUNC, Results, step};
use super::stats::{self, Spread};

/// The runtimes in the order of the tables.
const ORDER: [&str; 5] = [HULL, CRUN, RUNC, LIBRARY, FLOOR];

/// The report of one run; `setting` says where it ran (host, isolation).
pub fn markdown(results: &Results, plan: &Plan, setting: &str) -> String {
    let mut out = String::new();
    let kind = if plan.quick {
        "quick run (`--quick`: too few samples to quote)"
    } else {
        "full run"
    };
    // Writing to a String cannot fail: the results of `writeln!` are ignored below.
    let _ = writeln!(out, "# hull, crun and runc side by side ({kind})\n");
    let _ = writeln!(out, "{setting}\n");
    latency(&mut out, results, plan);
    rss(&mut out, results);
    scaling(&mut out, results, plan);
    targets(&mut out, results, plan);
    out
}

/// The rows of the latency table: (scenario, step).
fn latency_rows(plan: &Plan) -> Vec<(String, &'static str)> {
    let mut rows = vec![
        (RUN.to_owned(), step::RUN),
        (CYCLE.to_owned(), step::TOTAL),
        (CYCLE.to_owned(), step::CREATE),
        (CYCLE.to_owned(), step::START),
        (CYCLE.to_owned(), step::DELETE),
    ];
    for &n in &plan.scales {
        for step in step::SCALE {
            rows.push((results::scale(n), step));
        }
    }
    rows
}

fn latency(out: &mut String, results: &Results, plan: &Plan) {
    let _ = writeln!(
        out,
        "## Latency (ms, wall clock from spawn to exit)\n\n\
         | scenario | step | runtime | n | median | p10 | p90 | cpu | × crun | × runc | × floor |\n\
         |---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for (scenario, step) in latency_rows(plan) {
        let median_of = |runtime| stats::median(&results.walls_ms(&scenario, step, runtime));
        let (crun, runc, floor) = (median_of(CRUN), median_of(RUNC), median_of(FLOOR));
        for runtime in ORDER {
            let Some(s) = stats::spread(&results.walls_ms(&scenario, step, runtime)) else {
                continue;
            };
            let cpu = stats::median(&results.cpu_ms(&scenario, step, runtime));
            let _ = writeln!(
                out,
                "| {scenario} | {step} | {runtime} | {} | {} | {} | {} | {} | {} | {} | {} |",
                s.n,
                ms(s.median),
                ms(s.p10),
                ms(s.p90),
                cpu.map_or("—".into(), ms),
                ratio(s.median, crun),
                ratio(s.median, runc),
                ratio(s.median, floor),
            );
        }
    }
    let _ = writeln!(
        out,
        "\ncpu: median user + system time of the runtime process and the children it \
         waited for. {LIBRARY}: criterion's per-iteration means, one process doing \
         `Factory::create`, `run`, `wait`, `destroy` (run separately, not interleaved).\n"
    );
}

fn rss(out: &mut String, results: &Results) {
    let _ = writeln!(
        out,
        "## Peak RSS per subcommand (MiB, median / max of `ru_maxrss` from `wait4`)\n\n\
         | subcommand | hull | crun | runc | hull × crun |\n|---|---:|---:|---:|---:|"
    );
    for step in step::SUBCOMMANDS {
        let of = |runtime| stats::spread(&results.rss_mib(step, runtime));
        let cell = |s: Option<Spread>| {
            s.map_or("—".into(), |s| format!("{:.1} / {:.1}", s.median, s.max))
        };
        let (hull, crun, runc) = (of(HULL), of(CRUN), of(RUNC));
        let _ = writeln!(
            out,
            "| {step} | {} | {} | {} | {} |",
            cell(hull),
            cell(crun),
            cell(runc),
            ratio(hull.map_or(f64::NAN, |s| s.median), crun.map(|s| s.median)),
        );
    }
    let _ = writeln!(
        out,
        "\n`ru_maxrss` of a waited-for process is the largest of its own and of its reaped \
         descendants' (hull's stage 1, runc's `runc init`), not their sum.\n"
    );
}

fn scaling(out: &mut String, results: &Results, plan: &Plan) {
    let (Some(&small), Some(&large)) = (plan.scales.first(), plan.scales.last()) else {
        return;
    };
    let _ = writeln!(
        out,
        "## Scaling: median ms per container at N={small} and N={large}\n\n\
         | step | runtime | N={small} | N={large} | ratio | first {small} of {large} | last {small} of {large} |\n\
         |---|---|---:|---:|---:|---:|---:|"
    );
    let (at_small, at_large) = (results::scale(small), results::scale(large));
    for step in step::SCALE {
        for runtime in [HULL, CRUN, RUNC] {
            let a = stats::median(&results.walls_ms(&at_small, step, runtime));
            let b = stats::median(&results.walls_ms(&at_large, step, runtime));
            let part = |keep: &dyn Fn(usize) -> bool| {
                let walls: Vec<f64> = results
                    .select(&at_large, step, runtime)
                    .filter(|r| keep(r.ordinal))
                    .map(|r| r.sample.wall.as_secs_f64() * 1e3)
                    .collect();
                stats::median(&walls).map_or("—".into(), ms)
            };
            let (first, last) = if step == step::LIST {
                ("—".into(), "—".into())
            } else {
                (part(&|i| i < small), part(&|i| i >= large - small))
            };
            let _ = writeln!(
                out,
                "| {step} | {runtime} | {} | {} | {} | {first} | {last} |",
                a.map_or("—".into(), ms),
                b.map_or("—".into(), ms),
                ratio(b.unwrap_or(f64::NAN), a),
            );
        }
    }
    let _ = writeln!(out);
}

fn targets(out: &mut String, results: &Results, plan: &Plan) {
    let median =
        |scenario: &str, step, runtime| stats::median(&results.walls_ms(scenario, step, runtime));
    let _ = writeln!(out, "## Targets of issue 7\n");
    for (what, scenario, step) in [
        ("run", RUN, step::RUN),
        ("create → start → delete", CYCLE, step::TOTAL),
    ] {
        let (hull, crun) = (median(scenario, step, HULL), median(scenario, step, CRUN));
        let verdict = match (hull, crun) {
            (Some(h), Some(c)) if h <= 0.8 * c => format!("met ({:.2} × crun)", h / c),
            (Some(h), Some(c)) => format!("NOT met ({:.2} × crun, target ≤ 0.80)", h / c),
            _ => "not measured".into(),
        };
        let _ = writeln!(out, "- {what}: hull median ≤ 0.8 × crun's: {verdict}");
    }
    let worst = |runtime| {
        step::SUBCOMMANDS
            .iter()
            .filter_map(|step| stats::spread(&results.rss_mib(step, runtime)).map(|s| s.max))
            .fold(f64::NAN, f64::max)
    };
    let (hull, crun) = (worst(HULL), worst(CRUN));
    let verdict = if hull <= crun { "met" } else { "NOT met" };
    let _ = writeln!(
        out,
        "- peak RSS of hull ≤ crun's (largest over subcommands): {verdict} ({hull:.1} MiB \
         against {crun:.1} MiB)"
    );
    if let (Some(&small), Some(&large)) = (plan.scales.first(), plan.scales.last()) {
        let per = |n| median(&results::scale(n), step::CREATE_START, HULL);
        let list = |n| median(&results::scale(n), step::LIST, HULL);
        let _ = writeln!(
            out,
            "- hull's create+start per container from N={small} to N={large}: {} ms → {} ms; \
             `list`: {} ms → {} ms",
            per(small).map_or("—".into(), ms),
            per(large).map_or("—".into(), ms),
            list(small).map_or("—".into(), ms),
            list(large).map_or("—".into(), ms),
        );
    }
}

/// Milliseconds with three significant digits or so.
fn ms(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.1}")
    }
}

/// `value / base` as `1.23×`, or `—` without a base.
fn ratio(value: f64, base: Option<f64>) -> String {
    match base {
        Some(base) if base > 0.0 && value.is_finite() => format!("{:.2}×", value / base),
        _ => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_and_milliseconds() {
        assert_eq!(ratio(3.0, Some(2.0)), "1.50×");
        assert_eq!(ratio(3.0, None), "—");
        assert_eq!(ratio(f64::NAN, Some(1.0)), "—");
        assert_eq!(ms(4.567), "4.57");
        assert_eq!(ms(45.67), "45.7");
    }
}
