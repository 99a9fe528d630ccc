//! hull's privileged integration tests.
