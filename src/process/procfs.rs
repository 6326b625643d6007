//! What /proc says of a process: the fields of `/proc/PID/stat` (after the command name,
//! which may hold spaces and parentheses), every pid, the paths a process has open
//! (`/proc/PID/fd`) and mapped (`/proc/PID/maps`). One reader for the registry's liveness
//! check, `clean`'s "still in use", and the grader's watch on a student's processes.

use std::path::PathBuf;

/// The fields of `/proc/PID/stat` after the command name: `[0]` is the state (`R`, `S`,
/// `Z`…), `[2]` the process group, `[11]`/`[12]` utime/stime, `[19]` the start time.
pub fn stat(pid: u32) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// Is a state field that of a process that has ended (a zombie, or dead)?
pub fn ended(state: &str) -> bool {
    matches!(state, "Z" | "X")
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
