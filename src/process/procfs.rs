//! What /proc says of a process: the fields of `/proc/PID/stat` (after the command name,
//! which may hold spaces and parentheses), every pid, the paths a process has open
//! (`/proc/PID/fd`) and mapped (`/proc/PID/maps`). One reader for the registry's liveness
//! check, `clean`'s "still in use", and the grader's watch on a student's processes.

use std::path::PathBuf;

/// What `/proc/PID/stat` says, in the fields ipclab reads (proc(5) numbers them from 1:
/// state is 3, pgrp 5, utime 14, stime 15, cutime 16, cstime 17, starttime 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// `R` running, `S` sleeping, `D` in the disk, `T` stopped, `Z` zombie, `X` dead…
    pub state: char,
    pub ppid: i32,
    pub pgrp: i32,
    /// CPU time in clock ticks: its own, and that of the children it reaped.
    pub utime: u64,
    pub stime: u64,
    pub cutime: u64,
    pub cstime: u64,
    /// When it started, in clock ticks since boot.
    pub starttime: u64,
}

impl Stat {
    /// Parse the text of `/proc/PID/stat` (the command name, in parentheses, may hold
    /// spaces and parentheses itself: the fields start after the last `)`).
    pub fn parse(text: &str) -> Option<Stat> {
        let rest = &text[text.rfind(')')? + 1..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        let num = |i: usize| f.get(i)?.parse::<u64>().ok();
        Some(Stat {
            state: f.first()?.chars().next()?,
            ppid: f.get(1)?.parse().ok()?,
            pgrp: f.get(2)?.parse().ok()?,
            utime: num(11)?,
            stime: num(12)?,
            cutime: num(13)?,
            cstime: num(14)?,
            starttime: num(19)?,
        })
    }

    /// Has the process ended (a zombie, or dead)?
    pub fn ended(&self) -> bool {
        matches!(self.state, 'Z' | 'X')
    }
}

/// `/proc/PID/stat`, if the process exists.
pub fn stat(pid: u32) -> Option<Stat> {
    Stat::parse(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// Every pid in /proc.
pub fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .collect()
}

/// What `pid`'s descriptors point at (paths, `pipe:[…]`, `socket:[…]`…).
pub fn fd_targets(pid: u32) -> Vec<PathBuf> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .collect()
}

/// The lines of `/proc/PID/maps` (empty if it cannot be read).
pub fn maps(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields() {
        let text = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 2 1 20 0 1 0 98765 1000 50 18446744073709551615\n";
        let s = Stat::parse(text).unwrap();
        assert_eq!(
            s,
            Stat {
                state: 'S',
                ppid: 1,
                pgrp: 4242,
                utime: 7,
                stime: 3,
                cutime: 2,
                cstime: 1,
                starttime: 98765
            }
        );
        assert!(!s.ended());
        assert!(Stat::parse("12 (z) Z 1 12 12").is_none(), "too few fields");
        assert!(Stat::parse("no parenthesis").is_none());
        assert!(stat(std::process::id()).is_some_and(|s| !s.ended()));
    }
}
