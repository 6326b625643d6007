//! What a student's program may cost, and which limit it hit. Each run gives the program
//! (through `sys::sandbox::clean_start`):
//!
//! | limit | value | when it is hit |
//! |---|---|---|
//! | processes (RLIMIT_NPROC) | 64 at once | fork fails (EAGAIN); seen as 64 processes of its alive |
//! | memory (RLIMIT_AS) | 1 GiB of address space | malloc/mmap fail; seen as a failed run near the limit |
//! | CPU time (RLIMIT_CPU) | the run's timeout + 5 s | SIGXCPU |
//! | file size (RLIMIT_FSIZE) | 16 MiB | SIGXFSZ |
//!
//! Sealed runs also cap the run's /tmp and /dev/shm at 64 MiB each. RLIMIT_NPROC counts
//! the processes of the user: in a sealed run that is the run's user namespace, so only
//! the program's own; as root (whom the kernel exempts) and without a seal, the grader
//! counts them itself and stops the run at the limit; without a seal the kernel's limit is
//! set above what the user already runs.

use super::observe::Watch;
use super::outcome::{Ended, Outcome};
use crate::sys::sandbox::Limits;
use std::time::Duration;

pub const PROCS: u64 = 64;
pub const MEMORY: u64 = 1 << 30;
pub const FILE_SIZE: u64 = 16 << 20;

/// The limits of a run with this timeout.
pub fn for_run(timeout: Duration, sealed_user_ns: bool) -> Limits {
    let procs = match sealed_user_ns {
        true => PROCS,
        // Not in a namespace of its own: the user's other processes count too.
        false => users_processes() + PROCS,
    };
    Limits {
        procs: Some(procs),
        memory: Some(MEMORY),
        cpu_secs: Some(timeout.as_secs() + 5),
        file_size: Some(FILE_SIZE),
    }
}

/// The limits of the student's program in a run sealed in a user namespace of its own:
/// there the kernel counts every process of the run's user against RLIMIT_NPROC, the run's
/// own too (the namespace's creator outside the PID namespace, its init, ipclab's peers and
/// theirs, and a few peers still to start), so the program gets PROCS beyond those.
pub fn beside_the_run(mut l: Limits) -> Limits {
    const CREATOR_AND_LATER_PEERS: u64 = 1 + 4;
    let run = crate::process::procfs::pids().len() as u64;
    l.procs = l.procs.map(|p| p + run + CREATOR_AND_LATER_PEERS);
    l
}

/// The limits in words, for the report.
pub fn describe(timeout: Duration) -> String {
    format!(
        "{PROCS} processes, {} MiB of memory, {} s of CPU, {} MiB files",
        MEMORY >> 20,
        timeout.as_secs() + 5,
        FILE_SIZE >> 20
    )
}

/// How many processes this user has now.
fn users_processes() -> u64 {
    let me = nix::unistd::getuid().as_raw();
    crate::process::procfs::pids()
        .into_iter()
        .filter(|p| {
            std::fs::metadata(format!("/proc/{p}"))
                .is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == me)
        })
        .count() as u64
}

/// Which limits the run's program hit.
pub fn collect(o: &mut Outcome, watch: &Watch, cpu_secs: Option<u64>) {
    match o.status.and_then(Ended::signal) {
        Some(libc::SIGXCPU) => o.limits_hit.push(format!(
            "CPU time: {} s (killed by SIGXCPU)",
            cpu_secs.unwrap_or(0)
        )),
        Some(libc::SIGXFSZ) => o.limits_hit.push(format!(
            "file size: {} MiB (killed by SIGXFSZ)",
            FILE_SIZE >> 20
        )),
        _ => {}
    }
    if watch.most_procs as u64 >= PROCS {
        o.limits_hit.push(format!(
            "processes: {} alive at once, at most {PROCS}",
            watch.most_procs
        ));
    }
    if !o.ok() && watch.vm_peak >= MEMORY / 10 * 9 {
        o.limits_hit.push(format!(
            "memory: {} MiB of address space, at most {} MiB",
            watch.vm_peak >> 20,
            MEMORY >> 20
        ));
    }
}

/// Too many processes alive at once (root, or no seal: the kernel does not stop it).
pub fn too_many(watch: &Watch) -> bool {
    watch.most_procs as u64 > PROCS
}
