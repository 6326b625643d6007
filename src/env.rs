//! The environment variables ipclab's processes pass each other, in one place: each name,
//! who sets it and who reads it. A child a controller execs is a fresh process: what it
//! must know of the run (trace on, colour, the timeline's directory, its controller's
//! pipes) comes to it this way (see [`crate::process::settings`] and
//! [`crate::process::child_env`]).

/// `1`: trace every call. Set by `--trace` for the children (process::settings); read by
/// [`crate::trace::init_from_env`]. Users may set it too.
pub const TRACE: &str = "IPCLAB_TRACE";

/// `always`/`never`/`auto`: the colour setting. Set by `--color` for the children
/// (process::settings); read by [`crate::out::init_color`].
pub const COLOR: &str = "IPCLAB_COLOR";

/// The run's private timeline directory. Set by the process given `--timeline` (and by the
/// tour for a gallery step) for every process of the run; read by
/// [`crate::trace::init_from_env`].
pub const TIMELINE_DIR: &str = "IPCLAB_TIMELINE_DIR";

/// FILE of `--timeline FILE`, from the user's environment (clap's `env`, in cli).
pub const TIMELINE: &str = "IPCLAB_TIMELINE";

/// The controller's pid, its report pipe and its ready pipe: set by
/// [`crate::process::controller`] for each child it execs (never passed further down);
/// read by [`crate::process::child`].
pub const CONTROLLER_PID: &str = "IPCLAB_CONTROLLER_PID";
pub const REPORT_FD: &str = "IPCLAB_REPORT_FD";
pub const READY_FD: &str = "IPCLAB_READY_FD";

/// The registry's directory. Set by the user, the tests and the grader's batch (one per
/// submission); read by [`crate::objects::registry`].
pub const STATE_DIR: &str = "IPCLAB_STATE_DIR";

/// The flag demo's polling interval (`--interval`'s default, clap's `env`). Set by the
/// user, and by the grader for its ipclab peers.
pub const INTERVAL: &str = "IPCLAB_INTERVAL";

/// `SEED:MAX_US`: random pauses at the demos' race points. Set by the grader's repeated
/// runs and the signal fuzz; read by [`crate::process::jitter`].
pub const JITTER: &str = "IPCLAB_JITTER";

/// `1`: the bench corrupts one message on purpose (its own check must catch it). Set by
/// tests; read by the bench.
pub const BENCH_CORRUPT: &str = "IPCLAB_BENCH_CORRUPT";

/// A file the grader's peers write what they saw into (one JSON line each). Set by the
/// grader for its ipclab peers; read by [`crate::protocols::witness`].
pub const WITNESS: &str = "IPCLAB_WITNESS";

/// Every name above: the grader clears them all from a student's program's environment.
pub const ALL: [&str; 12] = [
    TRACE,
    COLOR,
    TIMELINE_DIR,
    TIMELINE,
    CONTROLLER_PID,
    REPORT_FD,
    READY_FD,
    STATE_DIR,
    INTERVAL,
    JITTER,
    BENCH_CORRUPT,
    WITNESS,
];
