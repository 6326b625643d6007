//! `--timeline`'s recording: when the run's private directory is named (`IPCLAB_TIMELINE_DIR`,
//! see [`crate::env`]), each process appends one JSON line per [`Event`] to `DIR/PID.jsonl`,
//! a file it creates there (O_EXCL, no symlink followed; the directory must be ours and
//! 0700). The same type is read back by the timeline ([`crate::tools::timeline`]): one
//! record, written and read, whose calls carry their typed effect ([`Op`]).

use crate::sys::event::{Call, Op};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// What an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A process's first moment (its lane starts).
    Start,
    /// A system call, as it returned.
    Call,
    /// A moment that is not a call: the `written` flag set or seen, a step of the buffer.
    Mark,
    /// Its last moment (`exit N`).
    End,
}

/// One line of a `PID.jsonl`: written by the process, read by the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// CLOCK_MONOTONIC, ns: when it happened (a call: when it returned).
    pub t: u64,
    pub pid: u32,
    /// The applet.
    pub who: String,
    pub kind: Kind,
    /// A call: its `--trace` line; a mark: what it says; start: `ppid N`; end: `exit N`.
    pub line: String,
    #[serde(default)]
    pub ppid: Option<i32>,
    /// For a call that may block: when it began (CLOCK_MONOTONIC, ns).
    #[serde(default)]
    pub began: Option<u64>,
    /// On a start: the part the process plays (`sysv-student write`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A failed call's errno (`EINTR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno: Option<String>,
    /// What the call (or mark) did, typed.
    #[serde(default, skip_serializing_if = "is_other")]
    pub op: Op,
}

fn is_other(op: &Op) -> bool {
    *op == Op::Other
}

impl Event {
    /// How long the call blocked, if it was timed, in ns.
    pub fn blocked(&self) -> u64 {
        self.began.map_or(0, |b| self.t.saturating_sub(b))
    }

    /// The call's name: `semop` of `semop(5, [{0, +1, 0}], 1) = 0`.
    pub fn call_name(&self) -> &str {
        self.line.split('(').next().unwrap_or(&self.line)
    }

    /// Did the call fail?
    pub fn failed(&self) -> bool {
        self.errno.is_some()
    }

    /// The slide's `written` flag set or seen.
    pub fn is_flag_mark(&self) -> bool {
        matches!(self.op, Op::FlagSet { .. } | Op::FlagSeen { .. })
    }

    /// A step of the bounded buffer.
    pub fn is_ring_mark(&self) -> bool {
        matches!(self.op, Op::Ring { .. })
    }
}

/// The calls recorded per process, at most (a 10,000-line shmcon run makes about 20,000
/// per child); past the cap calls are counted, not recorded, and the end event says how
/// many.
pub const RECORD_CAP: u64 = 25_000;

/// Calls written out one by one before the buffering starts.
const EAGER: u64 = 256;

/// This process's file, its buffer and its count.
struct Recorder {
    file: std::fs::File,
    buf: Vec<u8>,
    calls: u64,
}

impl Recorder {
    fn flush(&mut self) {
        let _ = self.file.write_all(&self.buf);
        self.buf.clear();
    }
}

static RECORDING: AtomicBool = AtomicBool::new(false);
/// The directory and this process's file, while recording.
static RECORD: OnceLock<(std::path::PathBuf, std::sync::Mutex<Recorder>)> = OnceLock::new();

/// Start recording into `dir` (made by this run, or inherited from the controller through
/// the environment); refused unless `dir` is a real directory of ours with mode 0700.
pub fn record_into(dir: &std::path::Path) -> std::io::Result<()> {
    let md = std::fs::symlink_metadata(dir)?;
    let uid = nix::unistd::getuid().as_raw();
    if !md.is_dir() || md.uid() != uid || md.mode() & 0o077 != 0 {
        return Err(std::io::Error::other(format!(
            "{} is not a private directory of ours",
            dir.display()
        )));
    }
    let file = std::fs::OpenOptions::new()
        .append(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(dir.join(format!("{}.jsonl", std::process::id())))?;
    let rec = Recorder {
        file,
        buf: Vec::with_capacity(64 << 10),
        calls: 0,
    };
    let _ = RECORD.set((dir.to_path_buf(), std::sync::Mutex::new(rec)));
    RECORDING.store(true, Ordering::Relaxed);
    started(nix::unistd::getppid().as_raw());
    Ok(())
}

/// The directory being recorded into, if any (passed on to the children).
pub fn timeline_dir() -> Option<&'static std::path::Path> {
    RECORD.get().map(|(d, _)| d.as_path())
}

