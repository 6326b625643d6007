//! One run of a role's scenario: ipclab plays the other part with its own applet (the
//! peer), the student's PROGRAM plays the role, as the slide's flow would run them (the
//! same key, argv and struct layout). Everything lives in a private scratch directory; the
//! student's output goes to files there (no pipes to drain, no threads); every wait has a
//! deadline, so a hanging program is a failed check, never a hung grader.
//!
//! Step 1: the objects the slide's controller would make (a segment, or a key file).
//! Step 2: start the peer and/or the student, each in its own process group.
//! Step 3: the mode's event: nothing, Ctrl-C to the student's group, or the peer's end.
//! Step 4: wait (with deadlines), read what each printed, look for what was left.

use super::watch::{cpu_of, group_alive, read, wait_line};
use super::Role;
use crate::objects::{scratch, sysv, sysvipc, Kind};
use crate::sys::ipc::{self, Key};
use anyhow::{anyhow, Context, Result};
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What happens during the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Ctrl-C (SIGINT) to the student's process group once it is waiting.
    Sigint,
    /// The peer goes away before it answers (msg-client: the queue is removed).
    PeerDies,
}

/// What one run saw.
#[derive(Debug, Default)]
pub struct Outcome {
    pub out: String,
    pub err: String,
    /// None: it did not end by the deadline (it was killed).
    pub status: Option<ExitStatus>,
    /// From the mode's event (or the start) to the student's end.
    pub ended_after: Duration,
    pub wall: Duration,
    pub cpu: Duration,
    pub peer_out: String,
    pub pid: u32,
    pub peer_pid: u32,
    pub key: Key,
    pub id: i32,
    pub payloads: Vec<String>,
    /// Objects of the run still there after it (and after ipclab removed its own).
    pub left: Vec<String>,
    /// A process of the student's group still alive after it ended.
    pub stray: bool,
}

/// How the run is set up.
pub struct Setup<'a> {
    pub role: Role,
    pub program: &'a [OsString],
    pub mode: Mode,
    /// `IPCLAB_JITTER` for the peer: (seed, max µs).
    pub jitter: Option<(u64, u64)>,
    pub timeout: Duration,
    pub run_no: u64,
}

/// A started process: its child and where its output goes.
struct Proc {
    child: Child,
    out: PathBuf,
    err: PathBuf,
}

fn start(cmd: &mut Command, dir: &Path, tag: &str, stdin: Stdio) -> Result<Proc> {
    let (out, err) = (
        dir.join(format!("{tag}.out")),
        dir.join(format!("{tag}.err")),
    );
    let child = cmd
        .current_dir(dir)
        .stdin(stdin)
        .stdout(std::fs::File::create(&out)?)
        .stderr(std::fs::File::create(&err)?)
        .process_group(0)
        .spawn()
        .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    Ok(Proc { child, out, err })
}

/// Wait for `p` until `deadline`, sampling its CPU time; kill its group at the deadline.
fn wait(p: &mut Proc, deadline: Instant, cpu: &mut Duration) -> Result<Option<ExitStatus>> {
    let pid = p.child.id();
    loop {
        if let Some(st) = p.child.try_wait()? {
            return Ok(Some(st));
        }
        *cpu = (*cpu).max(cpu_of(pid));
        if Instant::now() >= deadline {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            let _ = p.child.wait();
            return Ok(None);
        }
        crate::process::nap(Duration::from_millis(5))?;
    }
}

/// ipclab's own binary, for the peer.
fn peer(args: &[&str], jitter: Option<(u64, u64)>) -> Result<Command> {
    let mut c = crate::process::ipclab_command()?;
    c.args(args);
    if let Some((seed, max)) = jitter {
        c.env("IPCLAB_JITTER", format!("{seed}:{max}"));
    }
    Ok(c)
}

