//! `ipclab check ROLE --batch DIR`: a whole class at once.
//!
//! Each entry of DIR is a submission, named by its file or directory name: an executable
//! file is graded as it is; a directory is copied into a private scratch directory (links
//! are not followed), built there with `--build COMMAND` (`sh -c`, within the limits of a
//! run and at most 120 s; the build is not sealed: it runs as you, in the copy), and the
//! program it made is graded (the one new executable, or `a.out`, or the role's name).
//!
//! Each submission is graded by an `ipclab check` process of its own (`--format json`, the
//! batch's seed, so the same seed replays the same perturbations for everyone), `--jobs`
//! at a time, with a deadline: a submission that crashes, hangs or attacks the grader costs
//! its own row, never the batch. Then the gradebook, PREFIX.csv and PREFIX.json (student,
//! score, max, each check's verdict and detail; written to a new file and renamed into
//! place, never through a link), and a summary on one screen.

use super::checks::Verdict;
use super::gradebook::Row;
use super::{report, Args};
use anyhow::{anyhow, Context, Result};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A submission being graded.
struct Grading {
    student: String,
    child: Child,
    out: PathBuf,
    started: Instant,
    _scratch: crate::objects::scratch::Dir,
}

pub fn run(args: &Args, dir: &Path, seed: u64) -> Result<()> {
    let t0 = Instant::now();
    let (mut entries, skipped): (Vec<PathBuf>, Vec<PathBuf>) = std::fs::read_dir(dir)
        .with_context(|| format!("--batch {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .partition(|p| p.is_dir() || is_executable(p));
    entries.sort();
    if entries.is_empty() {
        return Err(crate::error::usage(format!(
            "--batch {}: the directory is empty",
            dir.display()
        )));
    }
    let mut progress = super::progress::Progress::new(
        format!("check {} --batch", report::role_name(args.role)),
        false,
    );
    let mut rows = Vec::new();
    let mut queue = entries.into_iter();
    let mut running: Vec<Grading> = Vec::new();
    let total = queue.len();
    loop {
        while running.len() < args.jobs as usize {
            let Some(entry) = queue.next() else { break };
            match start(args, &entry, seed) {
                Ok(g) => running.push(g),
                Err(e) => rows.push(error_row(&entry, &format!("{e:#}"))),
            }
            progress.say(&format!(
                "{} of {total} started",
                rows.len() + running.len()
            ));
        }
        if running.is_empty() {
            break;
        }
        let deadline = args.budget + args.timeout * 3 + Duration::from_secs(30);
        let mut i = 0;
        while i < running.len() {
            let g = &mut running[i];
            let over = g.started.elapsed() > deadline;
            if over {
                let _ = g.child.kill();
            }
            if let Some(st) = g.child.try_wait()? {
                let g = running.swap_remove(i);
                rows.push(finished(g, st, over));
            } else {
                i += 1;
            }
        }
        crate::process::nap(Duration::from_millis(20))?;
    }
    progress.done();
    rows.sort_by(|a, b| a.student.cmp(&b.student));
    super::gradebook::write(&args.gradebook, &rows)?;
    summary(args, &rows, &skipped, seed, t0.elapsed())
}

/// A regular file someone may run (a submission; a helper module beside it is not).
fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn error_row(entry: &Path, why: &str) -> Row {
    Row {
        student: name_of(entry),
        score: 0,
        max: 0,
        passed: false,
        error: Some(crate::escape::terminal(why)),
        checks: Vec::new(),
    }
}

fn name_of(entry: &Path) -> String {
    entry
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Build (a directory) and start the grading of one submission.
fn start(args: &Args, entry: &Path, seed: u64) -> Result<Grading> {
    let scratch = crate::objects::scratch::Dir::new("batch")?;
    let program = if entry.is_dir() {
        let copy = scratch.join("src");
        copy_tree(entry, &copy)?;
        if let Some(cmd) = &args.build {
            build(cmd, &copy, args)?;
        }
        find_program(&copy, args.role)?
    } else {
        std::path::absolute(entry)?
    };
    let out = scratch.join("report.json");
    let mut c = crate::process::ipclab_command()?;
    c.args([
        "check",
        &report::role_name(args.role),
        "--format",
        "json",
        "--jobs",
        "1",
    ])
    .args([
        "--seed",
        &seed.to_string(),
        "--repeat",
        &args.repeat.to_string(),
    ])
    .args([
        "--budget",
        &crate::units::show(args.budget),
        "--timeout",
        &crate::units::show(args.timeout),
    ])
    .args([
        "--isolation",
        clap::ValueEnum::to_possible_value(&args.isolation)
            .map_or("auto".into(), |p| p.get_name().to_string())
            .as_str(),
    ]);
    if !args.only.is_empty() {
        c.args(["--only", &args.only.join(",")]);
    }
    c.arg("--").arg(&program);
    let child = c
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out)?)
        .stderr(Stdio::null())
        .spawn()?;
    Ok(Grading {
        student: name_of(entry),
        child,
        out,
        started: Instant::now(),
        _scratch: scratch,
    })
}

/// The row of a grading that ended.
fn finished(g: Grading, st: std::process::ExitStatus, killed: bool) -> Row {
    let text = super::observe::read(&g.out);
    let v: Option<serde_json::Value> = serde_json::from_str(&text).ok();
    let Some(v) = v.filter(|_| !killed) else {
        let why = if killed {
            "the grading passed its deadline and was stopped".to_string()
        } else {
            format!("the grading ended with {st} and no report")
        };
        return Row {
            student: g.student,
            score: 0,
            max: 0,
            passed: false,
            error: Some(why),
            checks: Vec::new(),
        };
    };
    let checks: Vec<Verdict> = serde_json::from_value(v["checks"].clone()).unwrap_or_default();
    let (score, max) = report::score(&checks);
    Row {
        student: g.student,
        score,
        max,
        passed: checks.iter().all(|c| c.passed),
        error: None,
        checks,
    }
}

/// Copy a directory tree (regular files and directories; links and the rest are skipped).
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(to)?;
    for e in std::fs::read_dir(from)?.flatten() {
        let t = e.file_type()?;
        let dest = to.join(e.file_name());
        if t.is_dir() {
            copy_tree(&e.path(), &dest)?;
        } else if t.is_file() {
            std::fs::copy(e.path(), &dest)?;
        }
    }
    Ok(())
}

