//! The verdicts, for a person (a table, a colour per verdict on a terminal) or for an
//! autograder: `json` (stable keys), `gradescope` (results.json), `tap`, `junit`. Every
//! form names the role, the program and the seed, so a failing run can be replayed.

use super::checks::Verdict;
use super::{Args, Format};
use crate::outln;
use anyhow::Result;
use serde_json::json;

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Print the verdicts in `format`.
pub fn print(args: &Args, seed: u64, v: &[Verdict], format: Format) -> Result<()> {
    let program: Vec<String> = args
        .program
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let program = program.join(" ");
    let role = clap::ValueEnum::to_possible_value(&args.role)
        .map_or(String::new(), |p| p.get_name().to_owned());
    let score: u32 = v.iter().filter(|c| c.passed).map(|c| c.weight).sum();
    let max: u32 = v.iter().map(|c| c.weight).sum();
    match format {
        Format::Table => {
            outln!("ipclab check {role} -- {program}   (seed {seed}: --seed {seed} replays it)")?;
            for c in v {
                let (mark, style) = if c.passed {
                    ("PASS", anstyle::AnsiColor::Green)
                } else {
                    ("FAIL", anstyle::AnsiColor::Red)
                };
                let st = anstyle::Style::new().fg_color(Some(style.into())).bold();
                let mark = if crate::out::color_setting().is_some()
                    || std::io::IsTerminal::is_terminal(&std::io::stdout())
                {
                    format!("{st}{mark}{st:#}")
                } else {
                    mark.to_string()
                };
                outln!("{mark}  {:<12} {}", c.name, c.detail)?;
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
                json!({"role": role, "program": program, "seed": seed, "score": score, "max_score": max,
                "passed": v.iter().all(|c| c.passed), "checks": v})
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
                "output": format!("ipclab check {role} -- {program} (seed {seed})"), "tests": tests}))?
            )?;
        }
        Format::Tap => {
            outln!(
                "TAP version 13\n1..{}\n# ipclab check {role} -- {program} (seed {seed})",
                v.len()
            )?;
            for (i, c) in v.iter().enumerate() {
                outln!(
                    "{}ok {} - {} # {}",
                    if c.passed { "" } else { "not " },
                    i + 1,
                    c.name,
                    c.detail.replace('#', "\\#")
                )?;
            }
        }
        Format::Junit => {
            let failures = v.iter().filter(|c| !c.passed).count();
            outln!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"ipclab check {role}\" tests=\"{}\" failures=\"{failures}\">", v.len())?;
            outln!("  <properties><property name=\"program\" value=\"{}\"/><property name=\"seed\" value=\"{seed}\"/></properties>", xml(&program))?;
            for c in v {
                if c.passed {
                    outln!("  <testcase classname=\"{role}\" name=\"{}\"/>", c.name)?;
                } else {
                    outln!("  <testcase classname=\"{role}\" name=\"{}\"><failure message=\"{}\"/></testcase>", c.name, xml(&c.detail))?;
                }
            }
            outln!("</testsuite>")?;
        }
    }
    Ok(())
}
