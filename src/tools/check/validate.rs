//! What `ipclab check` refuses before it runs anything (exit 2, one line): a PROGRAM that
//! is not there or cannot be run, and `--only` names that are no check, or a check that
//! does not apply to the role.

use super::Role;
use crate::error::usage;
use anyhow::Result;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Every check, in the order they run.
pub const CHECKS: &[&str] = &[
    "transcript",
    "data",
    "end",
    "no-leak",
    "no-stray",
    "cpu",
    "limits",
    "sigint",
    "peer-dies",
    "starts-first",
    "repeat",
];

/// Does `check` apply to `role`? (`peer-dies` to msg-client, `starts-first` to mmap-write;
/// no `cpu` for the bounded buffer, which busy-waits by design; no `transcript` where the
/// seed prints nothing.)
pub fn applies(check: &str, role: Role) -> bool {
    match check {
        "peer-dies" => role == Role::MsgClient,
        "starts-first" => role == Role::MmapWrite,
        "cpu" => !matches!(role, Role::RingProducer | Role::RingConsumer),
        "transcript" => role != Role::MmapWrite,
        _ => true,
    }
}

/// Refuse unknown or inapplicable `--only` names.
pub fn only(names: &[String], role: Role) -> Result<()> {
    let role_name = clap::ValueEnum::to_possible_value(&role)
        .map_or(String::new(), |p| p.get_name().to_owned());
    for n in names {
        if !CHECKS.contains(&n.as_str()) {
            return Err(usage(format!(
                "--only {n}: no such check (the checks: {})",
                CHECKS.join(", ")
            )));
        }
        if !applies(n, role) {
            let these: Vec<&str> = CHECKS
                .iter()
                .copied()
                .filter(|c| applies(c, role))
                .collect();
            return Err(usage(format!(
                "--only {n}: not a check of the role {role_name} (its checks: {})",
                these.join(", ")
            )));
        }
    }
    Ok(())
}

/// The program must be there and executable (a path, or a name on PATH): its absolute
/// path, then its own arguments.
pub fn program(program: &[OsString]) -> Result<Vec<OsString>> {
    let first = program.first().map(OsString::as_os_str).unwrap_or_default();
    let shown = Path::new(first).display().to_string();
    if let Some(stem) = [".c", ".cc", ".cpp"]
        .iter()
        .find_map(|ext| shown.strip_suffix(ext))
    {
        return Err(usage(format!(
            "PROGRAM {shown} is source code: compile it first (gcc -Wall -O2 -o {stem} {shown}), then give ./{stem}",
            stem = stem.trim_start_matches("./")
        )));
    }
    let found: Option<PathBuf> = if Path::new(first).components().count() > 1 {
        Some(PathBuf::from(first))
    } else {
        std::env::var_os("PATH").and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(first))
                .find(|c| c.is_file())
        })
    };
    let Some(path) = found else {
        return Err(usage(format!(
            "PROGRAM {shown}: not found on PATH (give its path, e.g. ./{shown})"
        )));
    };
    match std::fs::metadata(&path) {
        Err(_) => Err(usage(format!(
            "PROGRAM {shown}: no such file (build it first, e.g. gcc -Wall -O2 -o {shown} {}.c)",
            shown.trim_start_matches("./")
        ))),
        Ok(m) if !m.is_file() => Err(usage(format!("PROGRAM {shown}: not a file"))),
        Ok(m) if m.permissions().mode() & 0o111 == 0 => Err(usage(format!(
            "PROGRAM {shown}: not executable (chmod +x {shown}, or compile it with gcc -o)"
        ))),
        Ok(_) => {
            let mut v = vec![std::path::absolute(&path)?.into_os_string()];
            v.extend(program[1..].iter().cloned());
            Ok(v)
        }
    }
}
