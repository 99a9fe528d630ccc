//! How long resolving a user takes against a 100,000-line passwd file: the user near the
//! end, by name and by uid, and a user that is not there (the whole file read).

#![allow(clippy::unwrap_used)] // setup of a benchmark: a panic is how it reports a failure

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hull_user::{ExecUser, exec_user, parse_passwd};

const USERS: u32 = 100_000;

/// A passwd file of `USERS` users, `user0` to `user99999` with uids from 1000, and a group
/// file of 1,000 groups, each listing ten of them.
fn files() -> (String, String) {
    let mut passwd = String::from("root:x:0:0:root:/root:/bin/bash\n");
    for i in 1..USERS {
        let uid = 1000 + i;
        writeln!(
            passwd,
            "user{i}:x:{uid}:{uid}:User {i},,,:/home/user{i}:/bin/sh"
        )
        .unwrap();
    }
    let mut group = String::from("root:x:0:root\n");
    for g in 0..1000 {
        let members: Vec<String> = (0..10).map(|m| format!("user{}", g * 100 + m)).collect();
        writeln!(group, "group{g}:x:{}:{}", 100_000 + g, members.join(",")).unwrap();
    }
    (passwd, group)
}

fn lookup(c: &mut Criterion) {
    let (passwd, group) = files();
    let defaults = ExecUser::default();
    let resolve = |spec: &str| exec_user(spec, &defaults, passwd.as_bytes(), group.as_bytes());
    assert_eq!(resolve("user99900").unwrap().sgids, [100_999]);
    assert!(resolve("nobody-here").is_err());

    let mut bench = c.benchmark_group("passwd-100k");
    bench.bench_function("exec_user by name, near the end", |b| {
        b.iter(|| resolve(black_box("user99900")))
    });
    bench.bench_function("exec_user by uid, near the end", |b| {
        b.iter(|| resolve(black_box("100900")))
    });
    bench.bench_function("exec_user, not found", |b| {
        b.iter(|| resolve(black_box("nobody-here")))
    });
    bench.bench_function("parse_passwd, every entry", |b| {
        b.iter(|| parse_passwd(black_box(passwd.as_bytes())))
    });
    bench.finish();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
