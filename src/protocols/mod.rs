//! How two processes take turns over shared memory: the slide's `written` flag or a
//! semaphore pair ([`handoff`], algorithms 8-2/8-3), and the slides' bounded buffer with
//! `in`, `out` and BUFFER_SIZE ([`ring`]).

pub mod handoff;
pub mod peer;
pub mod ring;
pub mod ring_args;
pub mod ring_show;
pub mod roles;
