//! `ipclab ls`: every IPC object the user can see, read from /proc/sysvipc and /dev/shm
//! (not from `ipcs`), with the ones ipclab created marked and whether their creator is
//! still running. util-linux's ipcs/lsipc show System V objects but, before 2.41, not
//! POSIX ones, and nothing says which program made an object.

use crate::json::{self, Value};
use crate::registry::{self, Kind, Record};
use crate::{ipcs, outln};
use anyhow::Result;
use std::collections::HashMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

/// `ipclab ls`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab ls --mine")]
pub struct Args {
    /// Only objects ipclab created
    #[arg(long)]
    pub mine: bool,
    /// Only objects owned by this user (name or uid)
    #[arg(long)]
    pub user: Option<String>,
    /// One JSON array of objects (stable keys) instead of the table
    #[arg(long)]
    pub json: bool,
}

/// One object, as `ls` shows it.
#[derive(Debug, Clone)]
pub struct Object {
    pub kind: Kind,
    pub key: Option<i64>,
    pub id: Option<i64>,
    pub name: Option<String>,
    pub uid: u32,
    pub perms: u32,
    pub size: u64,
    pub nattch: Option<u64>,
    pub status: String,
    pub cpid: Option<i64>,
    pub lpid: Option<i64>,
    pub record: Option<Record>,
}

fn table(path: &str) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines = text.lines();
    let names: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split_whitespace()
        .map(String::from)
        .collect();
    lines
        .map(|l| {
            names
                .iter()
                .cloned()
                .zip(l.split_whitespace().map(String::from))
                .collect()
        })
        .collect()
}

/// The `perms` column (octal, with SHM_DEST/SHM_LOCKED for segments).
fn perms(r: &HashMap<String, String>) -> u32 {
    u32::from_str_radix(r.get("perms").map(String::as_str).unwrap_or("0"), 8).unwrap_or(0)
}