/// `sh -c COMMAND` in `dir`, within a run's limits, at most 120 s.
fn build(cmd: &str, dir: &Path, args: &Args) -> Result<()> {
    let mut c = Command::new("sh");
    c.args(["-c", cmd]).current_dir(dir).stdin(Stdio::null());
    let log = dir.join(".ipclab-build.log");
    c.stdout(std::fs::File::create(&log)?)
        .stderr(std::fs::File::create(dir.join(".ipclab-build.err"))?);
    crate::sys::sandbox::clean_start(
        &mut c,
        super::limits::for_run(Duration::from_secs(115), false),
    );
    std::os::unix::process::CommandExt::process_group(&mut c, 0);
    let mut child = c.spawn().context("sh -c BUILD")?;
    let t = Instant::now();
    let st = loop {
        if let Some(st) = child.try_wait()? {
            break st;
        }
        if t.elapsed() > Duration::from_secs(120) {
            super::ctx::killpg(child.id(), nix::sys::signal::Signal::SIGKILL);
            let _ = child.wait();
            return Err(anyhow!("--build {cmd:?} did not finish within 120 s"));
        }
        crate::process::nap(Duration::from_millis(20))?;
    };
    let _ = args;
    if !st.success() {
        let err = super::observe::read(&dir.join(".ipclab-build.err"));
        let line = err
            .lines()
            .find(|l| l.contains("error"))
            .or(err.lines().next())
            .unwrap_or("");
        return Err(anyhow!(
            "--build {cmd:?} failed ({st}): {}",
            crate::escape::terminal(line)
        ));
    }
    Ok(())
}

/// The program a build made: the only executable, else `a.out` or one named after the role.
fn find_program(dir: &Path, role: super::Role) -> Result<PathBuf> {
    let exes: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            e.metadata()
                .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
        })
        .map(|e| e.path())
        .collect();
    let role = report::role_name(role);
    let named = |p: &&PathBuf| {
        let n = name_of(p);
        n == "a.out" || n == role || n == role.replace('-', "_")
    };
    match exes.as_slice() {
        [one] => Ok(one.clone()),
        many => many
            .iter()
            .find(named)
            .cloned()
            .ok_or_else(|| match many.len() {
                0 => anyhow!("no executable program in it (give --build, e.g. --build make)"),
                n => anyhow!("{n} executables in it and none is a.out or {role}"),
            }),
    }
}

fn summary(
    args: &Args,
    rows: &[Row],
    skipped: &[PathBuf],
    seed: u64,
    took: Duration,
) -> Result<()> {
    use crate::outln;
    let role = report::role_name(args.role);
    outln!(
        "ipclab check {role} --batch: {} submissions in {:.0} s ({} at a time, seed {seed})",
        rows.len(),
        took.as_secs_f64(),
        args.jobs
    )?;
    let width = rows
        .iter()
        .map(|r| r.student.chars().count())
        .max()
        .unwrap_or(0);
    for r in rows {
        let failed: Vec<&str> = r
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.name.as_str())
            .collect();
        let what = match (&r.error, failed.is_empty()) {
            (Some(e), _) => format!("not graded: {e}"),
            (None, true) => "all checks passed".into(),
            (None, false) => format!("failed: {}", failed.join(", ")),
        };
        outln!(
            "{:<width$}  {:>3}/{:<3} {what}",
            crate::escape::terminal(&r.student),
            r.score,
            r.max
        )?;
    }
    for p in skipped {
        outln!(
            "skipped {}: not an executable file or a directory",
            crate::escape::terminal(&name_of(p))
        )?;
    }
    outln!(
        "gradebook: {} and {}",
        super::gradebook::with_ext(&args.gradebook, "csv").display(),
        super::gradebook::with_ext(&args.gradebook, "json").display()
    )?;
    Ok(())
}
