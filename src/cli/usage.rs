//! Usage errors, in one line with what to type instead: clap's error, its tips turned into
//! words (`did you mean 'shmread'?`), and, for an applet that takes a program after `--`
//! (`check`), the command line that was meant, with the mistyped role corrected too, and
//! "compile it first" for a C source file.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::ffi::OsString;
use std::process::ExitCode;

/// clap's suggestion for a mistyped applet name, if it has one.
fn suggestion(e: &clap::Error) -> Option<String> {
    match e.get(ContextKind::SuggestedSubcommand)? {
        ContextValue::Strings(v) => v.last().cloned(),
        ContextValue::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// clap's tips (`tip: a similar value exists: 'shmread'`), in our words.
fn tips(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("tip: "))
        .map(|t| {
            let similar = ["a similar value exists: ", "a similar argument exists: "];
            match similar.iter().find_map(|p| t.strip_prefix(p)) {
                Some(v) => format!("did you mean {v}?"),
                None => t.to_string(),
            }
        })
        .collect()
}

/// The error's first paragraph on one line, without the list of possible values when a
/// tip names the value that was meant.
fn first_paragraph(text: &str, has_tip: bool) -> String {
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .filter(|l| !(has_tip && l.starts_with("[possible values:")))
        .collect();
    lines.join(" ").trim_start_matches("error: ").to_string()
}

/// For an applet whose last argument is a program run after `--` (`check ROLE -- PROGRAM`):
/// the line that was meant, when the program came without `--`.
fn program_after_dashes(applet: &str, e: &clap::Error, args: &[OsString]) -> Option<String> {
    if e.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let command = <super::Cli as clap::CommandFactory>::command();
    let mut sub = command.find_subcommand(applet)?.clone();
    // A subcommand's arguments are complete once built.
    sub.build();
    let last = sub.get_positionals().find(|a| a.is_last_set())?;
    let Some(ContextValue::String(bad)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    if bad.starts_with('-') {
        // A mistyped option, more likely than a program named so: clap's tip says it.
        return None;
    }
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let at = words.iter().position(|w| w == applet)?;
    let from = words.iter().skip(at).position(|w| w == bad)? + at;
    let mut before: Vec<String> = words[at + 1..from].to_vec();
    let program = &words[from..];
    let mut fixed = Vec::new();
    // A mistyped role too: say both at once.
    let takes_value = |w: &str| {
        sub.get_arguments().any(|a| {
            let named = w
                .strip_prefix("--")
                .is_some_and(|l| a.get_long() == Some(l))
                || (w.len() == 2 && w.starts_with('-') && w[1..].chars().next() == a.get_short());
            named && !w.contains('=') && a.get_action().takes_values()
        })
    };
    let role = (0..before.len())
        .find(|&i| !before[i].starts_with('-') && (i == 0 || !takes_value(&before[i - 1])));
    if let Some(role) = role {
        let probe = [
            &["ipclab".to_string()],
            &words[at..at + 1],
            &before[role..=role],
        ]
        .concat();
        if let Err(e) = <super::Cli as clap::CommandFactory>::command().try_get_matches_from(probe)
        {
            if let Some(ContextValue::String(v)) = e.get(ContextKind::SuggestedValue) {
                fixed.push(format!(
                    "'{}' is no role, did you mean '{v}'?",
                    before[role]
                ));
                before[role] = v.clone();
            }
        }
    }
    let name = last.get_id().as_str().to_uppercase();
    let shown = |prog: &[String]| {
        let mut all = vec!["ipclab".to_string(), applet.to_string()];
        all.extend(before.iter().cloned());
        all.push("--".into());
        all.extend(prog.iter().map(|w| crate::escape::shell(w)));
        all.join(" ")
    };
    let hint = match program[0].strip_suffix(".c") {
        Some(stem) if !stem.is_empty() => {
            let exe = format!("./{}", stem.rsplit('/').next().unwrap_or(stem));
            format!(
                "{} is C source: compile it first (`cc -o {exe} {}`), then `{}`",
                program[0],
                crate::escape::shell(&program[0]),
                shown(std::slice::from_ref(&exe))
            )
        }
        _ => format!("{name} goes after `--`: `{}`", shown(program)),
    };
    fixed.push(hint);
    Some(fixed.join("; "))
}

/// clap's own errors, reduced to one line (help and version print as usual). `ran_as`: the
/// unknown program name ipclab was run under, and the command to find its nearest applet.
pub fn clap_error(
    applet: &str,
    e: clap::Error,
    ran_as: Option<(String, clap::Command)>,
    args: &[OsString],
) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        // `ipclab` alone: the short help, on stderr, and the usage-error status.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand if ran_as.is_none() => {
            let _ = e.print();
            ExitCode::from(2)
        }
        _ => {
            let text = e.render().to_string();
            let tips = tips(&text);
            let mut first = first_paragraph(&text, !tips.is_empty());
            match program_after_dashes(applet, &e, args) {
                Some(meant) => first.push_str(&format!(": {meant}")),
                None => match suggestion(&e) {
                    Some(s) => first.push_str(&format!("; did you mean '{s}'?")),
                    None => tips.iter().for_each(|t| first.push_str(&format!("; {t}"))),
                },
            }
            if let Some((name, command)) = ran_as {
                let near = command
                    .try_get_matches_from(["ipclab", name.as_str()])
                    .err()
                    .and_then(|e| suggestion(&e))
                    .map(|s| format!("; did you mean '{s}'? (`ipclab links DIR` makes the links)"))
                    .unwrap_or_default();
                first =
                    format!("run as '{name}', which names no applet, so as ipclab: {first}{near}");
            }
            let help = if applet == "ipclab" {
                "ipclab --help".to_string()
            } else {
                format!("ipclab {applet} --help")
            };
            crate::out::err_line(&format!("{applet}: {first} (see '{help}')"));
            ExitCode::from(2)
        }
    }
}
