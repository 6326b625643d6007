//! The demos, one file per applet, each numbered in the steps of its slide.
//!
//! Shared pieces: [`segment`] opens the System V segment of a KEY with errors that teach;
//! [`handoff`] is the reader/writer protocol over it (the slide's `written` flag, or a
//! semaphore pair); [`child`] is what an exec'd child does to stay tied to its controller.

pub mod child;
pub mod controller;
pub mod ftok;
pub mod handoff;
pub mod links;
pub mod mmap_anon;
pub mod mmap_file;
pub mod posix;
pub mod ring;
pub mod segment;
pub mod shmcon;
pub mod shmconsumer;
pub mod shmproducer;
pub mod shmpthreadcon;
pub mod shmread;
pub mod shmwrite;
pub mod tour;

/// The reader's lines are indented like the slide's `printf("%*s…", 30, " ")`.
pub const READER_INDENT: &str = "                              ";

const _: () = assert!(READER_INDENT.len() == 30);
