//! The identity a container process runs as: its user spec resolved against passwd and
//! group data.

use std::io::BufRead;
use std::ops::ControlFlow;

use crate::error::{Result, UserError};
use crate::group::{self, for_each_group};
use crate::line::{field, list_contains};
use crate::passwd::{self, User};
use crate::spec::{IdOrName, MAX_ID, UserSpec};

/// The uid, gids and home directory a process runs with.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExecUser {
    /// The user id.
    pub uid: u32,
    /// The primary group id.
    pub gid: u32,
    /// The supplementary group ids.
    pub sgids: Vec<u32>,
    /// The home directory, for `HOME`.
    pub home: String,
}

impl Default for ExecUser {
    /// Root, with no supplementary groups and `/` as home: what a container runs as when
    /// its spec and files say nothing else.
    fn default() -> Self {
        ExecUser {
            uid: 0,
            gid: 0,
            sgids: Vec::new(),
            home: "/".to_owned(),
        }
    }
}

/// Resolves the user spec `spec` against passwd- and group-formatted data, starting from
/// `defaults`. This is libcontainer's `GetExecUser`.
///
/// - The spec is `user`, `user:group`, `:group` or empty; each part is a name or a numeric
///   id (see [`UserSpec`]). An empty user part means `defaults.uid`.
/// - The user is the first passwd entry with that name, or that uid when the part is
///   numeric; it gives the uid, the primary gid and the home directory. A numeric uid with
///   no entry is used as it is, with the default gid and home.
/// - A group part replaces the primary gid: the first group with that name, or the number
///   itself when numeric (found in the file or not).
/// - Without a group part, the supplementary gids are those of every group that lists the
///   matched user's name as a member, in file order; `defaults.sgids` stay when there is
///   no such group, and whenever a group part is given.
/// - `home` is the entry's home directory, or `defaults.home` when there is no entry or
///   its home field is empty.
///
/// A missing file is empty data: pass `&[][..]` (or use [`RootDir`](crate::RootDir),
/// which does this for you). Both readers are read once, front to back, and only until
/// the answer is known.
///
/// # Errors
///
/// - [`UserError::ParseSpec`], [`UserError::ParseId`]: the spec is malformed, or a number
///   in it is outside `0..=MAX_ID`;
/// - [`UserError::FindUser`], [`UserError::FindGroup`]: a name has no entry;
/// - [`UserError::EntryId`]: an entry the result would use has an id above
///   [`MAX_ID`];
/// - [`UserError::ReadPasswd`], [`UserError::ReadGroup`]: a reader fails.
pub fn exec_user<P: BufRead, G: BufRead>(
    spec: &str,
    defaults: &ExecUser,
    passwd: P,
    group: G,
) -> Result<ExecUser> {
    let spec = UserSpec::parse(spec)?;
    let mut user = defaults.clone();
    let entry = match spec.user {
        None => passwd::find_user_by_uid(passwd, defaults.uid)?,
        Some(IdOrName::Id(uid)) => passwd::find_user_by_uid(passwd, uid)?,
        Some(IdOrName::Name(name)) => passwd::find_user_by_name(passwd, name)?,
    };
    match (&entry, spec.user) {
        (Some(entry), _) => {
            user.uid = in_range(&entry.name, entry.uid)?;
            if spec.group.is_none() {
                user.gid = in_range(&entry.name, entry.gid)?;
            }
            if !entry.home.is_empty() {
                user.home.clone_from(&entry.home);
            }
        }
        (None, Some(IdOrName::Id(uid))) => user.uid = uid,
        (None, Some(IdOrName::Name(name))) => {
            return Err(UserError::FindUser {
                user: name.to_owned(),
            });
        }
        (None, None) => {}
    }

    match (spec.group, entry) {
        (Some(IdOrName::Id(gid)), _) => user.gid = gid,
        (Some(IdOrName::Name(name)), _) => {
            let found = group::find_group_by_name(group, name)?;
            let found = found.ok_or_else(|| UserError::FindGroup {
                group: name.to_owned(),
            })?;
            user.gid = in_range(&found.name, found.gid)?;
        }
        (None, Some(entry)) => {
            let sgids = member_of(group, &entry)?;
            if !sgids.is_empty() {
                user.sgids = sgids;
            }
        }
        (None, None) => {}
    }
    Ok(user)
}

