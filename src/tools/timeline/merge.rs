//! `ipclab timeline merge A.json B.json … -o run.html`: the two sides of a two-terminal
//! demo, each recorded with its own `--timeline X.json`, on one time axis. Each file's
//! `otherData.t0_ns` (its first moment on CLOCK_MONOTONIC, the same clock for every process
//! of the machine) puts its events back in absolute time; the merged run is then drawn like
//! any other, hand-offs between the files included (a msgsnd in A, its msgrcv in B).

use super::{format_of, from_events, Event, Format, Kind};
use crate::sys::event::Op;
use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `ipclab timeline`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Sub,
}

/// What to do with timelines.
#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// Join runs recorded with --timeline X.json (both terminals of a demo) on one time axis
    #[command(after_help = "Example: ipclab timeline merge server.json client.json -o run.html")]
    Merge {
        /// The .json timelines to join
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// Where to write the joined run (.html, .svg or .json)
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// Run `ipclab timeline`.
pub fn run(args: Args) -> Result<()> {
    let Sub::Merge { files, output } = args.cmd;
    let format = format_of(&output)?;
    let mut events = Vec::new();
    for f in &files {
        events.extend(read(f)?);
    }
    let run = from_events(events);
    let text = match format {
        Format::Json => super::chrome::render(&run)?,
        Format::Svg => super::picture::svg(&run),
        Format::Html => super::picture::html(&run, None),
        Format::Mermaid => super::mermaid::render(&run),
    };
    super::write_new(&output, text.as_bytes())?;
    use crate::units::counted;
    crate::out::note(format_args!(
        "merged into {} ({}, {}, {})",
        output.display(),
        counted(files.len(), "file", "files"),
        counted(run.lanes.len(), "process", "processes"),
        counted(run.handoffs.len(), "hand-off", "hand-offs")
    ));
    Ok(())
}

/// The events of one `.json` timeline written by ipclab, in absolute time.
fn read(path: &Path) -> Result<Vec<Event>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: not a JSON timeline ({e})", path.display()))?;
    let Some(t0) = v["otherData"]["t0_ns"].as_u64() else {
        bail!(
            "{}: no otherData.t0_ns: not written by `ipclab --timeline FILE.json`",
            path.display()
        );
    };
    let evs = v["traceEvents"].as_array().map_or(&[][..], Vec::as_slice);
    let at = |e: &Value, k: &str| e[k].as_f64().map(|us| t0 + (us * 1000.0).round() as u64);
    let pid = |e: &Value| e["pid"].as_u64().unwrap_or(0) as u32;
    // "ROLE PID": the applet is the role's first word.
    let role_of = |p: u32| {
        evs.iter()
            .find(|e| e["ph"] == "M" && pid(e) == p)
            .and_then(|e| e["args"]["name"].as_str())
            .and_then(|n| n.rsplit_once(' '))
            .map_or("ipclab", |(role, _)| role)
            .to_string()
    };
    let name_of = |p: u32| role_of(p).split(' ').next().unwrap_or("ipclab").to_string();
    // A child's parent: the `s` end of the spawn flow whose `f` end is the child.
    let parent_of = |p: u32| {
        let id = evs
            .iter()
            .find(|e| e["cat"] == "spawn" && e["ph"] == "f" && pid(e) == p)?["id"]
            .as_u64()?;
        let s = evs
            .iter()
            .find(|e| e["cat"] == "spawn" && e["ph"] == "s" && e["id"].as_u64() == Some(id))?;
        i32::try_from(pid(s)).ok()
    };
    let mut out = Vec::new();
    for e in evs {
        let (p, line) = (pid(e), e["args"]["call"].as_str());
        let op: Op = serde_json::from_value(e["args"]["op"].clone()).unwrap_or_default();
        let errno = e["args"]["errno"].as_str().map(str::to_string);
        let event = |kind: Kind, t: u64, began: Option<u64>, line: &str, ppid| Event {
            t,
            pid: p,
            who: name_of(p),
            kind,
            line: line.to_string(),
            ppid,
            began,
            role: (kind == Kind::Start).then(|| role_of(p)),
            errno: errno.clone(),
            op: op.clone(),
        };
        match (e["ph"].as_str(), e["cat"].as_str(), line) {
            (Some("X"), Some("process"), _) => {
                let start = at(e, "ts").unwrap_or(t0);
                let dur = e["dur"].as_f64().unwrap_or(0.0);
                out.push(event(Kind::Start, start, None, "", parent_of(p)));
                out.push(event(
                    Kind::End,
                    start + (dur * 1000.0) as u64,
                    None,
                    "",
                    None,
                ));
            }
            (Some("X"), Some("ipc"), Some(l)) => {
                let began = at(e, "ts").unwrap_or(t0);
                let t = began + (e["dur"].as_f64().unwrap_or(0.0) * 1000.0).round() as u64;
                out.push(event(Kind::Call, t, Some(began), l, None));
            }
            (Some("i"), Some("ipc"), Some(l)) => {
                out.push(event(Kind::Call, at(e, "ts").unwrap_or(t0), None, l, None));
            }
            // The flag's and the buffer's moments (not calls).
            (Some("i"), Some("flag" | "ring"), Some(l)) => {
                out.push(event(Kind::Mark, at(e, "ts").unwrap_or(t0), None, l, None));
            }
            _ => {}
        }
    }
    Ok(out)
}
