//! Watching a process of a check from outside: what it printed (its output is a file),
//! its CPU time (from /proc), whether anything of its process group is still alive.

use crate::process::procfs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a file holds, as text (empty if it cannot be read).
pub fn read(p: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned()
}

/// CPU time of `pid` so far (utime + stime from /proc), or zero once it is gone.
pub fn cpu_of(pid: u32) -> Duration {
    let fields = procfs::stat(pid).unwrap_or_default();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as u64;
    Duration::from_millis(ticks * 1000 / hz.max(1))
}

/// Has one of `files` a line containing `needle`?
pub fn has_line(files: &[&Path], needle: &str) -> bool {
    files.iter().any(|f| read(f).contains(needle))
}

/// Is any process of group `pgid` still running half a second after its leader ended? (A
/// child killed with it may take a moment to end.) Zombies do not count: where PID 1 does
/// not reap orphans (some containers), a dead child stays one for ever.
pub fn group_alive(pgid: u32) -> bool {
    let until = Instant::now() + Duration::from_millis(500);
    while running_in_group(pgid) {
        if Instant::now() >= until {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

/// A process of group `pgid` that is not a zombie?
pub fn running_in_group(pgid: u32) -> bool {
    !group(pgid, false).is_empty()
}

/// The pids of group `pgid` (zombies too if `zombies`).
pub fn group(pgid: u32, zombies: bool) -> Vec<u32> {
    procfs::pids()
        .into_iter()
        .filter(|&pid| {
            procfs::stat(pid).is_some_and(|f| {
                f.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(pgid)
                    && (zombies || !f.first().is_none_or(|s| procfs::ended(s)))
            })
        })
        .collect()
}

/// What the student's processes were seen with while they ran: their pids, and the POSIX
/// shm objects and FIFOs they had open or mapped (from /proc/PID/fd and /proc/PID/maps).
#[derive(Debug, Default)]
pub struct Seen {
    pub pids: Vec<u32>,
    pub paths: Vec<PathBuf>,
}

impl Seen {
    /// Look at the processes of group `pgid` now.
    pub fn sample(&mut self, pgid: u32) {
        for pid in group(pgid, true) {
            if !self.pids.contains(&pid) {
                self.pids.push(pid);
            }
            for p in ipc_paths(pid) {
                if !self.paths.contains(&p) {
                    self.paths.push(p);
                }
            }
        }
    }
}

/// The /dev/shm objects and FIFOs `pid` has open or mapped (not the unlinked ones).
fn ipc_paths(pid: u32) -> Vec<PathBuf> {
    use std::os::unix::fs::FileTypeExt;
    let shm = |p: &Path| p.starts_with(crate::objects::posix::DEV_SHM);
    let mut v: Vec<PathBuf> = procfs::fd_targets(pid)
        .into_iter()
        .filter(|p| p.is_absolute() && !p.to_string_lossy().ends_with(" (deleted)"))
        .filter(|p| shm(p) || std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_fifo()))
        .collect();
    v.extend(
        procfs::maps(pid)
            .lines()
            .filter_map(|l| l.split_whitespace().nth(5))
            .map(PathBuf::from)
            .filter(|p| shm(p)),
    );
    v
}
