//! `ipclab tour`: every demo, with built-in input and fast intervals, one after another,
//! each under a heading that names its slide, then a check that nothing was left behind.
//!
//! Two-terminal demos (FIFO, message queue, shm+sem+msg) run both sides: the side that
//! waits (reader, server) is started first in the background, the tour waits until it is
//! ready, runs the other side, and then shows what the first side printed, labelled as the
//! other terminal, so the transcript reads the same every time.
//!
//! The tour works in a private scratch directory (random name, mode 0700, recorded before it
//! exists: see [`crate::objects::scratch`]); its key files and FIFO live there and the demos
//! keyed on "." run there, so the leak check knows exactly which keys and names are its own
//! and never blames, or touches, another program's objects. Ctrl-C, SIGTERM or SIGHUP end
//! the running step (the signal is forwarded to it) and the tour, and the directory goes;
//! at `--pause`'s prompt too. Every step keys on files of the tour's own (the semaphore
//! demo too), so two tours, or a tour and any demo, run side by side.

mod gallery;
mod steps;

use crate::error::{check_interrupted, SysContext};
use crate::objects::{scratch, sysvipc, Kind};
use crate::outln;
use crate::process;
use crate::tools::timeline::Session;
use anyhow::{anyhow, Result};
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
pub use steps::Section;
use steps::{steps, Keys, Ready, Step};

// `ipclab tour [SECTION]`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab tour msg --pause")]
pub struct Args {
    /// Only this part of the lecture
    #[arg(value_enum)]
    pub section: Option<Section>,
    /// Wait for Enter before each step (for class)
    #[arg(long)]
    pub pause: bool,
    /// List the sections and their slides, run nothing
    #[arg(long)]
    pub list: bool,
}

/// The System V objects whose key is one of `keys`.
fn sysv_objects(keys: &[i32]) -> Vec<String> {
    let mut found = Vec::new();
    for t in Kind::SYSV {
        for &k in keys {
            for id in sysvipc::ids_with_key(t, k) {
                found.push(format!("System V {} id {id} (key {k})", t.proc_table()));
            }
        }
    }
    found
}

fn is_ready(r: &Ready) -> bool {
    match r {
        Ready::Path(p) => p.exists(),
        Ready::Sysv(key, n) => sysv_objects(&[*key]).len() >= *n,
    }
}

fn list() -> Result<()> {
    for sec in [Section::Shm, Section::Mmap, Section::Msg, Section::Sock] {
        outln!("{:<5} {}", sec.name(), sec.slides())?;
        for step in steps(Path::new("$TOUR"), Keys::default())
            .iter()
            .filter(|st| st.section == sec)
        {
            outln!("        {}", step.heading)?;
        }
    }
    Ok(())
}

