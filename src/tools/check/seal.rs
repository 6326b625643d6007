//! Sealing a grading run (`--isolation auto|ns|none`): every run of a role's scenario — the
//! student's program, ipclab's peer, their objects and files — happens in namespaces of
//! its own, so nothing outside the run can be seen, used or removed, and whatever the run
//! left is the student's, exactly.
//!
//! `ns`, the run's process tree:
//!
//! ```text
//! grader ── fork ── S: unshare(USER¹ IPC MNT NET PID UTS), uid/gid map "U U 1"¹
//!                   └─ fork ── I: PID 1 of the new PID namespace; mounts; the scenario
//!                              ├─ the student's PROGRAM (clean start, limits)
//!                              └─ ipclab's peer
//! ¹ not as root: root makes the namespaces directly.
//! ```
//!
//! I makes its mounts private, the whole tree read-only (`mount_setattr`; Linux 5.12), a
//! fresh tmpfs on /tmp (the scratch directory lives there) and on /dev/shm, and a /proc of
//! the new PID namespace; a program or ipclab itself that lives under /tmp is bound back
//! in, read-only. It runs the scenario and sends its outcome to the grader as JSON on a
//! pipe. S and I die with their parent (PR_SET_PDEATHSIG SIGKILL), and the kernel ends
//! every process of a PID namespace whose init ends: killing the grader, even with
//! SIGKILL, takes the whole run with it, and the IPC namespace and the tmpfs vanish with
//! their last process.
//!
//! What `ns` guarantees: `no-leak` sees every System V object and POSIX object the run's
//! processes left (however briefly they lived), and only those; `no-stray` sees every
//! process still alive in the run's PID namespace (setsid does not escape it); nothing
//! outside the run is touched; the program cannot write outside /tmp and /dev/shm of its
//! run (both private), nor reach the network (a network namespace of its own).
//!
//! `none` (today's way, where namespaces cannot be made): the run shares the user's IPC
//! namespace and file system; `no-leak` removes only what is proven the run's own (made by
//! its processes during the run) and reports the rest without touching it; `no-stray`
//! follows the process group. `auto` probes once (a child tries the whole `ns` set-up) and
//! falls back to `none`, saying why in the report's first line.

use anyhow::{anyhow, Context, Result};
use serde::{de::DeserializeOwned, Serialize};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::sys::sandbox::{self, Forked};

/// `--isolation`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// Namespaces where the kernel allows them, else none (the report says which)
    #[default]
    Auto,
    /// Namespaces, or refuse to grade
    Ns,
    /// No namespaces: the run shares the user's objects and files
    None,
}

/// How runs are sealed, once decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Sealed {
    /// In namespaces of their own; `user`: through a user namespace (not root).
    Ns { user: bool },
    /// Not sealed; why not, when namespaces were asked for or probed.
    None { why: Option<String> },
}

impl Sealed {
    /// One line for the report.
    pub fn describe(&self) -> String {
        match self {
            Sealed::Ns { user: true } => {
                "isolation ns (user, IPC, mount, PID and network namespaces)".into()
            }
            Sealed::Ns { user: false } => {
                "isolation ns (IPC, mount, PID and network namespaces)".into()
            }
            Sealed::None { why: None } => "isolation none (--isolation none)".into(),
            Sealed::None { why: Some(w) } => format!("isolation none: {w}"),
        }
    }
}

/// Reaps, when dropped, every child of the grader that has ended or ends within a second:
/// the grader is the subreaper of its runs, so the init of a run whose first process was
/// killed comes back to it (not to a PID 1 that may not reap) and is waited for.
pub struct Reaper(());

