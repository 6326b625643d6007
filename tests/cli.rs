//! ipclab's tests: one crate, a module per topic (as ripgrep and coreutils do). Every test
//! runs the real binary against real kernel objects, in its own scratch directory and key.
// The tests' own peers and probes use the standard library's sockets and nix directly.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

mod common;

mod bad_input;
mod bench;
mod check;
mod check_roles;
mod dispatch;
mod docs;
mod graded;
mod interop;
mod lab;
mod layers;
mod manual;
mod mmap;
mod msg_queue;
mod notes;
mod observe;
mod one_line;
mod parts;
mod picture;
mod pipe_fifo;
mod posix_shm;
mod recipes;
mod registry;
mod ring_show;
mod robust;
mod rpc;
mod sealed;
mod second_user;
mod sem_shm_msg;
mod servers;
mod shm_interop;
mod shm_signals;
mod shm_sysv;
mod sockets;
mod sockets_netns;
mod split;
mod strace;
mod stress;
mod timeline;
mod timeline_demos;
mod timeline_mermaid;
mod tour;
mod trace;
mod waits;
