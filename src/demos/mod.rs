//! The demos, one file per applet, each numbered in the steps of its slide.
//!
//! Shared pieces: [`segment`] opens the System V segment of a KEY with errors that teach;
//! [`handoff`] is the reader/writer protocol over it (the slide's `written` flag, or a
//! semaphore pair); [`child`] is what an exec'd child does to stay tied to its controller.

pub mod child;
pub mod clean;
pub mod controller;
pub mod fifo;
pub mod ftok;
pub mod handoff;
pub mod limits;
pub mod links;
pub mod ls;
pub mod manual;
pub mod mmap_anon;
pub mod mmap_file;
pub mod msg;
pub mod pipe;
pub mod posix;
pub mod ring;
pub mod segment;
pub mod sem_demo;
pub mod shm_msg;
pub mod shmcon;
pub mod shmconsumer;
pub mod shmproducer;
pub mod shmpthreadcon;
pub mod shmread;
pub mod shmwrite;
pub mod split;
pub mod tour;

/// The reader's lines are indented like the slide's `printf("%*s…", 30, " ")`.
pub const READER_INDENT: &str = "                              ";

const _: () = assert!(READER_INDENT.len() == 30);

/// Sleep for `d` in short slices, ending early (as `Interrupted`) on a termination signal:
/// `std::thread::sleep` resumes after a signal and would keep a Ctrl-C'd demo waiting.
pub fn nap(d: std::time::Duration) -> anyhow::Result<()> {
    let end = std::time::Instant::now() + d;
    loop {
        if let Some(sig) = crate::sys::signals::pending() {
            return Err(crate::error::Interrupted(sig).into());
        }
        let left = end.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(std::time::Duration::from_millis(10)));
    }
}

/// How a forked child leaves: 0 on success; 128+N, quietly, when a termination signal
/// ended it; otherwise its error on stderr (prefixed with `applet: child:`) and 1.
pub fn child_exit(applet: &str, result: anyhow::Result<()>) -> ! {
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            let (code, print) = crate::error::exit_status(&e);
            if print {
                crate::out::warn(applet, format_args!("child: {e:#}"));
            }
            i32::from(code)
        }
    };
    crate::out::flush_all();
    std::process::exit(code)
}
