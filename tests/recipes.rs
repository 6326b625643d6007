//! The docs' recipes, run as written: the three-terminal System V session of
//! docs/shm-sysv.md and docs/zh/shm-sysv.md. Each terminal's command is taken from the page,
//! the example key replaced by the one the run prints; each terminal's output must be the
//! page's, but for keys, ids, addresses, column widths and the user's name ([`redact`]).

use crate::common::*;

/// The console block under `heading`: for each terminal, its command and its lines.
fn recipe(page: &str, heading: &str, marker: &str) -> Vec<(u32, String, Vec<String>)> {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(page))
        .unwrap();
    let section = &text[text
        .find(heading)
        .unwrap_or_else(|| panic!("{page}: no {heading}"))..];
    let block = section
        .split("```console\n")
        .nth(1)
        .unwrap()
        .split("\n```")
        .next()
        .unwrap();
    let mut terminals: Vec<(u32, String, Vec<String>)> = Vec::new();
    for line in block.lines() {
        let numbered = line.strip_prefix(marker).and_then(|rest| {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            Some((rest[..digits].parse::<u32>().ok()?, &rest[digits..]))
        });
        match numbered {
            Some((n, rest)) if rest.starts_with("$ ") => {
                terminals.push((n, rest[2..].to_string(), Vec::new()))
            }
            // "terminal 1 (after the end)": more of terminal 1's output.
            Some((n, _)) => terminals.push((n, String::new(), Vec::new())),
            None => terminals.last_mut().unwrap().2.push(line.to_string()),
        }
    }
    terminals
}

fn run_recipe(page: &str, heading: &str, marker: &str) {
    let t = recipe(page, heading, marker);
    let s = Scratch::new("recipe");
    let start = |command: &str, key: Option<&str>| {
        let mut words: Vec<String> = command.split_whitespace().map(String::from).collect();
        assert_eq!(words.remove(0), "ipclab", "{page}: {command}");
        if let Some(k) = key {
            words[1] = k.to_string();
        }
        let mut c = cmd();
        c.env("IPCLAB_STATE_DIR", s.state()).args(&words);
        Running::start(c)
    };
    let mut server = start(&t[0].1, None);
    server.wait_for("in a third terminal");
    let key = server
        .seen
        .iter()
        .find_map(|l| l.strip_prefix("key generated: IPC key = "))
        .unwrap()
        .to_string();
    let mut reader = start(&t[1].1, Some(&key));
    reader.wait_for("shmread process ready");
    let typed: String = t[2]
        .2
        .iter()
        .filter_map(|l| l.strip_prefix("Enter some text: "))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut writer = start(&t[2].1, Some(&key));
    {
        use std::io::Write;
        writer
            .child
            .stdin
            .take()
            .unwrap()
            .write_all(typed.as_bytes())
            .unwrap();
    }
    let outputs = [server.finish(), reader.finish(), writer.finish()];
    let expected = [
        [t[0].2.clone(), t[3].2.clone()].concat(),
        t[1].2.clone(),
        t[2].2.clone(),
    ];
    for (i, ((st, out, err), want)) in outputs.iter().zip(expected).enumerate() {
        assert!(st.success(), "{page}: terminal {}: {err}", i + 1);
        // Trailing blank lines do not survive Running's joined output: compare without them.
        let trim = |mut v: Vec<String>| {
            while v.last().is_some_and(|l| l.is_empty()) {
                v.pop();
            }
            v
        };
        // The page was run as root: its owner column says so.
        let got = trim(out.lines().map(|l| redact(l, &["root"])).collect());
        let want = trim(want.iter().map(|l| redact(l, &["root"])).collect());
        assert_eq!(
            got,
            want,
            "{page}: terminal {} differs from the page",
            i + 1
        );
    }
    assert_no_sysv(u32::from_str_radix(&key, 16).unwrap());
}

#[test]
fn the_three_terminal_recipe_runs_as_written() {
    run_recipe("docs/shm-sysv.md", "## Three terminals", "terminal ");
    run_recipe("docs/zh/shm-sysv.md", "## 三个终端", "终端 ");
}

// The matcher itself, on lines of the kinds the suite compares.

#[test]
fn widths_names_and_wildcards() {
    let users = vec!["ipclabstudent7".to_string(), "ipclabstud".to_string()];
    let row = "0x27011c6c 131114     ipclabstud 666        4100       1";
    assert!(line_match("0x[..] [..] [USER] 666 4100 1", row, &users));
    assert!(!line_match("0x[..] [..] [USER] 666 4100 0", row, &users));
    // Indentation is compared as it is.
    assert!(!line_match("  You wrote: x", "   You wrote: x", &users));
    let a = ["a", "b", "c", "d"];
    assert!(match_lines(&a, &["a", "...", "d"], &users).is_ok());
    assert!(match_lines(&a, &["a", "...", "c"], &users).is_err());
    assert!(match_lines(&a, &["...", "a", "b", "c", "d"], &users).is_ok());
}

#[test]
fn redaction_of_a_page_and_a_run() {
    // The page's user and the one running the test (whoever that is) both become USER.
    let me = user_names().remove(0);
    let page = "0x27011c6c 32768      isscg      666          4100          1";
    let run = format!("0x2700f335 46         {me}       666        4100       1");
    assert_eq!(redact(page, &["isscg"]), redact(&run, &["isscg"]));
    assert_eq!(redact("shmid = 46 removed ", &[]), "shmid = N removed ");
    // A word that only contains hex letters is not a number.
    assert_eq!(redact("cafe added", &[]), "cafe added");
}
