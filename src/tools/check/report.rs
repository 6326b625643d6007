//! The verdicts, for a person (a table, a colour per verdict when colour is on: see
//! [`crate::out::styled`]) or for an autograder: `json` (stable keys), `gradescope`
//! (results.json), `tap`, `junit`. Every form names the role, the program, the seed and how
//! the runs were sealed, so a failing run can be replayed. Whatever came from the student's
//! program is escaped ([`crate::escape`]): it can neither move the cursor nor forge a line.

use super::checks::Verdict;
use super::seal::Sealed;
use super::{Args, Format, Role};
use crate::escape;
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
    let text = render(
        &role_name(args.role),
        program,
        seed,
        &sealed.describe(),
        v,
        format,
    )?;
    crate::out::write(format_args!("{text}"))?;
    Ok(())
}

/// The verdicts in `format`, as text (every line ended).
pub fn render(
    role: &str,
    program: &str,
    seed: u64,
    isolation: &str,
    v: &[Verdict],
    format: Format,
) -> Result<String> {
    use std::fmt::Write;
    let (score, max) = score(v);
    let mut s = String::new();
    match format {
        Format::Table => {
            writeln!(s, "ipclab check {role} -- {program}   (seed {seed}: --seed {seed} replays it; {isolation})")?;
            for c in v {
                use crate::out::{paint, Tone};
                let mark = match c.passed {
                    true => paint("PASS", Tone::Good),
                    false => paint("FAIL", Tone::Bad),
                };
                writeln!(s, "{mark}  {:<12} {}", c.name, escape::terminal(&c.detail))?;
            }
            writeln!(
                s,
                "score {score}/{max}: {} of {} checks passed",
                v.iter().filter(|c| c.passed).count(),
                v.len()
            )?;
        }
        Format::Json => {
            writeln!(
                s,
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
            writeln!(
                s,
                "{}",
                serde_json::to_string_pretty(&json!({"score": score, "max_score": max,
                "output": format!("ipclab check {role} -- {program} (seed {seed}; {isolation})"), "tests": tests}))?
            )?;
        }
        Format::Tap => {
            writeln!(
                s,
                "TAP version 13\n1..{}\n# ipclab check {role} -- {program} (seed {seed}; {isolation})",
                v.len()
            )?;
            for (i, c) in v.iter().enumerate() {
                writeln!(
                    s,
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
            writeln!(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"ipclab check {role}\" tests=\"{}\" failures=\"{failures}\">", v.len())?;
            writeln!(s, "  <properties><property name=\"program\" value=\"{}\"/><property name=\"seed\" value=\"{seed}\"/><property name=\"isolation\" value=\"{}\"/></properties>", escape::html(program), escape::html(isolation))?;
            for c in v {
                if c.passed {
                    writeln!(s, "  <testcase classname=\"{role}\" name=\"{}\"/>", c.name)?;
                } else {
                    writeln!(s, "  <testcase classname=\"{role}\" name=\"{}\"><failure message=\"{}\"/></testcase>", c.name, escape::html(&escape::terminal(&c.detail)))?;
                }
            }
            writeln!(s, "</testsuite>")?;
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn verdicts() -> impl Strategy<Value = Vec<Verdict>> {
        proptest::collection::vec((any::<bool>(), 1u32..20, any::<String>()), 0..6).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (passed, weight, detail))| Verdict {
                    name: format!("check{i}"),
                    passed,
                    weight,
                    detail,
                })
                .collect()
        })
    }

    proptest! {
        /// Whatever a student's program printed (any text, control characters, quotes, `<`,
        /// `#`, newlines) stays inside its verdict: JSON reads back, TAP has one line per
        /// check, JUnit's attributes hold no raw `<`, `"` or control character, the table
        /// one line per check and no escape sequence.
        #[test]
        fn a_detail_never_breaks_its_report(v in verdicts(), program in "[ -~]{0,30}") {
            let j = render("shmread", &program, 7, "ns", &v, Format::Json).unwrap();
            let back: serde_json::Value = serde_json::from_str(&j).unwrap();
            for (c, b) in v.iter().zip(back["checks"].as_array().unwrap()) {
                prop_assert_eq!(b["detail"].as_str().unwrap(), c.detail.as_str());
            }
            let g = render("shmread", &program, 7, "ns", &v, Format::Gradescope).unwrap();
            let back: serde_json::Value = serde_json::from_str(&g).unwrap();
            prop_assert_eq!(back["tests"].as_array().unwrap().len(), v.len());
            let tap = render("shmread", &program, 7, "ns", &v, Format::Tap).unwrap();
            prop_assert_eq!(tap.lines().count(), 3 + v.len());
            for line in tap.lines().skip(3) {
                prop_assert!(line.starts_with("ok ") || line.starts_with("not ok "));
            }
            let x = render("shmread", &program, 7, "ns", &v, Format::Junit).unwrap();
            prop_assert_eq!(x.lines().count(), 4 + v.len());
            for line in x.lines() {
                prop_assert!(!line.chars().any(char::is_control), "{}", line);
                // Inside attribute values: no raw quote or angle bracket.
                for value in line.split('"').skip(1).step_by(2) {
                    prop_assert!(!value.contains('<') && !value.contains('>'), "{}", line);
                }
            }
            let table = render("shmread", &program, 7, "ns", &v, Format::Table).unwrap();
            prop_assert_eq!(table.lines().count(), 2 + v.len());
            prop_assert!(!table.contains('\x1b'));
        }
    }
}
