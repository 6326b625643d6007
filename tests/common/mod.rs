//! Helpers for the tests: a private scratch directory per test (so each test has its own key
//! file, FIFO path and POSIX name), keys computed as ftok does, /proc/sysvipc lookups, the
//! C peers compiled on demand, and transcript matching with `*` wildcards.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Path of the ipclab binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ipclab"))
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
    /// A fresh directory for one test. It stays until a later test run: deleting it now
    /// would let the next test's directory reuse its inode, and so its `ftok` key, while
    /// objects of the first might still exist.
    pub fn new(name: &str) -> Self {
        remove_old_scratch();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("t-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
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

/// glibc's ftok formula.
pub fn ftok(path: &Path, proj: u8) -> u32 {
    let md = std::fs::metadata(path).unwrap();
    (u32::from(proj) << 24) | (((md.dev() & 0xff) as u32) << 16) | ((md.ino() & 0xffff) as u32)
}

/// System V objects (kind, id) under `key`, from /proc/sysvipc.
pub fn sysv_with_key(key: u32) -> Vec<(String, i32)> {
    let mut v = Vec::new();
    for kind in ["shm", "msg", "sem"] {
        let text = std::fs::read_to_string(format!("/proc/sysvipc/{kind}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() > 1 && f[0].parse::<i64>().map(|k| k as u32) == Ok(key) {
                v.push((kind.to_string(), f[1].parse().unwrap()));
            }
        }
    }
    v
}

/// Is a System V segment with this id still listed?
pub fn shm_id_exists(id: i32) -> bool {
    let text = std::fs::read_to_string("/proc/sysvipc/shm").unwrap_or_default();
    text.lines()
        .skip(1)
        .any(|l| l.split_whitespace().nth(1) == Some(&id.to_string()))
}

/// Assert nothing is left under `key`.
pub fn assert_no_sysv(key: u32) {
    let left = sysv_with_key(key);
    assert!(left.is_empty(), "left behind under key {key:x}: {left:?}");
}

/// Wait until `cond` holds (polling), or panic after `secs` seconds.
pub fn wait_until(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let t = Instant::now();
    while !cond() {
        assert!(
            t.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Match `actual` against `expected` line by line; `*` in an expected line matches any text.
pub fn assert_transcript(actual: &str, expected: &str) {
    let a: Vec<&str> = actual.lines().collect();
    let e: Vec<&str> = expected.lines().collect();
    for (i, (al, el)) in a.iter().zip(e.iter()).enumerate() {
        assert!(
            glob(el, al),
            "line {} differs:\n  expected: {el:?}\n  actual:   {al:?}\n--- whole output ---\n{actual}",
            i + 1
        );
    }
    assert_eq!(a.len(), e.len(), "line count differs; output:\n{actual}");
}

/// `*` matches any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(p) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(p);
        } else {
            match rest.find(p) {
                Some(at) => rest = &rest[at + p.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Compile a C program from tests/c (once per test run); `None` if gcc is missing.
pub fn c_program(name: &str) -> Option<PathBuf> {
    c_build(name, &[])
}

/// The same, linked with -lrt (POSIX shm).
pub fn c_program_rt(name: &str) -> Option<PathBuf> {
    c_build(name, &["-lrt"])
}

/// A C program built at optimisation level `opt` ("-O0", "-O2"): some lessons depend on it.
pub fn c_program_opt(name: &str, opt: &str) -> Option<PathBuf> {
    c_build_as(name, opt, &[])
}

/// Tests that use a seed's fixed key (1234, ftok of /etc/passwd) take this lock: nothing
/// else may use that key meanwhile.
pub fn seed_key_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

fn c_build(name: &str, libs: &[&str]) -> Option<PathBuf> {
    c_build_as(name, "-O2", libs)
}

fn c_build_as(name: &str, opt: &str, libs: &[&str]) -> Option<PathBuf> {
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let suffix = if opt == "-O2" {
        String::new()
    } else {
        opt.to_string()
    };
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("c-{name}{suffix}"));
    if out.exists() {
        return Some(out);
    }
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/c/{name}.c"));
    let tmp = out.with_extension("tmp");
    let st = Command::new("gcc")
        .args([opt, "-Wall", "-o"])
        .arg(&tmp)
        .arg(&src)
        .args(libs)
        .status();
    match st {
        Ok(s) if s.success() => {
            std::fs::rename(&tmp, &out).unwrap();
            Some(out)
        }
        Ok(s) => panic!("gcc failed on {}: {s}", src.display()),
        Err(_) => {
            if std::env::var_os("CI").is_some() {
                panic!("gcc is missing in CI: .ci/run should install it");
            }
            eprintln!("skipping: gcc not found");
            None
        }
    }
}

/// A spawned process whose stdout is collected line by line in the background.
pub struct Running {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
    err_lines: mpsc::Receiver<String>,
    err_seen: Vec<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Running {
    /// Start `cmd` in its own process group with piped stdin/stdout/stderr.
    pub fn start(mut cmd: Command) -> Self {
        use std::os::unix::process::CommandExt;
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = cmd.spawn().expect("spawn");
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let err = child.stderr.take().unwrap();
        let (etx, erx) = mpsc::channel();
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                s.push_str(&line);
                s.push('\n');
                let _ = etx.send(line);
            }
            s
        });
        Running {
            child,
            lines: rx,
            seen: Vec::new(),
            err_lines: erx,
            err_seen: Vec::new(),
            stderr: Some(stderr),
        }
    }

    /// The same as [`Running::start`] (stderr is always read line by line).
    pub fn start_with_stderr(cmd: Command) -> Self {
        Self::start(cmd)
    }

    /// Wait (up to 20 s) for a stderr line containing `needle` (a wait or ready line).
    pub fn wait_for_err(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        if self.err_seen.iter().any(|l| l.contains(needle)) {
            return;
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.err_lines.recv_timeout(left) {
                Ok(l) => {
                    let hit = l.contains(needle);
                    self.err_seen.push(l);
                    if hit {
                        return;
                    }
                }
                Err(_) => panic!(
                    "never saw {needle:?} on stderr; got:\n{}",
                    self.err_seen.join("\n")
                ),
            }
        }
    }

    /// Wait (up to 20 s) for a stdout line containing `needle`.
    pub fn wait_for(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        if self.seen.iter().any(|l| l.contains(needle)) {
            return;
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    let hit = l.contains(needle);
                    self.seen.push(l);
                    if hit {
                        return;
                    }
                }
                Err(_) => {
                    self.err_seen.extend(self.err_lines.try_iter());
                    panic!(
                        "never saw {needle:?}; got:\n{}\n--- stderr ---\n{}\n--- processes ---\n{}",
                        self.seen.join("\n"),
                        self.err_seen.join("\n"),
                        describe_group(self.pgid())
                    )
                }
            }
        }
    }

    /// Process group id (= pid, the group leader).
    pub fn pgid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Wait (up to 20 s) for the exit; (status, stdout so far, stderr).
    pub fn finish(self) -> (std::process::ExitStatus, String, String) {
        self.finish_within(Duration::from_secs(20))
    }

    /// Wait (up to `limit`) for the exit; (status, stdout so far, stderr).
    pub fn finish_within(mut self, limit: Duration) -> (std::process::ExitStatus, String, String) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let ps = Command::new("ps")
                    .args(["-eo", "pid,ppid,pgid,stat,wchan:24,args"])
                    .output()
                    .map(|o| {
                        String::from_utf8_lossy(&o.stdout)
                            .lines()
                            .filter(|l| l.contains("ipclab") || l.contains("PID"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .unwrap_or_default();
                let where_ = format!(
                    "pid {} (try_wait {:?})\n{}{ps}",
                    self.pgid(),
                    self.child.try_wait(),
                    describe_group(self.pgid())
                );
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(self.pgid()),
                    nix::sys::signal::Signal::SIGKILL,
                );
                panic!(
                    "process did not end; where it was:\n{where_}\noutput:\n{}",
                    self.seen.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(l);
        }
        let err = self.stderr.take().unwrap().join().unwrap();
        (status, self.seen.join("\n"), err)
    }
}

impl Drop for Running {
    /// A test that fails half-way must not leave its demo running (and its objects behind):
    /// SIGTERM to the group, a moment to clean up, then SIGKILL.
    fn drop(&mut self) {
        use nix::sys::signal::{killpg, Signal};
        let pg = nix::unistd::Pid::from_raw(self.pgid());
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        let _ = killpg(pg, Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(3);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = killpg(pg, Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

/// Every process of group `pgid`: its command, state, kernel wait channel, the call it is
/// in and its kernel stack (what a hang looks like, for the failure message).
pub fn describe_group(pgid: i32) -> String {
    let mut out = String::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if f.get(2).and_then(|g| g.parse::<i32>().ok()) != Some(pgid) {
            continue;
        }
        let read =
            |what: &str| std::fs::read_to_string(format!("/proc/{pid}/{what}")).unwrap_or_default();
        out.push_str(&format!(
            "pid {pid} {:?} state {} wchan {} syscall {}\n{}",
            read("cmdline").replace('\0', " ").trim_end(),
            f[0],
            read("wchan"),
            read("syscall").trim_end(),
            read("stack")
        ));
    }
    out
}

/// The status a shell would see: the exit code, or 128+N for a death by signal N.
pub fn exit_code(status: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s))
}

/// Children of `pid` (from /proc).
pub fn children_of(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The applet name a process runs as (its argv[0]).
pub fn argv0_of(pid: i32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|&b| b == 0)
        .next()
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default()
}

/// Is any process left in group `pgid`?
pub fn group_alive(pgid: i32) -> bool {
    nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid), None).is_ok()
}

/// Assert the process group empties within a few seconds.
pub fn assert_group_gone(pgid: i32) {
    wait_until(5, "the process group to end", || !group_alive(pgid));
}

/// Is strace here? (CI installs it; locally, tests that need it say so and skip.)
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

/// Skip (return true) when `tool` is missing locally; in CI its absence is a failure.
pub fn skip_without(tool: &str) -> bool {
    if have(tool) {
        return false;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{tool} is missing in CI: .ci/run should install it");
    }
    eprintln!("skipping: {tool} not found");
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

/// nattch of the live segment under `key`, from /proc.
pub fn shm_nattch(key: u32) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/sysvipc/shm").unwrap_or_default();
    text.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.first()?.parse::<i64>().ok()? as u32 == key)
            .then(|| f.get(6)?.parse().ok())
            .flatten()
    })
}

