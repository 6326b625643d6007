//! `ipclab lab`: the lecture as exercises a student does in the terminal, from a skeleton to
//! "done", the way rustlings and the CS:APP labs do it, on ipclab's grader.
//!
//! - `list`: the exercises in the lecture's order ([`exercises::ALL`]) with their status;
//! - `start NAME [DIR]`: the starter ([`start`]): the slide's program with `TODO` where the
//!   IPC calls go, its headers, a Makefile, a README (en, zh) and a marker naming the exercise;
//! - `watch` / `test`: build and quick checks after every save, or once ([`watch`]);
//! - `hint`: the next of three hints ([`hints`]), counted;
//! - `grade`: the full check ([`grading`]); a pass marks the exercise done;
//! - `status`: the progress ([`state`], in the user's private directory).
//!
//! No solution ships in the binary: the reference programs are in tests/c, used by the tests.

pub mod clients;
pub mod exercises;
pub mod grading;
pub mod hints;
pub mod start;
pub mod state;
pub mod verdict;
pub mod watch;

use anyhow::Result;
use std::path::{Path, PathBuf};

// `ipclab lab`. (A comment: a doc comment would replace the about.)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  ipclab lab list\n  ipclab lab start shmread && cd shmread && ipclab lab watch\n  ipclab lab grade --format json"
)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Cmd,
    /// The language of titles and hints (default: from LANG)
    #[arg(long, value_enum, global = true)]
    pub lang: Option<Lang>,
}

/// English or Chinese.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

#[derive(clap::Subcommand, Debug)]
pub enum Cmd {
    /// The exercises in the lecture's order, with your status
    List,
    /// Write an exercise's starter into DIR (default ./NAME); never over an existing file
    Start {
        /// The exercise (see `ipclab lab list`)
        name: String,
        dir: Option<PathBuf>,
    },
    /// Rebuild and check on every save (in the exercise's directory); Ctrl-C ends
    Watch(Here),
    /// Build and check once, as watch does after a save
    Test(Here),
    /// The next hint: each reveals more (the number taken is recorded)
    Hint(Here),
    /// The full check of the exercise; a pass marks it done
    Grade {
        #[command(flatten)]
        here: Here,
        /// table, json, gradescope, tap or junit (the client exercises: table or json)
        #[arg(long, default_value = "table", value_parser = ["table", "json", "gradescope", "tap", "junit"])]
        format: String,
    },
    /// Your progress: done, hints taken, last result
    Status,
}

/// Where the exercise is.
#[derive(clap::Args, Debug)]
pub struct Here {
    /// The exercise's directory [default: .]
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// The exercise, when the directory has no marker
    #[arg(long)]
    pub exercise: Option<String>,
}

fn lang(args: &Args) -> usize {
    let zh = match args.lang {
        Some(l) => l == Lang::Zh,
        None => ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .is_some_and(|v| v.starts_with("zh")),
    };
    usize::from(zh)
}

pub fn run(args: Args) -> Result<()> {
    let l = lang(&args);
    match &args.cmd {
        Cmd::List => list(l),
        Cmd::Start { name, dir } => start_cmd(name, dir.as_deref()),
        Cmd::Watch(h) => watch::watch(start::which(&h.dir, h.exercise.as_deref())?, &h.dir),
        Cmd::Test(h) => {
            let e = start::which(&h.dir, h.exercise.as_deref())?;
            match watch::round(e, &h.dir)? {
                Some(0) => Ok(()),
                Some(n) => Err(anyhow::anyhow!("{n} check(s) failing")),
                None => Err(anyhow::anyhow!("the build failed")),
            }
        }
        Cmd::Hint(h) => hint(start::which(&h.dir, h.exercise.as_deref())?, l),
        Cmd::Grade { here, format } => grade(
            start::which(&here.dir, here.exercise.as_deref())?,
            &here.dir,
            format,
        ),
        Cmd::Status => status(l),
    }
}

fn status_word(r: Option<&state::Record>) -> String {
    match r {
        None => "not started".into(),
        Some(r) if r.done => "done".into(),
        Some(r) => match r.failing {
            Some(0) => "all checks pass: grade it".into(),
            Some(n) => format!("{n} check(s) failing"),
            None => "started".into(),
        },
    }
}

