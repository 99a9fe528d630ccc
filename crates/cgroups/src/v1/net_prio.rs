//! The v1 `net_prio` controller: per-interface traffic priorities.

use hull_configs::Resources;

use crate::plan::Write;

/// One `net_prio.ifpriomap` write (`eth0 5`) per interface.
pub(crate) fn plan(r: &Resources) -> Vec<Write> {
    r.net_prio_ifpriomap
        .iter()
        .map(|map| {
            Write::new(
                "net_prio.ifpriomap",
                format!("{} {}", map.interface, map.priority),
            )
        })
        .collect()
}
