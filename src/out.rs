//! Output for transcripts: everything goes through here so that every write is checked (a
//! closed stdout ends the demo cleanly instead of panicking, as `println!` would) and is
//! flushed when it must be: before every fork/exec, so that a redirected transcript keeps
//! its order (the seeds' hazard 25).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static IGNORE_BROKEN_PIPE: AtomicBool = AtomicBool::new(false);

/// From now on a closed stdout is not an error. A child exec'd by a controller calls this:
/// its peer must still get the rest of the protocol (the last item, the `end` line), or it
/// would wait for ever; the controller itself stops at its next write.
pub fn ignore_broken_pipe() {
    IGNORE_BROKEN_PIPE.store(true, Ordering::Relaxed);
}

fn settle(r: std::io::Result<()>) -> std::io::Result<()> {
    match r {
        Err(e)
            if e.kind() == std::io::ErrorKind::BrokenPipe
                && IGNORE_BROKEN_PIPE.load(Ordering::Relaxed) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// Write formatted text to stdout and flush it.
pub fn write(args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    settle(out.write_fmt(args).and_then(|_| out.flush()))
}

/// Write raw bytes to stdout and flush (message texts need not be UTF-8).
pub fn bytes(b: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    settle(out.write_all(b).and_then(|_| out.flush()))
}

/// A warning line on stderr.
pub fn warn(applet: &str, args: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{applet}: {args}");
}

/// `outln!("...")?`: a line on stdout, flushed.
#[macro_export]
macro_rules! outln {
    () => { $crate::out::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::out::write(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `out!("...")?`: text on stdout without a newline, flushed (prompts).
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::out::write(format_args!($($arg)*)) };
}

/// Flush stdout and stderr (before fork, so no buffered text is printed twice).
pub fn flush_all() {
    let _ = std::io::stdout().lock().flush();
    let _ = std::io::stderr().lock().flush();
}
