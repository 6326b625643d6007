//! Watching the student's program from outside while a run goes on: which processes are
//! its (sealed: every process of the run's PID namespace but its init and ipclab's peers;
//! not sealed: its process group), their CPU time, how many there were at once, its memory,
//! the POSIX objects and FIFOs they held, the System V objects the run's namespace held.
//! Looked at every 20 ms while the grader waits ([`Watch::look`]).

use crate::objects::sysvipc;
use crate::objects::Kind;
use crate::process::procfs;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often the student's processes are looked at.
pub const LOOK_EVERY: Duration = Duration::from_millis(20);

/// What a file holds, as text (at most 1 MiB of it; empty if it cannot be read).
pub fn read(p: &Path) -> String {
    use std::io::Read;
    let mut buf = Vec::new();
    if let Ok(f) = std::fs::File::open(p) {
        let _ = f.take(1 << 20).read_to_end(&mut buf);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Has one of `files` a line containing `needle`?
pub fn has_line(files: &[&Path], needle: &str) -> bool {
    files.iter().any(|f| read(f).contains(needle))
}

fn clock_tick() -> Duration {
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as u64;
    Duration::from_millis(1000 / hz.max(1))
}

/// CPU time of `pid` (its own, and with `children` that of the children it reaped).
pub fn cpu_of(pid: u32, children: bool) -> Duration {
    let Some(st) = procfs::stat(pid) else {
        return Duration::ZERO;
    };
    let ticks = match children {
        true => st.utime + st.stime + st.cutime + st.cstime,
        false => st.utime + st.stime,
    };
    clock_tick() * u32::try_from(ticks).unwrap_or(u32::MAX)
}

/// The process state letter of `pid` (`R`, `S`, `D`, `Z`…), if it exists.
pub fn state(pid: u32) -> Option<char> {
    procfs::stat(pid).map(|s| s.state)
}

/// Does `pid` exist and has it not ended?
fn running(pid: u32) -> bool {
    procfs::stat(pid).is_some_and(|s| !s.ended())
}

/// The pids of group `pgid` (zombies too if `zombies`).
pub fn group(pgid: u32, zombies: bool) -> Vec<u32> {
    procfs::pids()
        .into_iter()
        .filter(|&pid| {
            procfs::stat(pid)
                .is_some_and(|s| u32::try_from(s.pgrp) == Ok(pgid) && (zombies || !s.ended()))
        })
        .collect()
}

/// A process in a few words: pid and command line.
pub fn describe(pid: u32) -> String {
    let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
    format!("pid {pid} ({})", crate::escape::terminal(cmd.trim()))
}

/// The children of `pid`, oldest first.
pub fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Is a process of group `pgid` that is not a zombie still there?
pub fn running_in_group(pgid: u32) -> bool {
    !group(pgid, false).is_empty()
}

/// What was seen of the student's processes during a run.
#[derive(Debug)]
pub struct Watch {
    /// Sealed in a PID namespace of the run's own: all processes but init and the peers
    /// are the student's.
    sealed: bool,
    /// The student's first process (its group, when not sealed).
    pub main: Option<u32>,
    /// ipclab's peers: never counted as the student's.
    pub peers: Vec<u32>,
    /// Every pid of the student's seen so far.
    pub pids: Vec<u32>,
    /// POSIX shm objects and FIFOs they had open or mapped.
    pub paths: Vec<PathBuf>,
    /// Kinds of System V objects the run's namespace held (sealed runs).
    pub kinds: Vec<String>,
    /// The most processes of the student's alive at once.
    pub most_procs: usize,
    /// The largest address space of its first process (bytes).
    pub vm_peak: u64,
    /// The blocking calls its first process was seen in, in order (repeats folded).
    pub calls: Vec<&'static str>,
    /// (when, CPU so far): the CPU time of its processes, never decreasing.
    cpu: VecDeque<(Instant, Duration)>,
    /// (when, was one of its processes runnable): a spinner is runnable whether or not a
    /// busy machine gives it a CPU; a waiting program is asleep.
    runnable: VecDeque<(Instant, bool)>,
    looked: Option<Instant>,
}

impl Watch {
    pub fn new(sealed: bool) -> Watch {
        Watch {
            sealed,
            main: None,
            peers: Vec::new(),
            pids: Vec::new(),
            paths: Vec::new(),
            kinds: Vec::new(),
            most_procs: 0,
            vm_peak: 0,
            calls: Vec::new(),
            cpu: VecDeque::new(),
            runnable: VecDeque::new(),
            looked: None,
        }
    }

    /// The student's processes alive now (zombies too if `zombies`).
    pub fn live(&self, zombies: bool) -> Vec<u32> {
        let Some(main) = self.main else {
            return Vec::new();
        };
        match self.sealed {
            true => procfs::pids()
                .into_iter()
                .filter(|&p| p != 1 && !self.peers.contains(&p))
                .filter(|&p| zombies || running(p))
                .collect(),
            false => group(main, zombies),
        }
    }

    /// Look now, if 20 ms have passed since the last look.
    pub fn look(&mut self) {
        if self.main.is_none() || self.looked.is_some_and(|t| t.elapsed() < LOOK_EVERY) {
            return;
        }
        self.sample();
    }

    /// Look now.
    pub fn sample(&mut self) {
        self.looked = Some(Instant::now());
        let Some(main) = self.main else { return };
        let live = self.live(true);
        let running = live.iter().filter(|&&p| running(p)).count();
        self.most_procs = self.most_procs.max(running);
        let busy = live.iter().any(|&p| state(p) == Some('R'));
        self.runnable.push_back((Instant::now(), busy));
        if self.runnable.len() > 512 {
            self.runnable.pop_front();
        }
        let mut cpu = cpu_of(main, true);
        for &pid in &live {
            if pid != main {
                cpu += cpu_of(pid, false);
            }
            if !self.pids.contains(&pid) {
                self.pids.push(pid);
            }
            for p in ipc_paths(pid) {
                if !self.paths.contains(&p) {
                    self.paths.push(p);
                }
            }
        }
        let last = self.cpu.back().map_or(Duration::ZERO, |c| c.1);
        self.cpu.push_back((Instant::now(), cpu.max(last)));
        if self.cpu.len() > 512 {
            self.cpu.pop_front();
        }
        self.vm_peak = self.vm_peak.max(vm_peak(main));
        if let Some(call) = blocked_in(main) {
            if self.calls.last() != Some(&call) {
                self.calls.push(call);
            }
        }
        if self.sealed {
            for kind in [Kind::SysvShm, Kind::SysvMsg, Kind::SysvSem] {
                let name = kind.as_str().to_string();
                if !self.kinds.contains(&name) && !sysvipc::rows(kind).is_empty() {
                    self.kinds.push(name);
                }
            }
        }
    }

    /// CPU time of the student's processes so far.
    pub fn cpu(&mut self) -> Duration {
        self.sample();
        self.cpu.back().map_or(Duration::ZERO, |c| c.1)
    }

    /// Has it calmed down: at most one clock tick of CPU over the last `over` (it has
    /// started up and now waits)? False until it was watched that long.
    pub fn calm(&self, over: Duration) -> bool {
        let Some(last) = self.cpu.back() else {
            return false;
        };
        let Some(then) = self.cpu.iter().rev().find(|c| c.0 + over <= last.0) else {
            return false;
        };
        last.1 - then.1 <= clock_tick()
    }

    /// The share of looks since `since` that found one of its processes runnable, and how
    /// many looks there were.
    pub fn runnable_since(&self, since: Instant) -> (f64, usize) {
        let looks: Vec<bool> = self
            .runnable
            .iter()
            .filter(|r| r.0 >= since)
            .map(|r| r.1)
            .collect();
        let busy = looks.iter().filter(|&&b| b).count();
        (busy as f64 / looks.len().max(1) as f64, looks.len())
    }

    /// Did it spin lately: runnable in at least 3 of 4 looks over the last second? (Not its
    /// CPU share: on a loaded machine a spinner gets little CPU, and is still runnable.)
    pub fn spinning(&self) -> bool {
        let since = Instant::now() - Duration::from_secs(1);
        let (share, looks) = self.runnable_since(since);
        looks >= 5 && share >= 0.75
    }
}

/// The system call `pid` is blocked in, by name (the calls a waiting program makes).
pub fn blocked_in(pid: u32) -> Option<&'static str> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/syscall")).ok()?;
    let nr: libc::c_long = text.split_whitespace().next()?.parse().ok()?;
    Some(match nr {
        libc::SYS_semop | libc::SYS_semtimedop => "semop",
        libc::SYS_msgrcv => "msgrcv",
        libc::SYS_msgsnd => "msgsnd",
        libc::SYS_nanosleep | libc::SYS_clock_nanosleep => "sleep",
        libc::SYS_read => "read",
        libc::SYS_write => "write",
        libc::SYS_openat => "open",
        libc::SYS_wait4 | libc::SYS_waitid => "wait",
        libc::SYS_futex => "futex",
        libc::SYS_rt_sigsuspend => "pause",
        libc::SYS_ppoll | libc::SYS_pselect6 | libc::SYS_epoll_pwait => "poll",
        _ => return None,
    })
}

/// VmPeak of `pid`, in bytes.
fn vm_peak(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmPeak:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
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

/// Does one of `pids` have the System V segment of `key` attached (`/SYSV%08x` in its maps)?
pub fn attached(pids: &[u32], key: i32) -> bool {
    let name = format!("/SYSV{:08x}", key as u32);
    pids.iter().any(|&p| procfs::maps(p).contains(&name))
}
