//! Memory-mapped files and POSIX shared memory: `shm_open`, `ftruncate`, `mmap`, `munmap`,
//! `msync`, `shm_unlink`. A [`Mapping`] unmaps itself when dropped.

pub use super::region::{Access, Region};
use super::{event, Errno, SysResult};
use nix::fcntl::OFlag;
use nix::sys::mman::{MapFlags, MsFlags, ProtFlags};
use nix::sys::stat::Mode;
use std::num::NonZeroUsize;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::ptr::NonNull;

fn oflags(f: OFlag) -> String {
    let mut v = Vec::new();
    if f.contains(OFlag::O_PATH) {
        v.push("O_PATH");
    } else if f.contains(OFlag::O_RDWR) {
        v.push("O_RDWR");
    } else if f.contains(OFlag::O_WRONLY) {
        v.push("O_WRONLY");
    } else {
        v.push("O_RDONLY");
    }
    for (flag, name) in [
        (OFlag::O_CREAT, "O_CREAT"),
        (OFlag::O_EXCL, "O_EXCL"),
        (OFlag::O_TRUNC, "O_TRUNC"),
        (OFlag::O_NONBLOCK, "O_NONBLOCK"),
        (OFlag::O_NOFOLLOW, "O_NOFOLLOW"),
    ] {
        if f.contains(flag) {
            v.push(name);
        }
    }
    v.join("|")
}

/// `shm_open(name, flags, mode)`.
pub fn shm_open(name: &str, flags: OFlag, mode: u32) -> SysResult<OwnedFd> {
    let r = nix::sys::mman::shm_open(name, flags, Mode::from_bits_truncate(mode));
    event::call_op(
        format_args!("shm_open(\"{name}\", {}, 0{mode:o})", oflags(flags)),
        &r.as_ref().map(|fd| fd.as_raw_fd()).map_err(|e| *e),
        |_| match flags.contains(OFlag::O_CREAT) {
            true => event::Op::Creates {
                object: format!("/dev/shm{name}"),
            },
            false => event::Op::Other,
        },
    );
    r
}

/// `shm_unlink(name)`.
pub fn shm_unlink(name: &str) -> SysResult<()> {
    let r = nix::sys::mman::shm_unlink(name);
    event::call_op(
        format_args!("shm_unlink(\"{name}\")"),
        &r.map(|_| 0),
        |_| event::Op::Removes {
            object: format!("/dev/shm{name}"),
        },
    );
    r
}

/// `open(path, flags, mode)`.
pub fn open(path: &std::path::Path, flags: OFlag, mode: u32) -> SysResult<OwnedFd> {
    event::begin(); // a FIFO's open blocks until the other end opens
    let r = nix::fcntl::open(path, flags, Mode::from_bits_truncate(mode));
    event::call_op(
        format_args!("open(\"{}\", {}, 0{mode:o})", path.display(), oflags(flags)),
        &r.as_ref().map(|fd| fd.as_raw_fd()).map_err(|e| *e),
        |&fd| event::Op::Open {
            path: path.display().to_string(),
            fd,
        },
    );
    r
}

/// `ftruncate(fd, len)`.
pub fn ftruncate(fd: impl AsFd, len: u64) -> SysResult<()> {
    let raw = fd.as_fd().as_raw_fd();
    let r = nix::unistd::ftruncate(fd, len as libc::off_t);
    event::call(format_args!("ftruncate({raw}, {len})"), &r.map(|_| 0));
    r
}

/// The size of an open file (`fstat`).
pub fn file_size(fd: impl AsFd) -> SysResult<u64> {
    nix::sys::stat::fstat(fd).map(|st| st.st_size as u64)
}

/// A mapping; `munmap` on drop.
#[derive(Debug)]
pub struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
    access: Access,
    unmapped: bool,
}

/// Sharing of a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    Shared,
    Private,
}

fn map_text(share: Share, anon: bool) -> &'static str {
    match (share, anon) {
        (Share::Shared, false) => "MAP_SHARED",
        (Share::Private, false) => "MAP_PRIVATE",
        (Share::Shared, true) => "MAP_SHARED|MAP_ANONYMOUS",
        (Share::Private, true) => "MAP_PRIVATE|MAP_ANONYMOUS",
    }
}

fn prot(access: Access) -> (ProtFlags, &'static str) {
    if access == Access::ReadWrite {
        (
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            "PROT_READ|PROT_WRITE",
        )
    } else {
        (ProtFlags::PROT_READ, "PROT_READ")
    }
}

/// `mmap(NULL, len, prot, flags, fd, 0)` of a file or shm object.
///
/// Touching the mapping beyond the last page of the file raises SIGBUS: callers check the
/// file's size first (as the demos do) unless they mean to show exactly that.
pub fn map_file(fd: impl AsFd, len: usize, access: Access, share: Share) -> SysResult<Mapping> {
    let raw = fd.as_fd().as_raw_fd();
    let (p, ptext) = prot(access);
    let flags = if share == Share::Shared {
        MapFlags::MAP_SHARED
    } else {
        MapFlags::MAP_PRIVATE
    };
    let n = NonZeroUsize::new(len).ok_or(Errno::EINVAL);
    // SAFETY: a NULL hint lets the kernel pick a free range, so no existing mapping of ours
    // is replaced; nix checks MAP_FAILED; the Mapping owns the range until munmap.
    let r = n.and_then(|n| unsafe { nix::sys::mman::mmap(None, n, p, flags, fd, 0) });
    event::call(
        format_args!(
            "mmap(NULL, {len}, {ptext}, {}, {raw}, 0)",
            map_text(share, false)
        ),
        &r.map(|p| format!("{:p}", p.as_ptr())),
    );
    r.map(|p| Mapping {
        ptr: p.cast(),
        len,
        access,
        unmapped: false,
    })
}

