//! Sockets: the date server and client over UNIX and TCP/UDP, streams and datagrams, the
//! fork server, what a refused connection says, Ctrl-C, a planted file, nc as a client,
//! and sock-pair.

use crate::common::*;

/// The server's address from its ready line: `date server ready on ADDR (…)`.
fn ready_addr(server: &mut Running) -> String {
    server.wait_for("date server ready on");
    let line = server
        .seen
        .iter()
        .find(|l| l.starts_with("date server ready on"))
        .unwrap();
    line["date server ready on ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .to_string()
}

fn client(s: &Scratch, args: &[&str]) -> (Option<i32>, String, String) {
    let out = run_in(&s.dir, &[&["sock-client"][..], args].concat());
    let text = String::from_utf8(out.stdout).unwrap();
    (
        out.status.code(),
        text,
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn date_server_and_client_over_every_transport() {
    let s = Scratch::new("sock");
    let path = s.path("date.sock");
    let p = path.to_str().unwrap();
    for (server_args, dgram) in [
        (vec!["--unix", p], false),
        (vec!["--unix", p, "--dgram"], true),
        (vec!["--tcp", "127.0.0.1:0"], false),
        (vec!["--tcp", "127.0.0.1:0", "--dgram"], true),
    ] {
        let mut server = started_in(
            &s.dir,
            &[&["sock-server", "--count", "2"][..], &server_args].concat(),
        );
        let addr = ready_addr(&mut server);
        let mut cargs: Vec<&str> = if addr.starts_with("unix:") {
            vec!["--unix", p]
        } else {
            vec!["--tcp", &addr]
        };
        if dgram {
            cargs.push("--dgram");
        }
        for _ in 0..2 {
            let (code, text, err) = client(&s, &cargs);
            assert_eq!(code, Some(0), "{server_args:?}: {err}");
            let date = text.lines().last().unwrap();
            assert!(
                date.starts_with("date from the server: ") && date.len() > 40,
                "{text}"
            );
        }
        let (st, out, _) = server.finish();
        assert!(st.success(), "{out}");
        let calls: Vec<&str> = if dgram {
            vec!["socket(", "bind(", "recvfrom()", "sendto()", "served 2"]
        } else {
            vec![
                "socket(", "bind(", "listen(", "accept()", "write()", "served 2",
            ]
        };
        assert_transcript_parts(&out, &calls);
        assert!(!path.exists(), "the UNIX socket file was left");
    }
}

/// Each part found in order.
fn assert_transcript_parts(text: &str, parts: &[&str]) {
    let mut rest = text;
    for p in parts {
        let i = rest
            .find(p)
            .unwrap_or_else(|| panic!("{p:?} missing in order:\n{text}"));
        rest = &rest[i + p.len()..];
    }
}

#[test]
fn the_fork_server_serves_clients_at_once() {
    let s = Scratch::new("sock-fork");
    let path = s.path("d.sock");
    let p = path.to_str().unwrap();
    let mut server = started_in(
        &s.dir,
        &["sock-server", "--unix", p, "--count", "4", "--concurrent"],
    );
    ready_addr(&mut server);
    let clients: Vec<Running> = (0..4)
        .map(|_| started_in(&s.dir, &["sock-client", "--unix", p]))
        .collect();
    for c in clients {
        let (st, text, err) = c.finish();
        assert!(
            st.success() && text.contains("date from the server"),
            "{err}"
        );
    }
    let (st, out, _) = server.finish();
    assert!(st.success(), "{out}");
    assert_eq!(out.matches("child write()").count(), 4, "{out}");
    assert!(!path.exists());
}

#[test]
fn refused_interrupted_and_planted() {
    let s = Scratch::new("sock-bad");
    let path = s.path("none.sock");
    // Nothing listens: one line that says so, exit 1.
    for args in [
        vec!["--unix", path.to_str().unwrap()],
        vec!["--tcp", "127.0.0.1:1"],
    ] {
        let (code, _, err) = client(&s, &args);
        assert_eq!(code, Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("nothing listens there"), "{err}");
    }
    // Ctrl-C: the server ends (130) and removes its socket file.
    let sock = s.path("int.sock");
    let mut server = started_in(&s.dir, &["sock-server", "--unix", sock.to_str().unwrap()]);
    ready_addr(&mut server);
    assert!(sock.exists());
    nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(server.pgid()),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let (st, _, _) = server.finish();
    assert_eq!(exit_code(&st), Some(130));
    assert!(!sock.exists());
    // A planted regular file is not replaced.
    let planted = s.path("planted");
    std::fs::write(&planted, "keep").unwrap();
    let out = run_in(
        &s.dir,
        &[
            "sock-server",
            "--unix",
            planted.to_str().unwrap(),
            "--count",
            "1",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&planted).unwrap(), "keep");
}

#[test]
fn nc_reads_the_date_and_sock_pair_talks_both_ways() {
    let s = Scratch::new("sock-nc");
    if !skip_without("nc") {
        let path = s.path("nc.sock");
        let mut server = started_in(
            &s.dir,
            &[
                "sock-server",
                "--unix",
                path.to_str().unwrap(),
                "--count",
                "1",
            ],
        );
        ready_addr(&mut server);
        let out = std::process::Command::new("nc")
            .arg("-U")
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.len() > 20 && text.ends_with('\n'), "{text:?}");
        assert!(server.finish().0.success());
    }
    let out = run_in(&s.dir, &["sock-pair"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "socketpair(AF_UNIX, SOCK_STREAM, 0, sv) = 0\nhello world\n(read 12 bytes, then read() returned 0: EOF, the writer closed its end)\n");
    let out = run_in(&s.dir, &["sock-pair", "--reply", "--message", "ping"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("child read: ping") && text.contains("parent read back: got 5 bytes, thanks"),
        "{text}"
    );
}

#[test]
fn the_textbooks_c_client_and_server_and_nc_as_a_server() {
    let s = Scratch::new("sock-c");
    let (Some(csrv), Some(ccli)) = (c_program("sock_date_server"), c_program("sock_date_client"))
    else {
        return;
    };
    // ipclab's server, the textbook's C client.
    let mut server = started_in(
        &s.dir,
        &["sock-server", "--tcp", "127.0.0.1:0", "--count", "1"],
    );
    let addr = ready_addr(&mut server);
    let (host, port) = addr.rsplit_once(':').unwrap();
    let out = std::process::Command::new(&ccli)
        .args([host, port])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success() && text.starts_with("the date is: ") && text.len() > 30,
        "{text}"
    );
    assert!(server.finish().0.success());
    // The textbook's C server, ipclab's client.
    let mut c = std::process::Command::new(&csrv);
    c.args(["0", "1"]);
    let mut cserver = Running::start(c);
    cserver.wait_for("listening on");
    let line = cserver
        .seen
        .iter()
        .find(|l| l.starts_with("listening on"))
        .unwrap()
        .clone();
    let at = line.trim_start_matches("listening on ");
    let (code, text, err) = client(&s, &["--tcp", at]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        text.contains(&format!("connect({at})")) && text.contains("date from the server: "),
        "{text}"
    );
    assert!(cserver.finish().0.success());
    // nc as the server: whatever it sends is the date the client prints.
    if !skip_without("nc") {
        let sock = s.path("nc.sock");
        let mut nc = std::process::Command::new("nc");
        // -N: close the connection at the end of its input; -v: say when it listens.
        nc.args(["-N", "-lvU"]).arg(&sock);
        let mut nc = Running::start(nc);
        if let Some(mut i) = nc.child.stdin.take() {
            use std::io::Write;
            i.write_all(b"Thu Jan  1 00:00:00 1970\n").unwrap();
        }
        nc.wait_for_err("Listening on");
        let (code, text, err) = client(&s, &["--unix", sock.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{err}");
        assert!(
            text.contains("date from the server: Thu Jan  1 00:00:00 1970"),
            "{text}"
        );
        let _ = nc.child.kill();
        let _ = nc.child.wait();
    }
}
