//! `--timeline FILE`: a picture of a run. Every process of the run (the controller and each
//! child it vforks and execs) records its IPC calls as it makes them (`sys::trace`, into a
//! private directory named by `IPCLAB_TIMELINE_DIR`); when the run ends, the process that
//! was given `--timeline` reads them all back and writes FILE:
//!
//! - `.json`: the Chrome Trace Event format (ui.perfetto.dev, chrome://tracing): one pid per
//!   process, each call an instant event, each process a complete event, flow events for
//!   the spawns and the hand-offs ([`chrome`]);
//! - `.svg`: one lane per process, a mark per call (its `<title>` is the `--trace` line),
//!   spawn arrows, hand-off arrows, a time axis ([`picture`]);
//! - `.html`: the same picture in one self-contained page (no script, no network);
//! - `.mmd`: a Mermaid sequence diagram, text for a lab report ([`mermaid`]).
//!
//! A hand-off is a call that made data available matched with the call that consumed it:
//! a semaphore V (`semop … +1`, `sem_post`) with its P (`-1`, `sem_wait`) on the same
//! semaphore in another process, a `msgsnd` with its `msgrcv` on the same queue
//! ([`handoffs`]); the slide's `written` flag set and seen (ipclab's processes mark both
//! moments for a timeline); and bytes written to a pipe or FIFO with the read that got
//! them ([`streams`]).
//!
//! Step 1: make the private directory and record into it (children inherit its name).
//! Step 2: run the applet.
//! Step 3: read every process's events, render by FILE's extension, remove the directory.

pub mod chrome;
pub mod merge;
pub mod mermaid;
pub mod objects;
pub mod picture;
pub mod streams;

use crate::objects::scratch;
use crate::sys::trace;
use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One recorded event (one line of a `PID.jsonl`).
#[derive(Deserialize, Debug, Clone)]
pub struct Event {
    /// CLOCK_MONOTONIC, ns.
    pub t: u64,
    pub pid: u32,
    pub who: String,
    /// `start`, `call` or `end`.
    pub kind: String,
    pub line: String,
    pub ppid: Option<i32>,
    /// For a call that may block: when it began (CLOCK_MONOTONIC, ns).
    #[serde(default)]
    pub began: Option<u64>,
    /// On a `start` event: the part the process plays (`sysv-student write`).
    #[serde(default)]
    pub role: Option<String>,
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

    /// The slide's `written` flag set or seen (a mark of [`crate::protocols::handoff`]).
    pub fn is_flag_mark(&self) -> bool {
        self.kind == "mark"
            && (self.line.starts_with("written = 1") || self.line.starts_with("saw written"))
    }

    /// A step of the bounded buffer (a mark of `--show`'s observer: `ring put 5 in=6 …`).
    pub fn is_ring_mark(&self) -> bool {
        self.kind == "mark" && self.line.starts_with("ring ")
    }
}

/// One process of the run: its lane.
#[derive(Debug, Clone)]
pub struct Lane {
    pub pid: u32,
    pub who: String,
    /// The part it plays: `sysv-student write`, `sem-demo child` (a forked child).
    pub role: String,
    pub parent: Option<u32>,
    pub start: u64,
    pub end: u64,
}

/// A whole run, read back.
pub struct Run {
    pub events: Vec<Event>,
    pub lanes: Vec<Lane>,
    /// (index of the producing event, index of the consuming event).
    pub handoffs: Vec<(usize, usize)>,
    /// The IPC objects the run created, with when they came and went.
    pub objects: Vec<objects::Object>,
}

impl Run {
    /// The run's first moment (a blocking call's beginning included), CLOCK_MONOTONIC ns.
    pub fn t0(&self) -> u64 {
        self.events
            .iter()
            .map(|e| e.began.unwrap_or(e.t))
            .min()
            .unwrap_or(0)
    }
}

/// The output formats, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
    Svg,
    Mermaid,
}

/// FILE's format, or a usage error naming the extensions.
pub fn format_of(file: &Path) -> Result<Format> {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") | Some("htm") => Ok(Format::Html),
        Some("json") => Ok(Format::Json),
        Some("svg") => Ok(Format::Svg),
        Some("mmd") | Some("mermaid") => Ok(Format::Mermaid),
        _ => bail!(
            "--timeline {}: the file must end in .html, .json, .svg or .mmd (Mermaid)",
            file.display()
        ),
    }
}

/// A recording in progress (Step 1); [`Session::finish`] writes the file (Step 3).
pub struct Session {
    dir: scratch::Dir,
    file: PathBuf,
    format: Format,
    /// This process records too (it was given `--timeline`); else only the processes it
    /// starts with [`Session::env`] do (the tour's gallery).
    recording_self: bool,
    /// The page's title (a tour step's heading), instead of the first process's part.
    title: Option<String>,
}

impl Session {
    /// Start recording this process and, through the environment, its children.
    pub fn start(file: PathBuf) -> Result<Session> {
        let s = Self::for_others(file)?;
        trace::record_into(s.dir.path()).context("--timeline: cannot record")?;
        Ok(Session {
            recording_self: true,
            ..s
        })
    }