/// `mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)` (or private).
pub fn map_anonymous(len: usize, share: Share) -> SysResult<Mapping> {
    let (p, ptext) = prot(Access::ReadWrite);
    let flags = MapFlags::MAP_ANONYMOUS
        | if share == Share::Shared {
            MapFlags::MAP_SHARED
        } else {
            MapFlags::MAP_PRIVATE
        };
    let n = NonZeroUsize::new(len).ok_or(Errno::EINVAL);
    // SAFETY: as in map_file; an anonymous mapping is zero-filled memory we own.
    let r = n.and_then(|n| unsafe { nix::sys::mman::mmap_anonymous(None, n, p, flags) });
    event::call(
        format_args!(
            "mmap(NULL, {len}, {ptext}, {}, -1, 0)",
            map_text(share, true)
        ),
        &r.map(|p| format!("{:p}", p.as_ptr())),
    );
    r.map(|p| Mapping {
        ptr: p.cast(),
        len,
        access: Access::ReadWrite,
        unmapped: false,
    })
}

impl Mapping {
    /// The mapped bytes.
    pub fn region(&self) -> Region<'_> {
        // SAFETY: the range is mapped readable, and writable when `access` says so, until
        // `self` is dropped; the borrow ties the Region to it.
        unsafe { Region::new(self.ptr, self.len, self.access) }
    }

    /// The start address.
    pub fn addr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }

    /// `msync(addr, len, MS_SYNC)`: write the shared pages back to the file now.
    pub fn msync(&self) -> SysResult<()> {
        // SAFETY: the range is a live mapping of ours.
        let r = unsafe { nix::sys::mman::msync(self.ptr.cast(), self.len, MsFlags::MS_SYNC) };
        event::call(
            format_args!("msync({:p}, {}, MS_SYNC)", self.ptr.as_ptr(), self.len),
            &r.map(|_| 0),
        );
        r
    }

    /// `munmap`, reporting its error (drop does the same silently).
    pub fn unmap(mut self) -> SysResult<()> {
        self.unmapped = true;
        munmap(self.ptr, self.len)
    }
}

fn munmap(ptr: NonNull<u8>, len: usize) -> SysResult<()> {
    // SAFETY: ptr/len is a mapping made by map_file/map_anonymous, unmapped once (Mapping
    // tracks it), and no Region borrows it any more (Regions borrow the Mapping).
    let r = unsafe { nix::sys::mman::munmap(ptr.cast(), len) };
    event::call(
        format_args!("munmap({:p}, {len})", ptr.as_ptr()),
        &r.map(|_| 0),
    );
    r
}

impl Drop for Mapping {
    fn drop(&mut self) {
        if !self.unmapped {
            let _ = munmap(self.ptr, self.len);
        }
    }
}

/// Touch one byte at `offset` of the mapping (reading it), even beyond the file's end: the
/// SIGBUS lesson. Only for a child process that exists to show the fault.
pub fn touch(m: &Mapping, offset: usize) -> u8 {
    assert!(offset < m.len, "touch within the mapping");
    // SAFETY: the address is inside our mapping; if it lies beyond the file's last page the
    // kernel raises SIGBUS, which is the point of calling this (in a throw-away child).
    unsafe { std::ptr::read_volatile(m.ptr.as_ptr().add(offset)) }
}

/// `mkfifo(path, mode)` with exactly `mode`, whatever the umask: it is cleared for the
/// call (the demos are single-threaded, so nothing else creates a file meanwhile). A mode
/// set afterwards would need a descriptor, and opening a FIFO to get one would look like
/// a reader to a waiting writer.
pub fn mkfifo(path: &std::path::Path, mode: u32) -> SysResult<()> {
    let old = nix::sys::stat::umask(Mode::empty());
    let r = nix::unistd::mkfifo(path, Mode::from_bits_truncate(mode));
    nix::sys::stat::umask(old);
    event::call_op(
        format_args!("mkfifo(\"{}\", 0{mode:o})", path.display()),
        &r.map(|_| 0),
        |_| event::Op::Creates {
            object: format!("fifo {}", path.display()),
        },
    );
    r
}

/// `unlink(path)`: remove a name (the FIFO a demo made).
pub fn unlink(path: &std::path::Path) -> SysResult<()> {
    let r = nix::unistd::unlink(path);
    event::call_op(
        format_args!("unlink(\"{}\")", path.display()),
        &r.map(|_| 0),
        |_| event::Op::Removes {
            object: format!("fifo {}", path.display()),
        },
    );
    r
}

/// `posix_fallocate(fd, 0, len)`: reserve the pages now, so a full tmpfs (/dev/shm) is an
/// ENOSPC here rather than a SIGBUS at the first touch of an unbacked page.
pub fn reserve(fd: impl AsFd, len: u64) -> SysResult<()> {
    let raw = fd.as_fd().as_raw_fd();
    let r = nix::fcntl::posix_fallocate(fd, 0, len as libc::off_t);
    event::call(
        format_args!("posix_fallocate({raw}, 0, {len})"),
        &r.map(|_| 0),
    );
    r
}

/// `fchmod(fd, mode)`: the exact mode, whatever the umask.
pub fn fchmod(fd: impl AsFd, mode: u32) -> SysResult<()> {
    let raw = fd.as_fd().as_raw_fd();
    let r = nix::sys::stat::fchmod(fd, Mode::from_bits_truncate(mode));
    event::call(format_args!("fchmod({raw}, 0{mode:o})"), &r.map(|_| 0));
    r
}
