//! Signals at random moments: each trial runs a demo (a pair runs both sides, in two process
//! groups), sends SIGINT, SIGTERM or SIGHUP to the whole group, to the leader alone or to one
//! of its children after a random delay, and checks that every process ends within a bound,
//! with an allowed status (0 if it finished first; 128+N for a signal to the group or leader;
//! 1, with one line, when only a child was hit), and that nothing is left: no System V object
//! under its keys, no /dev/shm entry, FIFO or scratch directory.
//!
//! The demos include the servers (sock-server with its client, rpc-server), the grader
//! (`ipclab check` with the lecture's reader) and a `--timeline` run; a trial whose tool is
//! missing (rpcbind, gcc) runs the tour instead, and says so in its name.
//!
//! The trials come from a seed, printed in every trial's name: `IPCLAB_SIGNAL_SEED=S cargo
//! test --test faults random` replays them; `IPCLAB_SIGNAL_TRIALS=N` sets how many (48 by
//! default; `scripts/signal-fuzz.sh` runs 2,000).

use crate::common::*;
use libtest_mimic::{Failed, Trial};
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::path::Path;
use std::time::Duration;

const DEMOS: [&str; 17] = [
    "shmcon",
    "shmcon-sem",
    "shmpthreadcon",
    "ring-spin",
    "ring-sem",
    "pipe",
    "sem-demo",
    "mmap-anon",
    "mmap-file",
    "msg",
    "fifo",
    "shm-msg",
    "tour",
    "sock-server",
    "rpc-server",
    "check",
    "timeline",
];
const SIGNALS: [Signal; 3] = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP];
const TARGETS: [&str; 3] = ["group", "leader", "child"];

