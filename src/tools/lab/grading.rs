//! Build and check an exercise. The build is the exercise's `make`, its output shown as the
//! compiler prints it. The checks of a demo role are `ipclab check ROLE -- ./PROGRAM` run as
//! a child (quick: 2 repetitions, JSON read back; full: the table or `--format` asked for,
//! printed as it is); the socket and RPC clients are checked here ([`super::clients`]).

use super::clients;
use super::exercises::{Exercise, Grader};
use crate::process;
use anyhow::{anyhow, Result};
use std::path::Path;
use std::process::Stdio;

pub use super::verdict::Verdict;

/// `make` in `dir`, its output on ours (all of it on stderr with `quiet_stdout`: a grade's
/// stdout is its report alone); did it build?
pub fn build(dir: &Path, quiet_stdout: bool) -> Result<bool> {
    let mut cmd = std::process::Command::new("make");
    cmd.current_dir(dir).stdin(Stdio::null());
    if quiet_stdout {
        cmd.stdout(std::io::stderr());
    }
    let child = process::start(&mut cmd).map_err(|e| {
        anyhow!("cannot run make ({e}): install make and a C compiler (gcc or clang)")
    })?;
    let status = child.wait()?;
    crate::error::check_interrupted()?;
    Ok(status.success())
}

/// The quick checks of `e` (what `watch` shows after each save).
pub fn quick(e: &Exercise, dir: &Path) -> Result<Vec<Verdict>> {
    match e.grader {
        Grader::Check(role) => {
            let role = crate::tools::check::report::role_name(role);
            let mut cmd = process::ipclab_command()?;
            cmd.current_dir(dir)
                .args([
                    "check",
                    &role,
                    "--repeat",
                    "2",
                    "--budget",
                    "8s",
                    "--timeout",
                    "5s",
                ])
                .args(["--format", "json", "--color", "never", "--"])
                .arg(format!("./{}", e.program))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let out = cmd
                .output()
                .map_err(|err| anyhow!("cannot run ipclab check: {err}"))?;
            crate::error::check_interrupted()?;
            parse(&out.stdout).ok_or_else(|| {
                let err = String::from_utf8_lossy(&out.stderr);
                anyhow!("ipclab check gave no verdicts: {}", err.trim())
            })
        }
        Grader::SockClient => clients::date_client(dir, e.program),
        Grader::RpcClient => clients::rpc_client(dir, e.program),
    }
}

/// The verdicts of `ipclab check --format json`.
fn parse(json: &[u8]) -> Option<Vec<Verdict>> {
    let v: serde_json::Value = serde_json::from_slice(json).ok()?;
    let checks = v.get("checks")?.as_array()?;
    Some(
        checks
            .iter()
            .map(|c| Verdict {
                name: c["name"].as_str().unwrap_or("?").to_string(),
                passed: c["passed"].as_bool().unwrap_or(false),
                detail: c["detail"].as_str().unwrap_or("").to_string(),
            })
            .collect(),
    )
}

/// The full grading of `e`, printed; did every check pass?
pub fn full(e: &Exercise, dir: &Path, format: &str) -> Result<(bool, u32)> {
    match e.grader {
        Grader::Check(role) => {
            let role = crate::tools::check::report::role_name(role);
            let mut cmd = process::ipclab_command()?;
            cmd.current_dir(dir)
                .args(["check", &role, "--format", format, "--"])
                .arg(format!("./{}", e.program))
                .stdin(Stdio::null());
            let status = process::start(&mut cmd)?.wait()?;
            crate::error::check_interrupted()?;
            // check exits 0 when all passed, 1 when some failed; anything else is its error.
            match status.code() {
                Some(0) => Ok((true, 0)),
                Some(1) => Ok((false, 1)),
                _ => Err(anyhow!("ipclab check ended with {status}")),
            }
        }
        _ => {
            let verdicts = quick(e, dir)?;
            let failing = verdicts.iter().filter(|v| !v.passed).count() as u32;
            match format {
                "json" => {
                    let checks: Vec<serde_json::Value> = verdicts
                        .iter()
                        .map(|v| serde_json::json!({"name": v.name, "passed": v.passed, "detail": v.detail}))
                        .collect();
                    let doc = serde_json::json!({"exercise": e.name, "passed": failing == 0, "checks": checks});
                    crate::outln!("{doc}")?;
                }
                "table" => {
                    for v in &verdicts {
                        let word = if v.passed { "PASS" } else { "FAIL" };
                        crate::outln!(
                            "{word}  {:<8} {}",
                            v.name,
                            crate::escape::terminal(&v.detail)
                        )?;
                    }
                    crate::outln!(
                        "{} of {} checks passed",
                        verdicts.len() as u32 - failing,
                        verdicts.len()
                    )?;
                }
                other => {
                    return Err(crate::error::usage(format!(
                        "--format {other} is for the demo roles; {} prints a table or json",
                        e.name
                    )))
                }
            }
            Ok((failing == 0, failing))
        }
    }
}
