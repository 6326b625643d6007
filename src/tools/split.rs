//! `ipclab split DEMO`: the sides of a two-terminal demo, side by side in tmux, as the blog
//! runs them ("在两个终端里…分别编译运行"), for a projector.
//!
//! Outside tmux it opens a new tmux session (`ipclab-DEMO`, or `--session NAME`) and
//! attaches to it; inside tmux it opens a new window in the current session. The side that
//! waits goes first (left or top pane); once it is ready (its FIFO, queue, objects or file
//! exist), the other side's command is typed into its pane, which keeps the focus: the
//! instructor goes on typing there. Panes are ordinary shells in the working directory, so
//! commands can be edited and run again; `--trace` and `--color` reach the panes.
//!
//! | DEMO | first pane | other panes |
//! |---|---|---|
//! | fifo | `fifo-read` | `fifo-write --count 5` |
//! | msg | `msg-server` | `msg-client` |
//! | shm | `shmcon --serve` (algorithm 8-1, serving) | `shmread KEY`, `shmwrite KEY` (8-2, 8-3) |
//! | shm-msg | `shm-msg-server` (IPC全解析 五) | `shm-msg-client`: type `r`, a word, `q` |
//! | mmap-file | `mmap-file write test_shm --hold 60s` | `mmap-file read test_shm` |

