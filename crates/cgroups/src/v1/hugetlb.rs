//! The v1 `hugetlb` controller: limits per huge page size, and their usage.

use std::collections::BTreeMap;
use std::path::Path;

use hull_configs::Resources;

use crate::error::{CgroupsError, Result};
use crate::file;
use crate::plan::{OnError, Write};
use crate::stats::HugetlbStats;

/// `hugetlb.<size>.limit_in_bytes` per limit, and the reservation limit (Linux 5.7) where
/// the kernel has it.
pub(crate) fn plan(r: &Resources) -> Vec<Write> {
    let mut plan = Vec::new();
    for limit in &r.hugetlb_limit {
        let size = &limit.pagesize;
        plan.push(Write::new(
            format!("hugetlb.{size}.limit_in_bytes"),
            limit.limit,
        ));
        plan.push(
            Write::new(format!("hugetlb.{size}.rsvd.limit_in_bytes"), limit.limit)
                .on_error(OnError::SkipIfAbsent),
        );
    }
    plan
}

/// The page sizes a cgroup has files for, from names like `hugetlb.2MB.<suffix>`.
pub(crate) fn page_sizes(dir: &Path, suffix: &str) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|source| CgroupsError::ListCgroup {
        path: dir.to_owned(),
        source,
    })?;
    let mut sizes: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| {
            let size = name.strip_prefix("hugetlb.")?.strip_suffix(suffix)?;
            (!size.contains('.')).then(|| size.to_owned())
        })
        .collect();
    sizes.sort();
    Ok(sizes)
}

/// Usage, peak and fail count per page size.
pub(crate) fn stats(dir: &Path) -> Result<BTreeMap<String, HugetlbStats>> {
    let mut stats = BTreeMap::new();
    for size in page_sizes(dir, ".limit_in_bytes")? {
        let read = |name: &str| file::read_u64_optional(dir, &format!("hugetlb.{size}.{name}"));
        let entry = HugetlbStats {
            usage: read("usage_in_bytes")?.unwrap_or(0),
            max_usage: read("max_usage_in_bytes")?.unwrap_or(0),
            failcnt: read("failcnt")?.unwrap_or(0),
        };
        stats.insert(size, entry);
    }
    Ok(stats)
}
