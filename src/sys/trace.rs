//! `--trace`: each wrapper in [`crate::sys`] reports the call it just made, with decoded
//! arguments and the result or errno, as `[applet pid] call(args) = result` on stderr.
//!
//! Tracing is switched on by `--trace` or by `IPCLAB_TRACE=1` in the environment; the flag
//! sets the variable so that it reaches the children a controller execs.
//!
//! The same calls can be *recorded* for `--timeline` (see `crate::tools::timeline`): when
//! `IPCLAB_TIMELINE_DIR` names the run's private directory, each process appends one JSON
//! line per call (monotonic time, pid, applet, the call line) to `DIR/PID.jsonl`, a file it
//! creates there (O_EXCL, no symlink followed; the directory must be ours and 0700).
//! Without either, a call costs one flag check: nothing is formatted.

use std::fmt::Display;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static ENABLED: AtomicBool = AtomicBool::new(false);
static RECORDING: AtomicBool = AtomicBool::new(false);
static WHO: OnceLock<String> = OnceLock::new();
/// The part this process plays (`sysv-student write`): the applet and its subcommand.
static ROLE: OnceLock<String> = OnceLock::new();
/// The directory and this process's file (its first calls written at once, then in 64 KiB
/// batches and at the end), while recording.
static RECORD: OnceLock<(std::path::PathBuf, std::sync::Mutex<Recorder>)> = OnceLock::new();

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

/// The variable naming the run's timeline directory, for every process of the run.
pub const TIMELINE_DIR: &str = "IPCLAB_TIMELINE_DIR";

/// Nanoseconds of CLOCK_MONOTONIC: the same clock in every process of the machine.
pub fn now_ns() -> u64 {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
        .map(|t| t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64)
        .unwrap_or(0)
}

/// Start recording into `dir` (made by this run, or inherited from the controller through
/// [`TIMELINE_DIR`]); refused unless `dir` is a real directory of ours with mode 0700.
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
    let ppid = nix::unistd::getppid().as_raw();
    event("start", &format!("ppid {ppid}"), Some(ppid));
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

/// Is anything listening (printing or recording)? The wrappers format a call only then.
pub fn active() -> bool {
    enabled() || recording()
}

thread_local! {
    /// When the blocking call about to be made began (0: not recorded).
    static BEGAN: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Before a call that may block (semop, msgrcv, read, waitpid…): note the time, so the
/// timeline can draw how long it blocked. Nothing when not recording.
pub fn begin() {
    if recording() {
        BEGAN.with(|b| b.set(now_ns()));
    }
}

/// A moment that is not a system call (the slide's `written` flag set or seen), for a
/// timeline only: `--trace` prints nothing for it.
pub fn mark(what: &str) {
    if recording() {
        event("mark", what, None);
    }
}

/// Write out the recorded calls still buffered (before a fork).
pub fn flush() {
    if let Some(Ok(mut rec)) = RECORD.get().map(|(_, r)| r.lock()) {
        rec.flush();
    }
}

/// Record one event: `kind` is `start`, `call` or `end` (which writes the buffer out; a
/// forked child's first event starts from an empty buffer of its own).
pub fn event(kind: &str, line: &str, ppid: Option<i32>) {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        t: u64,
        pid: u32,
        who: &'a str,
        kind: &'a str,
        line: &'a str,
        ppid: Option<i32>,
        began: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        role: Option<&'a str>,
    }
    let Some((_, rec)) = RECORD.get() else {
        return;
    };
    let Ok(mut rec) = rec.lock() else {
        return;
    };
    let began = BEGAN.with(|b| b.replace(0));
    let dropped = rec.calls.saturating_sub(RECORD_CAP);
    let end_line;
    let line = match kind {
        "call" | "mark" => {
            rec.calls += 1;
            if rec.calls > RECORD_CAP {
                return;
            }
            line
        }
        "end" if dropped > 0 => {
            let sep = if line.is_empty() { "" } else { "; " };
            end_line = format!("{line}{sep}{dropped} calls not recorded (cap {RECORD_CAP})");
            &end_line
        }
        _ => line,
    };
    let e = Line {
        t: now_ns(),
        pid: std::process::id(),
        who: WHO.get().map(String::as_str).unwrap_or("ipclab"),
        kind,
        line,
        ppid,
        began: (began > 0).then_some(began),
        role: (kind == "start")
            .then(|| ROLE.get().map(String::as_str))
            .flatten(),
    };
    if serde_json::to_writer(&mut rec.buf, &e).is_ok() {
        rec.buf.push(b'\n');
    }
    // Each of the first calls goes out at once (a demo's few calls must survive its death
    // by a signal, as mmap-file demo's SIGBUS child); a long run's are written in batches.
    if !matches!(kind, "call" | "mark") || rec.calls <= EAGER || rec.buf.len() >= 64 << 10 {
        rec.flush();
    }
}

/// Enable tracing if `IPCLAB_TRACE` is set to something other than `0` or empty (a
/// controller passes it to its children: see `process::settings`).
pub fn init_from_env(applet: &str, role: &str) {
    let _ = WHO.set(applet.to_string());
    let _ = ROLE.set(role.to_string());
    let on = std::env::var_os("IPCLAB_TRACE").is_some_and(|v| !v.is_empty() && v != "0");
    ENABLED.store(on, Ordering::Relaxed);
    if let Some(dir) = std::env::var_os(TIMELINE_DIR).filter(|d| !d.is_empty()) {
        // A directory that is not ours is not written to: the run goes on unrecorded.
        let _ = record_into(std::path::Path::new(&dir));
    }
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
    if !active() {
        return;
    }
    let text = match result {
        Ok(v) => format!("{call} = {v}"),
        Err(e) => format!("{call} = -1 {e:?} ({})", e.desc()),
    };
    if recording() {
        event("call", &text, None);
    }
    if enabled() {
        let who = WHO.get().map(String::as_str).unwrap_or("ipclab");
        let line = format!("[{who} {}] {text}\n", std::process::id());
        let _ = std::io::stderr().write_all(line.as_bytes());
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
