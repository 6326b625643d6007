//! The three options every applet takes: `--trace`, `--color`, `--timeline`.
//!
//! clap's `global = true` copies such options into every one of the 35 applets each time
//! ipclab starts, before it knows which one runs: measured, a tenth of the start-up of a
//! static build (1.32× a C hello-world with them global, 1.23× without). So they are
//! ordinary options of the top level (`ipclab --trace pipe`) and are given, as globals of
//! its own subtree, only to the applet that runs (`ipclab pipe --trace`, `ipclab mmap-file
//! send --trace`); the man pages and completions give them to every applet.

use super::Cli;
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Command};

/// Their ids (the fields of [`Cli`]).
const IDS: [&str; 3] = ["trace", "color", "timeline"];

/// The top level's definitions, as globals for an applet's subtree, listed after the
/// applet's own options.
fn args(cmd: &Command) -> Vec<Arg> {
    cmd.get_arguments()
        .filter(|a| IDS.contains(&a.get_id().as_str()))
        .enumerate()
        .map(|(i, a)| a.clone().global(true).display_order(100 + i))
        .collect()
}

/// Give them to the applet `name` (or alias), if it is one.
pub fn to_applet(cmd: Command, name: &str) -> Command {
    let Some(real) = cmd.find_subcommand(name).map(|s| s.get_name().to_string()) else {
        return cmd;
    };
    let a = args(&cmd);
    cmd.mut_subcommand(real, |sc| sc.args(a))
}

/// Give them to every applet (man pages, completions).
pub fn to_all(cmd: Command) -> Command {
    let a = args(&cmd);
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    names
        .iter()
        .fold(cmd, |c, n| c.mut_subcommand(n, |sc| sc.args(a.clone())))
}

/// What the applet's command line said of them, over the top level's.
pub fn merge(cli: &mut Cli, matches: &ArgMatches) {
    let Some((_, sub)) = matches.subcommand() else {
        return;
    };
    let given = |id: &str| sub.value_source(id) == Some(ValueSource::CommandLine);
    if given("trace") {
        cli.trace = true;
    }
    if given("color") {
        if let Ok(Some(c)) = sub.try_get_one::<crate::out::ColorMode>("color") {
            cli.color = Some(*c);
        }
    }
    if given("timeline") || cli.timeline.is_none() {
        if let Ok(Some(t)) = sub.try_get_one::<std::path::PathBuf>("timeline") {
            cli.timeline = Some(t.clone());
        }
    }
}
