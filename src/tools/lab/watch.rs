//! `ipclab lab watch` and `ipclab lab test`: build, then the quick checks, then one line of
//! verdict: the compiler's errors as it prints them, or the first failing check with its
//! hint, or "all checks pass". `watch` repeats it after every save of a starter file
//! (inotify, through the `notify` crate), on one screen redrawn on a terminal; Ctrl-C ends
//! it, leaving nothing (the checks it runs clean up after themselves).

use super::exercises::Exercise;
use super::grading::{self, Verdict};
use super::state;
use anyhow::{anyhow, Result};
use notify::Watcher;
use std::path::Path;
use std::time::Duration;

/// One round: build and check; the number of checks failing (None: it did not build).
pub fn round(e: &Exercise, dir: &Path) -> Result<Option<usize>> {
    crate::outln!("$ make")?;
    if !grading::build(dir, false)? {
        crate::outln!("build failed: fix the first error above and save")?;
        return Ok(None);
    }
    crate::outln!("checking ./{} in the role of {} …", e.program, e.name)?;
    let verdicts = grading::quick(e, dir)?;
    let failing: Vec<&Verdict> = verdicts.iter().filter(|v| !v.passed).collect();
    match failing.first() {
        None => crate::outln!("all {} checks pass: run `ipclab lab grade`", verdicts.len())?,
        Some(v) => {
            crate::outln!(
                "{} of {} checks pass; the first failing one:",
                verdicts.len() - failing.len(),
                verdicts.len()
            )?;
            crate::outln!("FAIL  {}: {}", v.name, crate::escape::terminal(&v.detail))?;
            // How the program itself ended says most when it is not the first failure.
            if let Some(end) = failing.iter().find(|f| f.name == "end" && f.name != v.name) {
                crate::outln!("FAIL  end: {}", crate::escape::terminal(&end.detail))?;
            }
            crate::outln!("(more help: `ipclab lab hint`)")?;
        }
    }
    let n = failing.len() as u32;
    state::update(e.name, |r| {
        r.failing = Some(n);
        r.graded = Some(false);
        r.when = Some(state::now());
    })?;
    Ok(Some(failing.len()))
}

/// Is `path` one of the files the student edits?
fn edited(e: &Exercise, path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == format!("{}.c", e.program)
        || name == "Makefile"
        || e.extra.iter().any(|(n, _)| *n == name)
}

/// `ipclab lab watch`.
pub fn watch(e: &Exercise, dir: &Path) -> Result<()> {
    crate::sys::signals::catch_termination()?;
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
        if let Ok(ev) = ev {
            let _ = tx.send(ev);
        }
    })
    .map_err(|err| anyhow!("cannot watch {}: {err}", dir.display()))?;
    watcher
        .watch(dir, notify::RecursiveMode::NonRecursive)
        .map_err(|err| anyhow!("cannot watch {}: {err}", dir.display()))?;
    let screen = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let mut saves = 0u32;
    loop {
        if screen {
            crate::out::write(format_args!("\x1b[H\x1b[2J"))?;
        }
        crate::outln!(
            "== ipclab lab watch: {} ({}), save {saves} ==",
            e.name,
            e.title[0]
        )?;
        if let Err(err) = round(e, dir) {
            crate::error::check_interrupted()?;
            crate::outln!("could not check: {err:#}")?;
        }
        crate::outln!(
            "watching {}: save a file to check again; Ctrl-C ends",
            dir.display()
        )?;
        // Wait for a save of an edited file; then let the editor finish (it may write twice).
        loop {
            crate::error::check_interrupted()?;
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(ev) if is_save(&ev) && ev.paths.iter().any(|p| edited(e, p)) => break,
                Ok(_) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        while rx.recv_timeout(Duration::from_millis(150)).is_ok() {}
        saves += 1;
    }
}

/// A write, a create or a rename into place (what editors do on save).
fn is_save(ev: &notify::Event) -> bool {
    use notify::EventKind;
    matches!(
        ev.kind,
        EventKind::Modify(_)
            | EventKind::Create(_)
            | EventKind::Access(notify::event::AccessKind::Close(_))
    )
}
