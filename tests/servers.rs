//! Servers that outlive their clients: sock-server and rpc-server against clients that
//! reset, stall, vanish, flood, send garbage or come a thousand at once (each costs a line
//! on stderr, never the server, whose memory stays bounded); rpc-server's RFC 5531 answers
//! as rpcinfo and libtirpc read them; and what a server killed with SIGKILL leaves (its
//! socket file, its rpcbind mappings) taken back by `ipclab clean`.

use crate::common::*;
use nix::sys::socket::{setsockopt, sockopt::Linger};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::process::Command;
use std::time::{Duration, Instant};

const PROG: &str = "536895507";

/// Close `s` with a reset (SO_LINGER 0), as a crashed client's kernel does.
fn reset(s: TcpStream) {
    let _ = setsockopt(
        &s,
        Linger,
        &libc::linger {
            l_onoff: 1,
            l_linger: 0,
        },
    );
    drop(s);
}

/// The resident memory of `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The date over TCP from `addr` (what a good client gets).
fn date_over_tcp(addr: SocketAddr) -> String {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).unwrap();
    s.set_read_timeout(Some(patience(Duration::from_secs(10))))
        .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn sock_server_outlives_reset_slow_and_vanished_clients() {
    let s = Scratch::new("sock-hostile");
    let mut server = started_in(&s.dir, &["sock-server", "--tcp", "127.0.0.1:0"]);
    server.wait_for("date server ready on");
    let addr: SocketAddr = server
        .seen
        .iter()
        .find_map(|l| l.strip_prefix("date server ready on "))
        .and_then(|l| l.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    // Ten clients that reset at once, five that never read, then a good one.
    for _ in 0..10 {
        reset(TcpStream::connect(addr).unwrap());
    }
    let slow: Vec<TcpStream> = (0..5).map(|_| TcpStream::connect(addr).unwrap()).collect();
    assert!(
        date_over_tcp(addr).contains(':'),
        "a good client got no date"
    );
    drop(slow);
    // A UNIX datagram client that vanishes before its answer.
    let path = s.path("d.sock");
    let mut dgram = started_in(
        &s.dir,
        &["sock-server", "--unix", path.to_str().unwrap(), "--dgram"],
    );
    dgram.wait_for("date server ready");
    for i in 0..5 {
        let me = s.path(&format!("c{i}.sock"));
        let c = std::os::unix::net::UnixDatagram::bind(&me).unwrap();
        c.send_to(b"date?\n", &path).unwrap();
        drop(c);
        let _ = std::fs::remove_file(&me);
    }
    let out = run_in(
        &s.dir,
        &["sock-client", "--unix", path.to_str().unwrap(), "--dgram"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for r in [server, dgram] {
        let pg = nix::unistd::Pid::from_raw(r.pgid());
        nix::sys::signal::killpg(pg, nix::sys::signal::Signal::SIGINT).unwrap();
        let (st, _, err) = r.finish_after_signal();
        assert_eq!(exit_code(&st), Some(130), "{err}");
        assert!(err.lines().all(|l| l.starts_with("sock-server: ")), "{err}");
    }
    assert!(!path.exists(), "the socket file was left");
}

/// rpcbind must run, and rpcinfo be there; else the test says it skipped.
fn rpcbind() -> bool {
    let up = have("rpcinfo")
        && Command::new("rpcinfo")
            .arg("-p")
            .output()
            .is_ok_and(|o| o.status.success());
    if !up {
        skipped("no running rpcbind (.ci/run installs and starts it)");
    }
    up
}

/// The rpc-server's ports, from its ready line.
fn ports(r: &Running) -> (u16, u16) {
    let line = r
        .seen
        .iter()
        .find(|l| l.contains("date service ready"))
        .unwrap()
        .clone();
    let num = |tag: &str| -> u16 {
        line.split(tag)
            .nth(1)
            .unwrap()
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (num("udp "), num("tcp "))
}

/// A NULL call over UDP: how long its answer took.
fn null_call(port: u16) -> Duration {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(patience(Duration::from_secs(10))))
        .unwrap();
    let mut call = Vec::new();
    for w in [0x5150u32, 0, 2, 0x2000_6013, 1, 0, 0, 0, 0, 0] {
        call.extend_from_slice(&w.to_be_bytes());
    }
    let t = Instant::now();
    s.send_to(&call, ("127.0.0.1", port)).unwrap();
    let mut buf = [0u8; 512];
    let n = s.recv(&mut buf).expect("no answer to a NULL call");
    assert!(n >= 24);
    t.elapsed()
}

#[test]
fn rpc_server_outlives_hostile_clients_with_flat_memory() {
    if !rpcbind() {
        return;
    }
    let _one = seed_key_lock(); // the fixed program number
    let s = Scratch::new("rpc-hostile");
    let mut server = started_in(&s.dir, &["rpc-server"]);
    server.wait_for("date service ready");
    let (udp, tcp) = ports(&server);
    let pid = server.child.id();
    let tcp_addr: SocketAddr = format!("127.0.0.1:{tcp}").parse().unwrap();
    let before = rss_kib(pid);
    // A valid call, then a reset before the reply is read.
    for _ in 0..5 {
        let mut c = TcpStream::connect(tcp_addr).unwrap();
        let mut call = vec![0x80, 0, 0, 40];
        for w in [1u32, 0, 2, 0x2000_6013, 1, 1, 0, 0, 0, 0] {
            call.extend_from_slice(&w.to_be_bytes());
        }
        c.write_all(&call).unwrap();
        reset(c);
    }
    // A slow client: a byte every 300 ms, for as long as the server lets it.
    let slow = std::thread::spawn(move || {
        let mut c = TcpStream::connect(tcp_addr).unwrap();
        for _ in 0..40 {
            if c.write_all(&[0]).is_err() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        false
    });
    // UDP calls answered meanwhile: the worst delay.
    let worst = (0..20).map(|_| null_call(udp)).max().unwrap();
    // A flood: fragments that never end, on 20 connections; garbage on UDP and TCP.
    for _ in 0..20 {
        let mut c = TcpStream::connect(tcp_addr).unwrap();
        let frag = [&[0u8, 0, 0xf0, 0][..], &[0u8; 0xf000][..]].concat();
        for _ in 0..32 {
            if c.write_all(&frag).is_err() {
                break;
            }
        }
    }
    let g = UdpSocket::bind("127.0.0.1:0").unwrap();
    for n in [1usize, 3, 4, 100, 1000] {
        g.send_to(&vec![0xA5; n], ("127.0.0.1", udp)).unwrap();
    }
    let mut c = TcpStream::connect(tcp_addr).unwrap();
    let _ = c.write_all(b"GET / HTTP/1.0\r\n\r\n");
    // A thousand connections at once.
    let crowd: Vec<TcpStream> = (0..1000)
        .filter_map(|_| TcpStream::connect(tcp_addr).ok())
        .collect();
    let during = null_call(udp);
    drop(crowd);
    let after = rss_kib(pid);
    assert!(slow.join().unwrap(), "the slow client was never closed");
    // Still serving: ipclab's client gets its date over both transports.
    for args in [&["rpc-client"][..], &["rpc-client", "--tcp"][..]] {
        let out = run_in(&s.dir, args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "rpc-server under hostile clients: RSS {before} KiB before, {after} KiB after; worst UDP NULL call beside a slow client {worst:?}; with 1000 connections open {during:?}"
    );
    assert!(
        after < before + 32 * 1024,
        "memory grew from {before} to {after} KiB"
    );
    nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(server.pgid()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let (st, _, err) = server.finish_after_signal();
    assert_eq!(exit_code(&st), Some(143), "{err}");
    assert!(err.lines().all(|l| l.starts_with("rpc-server: ")), "{err}");
}

#[test]
fn rfc_5531_answers_as_rpcinfo_and_libtirpc_read_them() {
    if !rpcbind() || !std::path::Path::new("/usr/include/tirpc/rpc/rpc.h").exists() {
        skipped("no libtirpc headers (libtirpc-dev)");
        return;
    }
    let Some(probe) = c_program_libs("rpc_probe", &["-I/usr/include/tirpc", "-ltirpc"]) else {
        return;
    };
    let _one = seed_key_lock();
    let s = Scratch::new("rpc-rfc");
    let mut server = started_in(&s.dir, &["rpc-server"]);
    server.wait_for("date service ready");
    let (udp, _) = ports(&server);
    let rpcinfo = |args: &[&str]| {
        let o = Command::new("rpcinfo").args(args).output().unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    for proto in ["-t", "-u"] {
        let no_version = rpcinfo(&[proto, "127.0.0.1", PROG]);
        assert!(
            no_version.contains(&format!("program {PROG} version 1 ready and waiting")),
            "{no_version}"
        );
        let v1 = rpcinfo(&[proto, "127.0.0.1", PROG, "1"]);
        assert!(v1.contains("version 1 ready and waiting"), "{v1}");
        let v2 = rpcinfo(&[proto, "127.0.0.1", PROG, "2"]);
        assert!(
            v2.contains("low version = 1, high version = 1")
                && v2.contains("version 2 is not available"),
            "{v2}"
        );
    }
    let out = Command::new(&probe).arg(udp.to_string()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_transcript(
        &text,
        "NULL: RPC: Success
version 2: RPC: Program/version mismatch (low 1, high 1)
procedure 9: RPC: Procedure unavailable
RPC version 3: RPC: Incompatible versions of RPC (low 2, high 2)
flavor 99: RPC: Authentication error (AUTH_REJECTEDCRED)
credential of 401 bytes: RPC: Authentication error (AUTH_BADCRED)
malformed AUTH_SYS: RPC: Authentication error (AUTH_BADCRED)
ADD without arguments: RPC: Server can't decode arguments",
    );
    drop(server);
}

#[test]
fn a_killed_servers_socket_file_and_mappings_are_cleaned() {
    let s = Scratch::new("sock-kill");
    let path = s.path("d.sock");
    let mut c = cmd();
    c.current_dir(&s.dir)
        .env("IPCLAB_STATE_DIR", s.state())
        .args(["sock-server", "--unix", path.to_str().unwrap()]);
    let mut server = Running::start(c);
    server.wait_for("date server ready");
    nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(server.pgid()),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let _ = server.finish();
    assert!(path.exists(), "SIGKILL cannot unlink: the file stays");
    let clean = |yes: bool| {
        let mut c = ipclab();
        c.env("IPCLAB_STATE_DIR", s.state()).arg("clean");
        if yes {
            c.arg("--yes");
        }
        c.timeout(patience(Duration::from_secs(30)))
            .output()
            .unwrap()
    };
    let listed = String::from_utf8_lossy(&clean(false).stdout).into_owned();
    assert!(listed.contains("stale: socket "), "{listed}");
    assert!(clean(true).status.success());
    assert!(!path.exists(), "clean left the socket file");
    if !rpcbind() {
        return;
    }
    let _one = seed_key_lock();
    let mut c = cmd();
    c.current_dir(&s.dir)
        .env("IPCLAB_STATE_DIR", s.state())
        .arg("rpc-server");
    let mut server = Running::start(c);
    server.wait_for("date service ready");
    nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(server.pgid()),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let _ = server.finish();
    let registered = || {
        let o = Command::new("rpcinfo").arg("-p").output().unwrap();
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l.split_whitespace().next() == Some(PROG))
    };
    assert!(registered(), "SIGKILL cannot unset: the mapping stays");
    let listed = String::from_utf8_lossy(&clean(false).stdout).into_owned();
    assert!(listed.contains("stale: rpc-mapping"), "{listed}");
    assert!(clean(true).status.success());
    assert!(!registered(), "clean left the rpcbind mapping");
}
