//! [`Region`]: a borrowed view of bytes shared with other processes (an attached System V
//! segment or a `MAP_SHARED` mapping), with bounds-checked accessors.
//!
//! Shared bytes can change under us at any time, so the view never hands out `&[u8]` or
//! `&mut [u8]` (that would promise Rust nothing else writes them). It copies bytes in and
//! out, and gives atomics for the fields used to synchronise (the `written` flag, ring
//! indices). The protocols built on top (a flag with acquire/release, a semaphore) make
//! sure the copies never overlap a writer.
//!
//! A view knows whether its mapping may be written ([`Access`]): writing, or taking an
//! atomic (which could be stored to) through a read-only attach or mapping is refused
//! before the kernel would kill the process with SIGSEGV; loads work on both.

use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering};

/// The atomic integer types a region hands out (sealed: nothing else may be cast over
/// shared bytes).
trait Atomic {}
impl Atomic for AtomicI32 {}
impl Atomic for AtomicU32 {}
impl Atomic for AtomicU64 {}

/// How a segment is attached or a file mapped: `SHM_RDONLY` / `PROT_READ`, or read-write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

/// A view of `len` shared bytes, valid for `'a`.
#[derive(Debug, Clone, Copy)]
pub struct Region<'a> {
    ptr: NonNull<u8>,
    len: usize,
    access: Access,
    _owner: PhantomData<&'a ()>,
}

impl<'a> Region<'a> {
    /// # Safety
    /// `ptr..ptr+len` must be mapped readable for `'a`, and writable too when `access` is
    /// [`Access::ReadWrite`].
    pub(crate) unsafe fn new(ptr: NonNull<u8>, len: usize, access: Access) -> Self {
        Region {
            ptr,
            len,
            access,
            _owner: PhantomData,
        }
    }

    /// May this view be written?
    pub fn writable(&self) -> bool {
        self.access == Access::ReadWrite
    }

    fn check_writable(&self, what: &str) {
        assert!(
            self.writable(),
            "{what} through a read-only view of shared memory (attach or map it read-write)"
        );
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Is it empty?
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn check(&self, offset: usize, n: usize, align: usize) {
        let end = offset.checked_add(n).expect("region offset overflow");
        assert!(
            end <= self.len,
            "region access {offset}+{n} beyond {}",
            self.len
        );
        assert!(
            (self.ptr.as_ptr() as usize + offset) % align == 0,
            "misaligned region access at {offset}"
        );
    }

    /// Copy `n` bytes out, starting at `offset`.
    pub fn read(&self, offset: usize, n: usize) -> Vec<u8> {
        let mut out = vec![0u8; n];
        self.read_into(offset, &mut out);
        out
    }

    /// Copy `out.len()` bytes out, starting at `offset`, into the caller's buffer (no
    /// allocation: the benchmark's rings copy each message exactly once on each side).
    pub fn read_into(&self, offset: usize, out: &mut [u8]) {
        self.check(offset, out.len(), 1);
        // SAFETY: bounds checked above; `out` is ordinary memory, not the mapping.
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.ptr.as_ptr().add(offset),
                out.as_mut_ptr(),
                out.len(),
            )
        };
    }

    /// Copy `bytes` in at `offset` (a read-write view only).
    pub fn write(&self, offset: usize, bytes: &[u8]) {
        self.check_writable("a write");
        self.check(offset, bytes.len(), 1);
        // SAFETY: bounds checked above; the mapping is writable (checked: the view was made
        // ReadWrite by the attach or map that made it so); `bytes` is ordinary memory, not
        // overlapping the mapping.
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.ptr.as_ptr().add(offset),
                bytes.len(),
            )
        };
    }

    /// Copy `n` bytes from `from` to `to` within the view (a read-write view; the two
    /// ranges must not overlap).
    pub fn copy_within(&self, from: usize, to: usize, n: usize) {
        self.check_writable("a copy");
        self.check(from, n, 1);
        self.check(to, n, 1);
        assert!(
            from + n <= to || to + n <= from,
            "overlapping copy in a region"
        );
        // SAFETY: both ranges are in bounds (checked) and do not overlap (checked); the
        // view is writable (checked).
        unsafe {
            std::ptr::copy_nonoverlapping(self.ptr.as_ptr().add(from), self.ptr.as_ptr().add(to), n)
        };
    }

    /// The NUL-terminated string at `offset`, at most `max` bytes, without the NUL.
    pub fn c_string(&self, offset: usize, max: usize) -> Vec<u8> {
        let max = max.min(self.len.saturating_sub(offset));
        let mut bytes = self.read(offset, max);
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            bytes.truncate(nul);
        }
        bytes
    }

    /// The atomic `A` at `offset`, bounds and alignment checked. Only the accessors below
    /// call it, each with one of the atomic integer types, and only [`Self::load_i32`] and
    /// [`Self::load_u32`] on a read-only view (they never store).
    fn atomic<A: Atomic>(&self, offset: usize) -> &'a A {
        let n = std::mem::size_of::<A>();
        self.check(offset, n, n);
        // SAFETY: in bounds and aligned (checked); the atomic integer types have the size and
        // alignment of their integer, and every access to a synchronising field goes through
        // an atomic. The mapping stays for 'a, so the reference may too.
        unsafe { &*self.ptr.as_ptr().add(offset).cast::<A>() }
    }

    /// The `i32` at `offset`, loaded with Acquire ordering (any view; 4-aligned).
    pub fn load_i32(&self, offset: usize) -> i32 {
        self.atomic::<AtomicI32>(offset).load(Ordering::Acquire)
    }

    /// The `u32` at `offset`, loaded with Acquire ordering (any view; 4-aligned).
    pub fn load_u32(&self, offset: usize) -> u32 {
        self.atomic::<AtomicU32>(offset).load(Ordering::Acquire)
    }

    /// The `i32` at `offset` as an atomic (a read-write view; 4-aligned).
    pub fn atomic_i32(&self, offset: usize) -> &'a AtomicI32 {
        self.check_writable("an atomic");
        self.atomic(offset)
    }

    /// The `u32` at `offset` as an atomic (a read-write view; 4-aligned).
    pub fn atomic_u32(&self, offset: usize) -> &'a AtomicU32 {
        self.check_writable("an atomic");
        self.atomic(offset)
    }

    /// The `u64` at `offset` as an atomic (a read-write view; 8-aligned).
    pub fn atomic_u64(&self, offset: usize) -> &'a AtomicU64 {
        self.check_writable("an atomic");
        self.atomic(offset)
    }

    /// A pointer to `n` writable bytes at `offset`, aligned to `align`, derived from the
    /// view's base (for an object the kernel or libc manages in place, like a `sem_t`).
    pub(crate) fn shared_ptr(&self, offset: usize, n: usize, align: usize) -> NonNull<u8> {
        self.check_writable("a shared object");
        self.check(offset, n, align);
        // SAFETY: `offset + n <= len` (checked), so the result stays inside the mapping.
        unsafe { self.ptr.add(offset) }
    }

    /// The base address, for printing.
    pub fn addr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }
}