/// A tiny xorshift generator: reproducible from the seed, no crate needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `demo`, or the tour when what it needs is missing here (a running rpcbind, gcc).
fn available(demo: &'static str) -> &'static str {
    static RPCBIND: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let rpcbind = || {
        *RPCBIND.get_or_init(|| {
            std::process::Command::new("rpcinfo")
                .arg("-p")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    };
    match demo {
        "rpc-server" if !rpcbind() => "tour (no rpcbind for rpc-server)",
        "check" if !have("gcc") => "tour (no gcc for check)",
        d => d,
    }
}

/// rpc-server's program number is the same for every run: one trial at a time.
static RPC: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What one trial does.
#[derive(Debug, Clone, Copy)]
struct Plan {
    demo: &'static str,
    signal: Signal,
    target: &'static str,
    delay_ms: u64,
    proj: u8,
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

pub fn trials() -> Vec<Trial> {
    let seed = env_u64("IPCLAB_SIGNAL_SEED").unwrap_or_else(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        (t.as_nanos() as u64 ^ u64::from(std::process::id())) % 1_000_000 + 1
    });
    let count = env_u64("IPCLAB_SIGNAL_TRIALS").unwrap_or(48);
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    (0..count)
        .map(|i| {
            // One trial in four lands in the first 5 ms (startup, the spawn); the rest anywhere
            // in the first 400 ms.
            let delay_ms = if rng.below(4) == 0 {
                rng.below(5)
            } else {
                rng.below(400)
            };
            let plan = Plan {
                demo: available(DEMOS[rng.below(DEMOS.len() as u64) as usize]),
                signal: SIGNALS[rng.below(3) as usize],
                target: TARGETS[rng.below(3) as usize],
                delay_ms,
                proj: 1 + rng.below(255) as u8,
            };
            let name = format!(
                "random: #{i} (seed {seed}): {} {} to the {} after {} ms",
                plan.demo,
                plan.signal.as_str(),
                plan.target,
                plan.delay_ms
            );
            Trial::test(name, move || run(plan).map_err(Failed::from))
        })
        .collect()
}

/// The commands of a demo (the first is the one signalled), its stdin, and what it makes.
/// In the command lines, `{k}` is the key file, `{p}` the trial's project id (ftok keeps 16
/// bits of an inode: among thousands of scratch directories two can share a key, so each
/// trial also has a project id of its own) and `{name}` its POSIX name.
fn workload(
    demo: &str,
    dir: &Path,
    tag: &str,
    proj: u8,
) -> (Vec<Vec<String>>, &'static str, Vec<u32>, String) {
    let kf = dir.join("k");
    std::fs::write(&kf, b"").unwrap();
    let name = format!("ipclab-random-{tag}");
    let keys = vec![ftok(&kf, proj), ftok(dir, proj)];
    let (k, p) = (kf.display().to_string(), proj.to_string());
    let reader = match demo {
        "check" => c_program("shmread").map_or(String::new(), |r| r.display().to_string()),
        _ => String::new(),
    };
    let v = |line: &str| -> Vec<String> {
        line.split_whitespace()
            .map(|w| {
                w.replace("{k}", &k)
                    .replace("{p}", &p)
                    .replace("{name}", &name)
                    .replace("{reader}", &reader)
            })
            .collect()
    };
    let lines = "one\ntwo\nthree\nfour\nend\n";
    let (cmds, stdin): (Vec<&str>, &str) = match demo {
        "shmcon" => (vec!["shmcon {k} --proj-id {p} --interval 2ms"], lines),
        "shmcon-sem" => (vec!["shmcon {k} --proj-id {p} --sync sem"], lines),
        "shmpthreadcon" => (vec!["shmpthreadcon {name}"], ""),
        "ring-spin" => (vec!["shmpthreadcon {name} --items 300000"], ""),
        "ring-sem" => (vec!["shmpthreadcon {name} --items 20000 --sync sem"], ""),
        "pipe" => (vec!["pipe"], ""),
        "sem-demo" => (vec!["sem-demo --path . --proj-id {p} --delay 50ms"], ""),
        "mmap-anon" => (vec!["mmap-anon --delay 20ms"], ""),
        "mmap-file" => (vec!["mmap-file demo"], ""),
        "msg" => (
            vec![
                "msg-server --path {k} --proj-id {p} --count 3",
                "msg-client --path {k} --proj-id {p} --count 3 --timeout 2s",
            ],
            "",
        ),
        "fifo" => (
            vec![
                "fifo-read",
                "fifo-write --count 20 --interval 5ms --timeout 2s",
            ],
            "",
        ),
        "shm-msg" => (
            vec![
                "shm-msg-server --path . --proj-id {p}",
                "shm-msg-client --path . --proj-id {p}",
            ],
            "r\nx\nr\ny\nq\n",
        ),
        "ring-pair" => (
            vec![
                "shmconsumer {name} --items 200000 --timeout 2s",
                "shmproducer {name} --items 200000 --timeout 2s",
            ],
            "",
        ),
        "bench" => (
            vec!["bench --only pipe,sysv-msg,posix-shm --sizes 64 --count 20000"],
            "",
        ),
        "sock-server" => (
            vec![
                "sock-server --unix d.sock --count 3",
                "sock-client --unix d.sock --timeout 2s",
            ],
            "",
        ),
        "rpc-server" => (vec!["rpc-server --count 50"], ""),
        "check" => (vec!["check shmread --seed 1 --repeat 3 -- {reader}"], ""),
        "timeline" => (
            vec!["--timeline run.html shmcon {k} --proj-id {p} --interval 2ms"],
            lines,
        ),
        _ => (vec!["tour msg"], ""),
    };
    (cmds.into_iter().map(v).collect(), stdin, keys, name)
}

fn run(plan: Plan) -> Result<(), String> {
    let scratch = Scratch::new("random");
    let tmp = scratch.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let tag = format!(
        "{}-{}",
        std::process::id(),
        scratch.dir.file_name().unwrap().to_string_lossy()
    );
    let (cmds, stdin, keys, name) = workload(plan.demo, &scratch.dir, &tag, plan.proj);
    let _one = (plan.demo == "rpc-server").then(|| RPC.lock().unwrap_or_else(|p| p.into_inner()));
    let mut runs: Vec<Running> = cmds
        .iter()
        .map(|args| {
            let mut c = cmd();
            c.current_dir(&scratch.dir)
                .env("IPCLAB_STATE_DIR", scratch.state())
                .env("TMPDIR", &tmp)
                .args(args);
            Running::start(c)
        })
        .collect();
    for r in runs.iter_mut() {
        use std::io::Write;
        if let Some(mut input) = r.child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
    }
    std::thread::sleep(Duration::from_millis(plan.delay_ms));
    let leader = runs[0].pgid();
    let child = children_of(leader).first().copied();
    let hit_child = plan.target == "child" && child.is_some();
    let (hit, sent) = match (plan.target, child) {
        ("group", _) => (
            format!("group {leader}"),
            killpg(Pid::from_raw(leader), plan.signal),
        ),
        ("child", Some(c)) => (
            format!("child {c} ({})", argv0_of(c)),
            kill(Pid::from_raw(c), plan.signal),
        ),
        _ => (
            format!("leader {leader}"),
            kill(Pid::from_raw(leader), plan.signal),
        ),
    };
    let hit = format!("{hit} ({sent:?})");
    let mut problems = Vec::new();
    for (i, r) in runs.into_iter().enumerate() {
        let pgid = r.pgid();
        let (status, _, err) = r.finish_within(Duration::from_secs(15));
        let code = exit_code(&status);
        let sig = 128 + plan.signal as i32;
        let ok = match (i, hit_child) {
            (0, false) => matches!(code, Some(0)) || code == Some(sig),
            (0, true) => matches!(code, Some(0 | 1)),
            // The other side of a pair ends by itself: done, its peer gone, or a timeout.
            _ => matches!(code, Some(0 | 1)),
        };
        if !ok {
            problems.push(format!(
                "process {i} ended with {code:?} after the signal hit {hit}; stderr: {err}"
            ));
        }
        if code == Some(1) && err.lines().count() > 2 {
            problems.push(format!(
                "process {i}: more than a wait note and one line: {err}"
            ));
        }
        if group_alive(pgid) {
            problems.push(format!("process group {pgid} still has processes"));
        }
    }
    for k in &keys {
        for (kind, id) in sysv_with_key(*k) {
            problems.push(format!("left sysv {kind} {id}"));
            let flag = match kind.as_str() {
                "shm" => "-m",
                "msg" => "-q",
                _ => "-s",
            };
            let _ = std::process::Command::new("ipcrm")
                .args([flag, &id.to_string()])
                .status();
        }
    }
    if dev_shm_has(&name) {
        problems.push(format!("left /dev/shm/{name}"));
        dev_shm_remove(&name);
    }
    if scratch.path("fifo1").exists() {
        problems.push("left the FIFO".into());
    }
    if scratch.path("d.sock").exists() {
        problems.push("left the UNIX socket file".into());
    }
    if plan.demo == "rpc-server" {
        let o = std::process::Command::new("rpcinfo")
            .arg("-p")
            .output()
            .unwrap();
        if String::from_utf8_lossy(&o.stdout).contains("536895507") {
            problems.push("left the rpcbind mapping".into());
            let _ = std::process::Command::new("rpcinfo")
                .args(["-d", "536895507", "1"])
                .status();
        }
    }
    let scratch_dirs: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    if !scratch_dirs.is_empty() {
        problems.push(format!("left scratch directories {scratch_dirs:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
