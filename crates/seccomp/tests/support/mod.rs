//! Code the integration tests (and the benchmark) share.

pub mod meaning;
pub mod profiles;
