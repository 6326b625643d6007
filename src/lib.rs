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
//! What the program is made of, from the top:
//!
//! | module | holds |
//! |---|---|
//! | [`cli`] | clap types, argv\[0\] dispatch, `links`, `man`, `completions` |
//! | [`demos`] | the lecture's applets, one file each, steps numbered as on the slide |
//! | [`tools`] | `ls`, `clean`, `limits`, `split`, `tour` |
//! | [`bench`](mod@bench) | `ipclab bench` |
//! | [`protocols`] | how two sides take turns over shared memory (flag, semaphores, ring) |
//! | [`process`] | controllers and their vfork+execv children, plain forks, naps |
//! | [`objects`] | IPC objects: kinds, keys, owners, the registry, /proc/sysvipc |
//! | [`error`] | one error path: exit codes, `.sys("call()")`, EINTR ([`error::restart`]) |
//! | [`trace`] | `--trace` and the timeline's recording: what listens to [`sys`]'s calls |
//! | [`env`] | the environment variables the processes pass each other |
//! | [`sys`] | the only place with `unsafe`: wrappers over the kernel calls, each reported as a typed event |
//! | [`layout`], [`out`](mod@out), [`escape`], [`units`] | the shared structs (8-0), output, escaping, argument parsers |

pub mod bench;
pub mod cli;
pub mod demos;
pub mod env;
pub mod error;
pub mod escape;
pub mod layout;
pub mod objects;
pub mod out;
pub mod process;
pub mod protocols;
pub mod sys;
pub mod tools;
pub mod trace;
pub mod units;

pub use cli::main_entry;
