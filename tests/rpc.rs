//! ONC RPC: ipclab's rpc-server registers with the system's rpcbind (`rpcinfo -p` lists it)
//! and unregisters at the end and on SIGTERM; ipclab's rpc-client finds it through rpcbind;
//! the C client and server that `rpcgen date.x` makes talk to ipclab's, both ways;
//! `--at-most-once` answers a repeated xid from its cache. One test, in order: rpcbind is
//! one per machine and DATE_PROG one number. Skipped, with a message, without rpcbind or
//! rpcgen (.ci/run installs and starts them).

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const PROG: &str = "536895507"; // 0x20006013, DATE_PROG in date.x

fn registered() -> Vec<String> {
    let out = Command::new("rpcinfo").arg("-p").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.split_whitespace().next() == Some(PROG))
        .map(str::to_string)
        .collect()
}

/// The rpcgen C client and server for date.x, built in `dir`.
fn rpcgen(dir: &Path) -> (PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("src/demos/rpc/date.x"), dir.join("date.x")).unwrap();
    for f in ["rpc_date_server.c", "rpc_date_client.c"] {
        std::fs::copy(root.join("tests/c").join(f), dir.join(f)).unwrap();
    }
    assert!(Command::new("rpcgen")
        .arg("date.x")
        .current_dir(dir)
        .status()
        .unwrap()
        .success());
    let cc = |out: &str, srcs: &[&str]| {
        let st = Command::new("gcc")
            .current_dir(dir)
            .args(["-w", "-I/usr/include/tirpc", "-o", out])
            .args(srcs)
            .arg("-ltirpc")
            .status()
            .unwrap();
        assert!(st.success(), "gcc {out}");
        dir.join(out)
    };
    (
        cc("srv", &["rpc_date_server.c", "date_svc.c", "date_xdr.c"]),
        cc("cli", &["rpc_date_client.c", "date_clnt.c", "date_xdr.c"]),
    )
}

#[test]
fn rpc_through_rpcbind_both_ways_with_rpcgen() {
    if !have("rpcinfo")
        || !have("rpcgen")
        || !Command::new("rpcinfo")
            .arg("-p")
            .output()
            .is_ok_and(|o| o.status.success())
    {
        skipped("no running rpcbind or no rpcgen (.ci/run installs rpcbind, rpcsvc-proto and libtirpc-dev, and starts rpcbind)");
        return;
    }
    let _one = seed_key_lock(); // the fixed program number, as the seeds' fixed keys
    let s = Scratch::new("rpc");
    let (csrv, ccli) = rpcgen(&s.dir);
    // ipclab's server: registered for udp and tcp while it runs.
    let mut server = started_in(&s.dir, &["rpc-server", "--count", "5", "--at-most-once"]);
    server.wait_for("date service ready");
    let reg = registered();
    assert!(
        reg.iter().any(|l| l.contains(" udp ")) && reg.iter().any(|l| l.contains(" tcp ")),
        "{reg:?}"
    );
    // ipclab's client: DATE, the same xid again (cached), CALLS = 2 executed.
    let out = run_in(&s.dir, &["rpc-client", "--duplicate", "--calls"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("pmap_getport(127.0.0.1, DATE_PROG 0x20006013, version 1, udp) = port "),
        "{text}"
    );
    assert!(
        text.contains("CALLS() = 2 (calls the server has executed)"),
        "{text}"
    );
    // The rpcgen C client calls ipclab's server (2 more calls: the server ends).
    let out = Command::new(&ccli)
        .args(["127.0.0.1", "udp", "40", "2"])
        .output()
        .unwrap();
    let ctext = String::from_utf8(out.stdout).unwrap();
    assert!(
        ctext.contains("remote date: ") && ctext.contains("remote add(40, 2) = 42"),
        "{ctext}"
    );
    let (st, srv, _) = server.finish();
    assert!(st.success(), "{srv}");
    assert!(
        srv.contains("answered from the reply cache, not executed"),
        "{srv}"
    );
    assert!(registered().is_empty(), "still registered after the end");
    // SIGTERM: it unregisters too.
    let mut server = started_in(&s.dir, &["rpc-server"]);
    server.wait_for("date service ready");
    nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(server.pgid()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let (st, _, _) = server.finish();
    assert_eq!(exit_code(&st), Some(143));
    assert!(registered().is_empty(), "still registered after SIGTERM");
    // No server: the client says where to look.
    let out = run_in(&s.dir, &["rpc-client"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("knows no DATE_PROG") && err.lines().count() == 1,
        "{err}"
    );
    // ipclab's client calls the rpcgen C server, over UDP and TCP.
    let mut c = Command::new(&csrv);
    c.current_dir(&s.dir);
    let mut cserver = Running::start(c);
    let t = std::time::Instant::now();
    while registered().len() < 2 && t.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(20)); // rpcbind is the C server's only ready signal
    }
    for tcp in [false, true] {
        let args: &[&str] = if tcp {
            &["rpc-client", "--tcp", "--add", "20", "22"]
        } else {
            &["rpc-client", "--add", "20", "22"]
        };
        let out = run_in(&s.dir, args);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success() && text.contains("ADD(20, 22) = 42"),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // --trace: the rpcbind lookup and the call, marshalled, field by field.
    let out = run_in(&s.dir, &["--trace", "rpc-client"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("rpcbind PMAPPROC_GETPORT call to 127.0.0.1:111, 56 bytes of XDR:")
            && err.contains("20006013                             map.prog")
            && err.contains("DATE call, 40 bytes of XDR:")
            && err.contains("00000002                             rpcvers = 2"),
        "{err}"
    );
    let _ = cserver.child.kill();
    let _ = cserver.child.wait();
    let _ = Command::new("rpcinfo").args(["-d", PROG, "1"]).status(); // the C server does not unregister
}