/// Removes, when dropped, every System V object under these keys: the objects a test made
/// itself, even when the test fails half-way.
pub struct KeyGuard(pub Vec<u32>);

impl Drop for KeyGuard {
    fn drop(&mut self) {
        for key in &self.0 {
            for (kind, id) in sysv_with_key(*key) {
                let flag = match kind.as_str() {
                    "shm" => "-m",
                    "msg" => "-q",
                    _ => "-s",
                };
                let _ = Command::new("ipcrm").args([flag, &id.to_string()]).status();
            }
        }
    }
}

/// Make a System V segment with the C helper (`mkseg KEY SIZE MODE`): its id, or None when
/// gcc is missing locally (c_program says so).
pub fn mkseg(key: u32, size: usize, mode: &str) -> Option<i32> {
    let helper = c_program("mkseg")?;
    let out = Command::new(helper)
        .args([format!("{key:x}"), size.to_string(), mode.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mkseg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap(),
    )
}

/// The sequence numbers of `fifo-write --random-size` messages as a reader printed them.
pub fn fifo_seqs(text: &str) -> Vec<u64> {
    text.lines()
        .map(|l| {
            let rest = l.split("'s message ").nth(1).expect("a numbered message");
            rest.split(' ').next().unwrap().parse().unwrap()
        })
        .collect()
}

/// `ipclab ARGS` run to the end in `dir` (30 s at most).
pub fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    ipclab()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap()
}

/// `ipclab ARGS` started in `dir`, in its own process group.
pub fn started_in(dir: &Path, args: &[&str]) -> Running {
    let mut c = cmd();
    c.current_dir(dir).args(args);
    Running::start(c)
}
