//! Termination signals (SIGINT, SIGTERM, SIGHUP), caught so a demo can clean up.
//!
//! The handler only does async-signal-safe things: it records the first signal in an atomic
//! and forwards it with `kill()` to the children a controller registered, so a SIGTERM sent
//! to the controller alone still ends the whole demo. It is installed *without* SA_RESTART,
//! so a blocking call (`waitpid`, `read`, `semop`, `msgrcv`…) returns EINTR and the caller's
//! loop looks at [`pending`] and starts its cleanup. A signal that arrives just *before* a
//! blocking call would interrupt nothing, so the first one also starts a 50 ms SIGALRM
//! ticker whose only job is to interrupt any blocking call made after it.
//!
//! (The `ctrlc` crate was the first candidate; it cannot say which signal arrived, which the
//! exit status needs (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP), and it installs
//! SA_RESTART, which keeps a blocked `read` blocked.)

use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::sync::atomic::{AtomicI32, Ordering};

static PENDING: AtomicI32 = AtomicI32::new(0);
const SLOTS: usize = 4;
static FORWARD: [AtomicI32; SLOTS] = [const { AtomicI32::new(0) }; SLOTS];

/// After the first termination signal, SIGALRM every this many microseconds.
const NUDGE_US: libc::suseconds_t = 50_000;

static CHILD_EXITED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_signal(sig: libc::c_int) {
    // errno saved and put back (kill and setitimer below may change it), so the code the
    // handler interrupted still sees its own.
    let errno = nix::errno::Errno::last_raw();
    handle(sig);
    nix::errno::Errno::set_raw(errno);
}

fn handle(sig: libc::c_int) {
    if sig == libc::SIGCHLD {
        // As for a termination signal: a blocking call entered just after this would not
        // be interrupted by it, so keep nudging until the caller has looked.
        if !CHILD_EXITED.swap(true, Ordering::SeqCst) {
            tick();
        }
        return;
    }
    if sig == libc::SIGALRM {
        // Only here to interrupt a blocking call (EINTR) entered after the first signal.
        return;
    }
    if PENDING
        .compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        // A signal that lands between a loop's `pending()` check and its blocking call
        // (sem_wait, semop, msgrcv, read…) interrupts nothing, and the call would then block
        // for good. So keep nudging: SIGALRM every 50 ms makes any later blocking call return
        // EINTR, and its loop sees the pending signal.
        tick();
    }
    for slot in &FORWARD {
        let pid = slot.load(Ordering::SeqCst);
        if pid > 0 {
            // kill(2) is async-signal-safe; pid is a child we registered and have not reaped
            // (the slot is cleared before waitpid reaps it).
            if let Ok(s) = Signal::try_from(sig) {
                let _ = signal::kill(nix::unistd::Pid::from_raw(pid), s);
            }
        }
    }
}

/// Catch SIGINT, SIGTERM and SIGHUP from now on.
///
/// SIGINT and SIGHUP found ignored on entry stay ignored, as Unix programs do: a command
/// started in the background by a shell without job control, or under `nohup`, must not
/// be ended by a Ctrl-C meant for the foreground, or by the terminal hanging up. SIGTERM is
/// always caught.
pub fn catch_termination() -> nix::Result<()> {
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for sig in [
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGALRM,
    ] {
        // SAFETY: the handler only touches atomics and calls kill() and setitimer(), all
        // async-signal-safe, and saves errno.
        let old = unsafe { signal::sigaction(sig, &action) }?;
        let ignored = matches!(old.handler(), SigHandler::SigIgn);
        if matches!(sig, Signal::SIGINT | Signal::SIGHUP) && ignored {
            // SAFETY: putting back the disposition we found, SIG_IGN.
            unsafe { signal::sigaction(sig, &old) }?;
        }
    }
    // A parent that started us with these blocked (std's spawn passes its mask on) would
    // keep them from us for ever: we catch them, so we take them.
    let mut set = SigSet::empty();
    for s in [
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGALRM,
    ] {
        set.add(s);
    }
    signal::sigprocmask(signal::SigmaskHow::SIG_UNBLOCK, Some(&set), None)
}

/// The first termination signal received, if any.
pub fn pending() -> Option<Signal> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        n => Signal::try_from(n).ok(),
    }
}

/// Forward termination signals to `pid` (a child) until [`unforward`] is called.
pub fn forward(pid: i32) {
    for slot in &FORWARD {
        if slot
            .compare_exchange(0, pid, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
    }
}

/// Stop forwarding to `pid` (call before reaping it, so its pid is never reused by mistake).
pub fn unforward(pid: i32) {
    for slot in &FORWARD {
        let _ = slot.compare_exchange(pid, 0, Ordering::SeqCst, Ordering::SeqCst);
    }
}

/// Send `sig` to `pid`; ESRCH (already gone) is not an error.
pub fn kill(pid: i32, sig: Signal) {
    let _ = signal::kill(nix::unistd::Pid::from_raw(pid), sig);
}

/// Interrupt blocking calls every 50 ms from now on (SIGALRM; catch_termination must be
/// installed, so the signal interrupts instead of killing). `msgrcv` has no timeout
/// parameter: a caller that needs one loops on EINTR and checks its own deadline. The tick
/// is the one a termination signal starts, so the two can never undo each other. It only
/// calls setitimer, so the signal handler may call it too.
pub fn tick() {
    let t = libc::itimerval {
        it_interval: libc::timeval {
            tv_sec: 0,
            tv_usec: NUDGE_US,
        },
        it_value: libc::timeval {
            tv_sec: 0,
            tv_usec: NUDGE_US,
        },
    };
    // SAFETY: setitimer is a plain system call (no locks, no allocation, async-signal-safe
    // in practice); `t` is a valid itimerval; the SIGALRM handler only returns.
    unsafe { libc::setitimer(libc::ITIMER_REAL, &t, std::ptr::null_mut()) };
}

/// Stop the SIGALRM ticker (when the process is done blocking: the cleanup that follows
/// must not see EINTR).
pub fn stop_ticking() {
    let zero = libc::timeval {
        tv_sec: 0,
        tv_usec: 0,
    };
    let t = libc::itimerval {
        it_interval: zero,
        it_value: zero,
    };
    // SAFETY: as in tick: a plain system call with a valid itimerval.
    unsafe { libc::setitimer(libc::ITIMER_REAL, &t, std::ptr::null_mut()) };
}

/// Termination signals held back (blocked) until dropped: a controller holds them while it
/// starts a child and registers it for forwarding, so a Ctrl-C that lands during the spawn
/// is delivered, and forwarded to the child, as soon as the child is registered.
pub struct Hold {
    old: SigSet,
}

/// Block SIGINT, SIGTERM and SIGHUP until the returned guard is dropped.
pub fn hold() -> Hold {
    let mut set = SigSet::empty();
    for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        set.add(s);
    }
    let mut old = SigSet::empty();
    let _ = signal::sigprocmask(signal::SigmaskHow::SIG_BLOCK, Some(&set), Some(&mut old));
    Hold { old }
}

