//! `ipclab check` on programs it has never seen: the reference programs of tests/students,
//! written differently from the seeds, in C, Python and shell. Each says in its first lines
//! the role it plays and what the grader must say (`expect: pass`, or the checks its bug
//! must fail). The test grades them all, prints the confusion table (correct passed or
//! wrongly failed; buggy caught on the check of their bug, or missed) and wants no wrong
//! verdict. Hostile programs (tests/students/*hostile*) get tests of their own in
//! [`crate::sealed`].

use crate::common::*;
use std::path::{Path, PathBuf};

/// What a reference program says of itself.
#[derive(Debug, Clone)]
pub struct Reference {
    pub file: String,
    pub role: String,
    /// Checks that must fail (empty: every check must pass).
    pub expect: Vec<String>,
}

/// The annotations of every reference program that states `expect:`.
pub fn references() -> Vec<Reference> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/students");
    let mut v = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        let field = |name: &str| {
            text.lines().take(6).find_map(|l| {
                l.split_once(&format!("{name}: "))
                    .map(|(_, r)| r.trim().to_string())
            })
        };
        if let (Some(role), Some(expect)) = (field("role"), field("expect")) {
            let expect = match expect.as_str() {
                "pass" => Vec::new(),
                e => e.split_whitespace().map(String::from).collect(),
            };
            v.push(Reference { file, role, expect });
        }
    }
    v.sort_by(|a, b| a.file.cmp(&b.file));
    v
}

/// `ipclab check ROLE --format json OPTS -- PROGRAM`: the exit code and the JSON report.
pub fn grade(role: &str, program: &Path, opts: &[&str]) -> (Option<i32>, serde_json::Value) {
    let s = Scratch::new("graded");
    // The system's python3 first, where there is one: a version manager's shim (pyenv's is
    // a shell script that forks and waits before it execs Python) would be counted as the
    // program's own start-up, which differs from machine to machine.
    let path = format!(
        "/usr/bin:/bin:{}",
        std::env::var("PATH").unwrap_or_default()
    );
    let out = ipclab()
        .current_dir(&s.dir)
        .env("PATH", path)
        .env("IPCLAB_STATE_DIR", s.state())
        .args(["check", role, "--seed", "42", "--format", "json"])
        .args(opts)
        .arg("--")
        .arg(program)
        .timeout(patience(std::time::Duration::from_secs(120)))
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "{}: no report: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), json)
}

/// The names of the checks a report says failed.
pub fn failed(report: &serde_json::Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn reference_programs_get_the_verdict_their_code_deserves() {
    let refs = references();
    assert!(refs.len() >= 20, "only {} reference programs", refs.len());
    let programs: Vec<(Reference, Option<PathBuf>)> = refs
        .into_iter()
        .map(|r| {
            let p = student_program(&r.file);
            (r, p)
        })
        .collect();
    // Four gradings at a time: each is sealed (or has keys of its own) and cannot meet another.
    let rows: Vec<(Reference, Vec<String>, String)> = std::thread::scope(|scope| {
        let chunks: Vec<_> = programs.chunks(programs.len().div_ceil(4)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|(r, p)| {
                            let p = p.as_ref()?;
                            let (_, report) =
                                grade(&r.role, p, &["--repeat", "6", "--budget", "8s"]);
                            let details = report["checks"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .filter(|c| c["passed"] == false)
                                .map(|c| format!("{}: {}", c["name"], c["detail"]))
                                .collect::<Vec<_>>()
                                .join("\n      ");
                            Some((r.clone(), failed(&report), details))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut table = String::from("the reference programs, graded (seed 42):\n");
    let mut wrong = Vec::new();
    let (mut passed, mut wrongly_failed, mut caught, mut missed) = (0, 0, 0, 0);
    for (r, failed, details) in &rows {
        let verdict = if r.expect.is_empty() {
            match failed.is_empty() {
                true => {
                    passed += 1;
                    "correct, passed".to_string()
                }
                false => {
                    wrongly_failed += 1;
                    wrong.push(format!("{}: failed {failed:?}\n      {details}", r.file));
                    format!("correct, WRONGLY FAILED {failed:?}")
                }
            }
        } else if r.expect.iter().all(|e| failed.contains(e)) {
            caught += 1;
            format!("buggy, caught on {}", r.expect.join(", "))
        } else {
            missed += 1;
            wrong.push(format!(
                "{}: expected {:?} to fail, failed {failed:?}\n      {details}",
                r.file, r.expect
            ));
            format!("buggy, MISSED (failed {failed:?})")
        };
        table.push_str(&format!("  {:<28} {:<13} {verdict}\n", r.file, r.role));
    }
    table.push_str(&format!(
        "correct: {passed} passed, {wrongly_failed} wrongly failed; buggy: {caught} caught, {missed} missed\n"
    ));
    // Visible in every run (and kept for the closing note of a change).
    let _ = std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("graded-table.txt"),
        &table,
    );
    use std::io::Write;
    let _ = write!(std::io::stderr(), "{table}");
    assert!(wrong.is_empty(), "wrong verdicts:\n{}", wrong.join("\n"));
}
