//! The plot of the latency distributions: one panel per scenario, one row per runtime,
//! each a box plot (box p25 to p75, whiskers p10 to p90, a bar at the median) over the
//! samples themselves as jittered dots. Plain SVG, written by hand.

use std::fmt::Write as _;

use super::plan::Plan;
use super::results::{self, CRUN, CYCLE, FLOOR, HULL, LIBRARY, RUN, RUNC, Results, step};
use super::stats;

const WIDTH: f64 = 960.0;
/// Where the plot area starts and ends, left to right.
const LEFT: f64 = 200.0;
const RIGHT: f64 = 820.0;
const ROW: f64 = 30.0;
const TITLE: f64 = 28.0;
const AXIS: f64 = 30.0;

/// The runtimes plotted, with their colours.
const SERIES: [(&str, &str); 5] = [
    (HULL, "#d95f02"),
    (CRUN, "#1b9e77"),
    (RUNC, "#7570b3"),
    (LIBRARY, "#e7298a"),
    (FLOOR, "#666666"),
];

/// The panels: (scenario, step, title).
fn panels(plan: &Plan) -> Vec<(String, &'static str, String)> {
    let mut panels = vec![
        (
            RUN.to_owned(),
            step::RUN,
            "run (foreground, /bin/true)".to_owned(),
        ),
        (
            CYCLE.to_owned(),
            step::TOTAL,
            "create → start → wait → delete".to_owned(),
        ),
    ];
    for &n in &plan.scales {
        panels.push((
            results::scale(n),
            step::CREATE_START,
            format!("create + start, {n} containers per runtime"),
        ));
    }
    if let Some(&n) = plan.scales.last() {
        panels.push((
            results::scale(n),
            step::LIST,
            format!("list with {n} containers"),
        ));
    }
    panels
}

/// The SVG document.
pub fn plot(results: &Results, plan: &Plan, title: &str) -> String {
    let mut body = String::new();
    let mut y = 40.0;
    for (scenario, step, heading) in panels(plan) {
        y = panel(&mut body, results, &scenario, step, &heading, y);
    }
    let height = y + 10.0;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">{}</text>\n{body}</svg>\n",
        escape(title)
    )
}

/// Draws one panel from height `top`; returns where the next one starts.
fn panel(
    out: &mut String,
    results: &Results,
    scenario: &str,
    step: &str,
    heading: &str,
    top: f64,
) -> f64 {
    let series: Vec<(&str, &str, Vec<f64>)> = SERIES
        .iter()
        .map(|&(name, colour)| (name, colour, results.walls_ms(scenario, step, name)))
        .filter(|(_, _, walls)| !walls.is_empty())
        .collect();
    if series.is_empty() {
        return top;
    }
    let high = series
        .iter()
        .filter_map(|(_, _, walls)| stats::spread(walls).map(|s| s.p99))
        .fold(0.0, f64::max);
    let (step_ms, max) = ticks(high * 1.05);
    let x = |ms: f64| LEFT + (ms.min(max) / max) * (RIGHT - LEFT);
    let _ = writeln!(
        out,
        "<text x=\"10\" y=\"{}\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        top + 18.0,
        escape(heading)
    ); // writing to a String cannot fail, here and below
    let mut y = top + TITLE;
    for (name, colour, walls) in &series {
        row(out, name, colour, walls, y, &x, max);
        y += ROW;
    }
    axis(out, y, step_ms, max, &x);
    y + AXIS
}

/// One runtime's row, centred at `top + ROW / 2`.
fn row(
    out: &mut String,
    name: &str,
    colour: &str,
    walls: &[f64],
    top: f64,
    x: &dyn Fn(f64) -> f64,
    max: f64,
) {
    let Some(s) = stats::spread(walls) else {
        return;
    };
    let mid = top + ROW / 2.0;
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        LEFT - 10.0,
        mid + 4.0,
        escape(name)
    );
    for (i, &ms) in walls.iter().enumerate() {
        // A fixed jitter, so that the same data draws the same picture.
        let jitter = ((i * 7919) % 17) as f64 - 8.0;
        let fill = if ms > max { "#cc0000" } else { colour };
        let _ = writeln!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.8\" fill=\"{fill}\" fill-opacity=\"0.35\"/>",
            x(ms),
            mid + jitter
        );
    }
    let _ = writeln!(
        out,
        "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{mid}\" y2=\"{mid}\" stroke=\"{colour}\"/>\n\
         <rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"{colour}\" \
         fill-opacity=\"0.25\" stroke=\"{colour}\"/>\n\
         <line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"3\"/>\n\
         <text x=\"{}\" y=\"{}\">{:.2} ms</text>",
        x(s.p10),
        x(s.p90),
        x(s.p25),
        mid - 9.0,
        (x(s.p75) - x(s.p25)).max(1.0),
        18.0,
        x(s.median),
        x(s.median),
        mid - 11.0,
        mid + 11.0,
        RIGHT + 12.0,
        mid + 4.0,
        s.median
    );
}

/// The x axis under the rows, with a tick every `step_ms` up to `max`.
fn axis(out: &mut String, y: f64, step_ms: f64, max: f64, x: &dyn Fn(f64) -> f64) {
    let _ = writeln!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{y}\" y2=\"{y}\" stroke=\"black\"/>"
    );
    let count = (max / step_ms).round() as usize;
    for i in 0..=count {
        let ms = step_ms * i as f64;
        let _ = writeln!(
            out,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{y}\" y2=\"{1}\" stroke=\"black\"/>\n\
             <text x=\"{0:.1}\" y=\"{2}\" text-anchor=\"middle\">{3}</text>",
            x(ms),
            y + 4.0,
            y + 16.0,
            label(ms)
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\">ms</text>",
        RIGHT + 24.0,
        y + 16.0
    );
}

/// A round tick spacing (1, 2 or 5 times a power of ten) giving at most about eight ticks
/// up to `high`, and the axis end: the first tick at or past `high`.
fn ticks(high: f64) -> (f64, f64) {
    let high = if high.is_finite() && high > 0.0 {
        high
    } else {
        1.0
    };
    let rough = high / 8.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * power);
    (step, (high / step).ceil() * step)
}

/// A tick label: no needless decimals, nor the float noise of `0.2 * 3`.
fn label(ms: f64) -> String {
    format!("{}", (ms * 1000.0).round() / 1000.0)
}

/// `text` safe inside an SVG element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(73.0), (10.0, 80.0));
        assert_eq!(ticks(0.9), (0.2, 1.0));
        assert_eq!(ticks(0.0), (0.2, 1.0));
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(label(0.2 * 3.0), "0.6");
        assert_eq!(label(40.0), "40");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a < b & c"), "a &lt; b &amp; c");
    }
}