/// Run the scenario once.
pub fn run(s: &Setup) -> Result<Outcome> {
    let t0 = Instant::now();
    let deadline = t0 + s.timeout;
    let dir = scratch::Dir::new("check")?;
    let keyfile = dir.join("key");
    std::fs::write(&keyfile, b"")?;
    let mut o = Outcome {
        payloads: (1..=4)
            .map(|i| {
                format!(
                    "check {}.{i}: {:08x}",
                    s.run_no,
                    (s.run_no * 2654435761 + i) as u32
                )
            })
            .collect(),
        ..Outcome::default()
    };
    let input = dir.join("input");
    let mut text: String = o.payloads.iter().map(|p| format!("{p}\n")).collect();
    text.push_str("end\n");
    std::fs::write(&input, &text)?;
    let (program, args) = s
        .program
        .split_first()
        .ok_or_else(|| anyhow!("no PROGRAM"))?;
    // A path like ./shmread means the caller's directory, not the scratch one it runs in.
    let program = match std::path::Path::new(program).components().count() > 1 {
        true => std::path::absolute(program)?.into_os_string(),
        false => program.clone(),
    };
    let mut student = Command::new(program);
    student.args(args);
    let mut cpu = Duration::ZERO;
    let (mut me, mut other, event_at);
    match s.role {
        Role::Shmread | Role::Shmwrite => {
            // Step 1: the segment, as shmcon makes it (ftok(PATH, 0x27), 4100 bytes).
            o.key = ipc::ftok(&keyfile, 0x27).map_err(|e| anyhow!("ftok: {}", e.desc()))?;
            let seg = sysv::create_segment(o.key, 0o600)?;
            o.id = seg.id();
            let hex = format!("{:x}", o.key);
            student.arg(&hex);
            if s.role == Role::Shmread {
                // Step 2: the student's reader; ipclab's writer after a pause (it waits).
                me = start(&mut student, dir.path(), "student", Stdio::null())?;
                let ready = wait_line(&me.out, "ready", t0 + Duration::from_millis(300))?;
                if s.mode == Mode::Sigint {
                    sigint(me.child.id(), ready);
                }
                event_at = Instant::now();
                if s.mode == Mode::Sigint {
                    other = None;
                } else {
                    crate::process::nap(Duration::from_millis(300))?;
                    let mut w = peer(&["shmwrite", &hex, "--interval", "10ms"], s.jitter)?;
                    other = Some(start(
                        &mut w,
                        dir.path(),
                        "peer",
                        std::fs::File::open(&input)?.into(),
                    )?);
                }
            } else {
                // Step 2: ipclab's reader (slow: the writer must wait), then the writer.
                let mut r = peer(&["shmread", &hex, "--interval", "50ms"], s.jitter)?;
                let p = start(&mut r, dir.path(), "peer", Stdio::null())?;
                wait_line(&p.out, "ready", deadline)?;
                other = Some(p);
                let stdin = match s.mode {
                    Mode::Sigint => Stdio::piped(),
                    _ => std::fs::File::open(&input)?.into(),
                };
                me = start(&mut student, dir.path(), "student", stdin)?;
                if s.mode == Mode::Sigint {
                    // Its first lines, or a moment (its stdout is a file: it may not flush).
                    let soon = Instant::now() + Duration::from_millis(300);
                    let ready = wait_line(&me.out, "shmid", soon)?;
                    sigint(me.child.id(), ready);
                }
                event_at = Instant::now();
            }
            o.status = wait(&mut me, deadline, &mut cpu)?;
            o.ended_after = event_at.elapsed();
            o.stray = group_alive(me.child.id());
            finish_peer(&mut other, s.mode == Mode::Normal, &mut o)?;
            drop(seg);
        }
        Role::Shmconsumer => {
            // Step 1: the object, as shmpthreadcon makes it (O_EXCL, 4100 bytes, zeroed).
            let name = format!("/ipclab-check-{}-{}", std::process::id(), s.run_no);
            let (fd, mut object) = crate::objects::owner::Owner::create_shm(&name, 0o600)
                .map_err(|e| anyhow!("shm_open({name}): {}", e.desc()))?;
            crate::objects::posix::size_object(&fd, crate::layout::SHM_SIZE as u64, &name)?;
            drop(fd);
            student.arg(&name);
            // Step 2: ipclab's producer, then at once the student's consumer (shmpthreadcon's
            // order: the consumer must wait for the message, which may not be there yet).
            let message = o.payloads[0].clone();
            other = match s.mode {
                Mode::Sigint => None,
                _ => {
                    let args = ["shmproducer", &name, "--managed", "--message", &message];
                    Some(start(
                        &mut peer(&args, s.jitter)?,
                        dir.path(),
                        "peer",
                        Stdio::null(),
                    )?)
                }
            };
            // Perturbed runs also start the consumer 0-3 ms late, so both orders happen.
            if let Some((seed, _)) = s.jitter {
                crate::process::nap(Duration::from_micros(seed.wrapping_mul(7919) % 3000))?;
            }
            me = start(&mut student, dir.path(), "student", Stdio::null())?;
            if s.mode == Mode::Sigint {
                crate::process::nap(Duration::from_millis(300))?;
                sigint(me.child.id(), true);
            }
            event_at = Instant::now();
            o.status = wait(&mut me, deadline, &mut cpu)?;
            o.ended_after = event_at.elapsed();
            o.stray = group_alive(me.child.id());
            finish_peer(&mut other, true, &mut o)?;
            let _ = object.remove();
        }
        Role::FifoRead => {
            // Step 2: the student's reader first (it makes ./fifo1, as the seed does), then
            // ipclab's writer, which waits for the FIFO and a reader.
            me = start(&mut student, dir.path(), "student", Stdio::null())?;
            if s.mode == Mode::Sigint {
                crate::process::nap(Duration::from_millis(300))?;
                sigint(me.child.id(), true);
                other = None;
            } else {
                let w = [
                    "fifo-write",
                    "fifo1",
                    "--count",
                    "3",
                    "--interval",
                    "20ms",
                    "--timeout",
                    "5s",
                ];
                other = Some(start(
                    &mut peer(&w, s.jitter)?,
                    dir.path(),
                    "peer",
                    Stdio::null(),
                )?);
            }
            event_at = Instant::now();
            o.status = wait(&mut me, deadline, &mut cpu)?;
            o.ended_after = event_at.elapsed();
            o.stray = group_alive(me.child.id());
            finish_peer(&mut other, true, &mut o)?;
            if dir.join("fifo1").exists() {
                o.left
                    .push("the FIFO fifo1 (in its working directory)".into());
            }
        }
        Role::MsgClient => {
            o.key = ipc::ftok(&keyfile, b'z').map_err(|e| anyhow!("ftok: {}", e.desc()))?;
            student.arg(&keyfile);
            let kf = keyfile.to_string_lossy().into_owned();
            if s.mode == Mode::Normal {
                // Step 2: ipclab's server first, as the seed's order has it.
                let mut srv = peer(&["msg-server", "--path", &kf, "--count", "1"], s.jitter)?;
                let p = start(&mut srv, dir.path(), "peer", Stdio::null())?;
                wait_line(&p.out, "My pid is", deadline)?;
                other = Some(p);
                me = start(&mut student, dir.path(), "student", Stdio::null())?;
                event_at = Instant::now();
                o.status = wait(&mut me, deadline, &mut cpu)?;
                o.ended_after = event_at.elapsed();
                o.stray = group_alive(me.child.id());
                finish_peer(&mut other, true, &mut o)?;
            } else {
                // Step 3: a queue that never answers; Ctrl-C, or the queue removed.
                let mut q = crate::objects::owner::Owner::make(Kind::SysvMsg, o.key, || {
                    ipc::msgget(o.key, libc::IPC_CREAT | libc::IPC_EXCL | 0o600)
                })
                .map_err(|e| anyhow!("msgget: {}", e.desc()))?;
                o.id = q.id();
                me = start(&mut student, dir.path(), "student", Stdio::null())?;
                let sent = Instant::now() + Duration::from_secs(2);
                while Instant::now() < sent
                    && sysvipc::by_key(Kind::SysvMsg, o.key)
                        .is_some_and(|r| r.num::<u64>("qnum") == 0)
                {
                    crate::process::nap(Duration::from_millis(5))?;
                }
                crate::process::nap(Duration::from_millis(50))?;
                event_at = Instant::now();
                match s.mode {
                    Mode::Sigint => sigint(me.child.id(), true),
                    _ => drop(q.remove()),
                }
                o.status = wait(&mut me, event_at + Duration::from_secs(2), &mut cpu)?;
                o.ended_after = event_at.elapsed();
                o.stray = group_alive(me.child.id());
                drop(q);
            }
        }
    }
    o.pid = me.child.id();
    o.out = read(&me.out);
    o.err = read(&me.err);
    o.wall = t0.elapsed();
    o.cpu = cpu;
    o.left.extend(super::leaks::left_behind(o.key, o.pid));
    super::leaks::remove_left(o.key, o.pid);
    Ok(o)
}

/// Ctrl-C to the student's group (once it is ready, or anyway after the wait).
fn sigint(pgid: u32, _ready: bool) {
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(pgid as i32),
        nix::sys::signal::Signal::SIGINT,
    );
}

/// Let the peer finish (a normal run) or stop it; keep what it printed and its pid.
fn finish_peer(peer: &mut Option<Proc>, let_finish: bool, o: &mut Outcome) -> Result<()> {
    if let Some(p) = peer {
        o.peer_pid = p.child.id();
        let deadline = Instant::now() + Duration::from_secs(if let_finish { 5 } else { 0 });
        if !let_finish {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(o.peer_pid as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let mut unused = Duration::ZERO;
        wait(p, deadline + Duration::from_secs(2), &mut unused)?;
        o.peer_out = read(&p.out);
        let _ = read(&p.err);
    }
    Ok(())
}
