#![doc = include_str!("../README.md")]

mod error;
mod exec;
mod group;
mod line;
mod passwd;
mod resolve;
mod root;
mod spec;
mod subid;

pub use error::{Result, UserError};
pub use exec::{ExecUser, additional_groups, exec_user};
pub use group::{
    Group, GroupEntry, find_group_by_gid, find_group_by_name, parse_group, parse_group_filter,
};
pub use passwd::{
    User, UserEntry, find_user_by_name, find_user_by_uid, parse_passwd, parse_passwd_filter,
};
pub use root::{GROUP_PATH, PASSWD_PATH, RootDir, SUBGID_PATH, SUBUID_PATH};
pub use spec::{IdOrName, MAX_ID, UserSpec};
pub use subid::{SubId, SubIdEntry, parse_sub_ids, parse_sub_ids_filter};
