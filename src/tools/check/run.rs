//! One run of a role's scenario, the part every role shares. It runs sealed (in the
//! namespaces of [`super::seal`]) or, with `--isolation none`, here.
//!
//! Step 1: the scratch directory (in the run's own /tmp when sealed), the key file, the
//! payloads (new in every run, long then short), the witness log the peers write to.
//! Step 2: the role's scenario ([`super::roles`]): its objects, ipclab's peer, the student's
//! program started clean (default signal actions, empty mask, limits, stdin as the role
//! says), the mode's event; every wait with a deadline, the student watched meanwhile.
//! Step 3: what the student printed, what the peer received, how it ended, what it left.

use super::ctx::{Ctx, Setup};
use super::observe::Watch;
use super::outcome::{witnessed, Outcome};
use crate::objects::scratch;
use anyhow::Result;
use std::time::Instant;

/// Run the scenario once, here (inside the seal, when there is one).
pub fn run(s: &Setup) -> Result<Outcome> {
    // Step 1: the scratch directory, the key file, payloads new in every run.
    let t0 = Instant::now();
    let dir = match s.sealed {
        true => scratch::Dir::new_in(std::path::Path::new("/tmp"), "check")?,
        false => scratch::Dir::new("check")?,
    };
    let keyfile = dir.join("key");
    std::fs::write(&keyfile, b"")?;
    let witness = dir.join("witness.jsonl");
    std::fs::write(&witness, b"")?;
    let o = Outcome {
        payloads: super::model::payloads(s.run_no),
        sealed: s.sealed,
        ..Outcome::default()
    };
    let mut c = Ctx::new(
        s,
        dir,
        keyfile,
        witness,
        t0 + s.timeout,
        o,
        Watch::new(s.sealed),
    );
    // Step 2: the role's scenario (its processes are gone when it returns, even on an
    // error or an interruption).
    let played = super::roles::play(&mut c);
    // Step 3: what the peers received, what the run left, the limits it met.
    c.o.wall = t0.elapsed();
    c.o.witness = witnessed(&c.witness);
    c.o.kinds_seen = c.watch.kinds.clone();
    let scratch = c.dir.path().to_path_buf();
    let since = c.started_at_epoch();
    super::leaks::collect(&mut c.o, &c.watch, s.sealed, since, &scratch);
    super::limits::collect(&mut c.o, &c.watch, s.limits.cpu_secs);
    played.map(|()| c.o)
}
