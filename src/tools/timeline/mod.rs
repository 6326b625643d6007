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
pub mod handoffs;
pub mod merge;
pub mod mermaid;
pub mod objects;
pub mod picture;
pub mod streams;

use crate::objects::scratch;
use crate::trace;
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};

/// One recorded event: the type the processes wrote ([`crate::trace::record`]).
pub use crate::trace::{Event, Kind};

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
        (crate::env::TIMELINE_DIR, self.dir.path())
    }

    /// Read the run back and write the file; a line on stderr says where (only if the run
    /// succeeded: a failed one has said its one line already).
    pub fn finish(self, status: u8) -> Result<()> {
        if self.recording_self {
            trace::record::end(&format!("exit {status}"));
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
                run.events.iter().filter(|e| e.kind == Kind::Call).count(),
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
                if e.kind != Kind::Start && l.who == "ipclab" {
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
                .is_some_and(|e| e.kind != Kind::Start);
            let parent_who = parts.iter().find(|(p, _)| Some(*p) == l.parent);
            l.role = match parent_who {
                Some((_, w)) if forked && *w == l.who => format!("{} child", l.who),
                _ => l.who.clone(),
            };
        }
    }
    let handoffs = handoffs::handoffs(&events);
    let objects = objects::lifetimes(&events);
    Run {
        events,
        lanes,
        handoffs,
        objects,
    }
}
