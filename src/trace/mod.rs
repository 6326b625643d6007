//! `--trace` and `--timeline`'s recording: what listens to the system layer. Each wrapper in
//! [`crate::sys`] reports the call it just made as a typed [`Call`](crate::sys::event::Call)
//! (see [`crate::sys::event`]); this module prints it, `[applet pid] call(args) = result` on
//! stderr, when tracing is on, and records it (see [`record`]) when a timeline is.
//!
//! Tracing is switched on by `--trace` or by `IPCLAB_TRACE=1` in the environment; the flag
//! sets the variable for the children a controller execs (see [`crate::env`]).
//! Without either, a call costs one flag check: nothing is formatted.

pub mod record;

pub use record::{Event, Kind};

use crate::sys::event::{self, Note, Op};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static ENABLED: AtomicBool = AtomicBool::new(false);
static WHO: OnceLock<String> = OnceLock::new();
/// The part this process plays (`sysv-student write`): the applet and its subcommand.
static ROLE: OnceLock<String> = OnceLock::new();

/// This process's applet, as its trace lines and timeline lane name it.
pub fn who() -> &'static str {
    WHO.get().map(String::as_str).unwrap_or("ipclab")
}

/// This process's part (`sysv-student write`).
pub fn role() -> Option<&'static str> {
    ROLE.get().map(String::as_str)
}

/// Tell the system layer whether anyone listens now.
fn update_listening() {
    event::set_listening(enabled() || record::recording());
}

/// What the system layer tells us.
fn sink(note: &Note) {
    match note {
        Note::Call(c) => {
            if record::recording() {
                record::call(c);
            }
            if enabled() {
                let line = format!("[{} {}] {}\n", who(), std::process::id(), c.line);
                let _ = std::io::stderr().write_all(line.as_bytes());
            }
        }
        Note::Forked { ppid } => record::started(*ppid),
    }
}

/// Listen to the system layer as `applet` playing `role`; trace if `IPCLAB_TRACE` is set to
/// something other than `0` or empty, and record into the timeline directory the
/// environment names, if it is ours.
pub fn init_from_env(applet: &str, role: &str) {
    let _ = WHO.set(applet.to_string());
    let _ = ROLE.set(role.to_string());
    event::listen(sink);
    let on = std::env::var_os(crate::env::TRACE).is_some_and(|v| !v.is_empty() && v != "0");
    ENABLED.store(on, Ordering::Relaxed);
    if let Some(dir) = std::env::var_os(crate::env::TIMELINE_DIR).filter(|d| !d.is_empty()) {
        // A directory that is not ours is not written to: the run goes on unrecorded.
        let _ = record::record_into(std::path::Path::new(&dir));
    }
    update_listening();
}

/// Turn tracing on for this process (and, through `process::settings`, its children).
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
    update_listening();
}

/// Is tracing on?
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// A moment that is not a system call (the slide's `written` flag set or seen, a step of
/// the bounded buffer), for a timeline only: `--trace` prints nothing for it.
pub fn mark(op: Op, text: &str) {
    if record::recording() {
        record::mark(op, text);
    }
}

/// Start recording into `dir` (see [`record::record_into`]).
pub fn record_into(dir: &std::path::Path) -> std::io::Result<()> {
    record::record_into(dir)?;
    update_listening();
    Ok(())
}

pub use record::{flush, recording, timeline_dir};
