#![doc = include_str!("../README.md")]

mod channel;
mod error;
mod protocol;
mod stage1;
mod sys;

pub use channel::{Channel, MAX_FDS};
pub use error::{NsenterError, Result};
pub use protocol::{
    Bootstrap, CgroupEntry, ErrnoError, InitError, JoinNamespace, ParentReply, Stage1Message, Step,
};
pub use stage1::run;
pub use sys::exit_now;
