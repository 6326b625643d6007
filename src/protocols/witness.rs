//! What ipclab's side of a run received, for the grader (`ipclab check`): its verdicts are
//! checked against what the peer really got, byte for byte (a message cut short, a stale
//! tail after a missing NUL, one message read twice), not against what the peer printed.
//!
//! The grader sets `IPCLAB_WITNESS=PATH` for the peers it starts; each message a demo
//! receives is then appended to PATH as one JSON line `{"pid": P, "got": [bytes]}` (one
//! `write` with O_APPEND, so several peers can share the file). Without the variable,
//! nothing happens: a demo run by hand is not slowed or changed.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

/// The variable the grader sets.
pub const VAR: &str = crate::env::WITNESS;

/// Record that this process received `message` (its bytes, without the protocol's NUL).
pub fn got(message: &[u8]) {
    let Some(path) = std::env::var_os(VAR) else {
        return;
    };
    let line = serde_json::json!({"pid": std::process::id(), "got": message});
    // The grader made the file in its private scratch directory: never create it here,
    // never follow a link.
    let Ok(mut f) = std::fs::OpenOptions::new()
        .append(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    else {
        return;
    };
    let _ = f.write_all(format!("{line}\n").as_bytes());
}
