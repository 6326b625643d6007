//! The only module allowed to use `unsafe`: small, safe wrappers over the kernel calls the
//! lecture uses, in the style of nix (which has no System V IPC, no `ftok`, no vfork).
//!
//! Conventions (after nix's CONVENTIONS.md):
//! - every wrapper checks the failure sentinel (`-1`, `(void *)-1`, `MAP_FAILED`) with
//!   `Errno::result` and turns errno into [`nix::Error`];
//! - resources come back as owners whose `Drop` releases them (an [`ipc::Attachment`] detaches,
//!   a [`mem::Mapping`] unmaps), so an early return or `?` never leaks an attach or a map;
//! - every `unsafe` block carries a `// SAFETY:` comment saying why it holds;
//! - every call is reported as a typed [`event::Call`] by the wrapper that makes it, so
//!   `--trace` output and the timeline can never drift from what the program really does;
//! - nothing here imports from the layers above: they listen ([`event::listen`]) and
//!   register what must happen around a fork ([`event::set_hooks`]).
#![allow(unsafe_code)]
// The calls clippy.toml refuses elsewhere are this layer's to make.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

pub mod event;
pub mod futex;
pub mod ids;
pub mod ipc;
pub mod mem;
pub mod msgq;
pub mod proc;
pub mod psem;

pub mod region;
pub mod sandbox;
pub mod signals;
pub mod sock;
pub mod spawn;
pub mod term;
pub mod time;

pub use nix::errno::Errno;

/// Result of a wrapped system call.
pub type SysResult<T> = Result<T, Errno>;

/// A `CString` from a path or name, EINVAL if it holds a NUL byte.
fn cstring(bytes: &[u8]) -> SysResult<std::ffi::CString> {
    std::ffi::CString::new(bytes).map_err(|_| Errno::EINVAL)
}
