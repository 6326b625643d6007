//! What the picture says in words: each call's name beside its dot, and what it leaves out
//! (the calls past [`DRAW_CAP`] in a process, the calls the recording did not keep).

use super::super::{Event, Kind, Run};
use crate::sys::event::Op;

/// Calls drawn per process, at most: the first ones (a page of tens of thousands of dots
/// helps nobody and takes a browser long to open); the `.json` has them all.
pub const DRAW_CAP: usize = 2_000;

/// Which events are drawn: all but the calls past [`DRAW_CAP`] in their process.
pub fn drawn(run: &Run) -> Vec<bool> {
    let mut seen: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    run.events
        .iter()
        .map(|e| {
            let n = seen.entry(e.pid).or_default();
            *n += usize::from(e.kind == Kind::Call);
            e.kind != Kind::Call || *n <= DRAW_CAP
        })
        .collect()
}

/// What the picture leaves out, in words (empty: nothing).
pub fn omissions(run: &Run) -> Vec<String> {
    let mut out = Vec::new();
    for l in &run.lanes {
        let calls = run
            .events
            .iter()
            .filter(|e| e.pid == l.pid && e.kind == Kind::Call)
            .count();
        if calls > DRAW_CAP {
            out.push(format!(
                "{} {}: the first {DRAW_CAP} of its {calls} recorded calls are drawn (all are in a .json timeline)",
                l.who, l.pid
            ));
        }
    }
    for e in run
        .events
        .iter()
        .filter(|e| e.kind == Kind::End && e.line.contains("not recorded"))
    {
        out.push(format!("{} {}: {}", e.who, e.pid, e.line));
    }
    out
}

/// A call's name as its dot says it: `semop V`, `semop P`, `msgrcv EINTR` (it failed).
pub fn call_label(e: &Event) -> String {
    let name = e.call_name();
    if let Some(errno) = &e.errno {
        return format!("{name} {errno}");
    }
    match &e.op {
        Op::Semop { changes, .. } if changes.iter().all(|c| c.op < 0) => "semop P".into(),
        Op::Semop { changes, .. } if changes.iter().all(|c| c.op > 0) => "semop V".into(),
        _ => name.to_string(),
    }
}