impl Reaper {
    /// Become the subreaper of what this process starts from now on.
    pub fn become_one() -> Reaper {
        let _ = nix::sys::prctl::set_child_subreaper(true);
        Reaper(())
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
        let until = std::time::Instant::now() + std::time::Duration::from_secs(1);
        loop {
            match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) if std::time::Instant::now() < until => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                Ok(WaitStatus::StillAlive) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

/// Decide how to seal, probing the kernel once for `auto` and `ns`.
pub fn decide(want: Isolation, keep: &[PathBuf]) -> Result<Sealed> {
    if want == Isolation::None {
        return Ok(Sealed::None { why: None });
    }
    let user = !nix::unistd::geteuid().is_root();
    let probe = run(&Sealed::Ns { user }, keep, || Ok(true)).and_then(Pending::wait);
    // Interrupted while probing: that is no answer about the kernel.
    crate::error::check_interrupted()?;
    match (probe, want) {
        (Ok(true), _) => Ok(Sealed::Ns { user }),
        (Ok(false), _) => unreachable!("the probe returns true"),
        (Err(e), Isolation::Ns) => Err(crate::error::usage(format!(
            "--isolation ns: namespaces cannot be made here ({e:#}); --isolation none grades without them"
        ))),
        (Err(e), _) => Ok(Sealed::None {
            why: Some(format!(
                "namespaces cannot be made here ({e:#}): objects and files are shared with the user's"
            )),
        }),
    }
}

/// A run in progress: a sealed child (its first process and the pipe its outcome comes
/// on), or the outcome of a run made here (`none`).
pub struct Pending<T> {
    pid: i32,
    from: Option<OwnedFd>,
    got: Vec<u8>,
    done: bool,
    here: Option<Result<T, String>>,
}

impl<T: DeserializeOwned> Pending<T> {
    /// Read what has come (never blocks); true once the run has ended.
    pub fn poll(&mut self) -> Result<bool> {
        let Some(from) = self.from.as_ref().filter(|_| !self.done) else {
            return Ok(true);
        };
        let mut buf = [0u8; 8192];
        loop {
            match crate::sys::proc::read(from, &mut buf) {
                Ok(0) => {
                    self.done = true;
                    return Ok(true);
                }
                Ok(n) => self.got.extend_from_slice(&buf[..n]),
                Err(nix::errno::Errno::EAGAIN) => return Ok(false),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(anyhow!("reading a sealed run's outcome: {e}")),
            }
        }
    }

    /// Wait for the run to end and take its result.
    pub fn wait(mut self) -> Result<T> {
        while !self.poll()? {
            crate::process::nap(std::time::Duration::from_millis(5))?;
        }
        self.take()
    }

    /// The result of an ended run (after [`Pending::poll`] said so).
    pub fn take(&mut self) -> Result<T> {
        if let Some(r) = self.here.take() {
            return r.map_err(|e| anyhow!(e));
        }
        let _ = crate::error::uninterrupted(|| crate::sys::spawn::wait_pid(self.pid));
        self.pid = 0;
        let r: Result<T, String> = serde_json::from_slice(&self.got)
            .map_err(|_| anyhow!("the sealed run ended without an outcome"))?;
        r.map_err(|e| anyhow!(e))
    }
}

impl<T> Drop for Pending<T> {
    /// A run given up (an error, Ctrl-C to the grader) is killed: its PID namespace goes
    /// with its init.
    fn drop(&mut self) {
        if self.pid > 0 {
            crate::sys::signals::kill(self.pid, nix::sys::signal::Signal::SIGKILL);
            let _ = crate::error::uninterrupted(|| crate::sys::spawn::wait_pid(self.pid));
        }
    }
}

/// Run `f` as `how` says: in a sealed child (its result comes back on a pipe), or (`none`)
/// right here.
pub fn run<T, F>(how: &Sealed, keep: &[PathBuf], f: F) -> Result<Pending<T>>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Result<T>,
{
    let Sealed::Ns { user } = *how else {
        return Ok(Pending {
            pid: 0,
            from: None,
            got: Vec::new(),
            done: true,
            here: Some(f().map_err(|e| format!("{e:#}"))),
        });
    };
    let (r, w) = crate::sys::proc::pipe()?;
    let grader = nix::unistd::getpid();
    match sandbox::fork().context("fork()")? {
        Forked::Parent { child } => {
            drop(w);
            crate::sys::proc::set_nonblocking(&r, true)?;
            Ok(Pending {
                pid: child,
                from: Some(r),
                got: Vec::new(),
                done: false,
                here: None,
            })
        }
        Forked::Child => {
            drop(r);
            let result = first_side(grader, user, keep, &w, f).map_err(|e| format!("{e:#}"));
            let _ = std::fs::File::from(w).write_all_json(&result);
            crate::out::flush_all();
            std::process::exit(0)
        }
    }
}

trait WriteJson {
    fn write_all_json<T: Serialize>(self, v: &T) -> Result<()>;
}

impl WriteJson for std::fs::File {
    fn write_all_json<T: Serialize>(mut self, v: &T) -> Result<()> {
        use std::io::Write;
        self.write_all(&serde_json::to_vec(v)?)?;
        Ok(())
    }
}

/// S: enter the namespaces, start I, wait for it. Returns only on a set-up error (I's
/// result reaches the grader on the pipe directly).
fn first_side<T, F>(
    grader: nix::unistd::Pid,
    user: bool,
    keep: &[PathBuf],
    out: &OwnedFd,
    f: F,
) -> Result<T>
where
    T: Serialize,
    F: FnOnce() -> Result<T>,
{
    use nix::sched::CloneFlags as C;
    die_with(grader)?;
    let (uid, gid) = (nix::unistd::getuid(), nix::unistd::getgid());
    if user {
        nix::sched::unshare(C::CLONE_NEWUSER).context("unshare(CLONE_NEWUSER)")?;
        std::fs::write("/proc/self/setgroups", "deny").context("/proc/self/setgroups")?;
        std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1")).context("uid_map")?;
        std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1")).context("gid_map")?;
    }
    nix::sched::unshare(
        C::CLONE_NEWIPC | C::CLONE_NEWNS | C::CLONE_NEWNET | C::CLONE_NEWPID | C::CLONE_NEWUTS,
    )
    .context("unshare(CLONE_NEWIPC|CLONE_NEWNS|CLONE_NEWNET|CLONE_NEWPID)")?;
    // A pipe that tells I whether S still lives when I asks for its death signal.
    let (alive_r, alive_w) = crate::sys::proc::pipe()?;
    let me = match sandbox::fork().context("fork()")? {
        Forked::Parent { child } => child,
        Forked::Child => {
            drop(alive_w);
            let result = init(&alive_r, keep, f).map_err(|e| format!("{e:#}"));
            let _ = std::fs::File::from(out.try_clone()?).write_all_json(&result);
            crate::out::flush_all();
            std::process::exit(0)
        }
    };
    drop(alive_r);
    // S only waits: I's outcome goes to the grader on the pipe directly.
    let st = crate::error::uninterrupted(|| crate::sys::spawn::wait_pid(me));
    drop(alive_w);
    std::process::exit(match st {
        Ok(crate::sys::spawn::Exit::Code(c)) => c,
        _ => 1,
    })
}

/// Die by SIGKILL when the parent dies; if it died already, now.
fn die_with(parent: nix::unistd::Pid) -> Result<()> {
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)?;
    if nix::unistd::getppid() != parent {
        std::process::exit(1);
    }
    Ok(())
}

/// I, PID 1 of the run's namespace: the mounts, then the scenario.
fn init<T, F>(alive: &OwnedFd, keep: &[PathBuf], f: F) -> Result<T>
where
    F: FnOnce() -> Result<T>,
{
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)?;
    // S is gone already if its end of `alive` is closed: a read would not block.
    let mut fds = [nix::poll::PollFd::new(
        std::os::fd::AsFd::as_fd(alive),
        nix::poll::PollFlags::POLLIN,
    )];
    if nix::poll::poll(&mut fds, nix::poll::PollTimeout::ZERO)? > 0 {
        std::process::exit(1);
    }
    // No handler of the grader's: the kernel then keeps every signal from inside the
    // namespace off its init (a program that kills its parent kills nothing), and the
    // grader ends the run with SIGKILL, which comes through.
    crate::sys::signals::restore_default_dispositions();
    mounts(keep)?;
    f()
}

