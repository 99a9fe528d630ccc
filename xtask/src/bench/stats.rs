//! Medians and percentiles of a set of measurements.

/// The distribution of a set of values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// How many values.
    pub n: usize,
    /// The smallest.
    pub min: f64,
    /// The 10th percentile.
    pub p10: f64,
    /// The 25th percentile.
    pub p25: f64,
    /// The median.
    pub median: f64,
    /// The 75th percentile.
    pub p75: f64,
    /// The 90th percentile.
    pub p90: f64,
    /// The 99th percentile.
    pub p99: f64,
    /// The largest.
    pub max: f64,
}

/// The spread of `values`; `None` when there are none (or only NaNs).
pub fn spread(values: &[f64]) -> Option<Spread> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let at = |q| percentile(&sorted, q);
    Some(Spread {
        n: sorted.len(),
        min,
        p10: at(0.10),
        p25: at(0.25),
        median: at(0.50),
        p75: at(0.75),
        p90: at(0.90),
        p99: at(0.99),
        max,
    })
}

/// The `q` quantile (0 to 1) of non-empty `sorted`, interpolated linearly between the
/// closest ranks.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = q * (sorted.len() - 1) as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let low = sorted[below];
    let high = sorted[above.min(sorted.len() - 1)];
    low + (high - low) * (rank - below as f64)
}

/// The median of `values`, if any.
pub fn median(values: &[f64]) -> Option<f64> {
    spread(values).map(|s| s.median)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate() {
        let values: Vec<f64> = (1..=11).rev().map(f64::from).collect();
        let s = spread(&values).unwrap();
        assert_eq!((s.n, s.min, s.max), (11, 1.0, 11.0));
        assert_eq!(s.median, 6.0);
        assert_eq!(s.p10, 2.0);
        assert_eq!(s.p90, 10.0);
        assert_eq!(median(&[1.0, 2.0]), Some(1.5));
        assert_eq!(spread(&[]), None);
    }
}
