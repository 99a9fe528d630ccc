#![doc = include_str!("../README.md")]

mod action;
mod arch;
mod bpf;
mod compile;
mod data;
mod emit;
mod error;
mod install;
#[cfg(any(test, feature = "interpreter"))]
pub mod interpreter;
mod notify;
mod plan;
mod sys;
#[cfg(test)]
mod test_support;
mod warning;

pub use arch::Arch;
pub use bpf::{Instruction, MAX_INSTRUCTIONS};
pub use compile::{Filter, compile, compile_for};
pub use data::SeccompData;
pub use error::{Result, SeccompError};
pub use install::supported_flags;
pub use notify::{
    Listener, Notification, Response, container_process_state, receive_listener, send_listener,
};
pub use warning::Warning;
