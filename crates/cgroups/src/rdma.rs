//! The `rdma` controller, alike on v1 and v2: `rdma.max` per device.

use hull_configs::Resources;

use crate::plan::Write;

/// One `rdma.max` write per device with a limit: `mlx4_0 hca_handle=2 hca_object=2000`.
pub(crate) fn plan(r: &Resources) -> Vec<Write> {
    let mut plan = Vec::new();
    for (device, limit) in &r.rdma {
        let mut value = device.clone();
        if let Some(handles) = limit.hca_handles {
            value.push_str(&format!(" hca_handle={handles}"));
        }
        if let Some(objects) = limit.hca_objects {
            value.push_str(&format!(" hca_object={objects}"));
        }
        if value.len() > device.len() {
            plan.push(Write::new("rdma.max", value));
        }
    }
    plan
}
