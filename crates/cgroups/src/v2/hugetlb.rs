//! The v2 `hugetlb` controller: `hugetlb.<size>.max` (and `.rsvd.max`), and usage.

use std::collections::BTreeMap;
use std::path::Path;

use hull_configs::Resources;

use crate::error::Result;
use crate::file;
use crate::plan::{OnError, Write};
use crate::stats::HugetlbStats;

/// The limit and reservation limit of each page size.
pub(crate) fn plan(r: &Resources) -> Vec<Write> {
    let mut plan = Vec::new();
    for limit in &r.hugetlb_limit {
        let size = &limit.pagesize;
        plan.push(Write::new(format!("hugetlb.{size}.max"), limit.limit));
        plan.push(
            Write::new(format!("hugetlb.{size}.rsvd.max"), limit.limit)
                .on_error(OnError::SkipIfAbsent),
        );
    }
    plan
}

/// Usage (of reservations where the kernel counts them) and the times the limit was hit.
pub(crate) fn stats(dir: &Path) -> Result<BTreeMap<String, HugetlbStats>> {
    let mut stats = BTreeMap::new();
    for size in crate::v1::hugetlb::page_sizes(dir, ".max")? {
        let current = |name: &str| file::read_u64_optional(dir, &format!("hugetlb.{size}.{name}"));
        let usage = match current("rsvd.current")? {
            Some(usage) => usage,
            None => current("current")?.unwrap_or(0),
        };
        let events = file::read_flat_keyed(dir, &format!("hugetlb.{size}.events"))?;
        let entry = HugetlbStats {
            usage,
            max_usage: 0,
            failcnt: events.get("max").copied().unwrap_or(0),
        };
        stats.insert(size, entry);
    }
    Ok(stats)
}