    /// A recording of the processes given [`Session::env`], not of this one.
    pub fn for_others(file: PathBuf) -> Result<Session> {
        let format = format_of(&file)?;
        let dir = scratch::Dir::new("timeline")?;
        Ok(Session {
            dir,
            file,
            format,
            recording_self: false,
            title: None,
        })
    }

    /// Give the page a title of its own.
    pub fn titled(self, title: &str) -> Session {
        Session {
            title: Some(title.to_string()),
            ..self
        }
    }

    /// The variable that makes a process started with it record into this run.
    pub fn env(&self) -> (&'static str, &Path) {
        (trace::TIMELINE_DIR, self.dir.path())
    }

    /// Read the run back and write the file; a line on stderr says where (only if the run
    /// succeeded: a failed one has said its one line already).
    pub fn finish(self, status: u8) -> Result<()> {
        if self.recording_self {
            trace::event("end", &format!("exit {status}"), None);
        }
        let run = load(self.dir.path())?;
        let text = match self.format {
            Format::Json => chrome::render(&run)?,
            Format::Svg => picture::svg(&run),
            Format::Html => picture::html(&run, self.title.as_deref()),
            Format::Mermaid => mermaid::render(&run),
        };
        write_new(&self.file, text.as_bytes())?;
        // A failed run says so in one line, its error's: the picture is written, unsaid.
        if status != 0 {
            drop(self.dir);
            return Ok(());
        }
        use crate::units::counted;
        crate::out::note(format_args!(
            "timeline: {} ({}, {}, {})",
            self.file.display(),
            counted(
                run.events.iter().filter(|e| e.kind == "call").count(),
                "call",
                "calls"
            ),
            counted(run.lanes.len(), "process", "processes"),
            counted(run.handoffs.len(), "hand-off", "hand-offs")
        ));
        drop(self.dir);
        Ok(())
    }
}

/// Write `path`: into a new private file beside it (O_EXCL, no link followed), renamed
/// over it, so an existing file is replaced, never written into. A path that is a symlink,
/// or a file of another user's, is refused: a picture never lands in someone else's file.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let shown = path.display();
    if let Ok(md) = std::fs::symlink_metadata(path) {
        if md.file_type().is_symlink() {
            anyhow::bail!("--timeline: cannot write {shown}: it is a symbolic link (not followed)");
        }
        if md.uid() != nix::unistd::geteuid().as_raw() {
            anyhow::bail!(
                "--timeline: cannot write {shown}: it belongs to {}; choose a path of your own",
                crate::objects::sysvipc::user_name(md.uid())
            );
        }
    }
    let name = path
        .file_name()
        .map_or("timeline".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&tmp)
        .with_context(|| format!("--timeline: cannot write {shown}"))?;
    let written = f
        .write_all(bytes)
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow!("--timeline: cannot write {shown}: {e}"));
    }
    Ok(())
}

/// Every event of the run, in time order, with the lanes and hand-offs.
pub fn load(dir: &Path) -> Result<Run> {
    let mut events = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            let text = std::fs::read_to_string(&path)?;
            for line in text.lines().filter(|l| !l.is_empty()) {
                let e: Event =
                    serde_json::from_str(line).map_err(|e| anyhow!("{}: {e}", path.display()))?;
                events.push(e);
            }
        }
    }
    Ok(from_events(events))
}

/// Lanes and hand-offs of these events.
pub fn from_events(mut events: Vec<Event>) -> Run {
    events.sort_by_key(|e| (e.t, e.pid));
    let mut lanes: Vec<Lane> = Vec::new();
    for e in &events {
        match lanes.iter_mut().find(|l| l.pid == e.pid) {
            Some(l) => {
                l.end = e.t;
                if e.kind != "start" && l.who == "ipclab" {
                    l.who = e.who.clone();
                }
            }
            None => lanes.push(Lane {
                pid: e.pid,
                who: e.who.clone(),
                role: e.role.clone().unwrap_or_default(),
                parent: e.ppid.and_then(|p| u32::try_from(p).ok()),
                start: e.t,
                end: e.t,
            }),
        }
    }
    // A parent outside the run (the shell) is no parent here.
    let pids: Vec<u32> = lanes.iter().map(|l| l.pid).collect();
    for l in &mut lanes {
        l.parent = l.parent.filter(|p| pids.contains(p));
    }
    // A process with no start of its own was forked (it shares its parent's recording):
    // its part is its parent's child. The others say theirs, or their applet's name.
    let parts: Vec<(u32, String)> = lanes.iter().map(|l| (l.pid, l.who.clone())).collect();
    for l in &mut lanes {
        if l.role.is_empty() || l.role == "ipclab" {
            let forked = events
                .iter()
                .find(|e| e.pid == l.pid)
                .is_some_and(|e| e.kind != "start");
            let parent_who = parts.iter().find(|(p, _)| Some(*p) == l.parent);
            l.role = match parent_who {
                Some((_, w)) if forked && *w == l.who => format!("{} child", l.who),
                _ => l.who.clone(),
            };
        }
    }
    let handoffs = handoffs(&events);
    let objects = objects::lifetimes(&events);
    Run {
        events,
        lanes,
        handoffs,
        objects,
    }
}

