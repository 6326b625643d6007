//! Sockets across machines, tested on one: two network namespaces joined by a veth pair
//! (addresses inside the test's own namespaces only), the date server in one, the client
//! in the other, over TCP and UDP. Skipped, with a message, only where namespaces cannot be
//! made (not root, no `ip`); CI runs as root, so CI runs it.

use crate::common::*;
use std::process::Command;

/// Two namespaces `A` (10.77.N.1) and `B` (10.77.N.2), deleted when dropped.
struct Net {
    a: String,
    b: String,
    n: u32,
}

/// Each Net of this test run gets its own names and subnet.
static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl Net {
    fn new() -> Option<Net> {
        let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tag = (std::process::id() % 10_000) * 10 + k;
        let (a, b) = (format!("ipclab-{tag}-a"), format!("ipclab-{tag}-b"));
        let ip = |args: &[&str]| {
            Command::new("ip")
                .args(args)
                .status()
                .is_ok_and(|s| s.success())
        };
        if !ip(&["netns", "add", &a]) {
            skipped("cannot create a network namespace (`ip netns add` needs root)");
            return None;
        }
        let net = Net { a, b, n: tag % 250 };
        let (va, vb) = (format!("ic{tag}a"), format!("ic{tag}b"));
        let n = net.n;
        let (aa, ab) = (format!("10.77.{n}.1/24"), format!("10.77.{n}.2/24"));
        let ok = ip(&["netns", "add", &net.b])
            && ip(&["link", "add", &va, "type", "veth", "peer", "name", &vb])
            && ip(&["link", "set", &va, "netns", &net.a])
            && ip(&["link", "set", &vb, "netns", &net.b])
            && ip(&["-n", &net.a, "addr", "add", &aa, "dev", &va])
            && ip(&["-n", &net.b, "addr", "add", &ab, "dev", &vb])
            && ip(&["-n", &net.a, "link", "set", &va, "up"])
            && ip(&["-n", &net.b, "link", "set", &vb, "up"])
            && ip(&["-n", &net.a, "link", "set", "lo", "up"])
            && ip(&["-n", &net.b, "link", "set", "lo", "up"]);
        assert!(
            ok,
            "could create a namespace but not the veth pair between two"
        );
        Some(net)
    }

    fn server_addr(&self) -> String {
        format!("10.77.{}.1:6013", self.n)
    }

    /// `ipclab ARGS` inside namespace `ns`.
    fn ipclab(&self, ns: &str, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns]).arg(bin()).args(args);
        c.env("IPCLAB_STATE_DIR", state_dir());
        c
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

#[test]
fn the_date_server_in_one_namespace_the_client_in_another() {
    if !have("ip") {
        skipped("no `ip` (iproute2)");
        return;
    }
    let Some(net) = Net::new() else { return };
    let addr = net.server_addr();
    for dgram in [false, true] {
        let mut args = vec!["sock-server", "--tcp", &addr, "--count", "1"];
        if dgram {
            args.push("--dgram");
        }
        let mut server = Running::start(net.ipclab(&net.a, &args));
        server.wait_for("date server ready on");
        let mut cargs = vec!["sock-client", "--tcp", &addr];
        if dgram {
            cargs.push("--dgram");
        }
        let out = net.ipclab(&net.b, &cargs).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("date from the server: "), "{text}");
        // The client's own address is the other namespace's.
        if !dgram {
            assert!(text.contains(&format!("from 10.77.{}.2:", net.n)), "{text}");
        }
        let (st, srv, _) = server.finish();
        assert!(st.success(), "{srv}");
        assert!(srv.contains("served 1 client(s)"), "{srv}");
    }
    // The client's namespace has no route to anything else: a clear refusal.
    let out = net
        .ipclab(&net.b, &["sock-client", "--tcp", &addr, "--timeout", "2s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn rpc_through_the_servers_own_rpcbind_across_namespaces() {
    if !have("ip") || !std::path::Path::new("/usr/sbin/rpcbind").exists() || !have("rpcinfo") {
        skipped("no `ip`, rpcbind or rpcinfo (.ci/run installs them)");
        return;
    }
    let Some(net) = Net::new() else { return };
    let host = net.server_addr().split(':').next().unwrap().to_string();
    // The server's machine has its own matchmaker: an rpcbind in namespace A, with a /run
    // of its own (a private mount), in the foreground so the test can end it.
    let mut rpcbind = Command::new("ip");
    rpcbind.args([
        "netns",
        "exec",
        &net.a,
        "unshare",
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
    ]);
    rpcbind
        .arg("mount -t tmpfs none /run && mkdir -p /run/rpcbind && exec /usr/sbin/rpcbind -f -w");
    let mut rpcbind = rpcbind.spawn().unwrap();
    let up = || {
        Command::new("ip")
            .args(["netns", "exec", &net.a, "rpcinfo", "-p", "127.0.0.1"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    // rpcbind prints nothing when it is ready: its answering is the only sign.
    let t = std::time::Instant::now();
    while !up() && t.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut server = Running::start(net.ipclab(
        &net.a,
        &["rpc-server", "--listen", "0.0.0.0", "--count", "4"],
    ));
    server.wait_for("date service ready");
    for tcp in [false, true] {
        let mut args = vec!["rpc-client", "--host", &host, "--add", "40", "2"];
        if tcp {
            args.push("--tcp");
        }
        let out = net.ipclab(&net.b, &args).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains(&format!("pmap_getport({host}, DATE_PROG"))
                && text.contains("ADD(40, 2) = 42"),
            "{text}"
        );
    }
    let (st, srv, _) = server.finish();
    assert!(st.success(), "{srv}");
    assert!(
        srv.contains("from 10.77.") && srv.contains("unregistered"),
        "{srv}"
    );
    let _ = rpcbind.kill();
    let _ = rpcbind.wait();
}
