//! `ipclab split DEMO`: the two sides of a two-terminal demo, side by side in one tmux
//! window, as the blog runs them ("在两个终端里…分别编译运行"), for a projector.
//!
//! The side that waits (reader, server, the file's writer) goes in the left pane and is
//! started first; once it is ready (its FIFO, queue or objects exist), the other side's
//! command is typed into the right pane, and the right pane keeps the focus: the instructor
//! goes on typing there. Both panes are ordinary shells in the current directory, so the
//! commands can be edited and run again.
//!
//! | DEMO | left pane | right pane |
//! |---|---|---|
//! | fifo | `fifo-read` | `fifo-write --count 5` |
//! | msg | `msg-server` | `msg-client` |
//! | shm | `shm-msg-server` (seed 002 五) | `shm-msg-client`: type `r`, a word, `q` |
//! | mmap-file | `mmap-file write test_shm --hold 60s` | `mmap-file read test_shm` |

use crate::objects::{sysvipc, Kind};
use crate::{out, outln};
use anyhow::{anyhow, Context, Result};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// `ipclab split DEMO`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab split fifo")]
pub struct Args {
    /// Which demo
    #[arg(value_enum)]
    pub demo: Demo,
    /// The tmux session's name (default: ipclab-DEMO)
    #[arg(long)]
    pub session: Option<String>,
    /// Start the session but do not attach to it
    #[arg(long)]
    pub detach: bool,
    /// The directory both panes work in (default: the current one)
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// The two-terminal demos.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    Fifo,
    Msg,
    Shm,
    MmapFile,
}

fn tmux(args: &[&str]) -> Result<String> {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => anyhow!(
                "tmux is not installed: install it (e.g. `apt-get install tmux`), or run the two sides in two terminals yourself"
            ),
            _ => anyhow!("cannot run tmux: {e}"),
        })?;
    if !out.status.success() {
        return Err(anyhow!(
            "tmux {}: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// How many System V objects live under `key`.
fn sysv_count(key: i32) -> usize {
    Kind::SYSV
        .iter()
        .map(|&t| sysvipc::ids_with_key(t, key).len())
        .sum()
}

/// Start the session.
pub fn run(args: Args) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the ipclab binary")?;
    let exe = exe.display().to_string();
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir()?,
    };
    let d = dir.display().to_string();
    // Both panes name the key file, whatever environment the tmux server gives them.
    let msg_keyfile = crate::objects::keys::private_keyfile("msg.key")?;
    let msg_key = msg_keyfile.display().to_string();
    let (name, left, right): (&str, String, String) = match args.demo {
        Demo::Fifo => (
            "fifo",
            format!("{exe} fifo-read"),
            format!("{exe} fifo-write --count 5"),
        ),
        Demo::Msg => (
            "msg",
            format!("{exe} msg-server --path {msg_key}"),
            format!("{exe} msg-client --path {msg_key}"),
        ),
        Demo::Shm => (
            "shm",
            format!("{exe} shm-msg-server --path ."),
            format!("{exe} shm-msg-client --path ."),
        ),
        Demo::MmapFile => (
            "mmap-file",
            format!("{exe} mmap-file write test_shm --hold 60s"),
            format!("{exe} mmap-file read test_shm"),
        ),
    };
    let ready: Box<dyn Fn() -> bool> = match args.demo {
        Demo::Fifo => {
            let p = dir.join("fifo1");
            Box::new(move || p.exists())
        }
        Demo::Msg => {
            let key = crate::sys::ipc::ftok(&msg_keyfile, b'z').unwrap_or(0);
            Box::new(move || sysv_count(key) >= 1)
        }
        Demo::Shm => {
            let key = crate::sys::ipc::ftok(&dir, b'z').unwrap_or(0);
            Box::new(move || sysv_count(key) >= 3)
        }
        Demo::MmapFile => {
            let p = dir.join("test_shm");
            Box::new(move || std::fs::metadata(&p).is_ok_and(|m| m.len() == 40))
        }
    };
    let session = args
        .session
        .clone()
        .unwrap_or_else(|| format!("ipclab-{name}"));
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "200",
        "-y",
        "50",
        "-c",
        &d,
    ])?;
    tmux(&[
        "split-window",
        "-h",
        "-t",
        &format!("{session}:0"),
        "-c",
        &d,
    ])?;
    let pane = |i: u8| format!("{session}:0.{i}");
    // The waiting side first, in the left pane.
    tmux(&["send-keys", "-t", &pane(0), &left, "Enter"])?;
    let start = Instant::now();
    while !ready() {
        if start.elapsed() > Duration::from_secs(10) {
            return Err(anyhow!(
                "the left pane's `{left}` did not get ready in 10 s: look at it with `tmux attach -t {session}`"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Then the other side, in the right pane, which keeps the focus.
    tmux(&["send-keys", "-t", &pane(1), &right, "Enter"])?;
    tmux(&["select-pane", "-t", &pane(1)])?;
    use std::io::IsTerminal;
    if args.detach || !std::io::stdout().is_terminal() {
        outln!("tmux session {session}: left pane `{left}`, right pane `{right}`")?;
        outln!("attach with: tmux attach -t {session}")?;
        return Ok(());
    }
    let verb = if std::env::var_os("TMUX").is_some() {
        "switch-client"
    } else {
        "attach-session"
    };
    let status = Command::new("tmux").args([verb, "-t", &session]).status()?;
    if !status.success() {
        out::warn("split", format_args!("tmux {verb} ended with {status}"));
    }
    Ok(())
}
