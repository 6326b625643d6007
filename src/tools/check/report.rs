//! The verdicts, for a person (a table, a colour per verdict when colour is on: see
//! [`crate::out::styled`]) or for an autograder: `json` (stable keys), `gradescope`
//! (results.json), `tap`, `junit`. Every form names the role, the program, the seed and how
//! the runs were sealed, so a failing run can be replayed. Whatever came from the student's
//! program is escaped ([`crate::escape`]): it can neither move the cursor nor forge a line.

use super::checks::Verdict;
use super::seal::Sealed;
use super::{Args, Format, Role};
use crate::escape;
use crate::outln;
use anyhow::Result;
use serde_json::json;
use std::ffi::OsString;

/// The role's name as typed (`ring-producer`).
pub fn role_name(role: Role) -> String {
    clap::ValueEnum::to_possible_value(&role).map_or(String::new(), |p| p.get_name().to_owned())
}

/// The program and its arguments as typed, escaped.
pub fn shown_program(program: &[OsString]) -> String {
    let words: Vec<String> = program
        .iter()
        .map(|a| escape::terminal(&a.to_string_lossy()))
        .collect();
    words.join(" ")
}

/// The score and the best score.
pub fn score(v: &[Verdict]) -> (u32, u32) {
    (
        v.iter().filter(|c| c.passed).map(|c| c.weight).sum(),
        v.iter().map(|c| c.weight).sum(),
    )
}

/// Print the verdicts in `format`.
pub fn print(
    args: &Args,
    program: &str,
    seed: u64,
    sealed: &Sealed,
    v: &[Verdict],
    format: Format,
) -> Result<()> {
    let role = role_name(args.role);
    let (score, max) = score(v);
    let isolation = sealed.describe();
    match format {
        Format::Table => {
            outln!("ipclab check {role} -- {program}   (seed {seed}: --seed {seed} replays it; {isolation})")?;
            for c in v {
                use crate::out::{paint, Tone};
                let mark = match c.passed {
                    true => paint("PASS", Tone::Good),
                    false => paint("FAIL", Tone::Bad),
                };
                outln!("{mark}  {:<12} {}", c.name, escape::terminal(&c.detail))?;
            }
            outln!(
                "score {score}/{max}: {} of {} checks passed",
                v.iter().filter(|c| c.passed).count(),
                v.len()
            )?;
        }
        Format::Json => {
            outln!(
                "{}",
                json!({"role": role, "program": program, "seed": seed, "isolation": isolation,
                "score": score, "max_score": max, "passed": v.iter().all(|c| c.passed), "checks": v})
            )?;
        }
        Format::Gradescope => {
            let tests: Vec<_> = v
                .iter()
                .map(|c| {
                    json!({"name": c.name, "score": if c.passed { c.weight } else { 0 },
                "max_score": c.weight, "output": c.detail})
                })
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&json!({"score": score, "max_score": max,
                "output": format!("ipclab check {role} -- {program} (seed {seed}; {isolation})"), "tests": tests}))?
            )?;
        }
        Format::Tap => {
            outln!(
                "TAP version 13\n1..{}\n# ipclab check {role} -- {program} (seed {seed}; {isolation})",
                v.len()
            )?;
            for (i, c) in v.iter().enumerate() {
                outln!(
                    "{}ok {} - {} # {}",
                    if c.passed { "" } else { "not " },
                    i + 1,
                    c.name,
                    escape::terminal(&c.detail).replace('#', "\\#")
                )?;
            }
        }
        Format::Junit => {
            let failures = v.iter().filter(|c| !c.passed).count();
            outln!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"ipclab check {role}\" tests=\"{}\" failures=\"{failures}\">", v.len())?;
            outln!("  <properties><property name=\"program\" value=\"{}\"/><property name=\"seed\" value=\"{seed}\"/><property name=\"isolation\" value=\"{}\"/></properties>", escape::html(program), escape::html(&isolation))?;
            for c in v {
                if c.passed {
                    outln!("  <testcase classname=\"{role}\" name=\"{}\"/>", c.name)?;
                } else {
                    outln!("  <testcase classname=\"{role}\" name=\"{}\"><failure message=\"{}\"/></testcase>", c.name, escape::html(&escape::terminal(&c.detail)))?;
                }
            }
            outln!("</testsuite>")?;
        }
    }
    Ok(())
}
