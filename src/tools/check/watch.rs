//! Watching a process of a check from outside: what it printed (its output is a file),
//! its CPU time (from /proc), whether anything of its process group is still alive.

use std::path::Path;
use std::time::{Duration, Instant};

/// What a file holds, as text (empty if it cannot be read).
pub fn read(p: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned()
}

/// CPU time of `pid` so far (utime + stime from /proc), or zero once it is gone.
pub fn cpu_of(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
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

/// The pids of group `pgid` (zombies too if `zombies`), from /proc/PID/stat (state, pgrp).
pub fn group(pgid: u32, zombies: bool) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let f: Vec<&str> = stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            f.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(pgid)
                && (zombies || !matches!(f.first(), Some(&"Z") | Some(&"X") | None))
        })
        .collect()
}

/// What the student's processes were seen with while they ran: their pids, and the POSIX
/// shm objects and FIFOs they had open or mapped (from /proc/PID/fd and /proc/PID/maps).
#[derive(Debug, Default)]
pub struct Seen {
    pub pids: Vec<u32>,
    pub paths: Vec<std::path::PathBuf>,
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
fn ipc_paths(pid: u32) -> Vec<std::path::PathBuf> {
    use std::os::unix::fs::FileTypeExt;
    let mut v: Vec<std::path::PathBuf> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter(|p| p.is_absolute() && !p.to_string_lossy().ends_with(" (deleted)"))
        .filter(|p| {
            p.starts_with(crate::objects::posix::DEV_SHM)
                || std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_fifo())
        })
        .collect();
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    v.extend(
        maps.lines()
            .filter_map(|l| l.split_whitespace().nth(5))
            .filter(|p| p.starts_with(crate::objects::posix::DEV_SHM))
            .map(std::path::PathBuf::from),
    );
    v
}
