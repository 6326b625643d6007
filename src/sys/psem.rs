//! Process-shared POSIX semaphores (`sem_init(sem, 1, value)`) living inside a shared
//! mapping: the bounded buffer's `empty` and `full` counts.

use super::region::Region;
use super::{event, Errno, SysResult};

/// Bytes a `sem_t` takes (and the alignment the layouts give it).
pub const SEM_SIZE: usize = std::mem::size_of::<libc::sem_t>();
const _: () = assert!(SEM_SIZE == 32);

/// A semaphore at an offset of a shared region.
#[derive(Debug, Clone, Copy)]
pub struct PSem<'a> {
    ptr: *mut libc::sem_t,
    offset: usize,
    _region: Region<'a>,
}

impl<'a> PSem<'a> {
    /// The semaphore at `offset` (8-aligned, SEM_SIZE bytes inside a read-write region).
    pub fn at(region: Region<'a>, offset: usize) -> Self {
        PSem {
            ptr: region.shared_ptr(offset, SEM_SIZE, 8).as_ptr().cast(),
            offset,
            _region: region,
        }
    }

    /// `sem_init(sem, 1, value)`: only the side that set the region up calls this, once,
    /// before any other process uses the semaphore.
    pub fn init(&self, value: u32) -> SysResult<()> {
        // SAFETY: `ptr` points at SEM_SIZE bytes of a MAP_SHARED region (checked in `at`),
        // and pshared = 1 is what a semaphore in shared memory needs.
        let r = Errno::result(unsafe { libc::sem_init(self.ptr, 1, value) }).map(drop);
        let off = self.offset;
        event::call_op(
            format_args!("sem_init(+{off}, 1, {value})"),
            &r.map(|_| 0),
            |_| event::Op::PsemInit { off, value },
        );
        r
    }

    /// `sem_wait`; EINTR comes back to the caller.
    pub fn wait(&self) -> SysResult<()> {
        event::begin();
        // SAFETY: the semaphore was initialised by the region's creator before use.
        let r = Errno::result(unsafe { libc::sem_wait(self.ptr) }).map(drop);
        if event::active() {
            let off = self.offset;
            event::call_op(format_args!("sem_wait(+{off})"), &r.map(|_| 0), |_| {
                event::Op::PsemWait { off }
            });
        }
        r
    }

    /// `sem_timedwait` for at most `d`: `Ok(true)` when taken, `Ok(false)` when the time
    /// ran out (the caller looks around and waits again); EINTR is returned to the caller.
    pub fn wait_timeout(&self, d: std::time::Duration) -> SysResult<bool> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let end = now + d;
        let ts = libc::timespec {
            tv_sec: end.as_secs() as libc::time_t,
            tv_nsec: libc::c_long::from(end.subsec_nanos()),
        };
        // SAFETY: the semaphore was initialised by the region's creator before use; `ts` is a
        // valid absolute CLOCK_REALTIME time for the call.
        let r = match Errno::result(unsafe { libc::sem_timedwait(self.ptr, &ts) }) {
            Ok(_) => Ok(true),
            Err(Errno::ETIMEDOUT) => Ok(false),
            Err(e) => Err(e),
        };
        if event::active() {
            let off = self.offset;
            // = 0: it took the semaphore; = 1: the time ran out, nothing taken.
            event::call_op(
                format_args!("sem_timedwait(+{off})"),
                &r.map(|t| i32::from(!t)),
                |&timed_out| match timed_out {
                    0 => event::Op::PsemWait { off },
                    _ => event::Op::Other,
                },
            );
        }
        r
    }

    /// `sem_post`.
    pub fn post(&self) -> SysResult<()> {
        // SAFETY: as for wait.
        let r = Errno::result(unsafe { libc::sem_post(self.ptr) }).map(drop);
        if event::active() {
            let off = self.offset;
            event::call_op(format_args!("sem_post(+{off})"), &r.map(|_| 0), |_| {
                event::Op::PsemPost { off }
            });
        }
        r
    }
}