fn num(r: &HashMap<String, String>, k: &str) -> i64 {
    r.get(k).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Everything visible now.
pub fn collect() -> Vec<Object> {
    let records = registry::load();
    let find = |kind: Kind, id: Option<i64>, name: Option<&str>| {
        records
            .iter()
            .find(|r| r.same(kind, id.map(|i| i as i32), name))
            .cloned()
    };
    let mut v = Vec::new();
    for r in table("/proc/sysvipc/shm") {
        let perms = perms(&r);
        let id = Some(num(&r, "shmid"));
        let mut status = Vec::new();
        if perms & ipcs::SHM_DEST != 0 {
            status.push("dest");
        }
        if perms & ipcs::SHM_LOCKED != 0 {
            status.push("locked");
        }
        v.push(Object {
            kind: Kind::SysvShm,
            key: Some(num(&r, "key")),
            id,
            name: None,
            uid: num(&r, "uid") as u32,
            perms: perms & 0o777,
            size: num(&r, "size") as u64,
            nattch: Some(num(&r, "nattch") as u64),
            status: status.join(","),
            cpid: Some(num(&r, "cpid")),
            lpid: Some(num(&r, "lpid")),
            record: find(Kind::SysvShm, id, None),
        });
    }
    for r in table("/proc/sysvipc/msg") {
        let id = Some(num(&r, "msqid"));
        v.push(Object {
            kind: Kind::SysvMsg,
            key: Some(num(&r, "key")),
            id,
            name: None,
            uid: num(&r, "uid") as u32,
            perms: perms(&r) & 0o777,
            size: num(&r, "cbytes") as u64,
            nattch: None,
            status: format!("{} messages", num(&r, "qnum")),
            cpid: Some(num(&r, "lspid")),
            lpid: Some(num(&r, "lrpid")),
            record: find(Kind::SysvMsg, id, None),
        });
    }
    for r in table("/proc/sysvipc/sem") {
        let id = Some(num(&r, "semid"));
        let otime = num(&r, "otime");
        v.push(Object {
            kind: Kind::SysvSem,
            key: Some(num(&r, "key")),
            id,
            name: None,
            uid: num(&r, "uid") as u32,
            perms: perms(&r) & 0o777,
            size: num(&r, "nsems") as u64,
            nattch: None,
            status: if otime == 0 {
                "never operated".into()
            } else {
                format!("last semop {}", crate::sys::time::ctime(otime))
            },
            cpid: None,
            lpid: None,
            record: find(Kind::SysvSem, id, None),
        });
    }
    for e in std::fs::read_dir("/dev/shm")
        .into_iter()
        .flatten()
        .flatten()
    {
        let Ok(md) = e.metadata() else { continue };
        let file = e.file_name().to_string_lossy().into_owned();
        let (kind, name) = match file.strip_prefix("sem.") {
            Some(sem) => (Kind::PosixSem, format!("/{sem}")),
            None => (Kind::PosixShm, format!("/{file}")),
        };
        v.push(Object {
            kind,
            key: None,
            id: None,
            record: find(kind, None, Some(&name)),
            name: Some(name),
            uid: md.uid(),
            perms: md.permissions().mode() & 0o777,
            size: md.size(),
            nattch: None,
            status: String::new(),
            cpid: None,
            lpid: None,
        });
    }
    // FIFOs ipclab made (there is no directory of FIFOs to list).
    for r in records.iter().filter(|r| r.kind == Kind::Fifo) {
        let Some(path) = &r.name else { continue };
        let Ok(md) = std::fs::symlink_metadata(path) else {
            continue;
        };
        if !std::os::unix::fs::FileTypeExt::is_fifo(&md.file_type()) {
            continue;
        }
        v.push(Object {
            kind: Kind::Fifo,
            key: None,
            id: None,
            name: Some(path.clone()),
            uid: md.uid(),
            perms: md.permissions().mode() & 0o777,
            size: 0,
            nattch: None,
            status: String::new(),
            cpid: None,
            lpid: None,
            record: Some(r.clone()),
        });
    }
    v
}

fn user_matches(o: &Object, user: &str) -> bool {
    user.parse::<u32>().is_ok_and(|u| u == o.uid) || ipcs::user_name(o.uid) == user
}

fn json_of(o: &Object) -> String {
    json::object(&[
        ("kind", Value::Str(o.kind.as_str().into())),
        ("key", o.key.into()),
        ("id", o.id.into()),
        ("name", o.name.clone().into()),
        ("owner", Value::Str(ipcs::user_name(o.uid))),
        ("perms", Value::Str(format!("{:04o}", o.perms))),
        ("size", Value::UInt(o.size)),
        ("nattch", o.nattch.map(|n| n as i64).into()),
        ("status", Value::Str(o.status.clone())),
        ("cpid", o.cpid.into()),
        ("lpid", o.lpid.into()),
        ("by_ipclab", Value::Bool(o.record.is_some())),
        (
            "creator_alive",
            o.record
                .as_ref()
                .map(|r| Value::Bool(r.creator_alive()))
                .unwrap_or(Value::Null),
        ),
    ])
}

/// List.
pub fn run(args: Args) -> Result<()> {
    let objects: Vec<Object> = collect()
        .into_iter()
        .filter(|o| !args.mine || o.record.is_some())
        .filter(|o| args.user.as_deref().is_none_or(|u| user_matches(o, u)))
        .collect();
    if args.json {
        let items: Vec<String> = objects.iter().map(json_of).collect();
        outln!("{}", json::array(&items))?;
        return Ok(());
    }
    let dash = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    let rows: Vec<[String; 12]> = objects
        .iter()
        .map(|o| {
            [
                o.kind.as_str().into(),
                o.key
                    .map(|k| format!("0x{:08x}", k as u32))
                    .unwrap_or_else(|| "-".into()),
                dash(o.id),
                o.name.clone().unwrap_or_else(|| "-".into()),
                ipcs::user_name(o.uid),
                format!("{:04o}", o.perms),
                o.size.to_string(),
                o.nattch
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "-".into()),
                if o.status.is_empty() {
                    "-".into()
                } else {
                    o.status.clone()
                },
                dash(o.cpid),
                dash(o.lpid),
                match &o.record {
                    None => "-".into(),
                    Some(r) if r.creator_alive() => format!("yes (pid {} running)", r.pid),
                    Some(r) => format!("yes (pid {} gone)", r.pid),
                },
            ]
        })
        .collect();
    let head = [
        "KIND", "KEY", "ID", "NAME", "OWNER", "PERMS", "SIZE", "NATTCH", "STATUS", "CPID", "LPID",
        "IPCLAB",
    ];
    let widths: Vec<usize> = (0..12)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].len())
                .chain([head[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let fmt = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end()
            .to_string()
    };
    outln!("{}", fmt(&head.map(String::from)))?;
    for r in &rows {
        outln!("{}", fmt(r))?;
    }
    if rows.is_empty() {
        outln!(
            "(no IPC objects{})",
            if args.mine { " made by ipclab" } else { "" }
        )?;
    }
    Ok(())
}
