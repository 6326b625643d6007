//! `--trace` against `strace -f` of the same run: every call the trace reports appears in
//! strace's log of the same process, in the same order, with the same result. (strace also
//! shows the syscalls of the Rust runtime and of output; those are not IPC and are skipped.)

use crate::common::*;
use std::collections::HashMap;

/// strace's names for a call our trace reports (None: not a system call of its own).
fn syscalls(ours: &str) -> Option<&'static [&'static str]> {
    Some(match ours {
        "shmget" => &["shmget"],
        "shmat" => &["shmat"],
        "shmdt" => &["shmdt"],
        "shmctl" => &["shmctl"],
        "semget" => &["semget"],
        "semctl" => &["semctl"],
        "semop" => &["semop", "semtimedop"],
        "msgget" => &["msgget"],
        "msgsnd" => &["msgsnd"],
        "msgrcv" => &["msgrcv"],
        "msgctl" => &["msgctl"],
        "vfork()+execv" => &["clone3", "clone", "vfork"],
        "fork" => &["clone", "clone3", "fork"],
        "waitpid" => &["wait4"],
        "pipe" => &["pipe2", "pipe"],
        "read" => &["read"],
        "write" => &["write"],
        "mkfifo" => &["mknodat", "mknod"],
        "open" | "shm_open" => &["openat", "open"],
        "shm_unlink" => &["unlink", "unlinkat"],
        "ftruncate" => &["ftruncate"],
        "posix_fallocate" => &["fallocate"],
        "fchmod" => &["fchmod"],
        "mmap" => &["mmap"],
        "munmap" => &["munmap"],
        "msync" => &["msync"],
        _ => return None,
    })
}

/// (pid, call name, result) from our trace lines: `[applet PID] call(args) = result`.
fn ours(text: &str) -> Vec<(i32, String, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.strip_prefix('[')?;
            let (who, rest) = l.split_once("] ")?;
            let pid = who.rsplit(' ').next()?.parse().ok()?;
            let name = rest.split('(').next()?.to_string();
            let result = rest.rsplit(" = ").next()?.split(' ').next()?.to_string();
            Some((pid, name, result))
        })
        .collect()
}

/// pid → [(syscall, result)] from `strace -f -qq` output.
fn straced(text: &str) -> HashMap<i32, Vec<(String, String)>> {
    let mut m: HashMap<i32, Vec<(String, String)>> = HashMap::new();
    for l in text.lines() {
        let Some((pid, rest)) = l.split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse::<i32>() else {
            continue;
        };
        let rest = rest.trim_start();
        if rest.ends_with("<unfinished ...>") || rest.starts_with("+++") || rest.starts_with("---")
        {
            continue;
        }
        let name = if let Some(r) = rest.strip_prefix("<... ") {
            r.split(' ').next().unwrap_or("").to_string()
        } else {
            rest.split('(').next().unwrap_or("").to_string()
        };
        let Some(result) = rest.rsplit(" = ").next() else {
            continue;
        };
        let result = result.split(' ').next().unwrap_or("").to_string();
        m.entry(pid).or_default().push((name, result));
    }
    m
}

/// strace's result of a call against ours. A call a signal interrupted (the 50 ms nudge
/// after Ctrl-C, a SIGCHLD) is `= ? ERESTARTSYS`/`ERESTARTNOHAND` in strace, with
/// `<unfinished ...>` and `<... resumed>` lines when processes interleave; the program sees
/// it return -1 (EINTR), as our trace prints.
fn same_result(strace: &str, ours: &str) -> bool {
    strace == ours || (strace == "?" && ours == "-1")
}

/// Check the trace against strace; returns how many calls were matched.
fn compare(trace: &str, strace: &str) -> usize {
    let st = straced(strace);
    let mut next: HashMap<i32, usize> = HashMap::new();
    let mut matched = 0;
    for (pid, name, result) in ours(trace) {
        let Some(names) = syscalls(&name) else {
            continue;
        };
        let list = st
            .get(&pid)
            .unwrap_or_else(|| panic!("strace saw no process {pid}"));
        let from = next.entry(pid).or_default();
        let at = list[*from..]
            .iter()
            .position(|(n, r)| names.contains(&n.as_str()) && same_result(r, &result))
            .unwrap_or_else(|| {
                panic!(
                    "[{pid}] {name} = {result}: not in strace after call #{from}:\n{:?}",
                    &list[*from..]
                )
            });
        *from += at + 1;
        matched += 1;
    }
    matched
}

fn traced_run(dir: &std::path::Path, script: &str, stdin: &str) -> (String, String) {
    let log = dir.join("strace.log");
    let out = assert_cmd::Command::new("strace")
        .current_dir(dir)
        .env("IPCLAB_TRACE", "1")
        .args(["-f", "-qq", "-o"])
        .arg(&log)
        .args(["sh", "-c", script])
        .write_stdin(stdin)
        .timeout(patience(std::time::Duration::from_secs(60)))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stderr).unwrap(),
        std::fs::read_to_string(&log).unwrap(),
    )
}

#[test]
fn trace_matches_strace_for_shmcon_pipe_fifo_and_msg() {
    if skip_without("strace") {
        return;
    }
    let s = Scratch::new("trace");
    let (kf, key) = s.keyfile("k", 0x27);
    let bin = bin().display().to_string();
    let runs = [
        ("shmcon", format!("{bin} shmcon {} --sync sem", kf.display()), "one\ntwo\nend\n"),
        ("shmcon flag", format!("{bin} shmcon {} --interval 10ms", kf.display()), "hi\nend\n"),
        ("pipe", format!("{bin} pipe"), ""),
        (
            "fifo",
            // fifo-write waits for the FIFO and its reader itself (the blocking open).
            format!("{bin} fifo-read f & {bin} fifo-write f --count 3 --interval 0; wait"),
            "",
        ),
        (
            "msg",
            // The client starts once the server said it is ready (its pid line).
            format!("{bin} msg-server --path {k} --count 2 >srv.out & until grep -q 'My pid is' srv.out 2>/dev/null; do sleep 0.01; done; {bin} msg-client --path {k} --count 2; wait", k = kf.display()),
            "",
        ),
    ];
    for (name, script, stdin) in runs {
        let (trace, strace) = traced_run(&s.dir, &script, stdin);
        let n = compare(&trace, &strace);
        assert!(n >= 6, "{name}: only {n} calls compared:\n{trace}");
        eprintln!("{name}: {n} traced calls found in strace, same order per process, same results");
    }
    assert_no_sysv(key);
    assert_no_sysv(ftok(&kf, b'z'));
}

#[test]
fn trace_reaches_exec_d_children_and_names_each_process() {
    let s = Scratch::new("trace2");
    let (kf, _) = s.keyfile("k", 0x27);
    let shmcon = |trace: &[&str]| {
        ipclab()
            .args(trace)
            .arg("shmcon")
            .arg(&kf)
            .args(["--interval", "10ms"])
            .write_stdin("end\n")
            .output()
            .unwrap()
    };
    let out = shmcon(&["--trace"]);
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    for who in ["[shmcon ", "[shmread ", "[shmwrite "] {
        assert!(
            err.lines().any(|l| l.starts_with(who)),
            "{who} missing:\n{err}"
        );
    }
    assert!(err.contains("shmget(key=0x") && err.contains("IPC_CREAT|IPC_EXCL|0600"));
    assert!(err.contains("shmctl(") && err.contains("IPC_RMID"));
    // Without --trace, nothing on stderr.
    assert!(shmcon(&[]).stderr.is_empty());
}