/// `s` padded to `width` terminal columns (a CJK character takes two).
fn pad(s: &str, width: usize) -> String {
    let cols: usize = s
        .chars()
        .map(|c| if c as u32 >= 0x2E80 { 2 } else { 1 })
        .sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(cols)))
}

fn list(l: usize) -> Result<()> {
    let progress = state::load()?;
    crate::outln!(
        "{:>2}  {:<14} {} {:<22} title",
        "#",
        "exercise",
        pad("lecture", 20),
        "status"
    )?;
    for (i, e) in exercises::ALL.iter().enumerate() {
        let word = status_word(progress.exercises.get(e.name));
        crate::outln!(
            "{:>2}  {:<14} {} {:<22} {}",
            i + 1,
            e.name,
            pad(e.lecture, 20),
            word,
            e.title[l]
        )?;
    }
    crate::outln!("start one: ipclab lab start NAME")?;
    Ok(())
}

fn start_cmd(name: &str, dir: Option<&Path>) -> Result<()> {
    let e = exercises::find(name).ok_or_else(|| {
        crate::error::usage(format!(
            "no exercise called {name:?}: `ipclab lab list` shows them"
        ))
    })?;
    let dir = dir.map_or_else(|| PathBuf::from(e.name), Path::to_path_buf);
    let written = start::write(e, &dir)?;
    for f in &written {
        crate::outln!("wrote {}", f.display())?;
    }
    let abs = std::fs::canonicalize(&dir).unwrap_or(dir.clone());
    state::update(e.name, |r| r.dir = Some(abs))?;
    crate::outln!(
        "next: cd {} && ipclab lab watch   (then fill the TODOs in {}.c)",
        crate::escape::shell_path(&dir),
        e.program
    )?;
    Ok(())
}

fn hint(e: &exercises::Exercise, l: usize) -> Result<()> {
    let taken = state::load()?.exercises.get(e.name).map_or(0, |r| r.hints);
    let all = hints::of(e.name);
    let step = (taken as usize).min(all.len() - 1);
    let r = state::update(e.name, |r| r.hints = r.hints.max(step as u32 + 1))?;
    crate::outln!(
        "hint {} of {} for {}: {}",
        step + 1,
        all.len(),
        e.name,
        all[step][l]
    )?;
    if r.hints as usize >= all.len() {
        crate::outln!("(that was the last hint; the page: docs/{})", e.page)?;
    }
    Ok(())
}

fn grade(e: &exercises::Exercise, dir: &Path, format: &str) -> Result<()> {
    if !grading::build(dir, true)? {
        return Err(anyhow::anyhow!(
            "the build failed: `make` in {} shows why",
            dir.display()
        ));
    }
    let (passed, failing) = grading::full(e, dir, format)?;
    state::update(e.name, |r| {
        r.done |= passed;
        r.failing = Some(failing);
        r.graded = Some(true);
        r.when = Some(state::now());
    })?;
    match passed {
        true => {
            crate::out::err_line(&format!("lab: {} is done", e.name));
            Ok(())
        }
        false => Err(anyhow::anyhow!(
            "{} is not done yet: fix the failing checks",
            e.name
        )),
    }
}

fn status(l: usize) -> Result<()> {
    let progress = state::load()?;
    let done = exercises::ALL
        .iter()
        .filter(|e| progress.exercises.get(e.name).is_some_and(|r| r.done))
        .count();
    crate::outln!("{done} of {} exercises done", exercises::ALL.len())?;
    for e in exercises::ALL {
        let Some(r) = progress.exercises.get(e.name) else {
            continue;
        };
        let when = r.when.map_or("never checked".into(), |t| {
            format!("last checked {} s ago", state::now().saturating_sub(t))
        });
        crate::outln!(
            "{:<14} {:<22} hints {}  {}  {}  {}",
            e.name,
            status_word(Some(r)),
            r.hints,
            when,
            r.dir
                .as_ref()
                .map_or(String::new(), |d| d.display().to_string()),
            e.title[l]
        )?;
    }
    Ok(())
}
