//! Helpers for the tests: a private scratch directory per test (so each test has its own key
//! file, FIFO path and POSIX name), keys computed as ftok does, /proc/sysvipc lookups, the
//! C peers compiled on demand, and transcript matching with `*` wildcards.
#![allow(dead_code)]

mod browser;
mod c;
mod running;
mod sysv;
mod transcript;

// Each test crate (cli, faults) uses its own share of these.
#[allow(unused_imports)]
pub use {browser::*, c::*, running::*, sysv::*, transcript::*};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Path of the ipclab binary under test.
pub fn bin() -> PathBuf {
    clean_signal_state();
    PathBuf::from(env!("CARGO_BIN_EXE_ipclab"))
}

/// Once per test process: give the signals a parent may have left ignored (a suite started
/// in the background, under `nohup`, by a CI runner) their default action again, so every
/// program a test starts meets Ctrl-C, SIGHUP and SIGTERM as it would in a terminal.
/// (`bin`, `Scratch::new` and `Running::start` call it: every test passes through one.)
pub fn clean_signal_state() {
    static DEFAULTS: std::sync::Once = std::sync::Once::new();
    DEFAULTS.call_once(ipclab::sys::signals::restore_default_dispositions);
}

/// The state directory (registry, default key files) of this test run: private, never
/// the user's. Tests of `ls` and `clean` make their own (see [`Scratch::state`]).
pub fn state_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        use std::os::unix::fs::DirBuilderExt;
        let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("state-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::DirBuilder::new().mode(0o700).create(&d).unwrap();
        d
    })
    .clone()
}

/// `ipclab ARGS` as an assert_cmd command, with the test run's state directory.
pub fn ipclab() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(bin());
    c.env("IPCLAB_STATE_DIR", state_dir());
    c
}

/// `.succeeds()`: run to the end, assert exit 0 (assert_cmd's failure message shows the
/// command, its status, stdout and stderr), and give the output for further checks.
pub trait Succeeds {
    fn succeeds(&mut self) -> std::process::Output;
}

impl Succeeds for assert_cmd::Command {
    fn succeeds(&mut self) -> std::process::Output {
        self.assert().success().get_output().clone()
    }
}

/// `.fails_in_one_line()`: run to the end, assert exit 1 and exactly one line on stderr (a
/// runtime failure said once), and give that line.
pub trait FailsInOneLine {
    fn fails_in_one_line(&mut self) -> String;
}

impl FailsInOneLine for assert_cmd::Command {
    fn fails_in_one_line(&mut self) -> String {
        let out = self.output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            (out.status.code(), err.lines().count()),
            (Some(1), 1),
            "{err}"
        );
        err
    }
}

/// `ipclab` as a plain command, with the test run's state directory.
pub fn cmd() -> Command {
    let mut c = Command::new(bin());
    c.env("IPCLAB_STATE_DIR", state_dir());
    c
}

/// A directory private to one test, removed when dropped.
pub struct Scratch {
    pub dir: PathBuf,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Scratch directories of earlier test runs whose process has ended.
fn remove_old_scratch() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        for e in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name
                .strip_prefix("t-")
                .and_then(|rest| rest.rsplit('-').nth(1))
                .and_then(|p| p.parse::<i32>().ok());
            if let Some(pid) = pid {
                if pid != std::process::id() as i32 && !Path::new(&format!("/proc/{pid}")).exists()
                {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    });
}

