//! # ipclab — the lecture's IPC demos, one safe multi-call binary
//!
//! Each demo of the Sun Yat-sen University IPC lecture (algorithms 8-0 … 8-6) and of its
//! companion notes is an applet: `ipclab shmread KEY` or, through a symlink named after the
//! applet, `shmread KEY` (see [`cli`]).
//!
//! | lecture | module |
//! |---|---|
//! | 8-0 `shmdata.h` | [`layout`] |
//! | 8-1 `shmcon.c` | [`demos::shmcon`] |
//! | 8-2 `shmread.c` | [`demos::shmread`] |
//! | 8-3 `shmwrite.c` | [`demos::shmwrite`] |
//! | `ftok()` note | [`demos::ftok`] |
//!
//! Layers: [`sys`] is the only place with `unsafe` (wrappers over the kernel calls, each
//! traced); [`ipcs`] reads `/proc/sysvipc`; [`demos`] hold the lecture's steps; [`cli`] is
//! clap types and argv[0] dispatch; [`error`] maps failures to exit codes (2 usage, 1 runtime).
#![deny(unsafe_code)]

pub mod bench;
pub mod cli;
pub mod demos;
pub mod error;
pub mod json;
pub mod layout;
pub mod objects;
pub mod out;
pub mod process;
pub mod protocols;
pub mod sys;
pub mod tools;
pub mod units;

pub use cli::main_entry;
