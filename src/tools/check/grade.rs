//! Grading one program: the runs, side by side when they are sealed (each is alone in its
//! namespaces, so they cannot meet), one after the other otherwise; then each check's
//! verdict from what they saw.
//!
//! Step 1: the normal run (with the CPU window) and the event runs (`sigint`, `peer-dies`,
//! `starts-first`), `--jobs` at a time.
//! Step 2: `repeat` within what is left of `--budget` ([`super::repeat`]).
//! Step 3: the verdicts, in the order of [`super::validate::CHECKS`].

use super::checks::{self, Verdict};
use super::ctx::Mode;
use super::outcome::Outcome;
use super::runs::{Runs, Spec};
use super::seal::Sealed;
use super::Args;
use anyhow::Result;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Instant;

/// Every check asked for, in order.
pub fn grade(
    args: &Args,
    program: &[OsString],
    seed: u64,
    sealed: &Sealed,
    keep: &[PathBuf],
    progress: &mut super::progress::Progress,
) -> Result<Vec<Verdict>> {
    let t0 = Instant::now();
    let role = args.role;
    let want = |n: &str| {
        (args.only.is_empty() || args.only.iter().any(|o| o == n))
            && super::validate::applies(n, role)
    };
    let mut runs = Runs::new(args, program, sealed, keep);
    // Step 1: the normal run and the event runs.
    let mut modes = vec![(Mode::Normal, 0)];
    for (check, mode, n) in [
        ("sigint", Mode::Sigint, 1),
        ("peer-dies", Mode::PeerDies, 2),
        ("starts-first", Mode::StartsFirst, 3),
    ] {
        if want(check) {
            modes.push((mode, n));
        }
    }
    let mut outcomes: Vec<Option<Outcome>> = (0..modes.len()).map(|_| None).collect();
    let mut queue = modes.iter().enumerate();
    let mut done = 0;
    while done < modes.len() {
        while runs.room() {
            let Some((i, &(mode, n))) = queue.next() else {
                break;
            };
            progress.say(&format!("{} run", label(mode)));
            let spec = Spec {
                mode,
                jitter: None,
                run_no: seed + n,
                measure_cpu: mode == Mode::Normal,
                cpus: Vec::new(),
            };
            runs.start(i, spec)?;
        }
        if let Some((i, o)) = runs.next_ended()? {
            outcomes[i] = Some(o);
            done += 1;
        }
    }
    let mut outcomes = outcomes.into_iter().map(|o| o.expect("every run ended"));
    let normal = outcomes.next().expect("the normal run");
    // Step 2: repeat, within the budget.
    let repeat = want("repeat")
        .then(|| super::repeat::repeat(&mut runs, seed, &normal, t0, progress))
        .transpose()?;
    // Step 3: the verdicts.
    let mut v = Vec::new();
    if want("transcript") {
        v.extend(checks::transcript(role, &normal));
    }
    if want("data") {
        v.push(checks::data(role, &normal));
    }
    if want("end") {
        v.push(checks::end(role, &normal, args.timeout));
    }
    if want("no-leak") {
        v.push(checks::no_leak(&normal));
    }
    if want("no-stray") {
        v.push(checks::no_stray(&normal));
    }
    if want("cpu") {
        v.push(checks::cpu(&normal));
    }
    if want("limits") {
        v.push(checks::limits(&normal, args.timeout));
    }
    for &(mode, _) in &modes[1..] {
        let s = outcomes.next().expect("an event run");
        v.push(match mode {
            Mode::Sigint => checks::sigint(role, &s),
            Mode::PeerDies => checks::peer_dies(role, &s),
            _ => checks::starts_first(role, &s, args.timeout),
        });
    }
    v.extend(repeat);
    Ok(v)
}

fn label(mode: Mode) -> &'static str {
    match mode {
        Mode::Normal => "the normal",
        Mode::Sigint => "the Ctrl-C",
        Mode::PeerDies => "the peer-dies",
        Mode::StartsFirst => "the starts-first",
    }
}
