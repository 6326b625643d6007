//! What this layer says of each call it makes: one typed [`Call`], given to the sink the
//! program registered ([`listen`]). The layer knows nothing of what listens: `crate::trace`
//! prints each call for `--trace` and records it for `--timeline`; with nobody listening a
//! call costs one flag check and nothing is formatted.
//!
//! A call carries its line as `--trace` prints it (`semop(5, [{0, +1, 0}], 1) = 0`) and,
//! for the calls the timeline reasons about, what it did in typed fields ([`Op`]): which
//! semaphore moved and by how much, which queue and message type, how many bytes through
//! which descriptor, which object was made or removed. A failed call does nothing: its
//! `Op` is `Other` and its errno is kept. Nothing reads the line back to learn these.
//!
//! [`Hooks`] are the other direction: what the program needs done around a fork (flush
//! its buffered output, its recorded calls) or before it dies by a signal, registered once
//! by the layer above, so that this layer never imports from it.

use super::Errno;
use serde::{Deserialize, Serialize};
use std::fmt::Display;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// One change a `semop` makes: semaphore `num` of the set by `op` (+1: V, -1: P).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SemChange {
    pub num: u16,
    pub op: i16,
}

/// A step of the bounded buffer (a mark, not a call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RingStep {
    Put,
    Took,
    /// The producer waits: the buffer is full.
    WaitsFull,
    /// The consumer waits: the buffer is empty.
    WaitsEmpty,
}

/// What a call did, in typed fields (only what the timeline reasons about).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "op", content = "args", rename_all = "snake_case")]
pub enum Op {
    /// `semop` on set `id`.
    Semop {
        id: i32,
        changes: Vec<SemChange>,
    },
    /// `semctl(id, num, SETVAL, value)`.
    Setval {
        id: i32,
        num: i32,
        value: i32,
    },
    /// `sem_init` of the POSIX semaphore at offset `off` of a mapping.
    PsemInit {
        off: usize,
        value: u32,
    },
    /// `sem_post`.
    PsemPost {
        off: usize,
    },
    /// `sem_wait`, or a `sem_timedwait` that took the semaphore.
    PsemWait {
        off: usize,
    },
    /// `msgsnd` of a message of type `mtype` to queue `id`.
    Msgsnd {
        id: i32,
        mtype: i64,
    },
    /// `msgrcv` from queue `id` asking for `mtype` (0 or negative: any type).
    Msgrcv {
        id: i32,
        mtype: i64,
    },
    /// `read` or `write` of `bytes` through `fd`.
    Read {
        fd: i32,
        bytes: i64,
    },
    Write {
        fd: i32,
        bytes: i64,
    },
    /// `pipe`: its two ends.
    Pipe {
        read: i32,
        write: i32,
    },
    /// `open` of `path`, giving `fd`.
    Open {
        path: String,
        fd: i32,
    },
    /// An object made (`shm 43`, `/dev/shm/NAME`, `fifo PATH`, `mqueue /NAME`).
    Creates {
        object: String,
    },
    /// An object removed.
    Removes {
        object: String,
    },
    /// The slide's `written` flag set to 1 in segment `shmid` (a store, not a call).
    FlagSet {
        shmid: i32,
    },
    /// The flag seen at 1 (a load).
    FlagSeen {
        shmid: i32,
    },
    /// A step of the bounded buffer of `n` slots.
    Ring {
        step: RingStep,
        item: u64,
        inp: u32,
        out: u32,
        n: u32,
    },
    #[default]
    Other,
}

/// One call, as it returned.
#[derive(Debug, Clone)]
pub struct Call {
    /// Its name: `semop`.
    pub name: String,
    /// The line `--trace` prints: `semop(5, [{0, +1, 0}], 1) = 0`.
    pub line: String,
    /// The errno it failed with.
    pub errno: Option<Errno>,
    /// What it did (`Other` if it failed).
    pub op: Op,
    /// When a call that may block began (CLOCK_MONOTONIC ns), if [`begin`] was called.
    pub began: Option<u64>,
}

/// What the layer tells its sink.
#[derive(Debug, Clone)]
pub enum Note {
    Call(Call),
    /// This process is the child of a fork of `ppid` (a timeline's new lane).
    Forked {
        ppid: i32,
    },
}

