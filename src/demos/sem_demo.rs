//! Seed 002 四 (信号量): a System V semaphore orders a parent after its child.
//!
//! The seed's steps:
//! 1. `ftok(".", 'z')`, `semget(key, 1, IPC_CREAT|…)`: a set of one semaphore
//! 2. `semctl(SETVAL, 0)`: the resource starts taken
//! 3. `fork()`
//! 4. the child sleeps (`--delay`, the seed's 2 s), prints `Process child: pid=N`, V
//! 5. the parent P (blocks until the child's V), prints `Process father: pid=N`, V
//! 6. the parent waits for its child and removes the set (`semctl(IPC_RMID)`)
//!
//! "上面的例子如果不加信号量，则父进程会先执行完毕": `--no-sem` runs without it and the
//! father prints first.
//!
//! SEM_UNDO: the kernel keeps, per process, the sum of its changes (semadj) and reverses
//! it when the process exits, so a process that dies holding the semaphore gives it back.
//! The seed sets it on every P and V, the child's V included: when the child exits, its V
//! is taken back (hazard 5). If the father has not reached its P by then (a busy machine,
//! `--delay 0`), the value is 0 again and the father waits for ever. Here the father's P
//! and V keep SEM_UNDO (a father killed between them gives the semaphore back), and the
//! child's V does not: a signal from child to father must outlive the child.
//! `--seed-undo --late-father` shows the seed's V lost, every time.
//!
//! Fixed from the C program: the child's V survives its exit (hazard 5); the parent waits
//! for its child; semop is retried on EINTR; Ctrl-C or SIGTERM while the parent is blocked
//! in P still removes the set (hazard 15).

use crate::error::SysContext;
use crate::objects::keys;
use crate::objects::sysv as segment;
use crate::objects::Kind;
use crate::outln;
use crate::process::{self, Side};
use crate::sys::ipc::{self, SemGet};
use crate::sys::spawn::Exit;
use crate::sys::{signals, Errno};
use anyhow::{anyhow, Result};
use std::time::Duration;

// `ipclab sem-demo`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab sem-demo --delay 200ms --verbose")]
pub struct Args {
    #[command(flatten)]
    pub key: keys::FtokArgs,
    /// How long the child sleeps before it prints (the seed's sleep(2))
    #[arg(long, allow_hyphen_values = true, default_value = "2s", value_parser = crate::units::duration)]
    pub delay: Duration,
    /// Run without the semaphore: the father does not wait
    #[arg(long)]
    pub no_sem: bool,
    /// Show the semaphore's value and who waits on it (semncnt) around each P and V
    #[arg(long)]
    pub verbose: bool,
    /// The child's V with SEM_UNDO, as the seed: its exit takes the V back (hazard 5)
    #[arg(long)]
    pub seed_undo: bool,
    /// The father calls P only after the child has exited (with --seed-undo: the V is lost)
    #[arg(long)]
    pub late_father: bool,
    /// Permissions of the set, octal (the seed uses 666)
    #[arg(long, default_value = "600", value_parser = crate::units::mode)]
    pub mode: u32,
}

fn show(verbose: bool, semid: ipc::SemId, who: &str, when: &str) -> Result<()> {
    if verbose {
        let val = ipc::sem_get(semid, 0, SemGet::Val).unwrap_or(-1);
        let ncnt = ipc::sem_get(semid, 0, SemGet::Ncnt).unwrap_or(-1);
        outln!("    [{who}] {when}: semval = {val}, semncnt (blocked in P) = {ncnt}")?;
    }
    Ok(())
}

/// P (`op = -1`) or V (`op = +1`), as the seed's sem_p/sem_v. A P stops waiting when the
/// child has ended (its V may never come): `why` says why.
fn pv(semid: ipc::SemId, op: i16, undo: bool, why: &str) -> Result<()> {
    segment::pv(semid, op, undo, || {
        signals::child_exited().then(|| anyhow!("semop(): {why}"))
    })
}

/// Run the demo.
pub fn run(args: Args) -> Result<()> {
    signals::catch_termination()?;
    signals::catch_child_exit()?;
    // Step 1: the key and a set of one semaphore.
    let (key, path) = args.key.key("sem.key")?;
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | args.mode as libc::c_int;
    let mut set = segment::create(Kind::SysvSem, key, || ipc::semget(key, 1, flags)).map_err(|e| match e {
        Errno::EEXIST => segment::occupied(
            Kind::SysvSem,
            key,
            &format!("another sem-demo or shm-msg-server may be running with the key file {}; pass --path with another file", path.display()),
        ),
        e => crate::error::sys_error("semget()", e),
    })?;
    let semid = set.sem_id();
    // Step 2: the resource starts taken.
    ipc::sem_setval(semid, 0, 0).sys("semctl(SETVAL)")?;
    // Step 3: fork.
    match process::fork()? {
        Side::Child => {
            // Step 4: the child (it leaves by process::exit: the set's owner, in the
            // parent's copy of memory, is not dropped here).
            let r = (|| -> Result<()> {
                crate::process::nap(args.delay)?;
                outln!("Process child: pid={}", std::process::id())?;
                if !args.no_sem {
                    show(args.verbose, semid, "child", "before V")?;
                    pv(semid, 1, args.seed_undo, "")?;
                    show(args.verbose, semid, "child", "after V")?;
                }
                Ok(())
            })();
            process::child_exit(r);
        }
        Side::Parent(child) => {
            // Step 5: the parent.
            let r = (|| -> Result<()> {
                if !args.no_sem {
                    if args.late_father {
                        while !signals::child_exited() {
                            crate::process::nap(Duration::from_millis(1))?;
                        }
                    }
                    show(args.verbose, semid, "father", "before P")?;
                    let why = if args.seed_undo {
                        "the child's V had SEM_UNDO (--seed-undo, as the seed) and its exit took it back (hazard 5): nothing will wake the father"
                    } else {
                        "the child ended before its V: nothing will wake the father"
                    };
                    pv(semid, -1, true, why)?;
                    show(args.verbose, semid, "father", "after P")?;
                }
                outln!("Process father: pid={}", std::process::id())?;
                if !args.no_sem {
                    pv(semid, 1, true, "")?;
                    show(args.verbose, semid, "father", "after V")?;
                }
                Ok(())
            })();
            // Step 6: wait for the child, remove the set.
            let pid = child.pid;
            let (how, report) = child.wait()?;
            if args.verbose && !args.no_sem {
                show(true, semid, "father", "after the child exited")?;
            }
            set.remove().sys("semctl(IPC_RMID)")?;
            crate::error::check_interrupted()?;
            if how != Exit::Code(0) {
                let what = report.unwrap_or_else(|| format!("the child (pid {pid}) {how}"));
                return Err(anyhow!(
                    "{what}; the father stopped waiting and removed the set"
                ));
            }
            r
        }
    }
}
