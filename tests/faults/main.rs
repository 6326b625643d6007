//! ipclab's fault tests, one named trial each (libtest-mimic), so any scenario can be run
//! alone: `cargo test --test faults -- 'msg-server (waiting for a request) / SIGTERM'`.
//!
//! - [`matrix`]: every demo and controller, at each blocking point, under each fault (SIGINT
//!   to the group, SIGTERM, SIGHUP, SIGKILL of each child, SIGKILL of the leader then
//!   `ipclab clean`, EOF, a closed stdout, a full /dev/shm): the documented exit status, no
//!   process left running, no object left.
//! - [`random`]: signals at random moments (each demo, each signal, to the group, the leader
//!   or a child), from a seed printed in the trial names (`IPCLAB_SIGNAL_SEED=S` replays,
//!   `IPCLAB_SIGNAL_TRIALS=N` sets the count; `scripts/signal-fuzz.sh` runs thousands).
//! - [`inject`]: the deterministic cases under `strace -e inject=…:delay_exit`: a SIGKILL
//!   inside each create call (then `clean` finds everything), a signal inside the spawn.
// The tests' own peers and probes use the standard library's sockets and nix directly.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

#[path = "../common/mod.rs"]
mod common;
mod inject;
mod matrix;
mod random;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let mut trials = matrix::trials();
    trials.extend(random::trials());
    trials.extend(inject::trials());
    libtest_mimic::run(&args, trials).exit();
}
