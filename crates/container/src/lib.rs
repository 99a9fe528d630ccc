#![doc = include_str!("../README.md")]

pub use hull_configs as configs;
