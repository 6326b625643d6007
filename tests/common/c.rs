//! The C peers in tests/c, compiled once per test run (gcc; CI installs it), and the
//! graded reference programs of tests/students (C compiled the same way; Python and shell
//! as they are).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// Compile a C program from tests/c (once per test run); `None` if gcc is missing (the
/// test says it skipped; under CI that is a failure).
pub fn c_program(name: &str) -> Option<PathBuf> {
    c_build(name, &[])
}

/// The same, linked with -lrt (POSIX shm).
pub fn c_program_rt(name: &str) -> Option<PathBuf> {
    c_build(name, &["-lrt"])
}

/// The same, with other compiler and linker arguments (`-ltirpc`…).
pub fn c_program_libs(name: &str, libs: &[&str]) -> Option<PathBuf> {
    c_build(name, libs)
}

/// A C program built at optimisation level `opt` ("-O0", "-O2"): some lessons depend on it.
pub fn c_program_opt(name: &str, opt: &str) -> Option<PathBuf> {
    c_build_as(name, opt, &[])
}

fn c_build(name: &str, libs: &[&str]) -> Option<PathBuf> {
    c_build_as(name, "-O2", libs)
}

/// A program of tests/students, ready to run: C compiled (with tests/c's headers), a
/// script as it is; `None` when its compiler or interpreter is missing (the test says it
/// skipped; under CI that is a failure).
pub fn student_program(file: &str) -> Option<PathBuf> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/students")
        .join(file);
    match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("py") => super::have_or_skip("python3").then_some(src),
        Some("sh") => super::have_or_skip("bash").then_some(src),
        _ => {
            let name = file.trim_end_matches(".c");
            compile(
                &src,
                &format!("s-{name}"),
                "-O2",
                &[
                    "-I",
                    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/c"),
                    "-lrt",
                ],
            )
        }
    }
}

fn c_build_as(name: &str, opt: &str, libs: &[&str]) -> Option<PathBuf> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/c/{name}.c"));
    let suffix = if opt == "-O2" {
        String::new()
    } else {
        opt.to_string()
    };
    compile(&src, &format!("c-{name}{suffix}"), opt, libs)
}

/// `gcc OPT -Wall -o TARGET_TMPDIR/OUT-HASH SRC LIBS`, once for each content of the source
/// (and of the headers beside it): a binary built from an older source is never reused.
fn compile(src: &std::path::Path, out: &str, opt: &str, libs: &[&str]) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::fs::read(src).unwrap_or_default().hash(&mut h);
    for header in ["shmdata.h", "check_ring.h"] {
        let c = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/c")
            .join(header);
        std::fs::read(c).unwrap_or_default().hash(&mut h);
    }
    (opt, libs).hash(&mut h);
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{out}-{:016x}", h.finish()));
    if out.exists() {
        return Some(out);
    }
    let tmp = out.with_extension("tmp");
    let st = Command::new("gcc")
        .args([opt, "-Wall", "-o"])
        .arg(&tmp)
        .arg(src)
        .args(libs)
        .status();
    match st {
        Ok(s) if s.success() => {
            std::fs::rename(&tmp, &out).unwrap();
            Some(out)
        }
        Ok(s) => panic!("gcc failed on {}: {s}", src.display()),
        Err(_) => {
            super::skip_without("gcc");
            None
        }
    }
}
