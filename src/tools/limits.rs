//! `ipclab limits`: the slides' `ipcs -l` (message, shared-memory and semaphore limits, from
//! /proc/sys/kernel), with what is in use now and its share of the limit, like
//! `lsipc -g`; plus the POSIX side: RLIMIT_MSGQUEUE and the size of /dev/shm.

use crate::objects::{sysvipc, Kind};
use crate::outln;
use anyhow::Result;
use serde::Serialize;

// `ipclab limits`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab limits --json")]
pub struct Args {
    /// One JSON array of {section, name, limit, used, percent}
    #[arg(long)]
    pub json: bool,
}

fn kernel(name: &str) -> Vec<u128> {
    std::fs::read_to_string(format!("/proc/sys/kernel/{name}"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect()
}

fn first(name: &str) -> u128 {
    kernel(name).first().copied().unwrap_or(0)
}

/// One line of the view.
/// One limit of `limits --json`: numbers as numbers.
#[derive(Serialize)]
struct JsonRow {
    section: &'static str,
    name: &'static str,
    limit: u128,
    used: Option<u128>,
    percent: Option<f64>,
}

struct Limit {
    section: &'static str,
    name: &'static str,
    limit: u128,
    used: Option<u128>,
}

fn limits() -> Vec<Limit> {
    let page = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
        .ok()
        .flatten()
        .unwrap_or(4096) as u128;
    let shm = sysvipc::rows(Kind::SysvShm);
    let sem = sysvipc::rows(Kind::SysvSem);
    let msg = sysvipc::rows(Kind::SysvMsg);
    let shm_bytes: u128 = shm.iter().map(|r| r.num::<u128>("size")).sum();
    let shm_pages: u128 = shm
        .iter()
        .map(|r| r.num::<u128>("size").div_ceil(page))
        .sum();
    let sems: u128 = sem.iter().map(|r| r.num::<u128>("nsems")).sum();
    let s = kernel("sem"); // SEMMSL SEMMNS SEMOPM SEMMNI
    let g = |i: usize| s.get(i).copied().unwrap_or(0);
    let rlimit = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_MSGQUEUE)
        .map(|(soft, _)| u128::from(soft))
        .unwrap_or(0);
    let (dev_total, dev_used) = nix::sys::statvfs::statvfs("/dev/shm")
        .map(|v| {
            let f = u128::from(v.fragment_size());
            (
                u128::from(v.blocks()) * f,
                u128::from(v.blocks() - v.blocks_free()) * f,
            )
        })
        .unwrap_or((0, 0));
    let l = |section, name, limit, used| Limit {
        section,
        name,
        limit,
        used,
    };
    vec![
        l(
            "Messages",
            "max queues system wide",
            first("msgmni"),
            Some(msg.len() as u128),
        ),
        l(
            "Messages",
            "max size of message (bytes)",
            first("msgmax"),
            None,
        ),
        l(
            "Messages",
            "default max size of queue (bytes)",
            first("msgmnb"),
            None,
        ),
        l(
            "Shared Memory",
            "max number of segments",
            first("shmmni"),
            Some(shm.len() as u128),
        ),
        l(
            "Shared Memory",
            "max seg size (kbytes)",
            first("shmmax") / 1024,
            None,
        ),
        l(
            "Shared Memory",
            "max total shared memory (kbytes)",
            first("shmall") * page / 1024,
            Some(shm_pages * page / 1024),
        ),
        l("Shared Memory", "min seg size (bytes)", 1, None),
        l("Shared Memory", "bytes in segments now", shm_bytes, None),
        l(
            "Semaphore",
            "max number of arrays",
            g(3),
            Some(sem.len() as u128),
        ),
        l("Semaphore", "max semaphores per array", g(0), None),
        l("Semaphore", "max semaphores system wide", g(1), Some(sems)),
        l("Semaphore", "max ops per semop call", g(2), None),
        l("Semaphore", "semaphore max value", 32767, None),
        l("POSIX", "RLIMIT_MSGQUEUE (bytes)", rlimit, None),
        l("POSIX", "/dev/shm size (bytes)", dev_total, Some(dev_used)),
    ]
}

fn percent(l: &Limit) -> Option<f64> {
    l.used
        .filter(|_| l.limit > 0)
        .map(|u| u as f64 * 100.0 / l.limit as f64)
}

/// Show the limits.
pub fn run(args: Args) -> Result<()> {
    let all = limits();
    if args.json {
        let rows: Vec<JsonRow> = all
            .iter()
            .map(|l| JsonRow {
                section: l.section,
                name: l.name,
                limit: l.limit,
                used: l.used,
                percent: percent(l),
            })
            .collect();
        outln!("{}", crate::out::json_lines(&rows)?)?;
        return Ok(());
    }
    let mut section = "";
    for l in &all {
        if l.section != section {
            section = l.section;
            outln!("\n------ {section} Limits --------")?;
        }
        let base = format!("{} = {}", l.name, l.limit);
        match (l.used, percent(l)) {
            (Some(u), Some(p)) => outln!("{base:<56} (in use: {u}, {p:.2}%)")?,
            (Some(u), None) => outln!("{base:<56} (in use: {u})")?,
            _ => outln!("{base}")?,
        }
    }
    Ok(())
}
