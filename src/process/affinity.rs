//! Which CPUs a process may run on (`sched_getaffinity`/`sched_setaffinity`): the bench's
//! `--pin` and the grader's runs on one CPU and on two.

use crate::error::SysContext;
use anyhow::Result;

/// The CPUs this process may run on.
pub fn my_cpus() -> Vec<usize> {
    let Ok(set) = nix::sched::sched_getaffinity(nix::unistd::Pid::from_raw(0)) else {
        return Vec::new();
    };
    (0..nix::sched::CpuSet::count())
        .filter(|&c| set.is_set(c).unwrap_or(false))
        .collect()
}

/// Move this process (and the children it starts from now on) to `cpus`.
pub fn pin(cpus: &[usize]) -> Result<()> {
    let mut set = nix::sched::CpuSet::new();
    for &c in cpus {
        set.set(c).sys(format_args!("CPU {c}"))?;
    }
    nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set)
        .sys(format_args!("sched_setaffinity({cpus:?})"))
}
