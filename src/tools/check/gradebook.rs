//! The gradebook of a batch: PREFIX.csv (student, score, max, error, then each check's
//! PASS/FAIL and detail) and PREFIX.json (one object per student). Each file is written to a
//! new file beside it and renamed into place: never into an existing file (another user's,
//! or through a link).

use super::checks::Verdict;
use anyhow::{anyhow, Context, Result};
use std::path::{Path, PathBuf};

/// One submission's result.
#[derive(Debug, serde::Serialize)]
pub struct Row {
    pub student: String,
    pub score: u32,
    pub max: u32,
    pub passed: bool,
    /// Why it could not be graded (no program, the build failed, the grader was killed).
    pub error: Option<String>,
    pub checks: Vec<Verdict>,
}

/// Write both files.
pub fn write(prefix: &Path, rows: &[Row]) -> Result<()> {
    let checks: Vec<String> = rows
        .iter()
        .find(|r| !r.checks.is_empty())
        .map(|r| r.checks.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut head = vec![
        "student".to_string(),
        "score".into(),
        "max".into(),
        "error".into(),
    ];
    for c in &checks {
        head.push(c.clone());
        head.push(format!("{c} detail"));
    }
    csv.write_record(&head)?;
    for r in rows {
        let mut rec = vec![
            r.student.clone(),
            r.score.to_string(),
            r.max.to_string(),
            r.error.clone().unwrap_or_default(),
        ];
        for name in &checks {
            match r.checks.iter().find(|c| &c.name == name) {
                Some(c) => {
                    rec.push(if c.passed {
                        "PASS".into()
                    } else {
                        "FAIL".into()
                    });
                    rec.push(c.detail.clone());
                }
                None => rec.extend([String::new(), String::new()]),
            }
        }
        csv.write_record(&rec)?;
    }
    let csv = csv.into_inner().map_err(|e| anyhow!("csv: {e}"))?;
    replace_file(&with_ext(prefix, "csv"), &csv)?;
    replace_file(
        &with_ext(prefix, "json"),
        serde_json::to_string_pretty(rows)?.as_bytes(),
    )
}

/// `PREFIX.ext`.
pub fn with_ext(prefix: &Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(format!(".{ext}"));
    PathBuf::from(s)
}

/// Write `bytes` to a new file beside `path`, then rename it over `path`: never writes
/// into an existing file (another user's, or through a link).
fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = with_ext(path, &format!("tmp-{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    f.write_all(bytes)?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}
