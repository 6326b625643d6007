//! Output for transcripts: everything goes through here so that every write is checked (a
//! closed stdout ends the demo cleanly instead of panicking, as `println!` would) and is
//! flushed when it must be: before every fork/exec, so that a redirected transcript keeps
//! its order (the seeds' hazard 25).

use std::io::Write;

/// Write formatted text to stdout and flush it.
pub fn write(args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)?;
    out.flush()
}

/// Write raw bytes to stdout and flush (message texts need not be UTF-8).
pub fn bytes(b: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(b)?;
    out.flush()
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
