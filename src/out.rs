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

/// The colour of this process's lines (an index into [`PALETTE`]), if colour is on.
static COLOR: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();

/// `--color`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorMode {
    /// When stdout is a terminal and NO_COLOR is not set
    #[default]
    Auto,
    Always,
    Never,
}

/// One colour per process on screen (anstyle renders the escape codes).
const PALETTE: [anstyle::AnsiColor; 6] = [
    anstyle::AnsiColor::Cyan,
    anstyle::AnsiColor::Yellow,
    anstyle::AnsiColor::Green,
    anstyle::AnsiColor::Magenta,
    anstyle::AnsiColor::Blue,
    anstyle::AnsiColor::Red,
];

/// Decide colour for this process, once. `--color always|never` is passed to exec'd
/// children through IPCLAB_COLOR (see `process::settings`).
pub fn init_color(mode: Option<ColorMode>, applet: &str) {
    use std::io::IsTerminal;
    let mode = mode.unwrap_or_else(|| match std::env::var(crate::env::COLOR).as_deref() {
        Ok("always") => ColorMode::Always,
        Ok("never") => ColorMode::Never,
        _ => ColorMode::Auto,
    });
    let _ = SETTING.set(match mode {
        ColorMode::Always => Some("always"),
        ColorMode::Never => Some("never"),
        ColorMode::Auto => None,
    });
    let on = match mode {
        ColorMode::Always => true,
        ColorMode::Never => false,
        ColorMode::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let index = applet
        .bytes()
        .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    let _ = COLOR.set(on.then_some(index % PALETTE.len()));
}

static SETTING: std::sync::OnceLock<Option<&'static str>> = std::sync::OnceLock::new();

/// `--color always|never` as given (or inherited), for the children: `auto` is decided by
/// each process for its own stdout.
pub fn color_setting() -> Option<&'static str> {
    SETTING.get().copied().flatten()
}

/// Is colour on for this process's stdout (decided once, in [`init_color`], from
/// `--color`, NO_COLOR and whether stdout is a terminal)? Every writer that styles text asks
/// this, so the decision is made in one place.
pub fn styled() -> bool {
    matches!(COLOR.get(), Some(Some(_)))
}

/// What a word means, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// PASS, done.
    Good,
    /// FAIL, an error.
    Bad,
}

/// The style of a `tone` word: coloured when colour is on (the one decision of
/// [`init_color`]), plain otherwise. Every writer that colours a word takes its style here.
pub fn style(tone: Tone) -> anstyle::Style {
    if !styled() {
        return anstyle::Style::new();
    }
    let c = match tone {
        Tone::Good => anstyle::AnsiColor::Green,
        Tone::Bad => anstyle::AnsiColor::Red,
    };
    anstyle::Style::new().fg_color(Some(c.into())).bold()
}

/// `word` in the style of `tone` (see [`style`]).
pub fn paint(word: &str, tone: Tone) -> String {
    let st = style(tone);
    format!("{st}{word}{st:#}")
}

/// A forked child prints in the next colour, so parent and child differ on screen.
pub fn color_forked_child() {
    // OnceLock cannot be reset: the child keeps a second lock-free slot instead.
    FORKED.store(true, Ordering::Relaxed);
}

static FORKED: AtomicBool = AtomicBool::new(false);

fn color() -> Option<anstyle::Style> {
    let i = (*COLOR.get()?)?;
    let i = match FORKED.load(Ordering::Relaxed) {
        true => (i + 3) % PALETTE.len(),
        false => i,
    };
    Some(anstyle::Style::new().fg_color(Some(PALETTE[i].into())))
}

/// Wrap each line of `b` in this process's colour.
fn colored(b: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let Some(c) = color() else {
        return std::borrow::Cow::Borrowed(b);
    };
    let mut out = Vec::with_capacity(b.len() + 16);
    for (i, line) in b.split(|&x| x == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        if !line.is_empty() {
            out.extend_from_slice(c.render().to_string().as_bytes());
            out.extend_from_slice(line);
            out.extend_from_slice(c.render_reset().to_string().as_bytes());
        }
    }
    std::borrow::Cow::Owned(out)
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
    match args.as_str() {
        Some(s) => bytes(s.as_bytes()),
        None => bytes(args.to_string().as_bytes()),
    }
}

/// Write raw bytes to stdout and flush (message texts need not be UTF-8).
pub fn bytes(b: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    settle(out.write_all(&colored(b)).and_then(|_| out.flush()))
}

/// A warning line on stderr.
pub fn warn(applet: &str, args: std::fmt::Arguments<'_>) {
    err_line(&format!("{applet}: {args}"));
}

/// One line on stderr in one write(2), so the lines of a controller and its children,
/// which share the terminal, never interleave mid-line.
pub fn err_line(line: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("{line}\n").as_bytes());
}

static APPLET: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Name this process's applet, for [`note`] (set once, by the dispatcher).
pub fn set_applet(name: &str) {
    let _ = APPLET.set(name.to_string());
}

/// This process's applet name (`ipclab` before dispatch).
pub fn applet() -> &'static str {
    APPLET.get().map(String::as_str).unwrap_or("ipclab")
}

/// A line on stderr, prefixed with this process's applet name.
pub fn note(args: std::fmt::Arguments<'_>) {
    warn(applet(), args);
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

/// A JSON array with one object per line (easy to read, to grep and to diff), each
/// object serialised by serde_json.
pub fn json_lines<T: serde::Serialize>(items: &[T]) -> anyhow::Result<String> {
    if items.is_empty() {
        return Ok("[]".into());
    }
    let lines = items
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("[\n  {}\n]", lines.join(",\n  ")))
}