impl Scratch {
    /// A fresh directory for one test, made by tempfile (mkdtemp: a random name, 0700). It
    /// is kept until a later test run: deleting it now would let the next test's directory
    /// reuse its inode, and so its `ftok` key, while objects of the first might still exist.
    pub fn new(name: &str) -> Self {
        clean_signal_state();
        remove_old_scratch();
        let dir = tempfile::Builder::new()
            .prefix(&format!("t-{name}-{}-", std::process::id()))
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
            .keep();
        Scratch { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// A state directory of this test's own (0700), for tests that look at the registry.
    pub fn state(&self) -> PathBuf {
        use std::os::unix::fs::DirBuilderExt;
        let d = self.path("state");
        let _ = std::fs::DirBuilder::new().mode(0o700).create(&d);
        d
    }

    /// A fresh key file here and its ftok key for `proj`.
    pub fn keyfile(&self, name: &str, proj: u8) -> (PathBuf, u32) {
        let p = self.path(name);
        std::fs::write(&p, b"").unwrap();
        let k = ftok(&p, proj);
        (p, k)
    }
}

/// How long a test waits before it calls something a hang: `d` times the patience factor
/// (`IPCLAB_TEST_PATIENCE`, 3 unless set). The deadlines of the tests only tell a hang from
/// a slow machine; they never measure: a busy lab server or a loaded CI runner may take
/// many times the usual time, and the suite must still pass there.
pub fn patience(d: Duration) -> Duration {
    static FACTOR: OnceLock<u32> = OnceLock::new();
    let f = *FACTOR.get_or_init(|| {
        std::env::var("IPCLAB_TEST_PATIENCE")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&f| f > 0)
            .unwrap_or(3)
    });
    d * f
}

/// Wait until `cond` holds (polling), or panic after `secs` seconds (times [`patience`]).
pub fn wait_until(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let t = Instant::now();
    let limit = patience(Duration::from_secs(secs));
    while !cond() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Tests that use a seed's fixed key (1234, ftok of /etc/passwd) take this lock: nothing
/// else may use that key meanwhile.
pub fn seed_key_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// Is `tool` on PATH? (CI installs every tool the suite uses: see .ci/run and the README.)
pub fn have(tool: &str) -> bool {
    static CACHE: OnceLock<Mutex<std::collections::HashMap<String, bool>>> = OnceLock::new();
    let m = CACHE.get_or_init(Default::default);
    let mut m = m.lock().unwrap();
    *m.entry(tool.to_string()).or_insert_with(|| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Say, visibly, that the current test (or a part of it) did not run, and why:
/// `skipped: TEST: WHY` on the real stderr. libtest keeps what a passing test prints with
/// `eprintln!` to itself; a write to the stderr handle goes to the terminal or the log.
pub fn skipped(why: &str) {
    use std::io::Write;
    let test = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .unwrap_or("a fault trial")
        .to_string();
    let _ = writeln!(std::io::stderr(), "skipped: {test}: {why}");
}

/// Skip (return true, saying so) when `tool` is missing; under CI (`CI` set) its absence
/// is a failure: .ci/run installs it.
pub fn skip_without(tool: &str) -> bool {
    if have(tool) {
        return false;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{tool} is missing in CI: .ci/run should install it");
    }
    skipped(&format!("no {tool}"));
    true
}

/// Is `tool` here? If not, say the test skipped (under CI: fail) and return false.
pub fn have_or_skip(tool: &str) -> bool {
    !skip_without(tool)
}

/// Skip (return true, saying so) unless running as root: `what` needs it (a second user,
/// a network or IPC namespace, a mount).
pub fn skip_unless_root(what: &str) -> bool {
    if nix::unistd::geteuid().is_root() {
        return false;
    }
    skipped(&format!("needs root ({what})"));
    true
}

/// A POSIX shm name unique to this test (without the leading '/').
pub fn shm_name(tag: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("ipclab-test-{tag}-{}-{n}", std::process::id())
}

/// Does /dev/shm/NAME exist?
pub fn dev_shm_has(name: &str) -> bool {
    Path::new("/dev/shm").join(name).exists()
}

/// Remove /dev/shm/NAME if a test made it.
pub fn dev_shm_remove(name: &str) {
    let _ = std::fs::remove_file(Path::new("/dev/shm").join(name));
}

/// `ipclab ARGS` run to the end in `dir` (30 s at most).
pub fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    ipclab()
        .current_dir(dir)
        .args(args)
        .timeout(patience(Duration::from_secs(30)))
        .output()
        .unwrap()
}

/// `ipclab ARGS` started in `dir`, in its own process group.
pub fn started_in(dir: &Path, args: &[&str]) -> Running {
    let mut c = cmd();
    c.current_dir(dir).args(args);
    Running::start(c)
}