/// What a call offers or takes: (the object, how many: +1 offers, -1 takes, or, for a
/// `semctl SETVAL`, 0 with the initial value in the second field of the result).
fn exchange(e: &Event) -> Option<(String, i32)> {
    if e.is_flag_mark() {
        // The slide's flag: `written = 1 in shm ID` offers, `saw written == 1 in shm ID` takes.
        let id = e.line.rsplit(' ').next()?;
        let v = if e.line.starts_with("written = 1") {
            1
        } else {
            -1
        };
        return Some((format!("flag {id}"), v));
    }
    if e.kind != "call" || e.line.contains("= -1 ") {
        return None;
    }
    let args = e.line.split_once('(')?.1;
    let mut fields = args.split([',', ')']).map(str::trim);
    let first = fields.next()?;
    match e.call_name() {
        // A queue is first in, first out per message type: msgsnd's {mtype=T, …}, msgrcv's
        // fourth argument (0 or negative: any type, matched with every type's offers).
        "msgsnd" => {
            let t = e
                .line
                .split("mtype=")
                .nth(1)?
                .split([',', '}'])
                .next()?
                .trim();
            Some((format!("msg {first} type {t}"), 1))
        }
        "msgrcv" => {
            let t = args.split(',').nth(3)?.trim();
            match t.parse::<i64>() {
                Ok(t) if t > 0 => Some((format!("msg {first} type {t}"), -1)),
                _ => Some((format!("msg {first}"), -1)),
            }
        }
        // POSIX semaphores in shared memory, named by their offset: `sem_post(+64)`.
        "sem_post" => Some((format!("psem {first}"), 1)),
        "sem_wait" => Some((format!("psem {first}"), -1)),
        // sem_timedwait = 0 took the semaphore; = 1 timed out.
        "sem_timedwait" if e.line.ends_with("= 0") => Some((format!("psem {first}"), -1)),
        "semop" => {
            // semop(ID, [{NUM, OP, FLAGS}], 1): one operation per call in the demos.
            let op = args.split_once("[{")?.1;
            let mut f = op.split([',', '}']).map(str::trim);
            let (num, val) = (f.next()?, f.next()?.parse::<i32>().ok()?);
            Some((format!("sem {first}.{num}"), val.signum()))
        }
        _ => None,
    }
}

/// The initial value `semctl(ID, NUM, SETVAL, V)` or `sem_init(+OFF, 1, V)` gives a
/// semaphore: (object, V).
fn initial(e: &Event) -> Option<(String, usize)> {
    if e.kind != "call" {
        return None;
    }
    let args = e.line.split_once('(')?.1;
    let f: Vec<&str> = args.split([',', ')']).map(str::trim).collect();
    match e.call_name() {
        "semctl" if e.line.contains("SETVAL") => Some((
            format!("sem {}.{}", f.first()?, f.get(1)?),
            f.get(3)?.parse().ok()?,
        )),
        // sem_init(+OFFSET, 1, VALUE)
        "sem_init" => Some((format!("psem {}", f.first()?), f.get(2)?.parse().ok()?)),
        _ => None,
    }
}

/// Each take matched with the offer that made it possible: per object, the takes beyond
/// the initial value, in order, with the offers, in order (a semaphore and a queue are
/// both first in, first out here). Matching by order, not by time, because each event is
/// stamped when its call *returned*: a woken P may be stamped before the V that woke it.
/// A hand-off within one process draws nothing.
pub fn handoffs(events: &[Event]) -> Vec<(usize, usize)> {
    use std::collections::BTreeMap;
    let mut offers: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut takes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut init: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        if let Some((obj, v)) = initial(e) {
            init.insert(obj, v);
        }
        match exchange(e) {
            Some((obj, 1)) => offers.entry(obj).or_default().push(i),
            Some((obj, -1)) => takes.entry(obj).or_default().push(i),
            _ => {}
        }
    }
    // Offers in the order they *began*: a process preempted between its call's return and
    // its stamp would otherwise be put after an offer that came later (the V or msgsnd of
    // the other side), and the pairs would cross.
    for o in offers.values_mut() {
        o.sort_by_key(|&i| events[i].began.unwrap_or(events[i].t));
    }
    let mut out = Vec::new();
    for (obj, t) in &takes {
        let skip = init.get(obj).copied().unwrap_or(0);
        let o = offers.get(obj).map_or(&[][..], Vec::as_slice);
        for (&take, &offer) in t.iter().skip(skip).zip(o) {
            if events[take].pid != events[offer].pid {
                out.push((offer, take));
            }
        }
    }
    out.extend(streams::handoffs(events));
    out.sort_unstable();
    out
}
