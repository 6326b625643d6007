//! `futex(2)` wait and wake on a 32-bit word in shared memory, for the benchmark's rings
//! (`--wait futex`): a waiting side sleeps in the kernel instead of spinning.

use std::sync::atomic::AtomicU32;

/// Sleep while `*word == expected` (or until woken, or a signal). Spurious returns are
/// fine: callers re-check their condition in a loop.
pub fn wait(word: &AtomicU32, expected: u32) {
    // SAFETY: `word` is a valid, aligned u32 for the duration of the call (a reference);
    // FUTEX_WAIT (not PRIVATE: the word may be in memory shared with another process) only
    // reads it; a NULL timeout means no timeout.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT,
            expected,
            std::ptr::null::<libc::timespec>(),
        )
    };
}

/// Wake up to `n` waiters on `word`.
pub fn wake(word: &AtomicU32, n: i32) {
    // SAFETY: as for wait; FUTEX_WAKE does not touch the word's memory.
    unsafe { libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAKE, n) };
}
