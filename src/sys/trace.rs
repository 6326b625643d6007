//! `--trace`: each wrapper in [`crate::sys`] reports the call it just made, with decoded
//! arguments and the result or errno, as `[applet pid] call(args) = result` on stderr.
//!
//! Tracing is switched on by `--trace` or by `IPCLAB_TRACE=1` in the environment; the flag
//! sets the variable so that it reaches the children a controller execs.

use std::fmt::Display;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static ENABLED: AtomicBool = AtomicBool::new(false);
static WHO: OnceLock<String> = OnceLock::new();

/// Enable tracing if `IPCLAB_TRACE` is set to something other than `0` or empty (a
/// controller passes it to its children: see `process::settings`).
pub fn init_from_env(applet: &str) {
    let _ = WHO.set(applet.to_string());
    let on = std::env::var_os("IPCLAB_TRACE").is_some_and(|v| !v.is_empty() && v != "0");
    ENABLED.store(on, Ordering::Relaxed);
}

/// Turn tracing on for this process (and, through `process::settings`, its children).
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Is tracing on?
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Report one call and its outcome.
pub fn call<T: Display>(call: std::fmt::Arguments<'_>, result: &Result<T, super::Errno>) {
    if !enabled() {
        return;
    }
    let who = WHO.get().map(String::as_str).unwrap_or("ipclab");
    let pid = std::process::id();
    let line = match result {
        Ok(v) => format!("[{who} {pid}] {call} = {v}\n"),
        Err(e) => format!("[{who} {pid}] {call} = -1 {e:?} ({})\n", e.desc()),
    };
    let _ = std::io::stderr().write_all(line.as_bytes());
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
