//! How two processes take turns over shared memory: the slide's `written` flag or a
//! semaphore pair ([`handoff`], algorithms 8-2/8-3), and the slides' bounded buffer with
//! `in`, `out` and BUFFER_SIZE ([`ring`]); what ipclab's side received, for the grader
//! ([`witness`]).

pub mod handoff;
pub mod peer;
pub mod ring;
pub mod ring_args;
pub mod ring_show;
pub mod roles;
pub mod witness;