/// Run one step (and its partner); the failures it saw are added to `failed`.
/// Run one step (both terminals of a two-terminal one); with `recording` (`tour --timeline
/// DIR`), every process of the step records into it.
fn run_step(
    step: &Step,
    dir: &Path,
    shown: &str,
    failed: &mut Vec<String>,
    recording: Option<&Session>,
) -> Result<()> {
    let mut partner = None;
    if let Some((args, ready)) = &step.partner {
        outln!(
            "(other terminal) $ ipclab {}",
            args.join(" ").replace(shown, "$TOUR")
        )?;
        // Its stdout and stderr share one pipe, in the order it wrote them, as they would
        // share its terminal.
        let (screen, write_end) = crate::sys::proc::pipe().sys("pipe()")?;
        let child = {
            let mut cmd = process::ipclab_command()?;
            cmd.args(args)
                .current_dir(dir)
                .stdin(Stdio::null())
                .stdout(Stdio::from(write_end.try_clone()?))
                .stderr(Stdio::from(write_end));
            if let Some((k, v)) = recording.map(Session::env) {
                cmd.env(k, v);
            }
            // `cmd` goes at the end of this block, and the write end with it: the pipe
            // ends when the partner does.
            process::start(&mut cmd)?
        };
        let mut child = child;
        let start = Instant::now();
        while !is_ready(ready) && start.elapsed() < Duration::from_secs(10) {
            // A partner that ended before it was ready (a signal, a failure) ends the step:
            // its other side would only wait for it.
            if let Some(status) = child.ended()? {
                check_interrupted()?;
                show_partner(&args[0], &screen, shown)?;
                failed.push(format!(
                    "`ipclab {}` ended before it was ready ({status})",
                    args[0]
                ));
                return Ok(());
            }
            crate::process::nap(Duration::from_millis(5))?;
        }
        partner = Some((args[0].clone(), child, screen));
    }
    outln!("$ ipclab {}", step.args.join(" ").replace(shown, "$TOUR"))?;
    let mut cmd = process::ipclab_command()?;
    cmd.args(&step.args).current_dir(dir).stdin(Stdio::piped());
    if let Some((k, v)) = recording.map(Session::env) {
        cmd.env(k, v);
    }
    let mut child = process::start(&mut cmd)?;
    if let Some(mut input) = child.0.stdin.take() {
        input.write_all(step.stdin).ok();
    }
    let (status, stopped) = wait_step(child, partner.as_mut().map(|p| &mut p.1))?;
    check_interrupted()?;
    if !status.success() && !stopped {
        failed.push(format!("`ipclab {}` ({status})", step.args[0]));
    }
    if let Some((name, child, screen)) = partner {
        let text = partner_screen(&screen, shown)?;
        let status = child.wait()?;
        check_interrupted()?;
        show_meanwhile(&name, &text)?;
        if !status.success() {
            failed.push(format!("`ipclab {name}` ({status})"));
        }
    }
    Ok(())
}