/// The gids of every group that lists `user` as a member, in file order.
fn member_of<G: BufRead>(group: G, user: &User) -> Result<Vec<u32>> {
    let name = user.name.as_bytes();
    let mut gids = Vec::new();
    let mut out_of_range = None;
    for_each_group(
        group,
        |line| field(line, 3).is_some_and(|members| list_contains(members, name)),
        |entry| {
            if entry.gid > MAX_ID {
                out_of_range = Some((entry.name.to_owned(), entry.gid));
                return ControlFlow::Break(());
            }
            gids.push(entry.gid);
            ControlFlow::Continue(())
        },
    )?;
    match out_of_range {
        Some((name, id)) => Err(UserError::EntryId { name, id }),
        None => Ok(gids),
    }
}

/// Looks up each of `groups`, names or numeric gids, in group-formatted data. This is
/// libcontainer's `GetAdditionalGroups`.
///
/// A name resolves to the gid of the first group of that name; a number is used as it is,
/// whether the file has it or not. The result follows the order of `groups`, without
/// duplicates (`["adm", "4"]` is `[4]` when `adm` has gid 4). The data is read only when
/// some group is a name, once, and only until every name is found.
///
/// # Errors
///
/// - [`UserError::ParseId`]: a number is outside `0..=MAX_ID`;
/// - [`UserError::FindGroup`]: a name (the empty one included) has no entry;
/// - [`UserError::EntryId`]: a group found by name has a gid above [`MAX_ID`];
/// - [`UserError::ReadGroup`]: the reader fails.
pub fn additional_groups<S: AsRef<str>, G: BufRead>(groups: &[S], group: G) -> Result<Vec<u32>> {
    let wanted = groups
        .iter()
        .map(|g| Ok(IdOrName::parse(g.as_ref())?.unwrap_or(IdOrName::Name(""))))
        .collect::<Result<Vec<_>>>()?;
    let names: Vec<&str> = wanted
        .iter()
        .filter_map(|want| match want {
            IdOrName::Name(name) => Some(*name),
            IdOrName::Id(_) => None,
        })
        .collect();
    let mut found = if names.is_empty() {
        Vec::new()
    } else {
        resolve_names(group, &names)?
    }
    .into_iter();

    let mut gids = Vec::with_capacity(wanted.len());
    for want in wanted {
        let gid = match want {
            IdOrName::Id(gid) => gid,
            // `found` holds one answer for each name, in the order of `wanted`.
            IdOrName::Name(name) => found.next().flatten().ok_or_else(|| UserError::FindGroup {
                group: name.to_owned(),
            })?,
        };
        if !gids.contains(&gid) {
            gids.push(gid);
        }
    }
    Ok(gids)
}

/// The gid of the first group named each of `names`, in one pass that stops once all are
/// found.
fn resolve_names<G: BufRead>(group: G, names: &[&str]) -> Result<Vec<Option<u32>>> {
    let mut gids = vec![None; names.len()];
    let mut out_of_range = None;
    for_each_group(
        group,
        |line| {
            let first = field(line, 0).unwrap_or_default();
            names.iter().any(|name| name.as_bytes() == first)
        },
        |entry| {
            for (name, gid) in names.iter().zip(gids.iter_mut()) {
                if gid.is_none() && *name == entry.name {
                    if entry.gid > MAX_ID {
                        out_of_range = Some((entry.name.to_owned(), entry.gid));
                        return ControlFlow::Break(());
                    }
                    *gid = Some(entry.gid);
                }
            }
            if gids.iter().all(Option::is_some) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    )?;
    match out_of_range {
        Some((name, id)) => Err(UserError::EntryId { name, id }),
        None => Ok(gids),
    }
}

/// `id`, the id of the entry `name`, if it is at most [`MAX_ID`].
fn in_range(name: &str, id: u32) -> Result<u32> {
    if id > MAX_ID {
        return Err(UserError::EntryId {
            name: name.to_owned(),
            id,
        });
    }
    Ok(id)
}
