//! Watching a process of a check from outside: what it printed (its output is a file),
//! its CPU time (from /proc), whether anything of its process group is still alive.

use anyhow::Result;
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

/// Wait until one of `files` has a line containing `needle` (or the deadline).
pub fn wait_line(files: &[&Path], needle: &str, deadline: Instant) -> Result<bool> {
    while Instant::now() < deadline {
        if files.iter().any(|f| read(f).contains(needle)) {
            return Ok(true);
        }
        crate::process::nap(Duration::from_millis(5))?;
    }
    Ok(false)
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
