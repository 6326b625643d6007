//! `repeat`: the normal run again and again, perturbed: ipclab's peer pauses at random at
//! each hand-off (from the seed, so `--seed` replays them), alternately on one CPU (every
//! hand-off a context switch) and on two (both sides at once). Sealed runs go side by side
//! (`--jobs`). It runs until `--repeat` runs or until `--budget` would be passed (at least
//! one run), and says how many ran.
//!
//! A failure in every run is a bug of the program, named as such; only a failure in some
//! runs and not others is called a race. A program whose normal run did not end is not
//! repeated: each run would only wait for its deadline again.

use super::checks::{ending, hinted, verdict, Verdict};
use super::ctx::Mode;
use super::outcome::Outcome;
use super::roles;
use super::runs::{Runs, Spec};
use anyhow::Result;
use std::time::Instant;

/// Why a repeated run failed, or None.
fn failure(runs: &Runs, o: &Outcome) -> Option<String> {
    let role = runs.args.role;
    let timeout = runs.args.timeout;
    if o.status.is_none() {
        return Some(ending(role, o, timeout));
    }
    roles::data(role, o)
        .err()
        .or_else(|| (!o.ok()).then(|| ending(role, o, timeout)))
        .or_else(|| roles::ended_right(role, o).err())
}

pub fn repeat(
    runs: &mut Runs,
    seed: u64,
    normal: &Outcome,
    t0: Instant,
    progress: &mut super::progress::Progress,
) -> Result<Verdict> {
    let args = runs.args;
    if normal.status.is_none() {
        return Ok(verdict(
            "repeat",
            3,
            false,
            format!(
                "not repeated: the normal run did not end within {} s (see end)",
                args.timeout.as_secs_f64()
            ),
        ));
    }
    let end = t0 + args.budget;
    let cpus = crate::process::affinity::my_cpus();
    let (mut started, mut ran, mut failed, mut first) = (0u64, 0u64, 0u64, None);
    loop {
        while runs.room()
            && started < args.repeat
            && (started == 0 || Instant::now() + normal.wall <= end)
        {
            let i = started;
            // Even runs on one CPU (a different one for runs side by side), odd on two.
            let one = i % 2 == 0 || cpus.len() < 2;
            let place: Vec<usize> = match (one, cpus.len()) {
                (_, 0) => Vec::new(),
                (true, n) => vec![cpus[(i as usize / 2 + runs.busy()) % n]],
                (false, _) => cpus[..2].to_vec(),
            };
            let spec = Spec {
                mode: Mode::Normal,
                jitter: Some((seed + 100 + i, 2000)),
                run_no: seed + 100 + i,
                measure_cpu: false,
                cpus: place,
            };
            runs.start(i as usize, spec)?;
            started += 1;
            progress.say(&format!("repeat: run {started} of {}", args.repeat));
        }
        let Some((i, o)) = runs.next_ended()? else {
            break;
        };
        ran += 1;
        if let Some(why) = failure(runs, &o) {
            failed += 1;
            let cpu = if i % 2 == 0 || cpus.len() < 2 {
                "one CPU"
            } else {
                "two CPUs"
            };
            first.get_or_insert(format!("run {} ({cpu}): {why}", i + 1));
        }
    }
    let of = match ran < args.repeat {
        true => format!(
            " ({} asked; --budget {} s left no time for more)",
            args.repeat,
            args.budget.as_secs()
        ),
        false => String::new(),
    };
    Ok(match (failed, first) {
        (0, _) | (_, None) => verdict("repeat", 3, true, format!("{ran} perturbed runs (seed {seed}){of}, all passed")),
        (f, Some(first)) if f == ran => verdict("repeat", 3, false, format!(
            "failed in every one of its {ran} perturbed runs (seed {seed}){of}, so not by chance; first: {first}"
        )),
        (f, Some(first)) => verdict("repeat", 3, false, format!(
            "{f} of {ran} perturbed runs failed (seed {seed}){of}: it passes or fails by timing, a race; first: {}",
            hinted(first, "wait for the other side's turn before each hand-off")
        )),
    })
}
