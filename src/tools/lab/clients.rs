//! The checks of the two client exercises, which `ipclab check` has no role for: ipclab's
//! server is started, the student's client is run against it (within a time limit, its
//! output bounded), and what the client printed is compared with what the server sent.
//! - date-client: `ipclab sock-server --tcp 127.0.0.1:0 --count 1` (its ready line gives the
//!   port, its `write(): DATE` line the date sent); `connect`, `data`, `end`.
//! - rpc-client: `ipclab rpc-server --count 4` registered with rpcbind; the client over UDP
//!   and over TCP: `udp`, `tcp` (the server's date, the right sum), `end`.

use super::verdict::Verdict;
use crate::error::SysContext;
use crate::process;
use anyhow::{anyhow, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(5);

fn verdict(name: &str, passed: bool, detail: String) -> Verdict {
    Verdict {
        name: name.into(),
        passed,
        detail,
    }
}

/// A server of ours, its output read line by line by a thread into a channel.
struct Server {
    /// Held for its Drop: the server is ended (SIGTERM) and reaped with the guard.
    _child: process::Started,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn start(dir: &Path, args: &[&str]) -> Result<Server> {
        // Its stdout and stderr share one pipe, in the order it wrote them (as the tour's
        // partner's do), read by one thread.
        let (screen, write_end) = crate::sys::proc::pipe().sys("pipe()")?;
        let mut cmd = process::ipclab_command()?;
        cmd.current_dir(dir)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(write_end.try_clone()?))
            .stderr(Stdio::from(write_end));
        let child = process::start(&mut cmd)?;
        drop(cmd); // the write end with it: the pipe ends when the server does
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            BufReader::new(std::fs::File::from(screen))
                .lines()
                .map_while(|l| l.ok())
                .for_each(|l| drop(tx.send(l)))
        });
        Ok(Server {
            _child: child,
            lines,
            seen: Vec::new(),
        })
    }

    /// Wait (up to LIMIT) for a line containing `what`.
    fn wait_for(&mut self, what: &str) -> Option<String> {
        let end = Instant::now() + LIMIT;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            let line = self.lines.recv_timeout(left).ok()?;
            self.seen.push(line.clone());
            if line.contains(what) {
                return Some(line);
            }
        }
        None
    }

    /// Everything it printed so far, and what comes within `d`.
    fn drain(&mut self, d: Duration) -> String {
        while let Ok(l) = self.lines.recv_timeout(d) {
            self.seen.push(l);
        }
        self.seen.join("\n")
    }
}

/// Run `./PROGRAM ARGS` in `dir` for at most LIMIT: its status (None: killed at the limit)
/// and its first 64 KiB of stdout and stderr.
fn run_client(
    dir: &Path,
    program: &str,
    args: &[&str],
) -> Result<(Option<std::process::ExitStatus>, String)> {
    let mut cmd = std::process::Command::new(format!("./{program}"));
    cmd.current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = process::start(&mut cmd)?;
    let take = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            if let Some(r) = r {
                let _ = r.take(64 << 10).read_to_end(&mut s);
            }
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = take(
        child
            .0
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>),
    );
    let err = take(
        child
            .0
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn Read + Send>),
    );
    let end = Instant::now() + LIMIT;
    let status = loop {
        if child.ended()?.is_some() {
            break Some(child.wait()?);
        }
        if Instant::now() >= end {
            child.stop()?;
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let text = format!(
        "{}{}",
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default()
    );
    Ok((status, text))
}

fn ended(status: Option<std::process::ExitStatus>) -> Verdict {
    match status {
        Some(st) if st.success() => verdict("end", true, "it ended by itself, status 0".into()),
        Some(st) => verdict(
            "end",
            false,
            format!("it ended with {st}: a client that got its answer exits 0"),
        ),
        None => verdict(
            "end",
            false,
            format!(
                "still running after {} s: read until read() returns 0, then close and return",
                LIMIT.as_secs()
            ),
        ),
    }
}

/// The date client's checks.
pub fn date_client(dir: &Path, program: &str) -> Result<Vec<Verdict>> {
    let mut server = Server::start(
        dir,
        &["sock-server", "--tcp", "127.0.0.1:0", "--count", "1"],
    )?;
    let ready = server.wait_for("date server ready on").ok_or_else(|| {
        anyhow!(
            "ipclab sock-server did not start: {}",
            server.drain(Duration::ZERO)
        )
    })?;
    let port = ready
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .unwrap_or("")
        .to_string();
    let (status, printed) = run_client(dir, program, &["127.0.0.1", &port])?;
    let log = server.drain(Duration::from_millis(300));
    drop(server);
    let connected = log.contains("a client connected");
    let sent = log
        .lines()
        .find_map(|l| l.strip_prefix("write(): "))
        .map(str::to_string);
    let mut v = vec![verdict(
        "connect",
        connected,
        match connected {
            true => format!("it connected to 127.0.0.1:{port}"),
            false => "the server saw no connection: socket(AF_INET, SOCK_STREAM, 0), then connect() to HOST:PORT".into(),
        },
    )];
    let want = sent.as_ref().map(|d| format!("the date is: {d}"));
    let got = want.as_ref().is_some_and(|w| printed.contains(w.as_str()));
    v.push(verdict(
        "data",
        got,
        match (got, &want) {
            (true, Some(w)) => format!("it printed {w:?}"),
            (_, Some(w)) => format!(
                "expected {w:?}, it printed {:?}",
                crate::escape::terminal(printed.trim())
            ),
            (_, None) => "the server sent nothing: connect first".into(),
        },
    ));
    v.push(ended(status));
    Ok(v)
}

/// The RPC client's checks.
pub fn rpc_client(dir: &Path, program: &str) -> Result<Vec<Verdict>> {
    let rpcbind = std::process::Command::new("rpcinfo")
        .arg("-p")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !rpcbind.is_ok_and(|s| s.success()) {
        return Err(anyhow!("this exercise needs a running rpcbind (the matchmaker) and rpcinfo: start it (`sudo rpcbind`, or `sudo systemctl start rpcbind`)"));
    }
    let mut server = Server::start(dir, &["rpc-server", "--count", "4"])?;
    if server.wait_for("date service ready").is_none() {
        return Err(anyhow!(
            "ipclab rpc-server did not start: {}",
            server.drain(Duration::ZERO)
        ));
    }
    let mut v = Vec::new();
    let mut last = None;
    for (proto, a, b) in [("udp", 20, 22), ("tcp", 7, 35)] {
        let (status, printed) = run_client(
            dir,
            program,
            &["127.0.0.1", proto, &a.to_string(), &b.to_string()],
        )?;
        let date = printed
            .lines()
            .any(|l| l.starts_with("remote date: ") && l.len() > 13);
        let sum = printed.contains(&format!("remote add({a}, {b}) = {}", a + b));
        let detail = match (date, sum) {
            (true, true) => format!("the server's date, and add({a}, {b}) = {}", a + b),
            (false, _) => format!(
                "no \"remote date: ...\" line: call date_1 and print *result (it printed {:?})",
                crate::escape::terminal(printed.trim())
            ),
            (true, false) => format!(
                "no \"remote add({a}, {b}) = {}\" line: call add_1(&p, cl) and print *result",
                a + b
            ),
        };
        v.push(verdict(proto, date && sum, detail));
        last = Some(status);
    }
    drop(server);
    v.push(ended(last.flatten()));
    Ok(v)
}