use crate::objects::{keys, sysvipc, Kind};
use crate::outln;
use anyhow::{anyhow, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

// `ipclab split DEMO`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab split shm")]
pub struct Args {
    /// Which demo
    #[arg(value_enum)]
    pub demo: Demo,
    /// Open it as this tmux session (default: ipclab-DEMO, or a window when inside tmux)
    #[arg(long)]
    pub session: Option<String>,
    /// Replace a session of that name that is already there
    #[arg(long)]
    pub replace: bool,
    /// Start it but do not attach or switch to it
    #[arg(long)]
    pub detach: bool,
    /// The directory the panes work in (default: the current one)
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// The two-terminal demos.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    Fifo,
    Msg,
    Shm,
    ShmMsg,
    MmapFile,
}

fn tmux(args: &[&str]) -> Result<String> {
    let out = Command::new("tmux").args(args).output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow!(
            "tmux is not installed: install it (e.g. `apt-get install tmux`), or run the sides in separate terminals yourself"
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

/// How to tell the waiting side is ready.
type Ready = Box<dyn Fn() -> bool>;

/// The panes' commands (the first is the waiting side) and how to tell it is ready.
fn plan(demo: Demo, exe: &str, dir: &Path) -> Result<(Vec<String>, Ready)> {
    let ftok = |p: &Path, id: u8| crate::sys::ipc::ftok(p, id).unwrap_or(0);
    Ok(match demo {
        Demo::Fifo => {
            let p = dir.join("fifo1");
            (
                vec![
                    format!("{exe} fifo-read"),
                    format!("{exe} fifo-write --count 5"),
                ],
                Box::new(move || p.exists()),
            )
        }
        Demo::Msg => {
            // Both panes name the key file, whatever environment the tmux server gives them.
            let kf = keys::private_keyfile("msg.key")?;
            let key = ftok(&kf, b'z');
            let k = crate::escape::shell_path(&kf);
            (
                vec![
                    format!("{exe} msg-server --path {k}"),
                    format!("{exe} msg-client --path {k}"),
                ],
                Box::new(move || sysv_count(key) >= 1),
            )
        }
        Demo::Shm => {
            let kf = keys::private_keyfile("split-shm.key")?;
            let key = ftok(&kf, 0x27);
            let k = format!("{:x}", key as u32);
            (
                vec![
                    format!("{exe} shmcon {} --serve", crate::escape::shell_path(&kf)),
                    format!("{exe} shmread {k}"),
                    format!("{exe} shmwrite {k}"),
                ],
                Box::new(move || sysv_count(key) >= 1),
            )
        }
        Demo::ShmMsg => {
            let key = ftok(dir, b'z');
            (
                vec![
                    format!("{exe} shm-msg-server --path ."),
                    format!("{exe} shm-msg-client --path ."),
                ],
                Box::new(move || sysv_count(key) >= 3),
            )
        }
        Demo::MmapFile => {
            let p = dir.join("test_shm");
            (
                vec![
                    format!("{exe} mmap-file write test_shm --hold 60s"),
                    format!("{exe} mmap-file read test_shm"),
                ],
                Box::new(move || std::fs::metadata(&p).is_ok_and(|m| m.len() == 40)),
            )
        }
    })
}

/// The global options the panes' commands carry.
fn carried() -> String {
    let mut v = String::new();
    if crate::trace::enabled() {
        v.push_str(" --trace");
    }
    if let Some(c) = crate::out::color_setting() {
        v.push_str(&format!(" --color {c}"));
    }
    v
}

/// Start the panes.
pub fn run(args: Args) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the ipclab binary")?;
    let exe = format!("{}{}", crate::escape::shell_path(&exe), carried());
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir()?,
    };
    let d = dir.display().to_string();
    let name = format!(
        "ipclab-{}",
        clap::ValueEnum::to_possible_value(&args.demo)
            .map_or("demo".into(), |v| v.get_name().to_string())
    );
    let (commands, ready) = plan(args.demo, &exe, &dir)?;
    let in_tmux = std::env::var_os("TMUX").is_some() && args.session.is_none();
    // Where the panes go: a new window here, or a session of their own.
    let target = if in_tmux {
        let id = tmux(&[
            "new-window",
            "-P",
            "-F",
            "#{window_id}",
            "-n",
            &name,
            "-c",
            &d,
        ])?;
        id.trim().to_string()
    } else {
        let session = args.session.clone().unwrap_or(name);
        if tmux(&["has-session", "-t", &format!("={session}")]).is_ok() {
            if !args.replace {
                return Err(anyhow!(
                    "a tmux session named {session} is already open: attach to it with `tmux attach -t {session}`, or pass --replace to start it afresh"
                ));
            }
            tmux(&["kill-session", "-t", &format!("={session}")])?;
        }
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
        format!("{session}:0")
    };
    // The first pane waits; the others split off it (side by side, or below for three).
    if commands.len() == 3 {
        tmux(&["split-window", "-v", "-t", &target, "-c", &d])?;
        tmux(&["split-window", "-h", "-t", &format!("{target}.1"), "-c", &d])?;
    } else {
        tmux(&["split-window", "-h", "-t", &target, "-c", &d])?;
    }
    let pane = |i: usize| format!("{target}.{i}");
    tmux(&["send-keys", "-t", &pane(0), &commands[0], "Enter"])?;
    let start = Instant::now();
    while !ready() {
        // A shell that starts slowly (a busy machine, a long .bashrc) gets 30 s.
        if start.elapsed() > Duration::from_secs(30) {
            return Err(anyhow!(
                "the first pane's `{}` did not get ready in 30 s: look at it in tmux (`tmux attach`)",
                commands[0]
            ));
        }
        crate::process::nap(Duration::from_millis(20))?;
    }
    for (i, c) in commands.iter().enumerate().skip(1) {
        tmux(&["send-keys", "-t", &pane(i), c, "Enter"])?;
    }
    tmux(&["select-pane", "-t", &pane(commands.len() - 1)])?;
    use std::io::IsTerminal;
    if args.detach || !std::io::stdout().is_terminal() {
        outln!(
            "tmux {}: {} panes",
            if in_tmux { "window" } else { "session" },
            commands.len()
        )?;
        for (i, c) in commands.iter().enumerate() {
            outln!("  pane {i}: {c}")?;
        }
        if !in_tmux {
            outln!(
                "attach with: tmux attach -t {}",
                target.trim_end_matches(":0")
            )?;
        }
        return Ok(());
    }
    if in_tmux {
        tmux(&["select-window", "-t", &target])?;
        return Ok(());
    }
    let status = Command::new("tmux")
        .args(["attach-session", "-t", target.trim_end_matches(":0")])
        .status()?;
    if !status.success() {
        return Err(anyhow!(
            "tmux attach-session ended with {status}: the session stays; attach with `tmux attach`"
        ));
    }
    Ok(())
}