/// Is this process recording a timeline?
pub fn recording() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

/// Write out the recorded calls still buffered (before a fork).
pub fn flush() {
    if let Some(Ok(mut rec)) = RECORD.get().map(|(_, r)| r.lock()) {
        rec.flush();
    }
}

/// This process's lane starts (after `record_into`, or in a forked child).
pub fn started(ppid: i32) {
    write(Event {
        role: super::role().map(str::to_string),
        ..event(Kind::Start, format!("ppid {ppid}"), Some(ppid))
    });
}

/// A call, as the system layer reported it.
pub fn call(c: &Call) {
    write(Event {
        began: c.began,
        errno: c.errno.map(|e| format!("{e:?}")),
        op: c.op.clone(),
        ..event(Kind::Call, c.line.clone(), None)
    });
}

/// A mark (see [`super::mark`]).
pub fn mark(op: Op, text: &str) {
    write(Event {
        op,
        ..event(Kind::Mark, text.to_string(), None)
    });
}

/// The last event of this process: `exit N`.
pub fn end(line: &str) {
    write(event(Kind::End, line.to_string(), None));
}

fn event(kind: Kind, line: String, ppid: Option<i32>) -> Event {
    Event {
        t: crate::sys::event::now_ns(),
        pid: std::process::id(),
        who: super::who().to_string(),
        kind,
        line,
        ppid,
        began: None,
        role: None,
        errno: None,
        op: Op::Other,
    }
}

/// Append `e` (a forked child's first event starts from an empty buffer of its own).
fn write(mut e: Event) {
    let Some((_, rec)) = RECORD.get() else {
        return;
    };
    let Ok(mut rec) = rec.lock() else {
        return;
    };
    let dropped = rec.calls.saturating_sub(RECORD_CAP);
    match e.kind {
        Kind::Call | Kind::Mark => {
            rec.calls += 1;
            if rec.calls > RECORD_CAP {
                return;
            }
        }
        Kind::End if dropped > 0 => {
            let sep = if e.line.is_empty() { "" } else { "; " };
            e.line = format!(
                "{}{sep}{dropped} calls not recorded (cap {RECORD_CAP})",
                e.line
            );
        }
        _ => {}
    }
    if serde_json::to_writer(&mut rec.buf, &e).is_ok() {
        rec.buf.push(b'\n');
    }
    // Each of the first calls goes out at once (a demo's few calls must survive its death
    // by a signal, as mmap-file demo's SIGBUS child); a long run's are written in batches.
    let eager = !matches!(e.kind, Kind::Call | Kind::Mark) || rec.calls <= EAGER;
    if eager || rec.buf.len() >= 64 << 10 {
        rec.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::event::SemChange;

    #[test]
    fn an_event_reads_back_as_it_was_written() {
        let e = Event {
            t: 7,
            pid: 42,
            who: "shmread".into(),
            kind: Kind::Call,
            line: "semop(5, [{1, -1, 0}], 1) = 0".into(),
            ppid: None,
            began: Some(3),
            role: None,
            errno: None,
            op: Op::Semop {
                id: 5,
                changes: vec![SemChange { num: 1, op: -1 }],
            },
        };
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), e);
        // An event of an older recording (no op, no errno) still reads.
        let old = r#"{"t":1,"pid":2,"who":"pipe","kind":"call","line":"pipe([r, w]) = 0 [3, 4]","ppid":null,"began":null}"#;
        assert_eq!(serde_json::from_str::<Event>(old).unwrap().op, Op::Other);
    }
}