/// Wait for the step. A partner that fails first stops it (`true`): its side of the pair
/// would only wait for the other terminal, which is gone, and say so at length.
fn wait_step(
    mut step: process::Started,
    partner: Option<&mut process::Started>,
) -> Result<(std::process::ExitStatus, bool)> {
    let Some(partner) = partner else {
        return Ok((step.wait()?, false));
    };
    loop {
        if step.ended()?.is_some() {
            return Ok((step.wait()?, false));
        }
        if partner.ended()?.is_some_and(|st| !st.success()) {
            return Ok((step.stop()?, true));
        }
        // Not `nap`: a Ctrl-C reaches both children, and the tour waits for them to end.
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// What the partner printed, with the tour's directory shown as `$TOUR`.
fn partner_screen(screen: &std::os::fd::OwnedFd, shown: &str) -> Result<String> {
    Ok(String::from_utf8_lossy(&process::read_all(screen)?).replace(shown, "$TOUR"))
}

fn show_partner(name: &str, screen: &std::os::fd::OwnedFd, shown: &str) -> Result<()> {
    show_meanwhile(name, &partner_screen(screen, shown)?)
}

/// The "meanwhile, in the other terminal" section.
fn show_meanwhile(name: &str, text: &str) -> Result<()> {
    match text.is_empty() {
        true => outln!("--- meanwhile, in the other terminal ({name}): it printed nothing ---")?,
        false => {
            outln!("--- meanwhile, in the other terminal ({name}) ---")?;
            crate::out::write(format_args!("{text}"))?;
        }
    }
    Ok(())
}

/// One line of stdin (None at end of input), read so that Ctrl-C, SIGTERM or SIGHUP end
/// the wait at once: the tour polls its stdin and reads it byte by byte, unbuffered (a
/// blocked `read_line` would restart after the signal and wait for Enter).
fn read_line() -> Result<Option<String>> {
    use std::os::fd::AsFd;
    let stdin = std::io::stdin();
    let mut line = Vec::new();
    loop {
        if !process::readable(stdin.as_fd(), None)? {
            continue;
        }
        let mut byte = [0u8; 1];
        match crate::sys::proc::read(stdin.as_fd(), &mut byte) {
            Ok(0) if line.is_empty() => return Ok(None),
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => line.push(byte[0]),
            Err(crate::sys::Errno::EINTR | crate::sys::Errno::EAGAIN) => {}
            Err(e) => return Err(crate::error::sys_error("read(stdin)", e)),
        }
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

/// Wait for Enter before a step; false at end of input.
fn pause(step: &Step) -> Result<bool> {
    crate::out!("[press Enter for: {}] ", step.heading)?;
    let got = read_line();
    if got.is_err() || matches!(got, Ok(None)) {
        // End the prompt's line, so what follows starts on its own.
        outln!()?;
    }
    check_interrupted()?;
    if got?.is_none() {
        return Ok(false);
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        outln!()?;
    }
    Ok(true)
}

/// Run the tour; with `gallery`, a picture of each step into that directory.
pub fn run(args: Args, gallery: Option<&Path>) -> Result<()> {
    if args.list {
        return list();
    }
    let mut gallery = gallery.map(gallery::Gallery::new).transpose()?;
    crate::sys::signals::catch_termination()?;
    let dir = scratch::Dir::new("tour")?;
    let (shm_key, msg_key, sem_key) = (
        dir.join("shm.key"),
        dir.join("msg.key"),
        dir.join("sem.key"),
    );
    for k in [&shm_key, &msg_key, &sem_key] {
        std::fs::write(k, b"")
            .map_err(|e| anyhow!("cannot create the tour's key file {}: {e}", k.display()))?;
    }
    // The data file the parent_child_mmap step maps, as the notes prepare english.txt.
    std::fs::write(
        dir.join("english.txt"),
        "The quick brown fox jumps over the lazy dog.\n",
    )
    .map_err(|e| anyhow!("cannot create the tour's english.txt: {e}"))?;
    let ftok = |p: &Path, id: u8| crate::sys::ipc::ftok(p, id).unwrap_or(0);
    let keys = [
        ftok(&shm_key, 0x27),
        ftok(&msg_key, b'z'),
        ftok(dir.path(), b'z'),
        ftok(&shm_key, b's'),
        ftok(&sem_key, b'z'),
    ];
    let step_keys = Keys {
        msg: keys[1],
        dot: keys[2],
        student: keys[3],
    };
    let shown = dir.path().to_string_lossy().into_owned();

    let mut failed = Vec::new();
    let chosen: Vec<Step> = steps(dir.path(), step_keys)
        .into_iter()
        .filter(|st| args.section.is_none_or(|sec| st.section == sec))
        .collect();
    for (i, step) in chosen.iter().enumerate() {
        if i > 0 {
            outln!()?;
        }
        if args.pause && !pause(step)? {
            outln!()?;
            return Err(anyhow!(
                "end of input after {i} of {} steps: --pause waits for Enter before each step (give it a terminal, or drop --pause)",
                chosen.len()
            ));
        }
        outln!("=== {} ===", step.heading)?;
        let recording = match gallery.as_mut() {
            Some(g) => Some(g.step(i + 1, &step.heading, &step.args[0])?),
            None => None,
        };
        run_step(step, dir.path(), &shown, &mut failed, recording.as_ref())?;
        if let Some(r) = recording {
            r.finish(0)?;
        }
    }
    if let Some(g) = &gallery {
        g.finish()?;
    }

    outln!("\n=== Leak check: what the tour created is gone ===")?;
    let mut left = sysv_objects(&keys);
    let posix = steps::posix_name(dir.path());
    left.extend(
        std::fs::read_dir("/dev/shm")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(&posix))
            .map(|n| format!("/dev/shm/{n}")),
    );
    if dir.join("fifo1").exists() {
        left.push("the FIFO $TOUR/fifo1".into());
    }
    if dir.join("date.sock").exists() {
        left.push("the socket $TOUR/date.sock".into());
    }
    if dir.join("temp").exists() {
        left.push("the file $TOUR/temp".into());
    }
    if left.is_empty() {
        outln!("nothing left behind: no System V object under the tour's keys, no /dev/shm entry or FIFO of its own")?;
    } else {
        for l in &left {
            outln!("LEFT BEHIND: {l}")?;
        }
        failed.push(format!("{} object(s) left behind", left.len()));
    }
    if failed.is_empty() {
        outln!("tour complete: every demo ran and cleaned up")?;
        Ok(())
    } else {
        Err(anyhow!(
            "{} step(s) failed: {}",
            failed.len(),
            failed.join("; ")
        ))
    }
}
