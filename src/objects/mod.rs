//! The IPC objects: what they are, who owns them and how they are found.
//!
//! [`keys`] parses keys and project ids and splits a key as `ftok()` builds it;
//! [`sysvipc`] reads the kernel's tables in /proc/sysvipc (what `ipcs` shows); [`sysv`] owns
//! the System V objects a run creates (removed on every exit path); [`posix`] does the same
//! for POSIX shm names; [`registry`] records what ipclab created, for `ls` and `clean`.

pub mod keys;
pub mod posix;
pub mod registry;
pub mod sysv;
pub mod sysvipc;