static SINK: OnceLock<fn(&Note)> = OnceLock::new();
static LISTENING: AtomicBool = AtomicBool::new(false);

/// Give every note to `sink` (once per process; the first registration stays).
pub fn listen(sink: fn(&Note)) {
    let _ = SINK.set(sink);
}

/// Whether the sink wants calls now (`--trace` on, or a timeline recording).
pub fn set_listening(on: bool) {
    LISTENING.store(on, Ordering::Relaxed);
}

/// Is anyone listening? The wrappers format a call only then.
pub fn active() -> bool {
    LISTENING.load(Ordering::Relaxed)
}

thread_local! {
    /// When the blocking call about to be made began (0: not timed).
    static BEGAN: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Nanoseconds of CLOCK_MONOTONIC: the same clock in every process of the machine.
pub fn now_ns() -> u64 {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
        .map(|t| t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64)
        .unwrap_or(0)
}

/// Before a call that may block (semop, msgrcv, read, waitpid…): note the time, so a
/// timeline can draw how long it blocked. Nothing when nobody listens.
pub fn begin() {
    if active() {
        BEGAN.with(|b| b.set(now_ns()));
    }
}

fn send(note: &Note) {
    if let Some(sink) = SINK.get() {
        sink(note);
    }
}

/// Report a call whose effect the timeline does not need.
pub fn call<T: Display>(text: std::fmt::Arguments<'_>, result: &Result<T, Errno>) {
    call_op(text, result, |_| Op::Other);
}

/// Report a call and, if it succeeded, what it did (`op` of its result).
pub fn call_op<T: Display>(
    text: std::fmt::Arguments<'_>,
    result: &Result<T, Errno>,
    op: impl FnOnce(&T) -> Op,
) {
    if !active() {
        return;
    }
    let args = text.to_string();
    let name = args.split('(').next().unwrap_or(&args).to_string();
    let began = BEGAN.with(|b| b.replace(0));
    let (line, errno, op) = match result {
        Ok(v) => (format!("{args} = {v}"), None, op(v)),
        Err(e) => (
            format!("{args} = -1 {e:?} ({})", e.desc()),
            Some(*e),
            Op::Other,
        ),
    };
    send(&Note::Call(Call {
        name,
        line,
        errno,
        op,
        began: (began > 0).then_some(began),
    }));
}

/// Report that this process is a forked child of `ppid`.
pub fn forked(ppid: i32) {
    if active() {
        send(&Note::Forked { ppid });
    }
}

/// Render an `IPC_CREAT|IPC_EXCL|0600`-style flag word.
pub fn ipc_flags(flags: libc::c_int) -> String {
    let mut parts = Vec::new();
    if flags & libc::IPC_CREAT != 0 {
        parts.push("IPC_CREAT".to_string());
    }
    if flags & libc::IPC_EXCL != 0 {
        parts.push("IPC_EXCL".to_string());
    }
    if flags & libc::IPC_NOWAIT != 0 {
        parts.push("IPC_NOWAIT".to_string());
    }
    let mode = flags & 0o777;
    if mode != 0 {
        parts.push(format!("0{mode:o}"));
    } else if parts.is_empty() {
        parts.push("0".to_string());
    }
    parts.join("|")
}

/// What the program needs done around a fork and before dying by a signal.
#[derive(Debug, Clone, Copy)]
pub struct Hooks {
    /// Flush what is buffered (output, recorded calls), or the child writes it again.
    pub before_fork: fn(),
    /// In the child, right after the fork.
    pub in_forked_child: fn(),
    /// Before the process ends itself with a signal.
    pub before_dying: fn(),
}

static HOOKS: OnceLock<Hooks> = OnceLock::new();

/// Register the hooks (once per process).
pub fn set_hooks(hooks: Hooks) {
    let _ = HOOKS.set(hooks);
}

pub(crate) fn before_fork() {
    if let Some(h) = HOOKS.get() {
        (h.before_fork)();
    }
}

pub(crate) fn in_forked_child() {
    if let Some(h) = HOOKS.get() {
        (h.in_forked_child)();
    }
}

pub(crate) fn before_dying() {
    if let Some(h) = HOOKS.get() {
        (h.before_dying)();
    }
}
