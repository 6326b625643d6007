//! `ipclab check ROLE -- PROGRAM`: the lecture's own C programs (and correct variants) pass
//! every check; programs broken on purpose fail the check that names their hazard; the
//! verdicts come out as a table, JSON, Gradescope JSON, TAP and JUnit.

use crate::common::*;

/// `ipclab check ROLE [OPTS] -- PROGRAM`: the exit code and stdout.
pub fn check(role: &str, opts: &[&str], program: &std::path::Path) -> (Option<i32>, String) {
    let s = Scratch::new("check");
    let out = ipclab()
        .env("IPCLAB_STATE_DIR", s.state())
        .args(["check", role, "--seed", "7"])
        .args(opts)
        .arg("--")
        .arg(program)
        .timeout(patience(std::time::Duration::from_secs(120)))
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

/// The checks that failed, from a table.
pub fn failed(table: &str) -> Vec<String> {
    table
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
        .collect()
}

#[test]
fn correct_programs_pass_every_check() {
    for (role, prog) in [
        ("shmread", "shmread"),
        ("shmwrite", "shmwrite"),
        ("msg-client", "check_msg_client_ok"),
        ("shmconsumer", "check_shmconsumer_ok"),
        ("fifo-read", "check_fifo_read_ok"),
    ] {
        let Some(p) = c_program_rt(prog) else { return };
        let (code, table) = check(role, &["--repeat", "4"], &p);
        assert_eq!(code, Some(0), "{role}:\n{table}");
        assert!(failed(&table).is_empty(), "{table}");
        assert!(
            table.contains("PASS  repeat") && table.contains("seed 7"),
            "{table}"
        );
    }
}

#[test]
fn broken_programs_fail_the_check_that_names_their_hazard() {
    for (role, prog, opts, hazard) in [
        // The -O2 hang of a plain loop on `written`: it never ends, and it spins.
        (
            "shmread",
            "check_shmread_spin",
            &["--only", "end,cpu", "--timeout", "2s"][..],
            &["end", "cpu"][..],
        ),
        // No wait for the reader: lines overwritten before they are read.
        (
            "shmwrite",
            "check_shmwrite_nowait",
            &["--only", "data,end,no-leak"][..],
            &["data"][..],
        ),
        // A private segment never removed.
        (
            "shmread",
            "check_shmread_leak",
            &["--only", "data,end,no-leak"][..],
            &["no-leak"][..],
        ),
        // The seed's FIFO reader: only the first message of each read() printed (hazard
        // 22: the writer's burst arrives in one read), fifo1 left behind, after a normal
        // run and after Ctrl-C.
        (
            "fifo-read",
            "fifo_read",
            &["--only", "data,end,no-leak,sigint"][..],
            &["data", "no-leak", "sigint"][..],
        ),
        // The seed's client: msgrcv unchecked, so a vanished queue prints its own request.
        (
            "msg-client",
            "msg_client",
            &["--repeat", "2"][..],
            &["peer-dies"][..],
        ),
    ] {
        let Some(p) = c_program(prog) else { return };
        let (code, table) = check(role, opts, &p);
        assert_eq!(code, Some(1), "{prog}:\n{table}");
        assert_eq!(failed(&table), hazard, "{prog}:\n{table}");
    }
}

#[test]
fn the_race_of_8_6_is_caught() {
    // The slide's consumer reads at once: whether the message is there depends on who ran
    // first. Perturbed runs (the producer pausing, the consumer starting late) catch it;
    // which of the runs do is chance, so the test asks only that it is caught, by the
    // checks that look at the data.
    let Some(p) = c_program_rt("shmconsumer") else {
        return;
    };
    let (code, table) = check(
        "shmconsumer",
        &["--only", "transcript,data,repeat", "--repeat", "40"],
        &p,
    );
    assert_eq!(code, Some(1), "{table}");
    let f = failed(&table);
    assert!(
        !f.is_empty()
            && f.iter()
                .all(|c| ["transcript", "data", "repeat"].contains(&c.as_str())),
        "{table}"
    );
    assert!(table.contains("the race of 8-6"), "{table}");
}

#[test]
fn verdicts_for_autograders() {
    let Some(p) = c_program("msg_client") else {
        return;
    };
    let opts = |f: &'static str| ["--repeat", "1", "--only", "data,peer-dies", "--format", f];
    // JSON: stable keys, the seed, one object per check.
    let (code, text) = check("msg-client", &opts("json"), &p);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (v["role"].as_str(), v["seed"].as_u64()),
        (Some("msg-client"), Some(7))
    );
    assert_eq!(v["passed"], false);
    let names: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["data", "peer-dies"]);
    // Gradescope: tests[] with name, score, max_score, output.
    let (_, text) = check("msg-client", &opts("gradescope"), &p);
    let g: serde_json::Value = serde_json::from_str(&text).unwrap();
    let t = &g["tests"][1];
    assert_eq!(
        (t["name"].as_str(), t["score"].as_u64()),
        (Some("peer-dies"), Some(0))
    );
    assert!(
        t["max_score"].as_u64().unwrap() > 0 && t["output"].as_str().unwrap().contains("msgrcv")
    );
    assert_eq!(g["score"], g["tests"][0]["max_score"]);
    // The table's colour is decided once, with the rest of the program's: --color always
    // colours the verdicts, --color never and NO_COLOR do not.
    for (color, env_no_color, coloured) in [
        ("always", false, true),
        ("never", false, false),
        ("auto", true, false),
    ] {
        let mut c = ipclab();
        if env_no_color {
            c.env("NO_COLOR", "1");
        }
        let out = c
            .args(["--color", color, "check", "msg-client", "--seed", "7"])
            .args(["--repeat", "1", "--only", "data"])
            .arg("--")
            .arg(&p)
            .timeout(patience(std::time::Duration::from_secs(120)))
            .output()
            .unwrap();
        let table = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            table.contains('\x1b'),
            coloured,
            "--color {color}: {table:?}"
        );
    }
    // TAP and JUnit.
    let (_, tap) = check("msg-client", &opts("tap"), &p);
    assert!(tap.starts_with("TAP version 13\n1..2\n"), "{tap}");
    assert!(
        tap.contains("\nok 1 - data") && tap.contains("\nnot ok 2 - peer-dies"),
        "{tap}"
    );
    let (_, junit) = check("msg-client", &opts("junit"), &p);
    assert!(
        junit.contains("<testsuite name=\"ipclab check msg-client\" tests=\"2\" failures=\"1\">"),
        "{junit}"
    );
    assert!(
        junit.contains("<testcase classname=\"msg-client\" name=\"peer-dies\"><failure message=")
    );
    // Usage errors, one line each: no program, an unknown role, a program that is not
    // there or cannot run, a check that is none or not the role's.
    let s = Scratch::new("check-usage");
    let not_exec = s.path("shmread");
    std::fs::write(&not_exec, "").unwrap();
    let not_exec = not_exec.to_str().unwrap();
    for (args, says) in [
        (&["check", "shmread"][..], "PROGRAM"),
        (
            &["check", "carrier-pigeon", "--", "/bin/true"][..],
            "carrier-pigeon",
        ),
        (
            &["check", "shmread", "--", "./no-such-program"][..],
            "no such file",
        ),
        (&["check", "shmread", "--", not_exec][..], "not executable"),
        (
            &["check", "shmread", "--only", "dta", "--", "/bin/true"][..],
            "no such check",
        ),
        (
            &["check", "shmread", "--only", "peer-dies", "--", "/bin/true"][..],
            "not a check of the role shmread",
        ),
    ] {
        let out = ipclab().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
