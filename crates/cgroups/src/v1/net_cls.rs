//! The v1 `net_cls` controller: the class id of the cgroup's packets.

use hull_configs::Resources;

use crate::plan::Write;

/// `net_cls.classid`, when given.
pub(crate) fn plan(r: &Resources) -> Vec<Write> {
    r.net_cls_classid
        .map(|id| Write::new("net_cls.classid", id))
        .into_iter()
        .collect()
}