/// The run's file system: private mounts, everything read-only, a fresh /tmp and /dev/shm,
/// a /proc of the new PID namespace; `keep` (paths under /tmp or /dev/shm the run needs:
/// the student's program, ipclab itself) bound back in, read-only.
fn mounts(keep: &[PathBuf]) -> Result<()> {
    use nix::mount::{mount, MsFlags as M};
    let none: Option<&str> = None;
    mount(none, "/", none, M::MS_REC | M::MS_PRIVATE, none).context("mount(/, MS_PRIVATE)")?;
    let hidden: Vec<(PathBuf, OwnedFd)> = keep
        .iter()
        .filter(|p| p.starts_with("/tmp") || p.starts_with("/dev/shm"))
        .filter_map(|p| {
            let fd = nix::fcntl::open(
                p.as_path(),
                nix::fcntl::OFlag::O_PATH | nix::fcntl::OFlag::O_CLOEXEC,
                nix::sys::stat::Mode::empty(),
            )
            .ok()?;
            Some((p.clone(), fd))
        })
        .collect();
    sandbox::read_only_tree(Path::new("/")).context("mount_setattr(/, MOUNT_ATTR_RDONLY)")?;
    for dir in ["/tmp", "/dev/shm"] {
        mount(
            Some("tmpfs"),
            dir,
            Some("tmpfs"),
            M::MS_NOSUID | M::MS_NODEV,
            Some("mode=1777,size=64m"),
        )
        .with_context(|| format!("mount(tmpfs, {dir})"))?;
    }
    mount(
        Some("proc"),
        "/proc",
        Some("proc"),
        M::MS_NOSUID | M::MS_NODEV | M::MS_NOEXEC,
        none,
    )
    .context("mount(proc, /proc)")?;
    for (path, fd) in hidden {
        bind_back(&path, &fd).with_context(|| format!("binding {} back in", path.display()))?;
    }
    Ok(())
}

/// Bind what `fd` holds at `path` (in the fresh tmpfs), read-only.
fn bind_back(path: &Path, fd: &OwnedFd) -> Result<()> {
    use nix::mount::{mount, MsFlags as M};
    let none: Option<&str> = None;
    let is_dir = std::fs::metadata(format!("/proc/self/fd/{}", fd.as_raw_fd()))?.is_dir();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if is_dir {
        std::fs::create_dir_all(path)?;
    } else {
        std::fs::File::create(path)?;
    }
    let source = format!("/proc/self/fd/{}", fd.as_raw_fd());
    mount(Some(source.as_str()), path, none, M::MS_BIND, none)?;
    mount(
        none,
        path,
        none,
        M::MS_BIND | M::MS_REMOUNT | M::MS_RDONLY,
        none,
    )?;
    Ok(())
}
