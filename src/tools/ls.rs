//! `ipclab ls`: every IPC object the user can see, read from /proc/sysvipc and /dev/shm
//! (not from `ipcs`), with the ones ipclab created marked and whether their creator is
//! still running. util-linux's ipcs/lsipc show System V objects but, before 2.41, not
//! POSIX ones, and nothing says which program made an object.

use crate::objects::registry::{self, Record};
use crate::objects::sysvipc;
use crate::objects::{live, Kind};
use crate::outln;
use anyhow::Result;
use serde::Serialize;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

// `ipclab ls`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
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

/// The record of the object of `kind` with this id (or inode) and name, if ipclab made it.
fn record_of(records: &[Record], kind: Kind, ident: i64, name: Option<&str>) -> Option<Record> {
    records
        .iter()
        .filter(|r| !r.uses && r.kind == kind && (kind.is_sysv() || r.name.as_deref() == name))
        .find(|r| live::find(r).is_some_and(|f| f.id == ident))
        .cloned()
}

/// Everything visible now (the registry must be yours alone, or this fails).
pub fn collect() -> Result<Vec<Object>> {
    let records = registry::load()?;
    let find = |kind: Kind, ident: i64, name: Option<&str>| record_of(&records, kind, ident, name);
    let mut v = Vec::new();
    for t in Kind::SYSV {
        for r in sysvipc::rows(t) {
            let perms = r.octal("perms");
            let pid = |c: &str| Some(r.num::<i64>(c));
            // What each table says beyond the common columns.
            let (kind, size, nattch, status, cpid, lpid) = match t {
                Kind::SysvShm => {
                    let mut status = Vec::new();
                    if perms & sysvipc::SHM_DEST != 0 {
                        status.push("dest");
                    }
                    if perms & sysvipc::SHM_LOCKED != 0 {
                        status.push("locked");
                    }
                    let n = Some(r.num("nattch"));
                    (
                        Kind::SysvShm,
                        r.num("size"),
                        n,
                        status.join(","),
                        pid("cpid"),
                        pid("lpid"),
                    )
                }
                Kind::SysvMsg => {
                    let status = format!("{} messages", r.num::<u64>("qnum"));
                    (
                        Kind::SysvMsg,
                        r.num("cbytes"),
                        None,
                        status,
                        pid("lspid"),
                        pid("lrpid"),
                    )
                }
                _ => {
                    let otime: i64 = r.num("otime");
                    let status = if otime == 0 {
                        "never operated".into()
                    } else {
                        format!("last semop {}", crate::sys::time::ctime(otime))
                    };
                    (Kind::SysvSem, r.num("nsems"), None, status, None, None)
                }
            };
            let id = pid(t.id_column());
            let ident = id.unwrap_or(-1);
            v.push(Object {
                kind,
                key: Some(i64::from(r.key())),
                id,
                name: None,
                uid: r.num("uid"),
                perms: perms & 0o777,
                size,
                nattch,
                status,
                cpid,
                lpid,
                record: find(kind, ident, None),
            });
        }
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
            record: find(kind, md.ino() as i64, Some(&name)),
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
    // FIFOs, scratch directories and data files ipclab made (there is no directory of them to list).
    for r in records
        .iter()
        .filter(|r| matches!(r.kind, Kind::Fifo | Kind::Dir | Kind::File | Kind::Socket))
    {
        let (Some(path), Some(_)) = (&r.name, live::find(r)) else {
            continue;
        };
        let Ok(md) = std::fs::symlink_metadata(path) else {
            continue;
        };
        v.push(Object {
            kind: r.kind,
            key: None,
            id: None,
            name: Some(path.clone()),
            uid: md.uid(),
            perms: md.permissions().mode() & 0o777,
            size: if r.kind == Kind::Dir { md.size() } else { 0 },
            nattch: None,
            status: String::new(),
            cpid: None,
            lpid: None,
            record: Some(r.clone()),
        });
    }
    Ok(v)
}

fn user_matches(o: &Object, user: &str) -> bool {
    user.parse::<u32>().is_ok_and(|u| u == o.uid) || sysvipc::user_name(o.uid) == user
}

/// One object of `ls --json`. The key is a string in hex, as the table and `lsipc --json`
/// show it (`"0x2700c034"`); ids, sizes and pids are numbers.
#[derive(Serialize)]
struct JsonRow {
    kind: &'static str,
    key: Option<String>,
    id: Option<i64>,
    name: Option<String>,
    owner: String,
    perms: String,
    size: u64,
    nattch: Option<u64>,
    status: String,
    cpid: Option<i64>,
    lpid: Option<i64>,
    by_ipclab: bool,
    creator_alive: Option<bool>,
}

impl JsonRow {
    fn of(o: &Object) -> JsonRow {
        JsonRow {
            kind: o.kind.as_str(),
            key: o.key.map(|k| format!("0x{:08x}", k as u32)),
            id: o.id,
            name: o.name.clone(),
            owner: sysvipc::user_name(o.uid),
            perms: format!("{:04o}", o.perms),
            size: o.size,
            nattch: o.nattch,
            status: o.status.clone(),
            cpid: o.cpid,
            lpid: o.lpid,
            by_ipclab: o.record.is_some(),
            creator_alive: o.record.as_ref().map(|r| r.run.alive()),
        }
    }
}

/// List.
pub fn run(args: Args) -> Result<()> {
    let objects: Vec<Object> = collect()?
        .into_iter()
        .filter(|o| !args.mine || o.record.is_some())
        .filter(|o| args.user.as_deref().is_none_or(|u| user_matches(o, u)))
        .collect();
    if args.json {
        let rows: Vec<JsonRow> = objects.iter().map(JsonRow::of).collect();
        outln!("{}", crate::out::json_lines(&rows)?)?;
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
                sysvipc::user_name(o.uid),
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
                    Some(r) if r.run.alive() => format!("yes (pid {} running)", r.run.pid),
                    Some(r) => format!("yes (pid {} gone)", r.run.pid),
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