impl Hold {
    /// The mask to give a child started meanwhile: the one we had before holding.
    pub fn child_mask(&self) -> &SigSet {
        &self.old
    }
}

/// Give the program `cmd` starts the signal mask `mask` (a [`Hold`]'s
/// [`child_mask`](Hold::child_mask)): std's spawn passes on the mask of the moment, and a
/// child started while we hold the termination signals would otherwise run with them
/// blocked (Ctrl-C, SIGTERM and SIGHUP would never reach it).
pub fn exec_with_mask(cmd: &mut std::process::Command, mask: &SigSet) {
    use std::os::unix::process::CommandExt;
    let mask = *mask;
    let closure = move || {
        let _ = signal::sigprocmask(signal::SigmaskHow::SIG_SETMASK, Some(&mask), None);
        Ok(())
    };
    // SAFETY: the closure runs in the child between fork and exec and only calls
    // sigprocmask, which is async-signal-safe; it allocates nothing and takes no lock.
    unsafe { cmd.pre_exec(closure) };
}

impl Drop for Hold {
    fn drop(&mut self) {
        let _ = signal::sigprocmask(signal::SigmaskHow::SIG_SETMASK, Some(&self.old), None);
    }
}

/// Also catch SIGCHLD, so a blocking call in the parent returns EINTR when a child ends
/// (a parent blocked in P for a V its child will never send can then notice); a child's
/// exit also starts the ticker (see [`tick`]), so a call entered just after it returns too.
pub fn catch_child_exit() -> nix::Result<()> {
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::SA_NOCLDSTOP,
        SigSet::empty(),
    );
    // SAFETY: the handler only stores to an atomic for SIGCHLD.
    unsafe { signal::sigaction(Signal::SIGCHLD, &action) }.map(|_| ())
}

/// Has a child ended since [`catch_child_exit`]?
pub fn child_exited() -> bool {
    CHILD_EXITED.load(Ordering::SeqCst)
}

/// Wait up to `timeout` for `sig` (which the caller has blocked): true if it came.
pub fn wait_for(sig: Signal, timeout: std::time::Duration) -> bool {
    let mut set = SigSet::empty();
    set.add(sig);
    let ts = libc::timespec {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: `set` is a valid sigset for the call, `ts` a valid timeout; a NULL siginfo
    // pointer is allowed.
    let r = unsafe { libc::sigtimedwait(set.as_ref(), std::ptr::null_mut(), &ts) };
    r == sig as libc::c_int
}

/// Forget earlier child exits (before starting a new child), and stop the ticker a child's
/// exit started, unless a termination signal needs it.
pub fn reset_child_exited() {
    CHILD_EXITED.store(false, Ordering::SeqCst);
    if pending().is_none() {
        stop_ticking();
    }
}

/// End the process the way `sig` would have ended it, now that it has cleaned up: the
/// default action back, `sig` unblocked, raised. A shell then sees a death by `sig` (status
/// 128+N), so a loop around ipclab stops on Ctrl-C as it would for any program (fd and
/// GNU tools do the same). Returns only if the signal did not end the process.
pub fn die_by(sig: Signal) {
    super::event::before_dying();
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    // SAFETY: restoring the default disposition; no handler of ours runs after this.
    if unsafe { signal::sigaction(sig, &default) }.is_err() {
        return;
    }
    let mut set = SigSet::empty();
    set.add(sig);
    let _ = set.thread_unblock();
    let _ = signal::raise(sig);
}

/// Put back the default action of the termination signals a parent may have left ignored
/// (SIGINT and SIGQUIT for a background job of a shell without job control, SIGHUP under
/// `nohup`, SIGTERM), in this process and so in every program it starts from now on. For a
/// process that catches none of them itself: a test harness whose demos must meet Ctrl-C
/// as they would in a terminal. (SIGPIPE stays as the Rust runtime set it: ignored here,
/// and reset by `std::process::Command` in every child.)
pub fn restore_default_dispositions() {
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    for sig in [
        Signal::SIGINT,
        Signal::SIGQUIT,
        Signal::SIGHUP,
        Signal::SIGTERM,
    ] {
        // SAFETY: setting SIG_DFL installs no handler, so no code of ours runs in a signal
        // context; the caller catches none of these signals (see above).
        let _ = unsafe { signal::sigaction(sig, &default) };
    }
}
