//! Completions, man pages, and help that teaches.

use crate::common::*;

#[test]
fn man_pages_in_docs_are_up_to_date() {
    let s = Scratch::new("man");
    ipclab().arg("man").arg(&s.dir).assert().success();
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man");
    let mut made: Vec<_> = std::fs::read_dir(&s.dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    made.sort();
    assert!(made.len() > 20);
    for f in &made {
        let fresh = std::fs::read(s.dir.join(f)).unwrap();
        // Every page says how it ends, what it reads and writes, and what it heeds.
        let text = String::from_utf8_lossy(&fresh);
        for section in [
            ".SH \"EXIT STATUS\"",
            ".SH FILES",
            ".SH ENVIRONMENT",
            "IPCLAB_STATE_DIR",
            "objects.tsv",
            "NO_COLOR",
        ] {
            assert!(text.contains(section), "{f:?} lacks {section}");
        }
        let kept = std::fs::read(docs.join(f)).unwrap_or_default();
        assert!(
            fresh == kept,
            "docs/man/{} is stale: regenerate with `cargo run -- man docs/man`",
            f.to_string_lossy()
        );
    }
    let kept = std::fs::read_dir(&docs).unwrap().count();
    assert_eq!(
        kept,
        made.len(),
        "docs/man has pages for applets that no longer exist"
    );
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = ipclab().args(["completions", shell]).succeeds();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("shmcon") && text.contains("msg-server"),
            "{shell}"
        );
    }
    let out = ipclab().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The completion script of `shell`, in a file of this test.
fn script(s: &Scratch, shell: &str) -> String {
    let out = ipclab().args(["completions", shell]).succeeds();
    let p = s.path(&format!("ipclab.{shell}"));
    std::fs::write(&p, out.stdout).unwrap();
    p.display().to_string()
}

/// Run `code` in `shell` (none of the user's start-up files) and give its stdout.
fn in_shell(shell: &str, args: &[&str], code: &str, home: &std::path::Path) -> String {
    let out = std::process::Command::new(shell)
        .args(args)
        .arg(code)
        .env("HOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{shell}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_linked_name_completes_as_its_applet_does() {
    let s = Scratch::new("completions");
    // bash: what <TAB> offers after `shmread --in` and `mmap-file w`.
    if have_or_skip("bash") {
        let f = script(&s, "bash");
        let got = in_shell(
            "bash",
            &["--norc", "--noprofile", "-c"],
            &format!(
                "source {f}; complete -p ls 2>/dev/null | grep -q _ipclab && echo LS; \
                 COMP_WORDS=(shmread --in); COMP_CWORD=1; _shmread shmread --in shmread; echo \"${{COMPREPLY[@]}}\"; \
                 COMP_WORDS=(mmap-file w); COMP_CWORD=1; _mmap__file mmap-file w mmap-file; echo \"${{COMPREPLY[@]}}\""
            ),
            &s.dir,
        );
        assert_eq!(got, "--interval\nwrite\n", "bash");
    }
    // zsh: each linked name has its completion function.
    if have_or_skip("zsh") {
        let f = script(&s, "zsh");
        let got = in_shell(
            "zsh",
            &["-f", "-c"],
            &format!("autoload -U compinit; compinit -u -D; source {f}; print ${{_comps[shmread]}} ${{_comps[fifo-read]}} ${{_comps[ls]:-none}}"),
            &s.dir,
        );
        // `ls` keeps the system's completion (or none): the tools get no script.
        let words: Vec<&str> = got.split_whitespace().collect();
        assert!(
            words[..2] == ["_shmread", "_fifo-read"] && ["_ls", "none"].contains(&words[2]),
            "zsh: {got}"
        );
    }
    // fish: `complete -C` shows what <TAB> would offer.
    if have_or_skip("fish") {
        let f = script(&s, "fish");
        let got = in_shell(
            "fish",
            &["--no-config", "-c"],
            &format!("source {f}; complete -C 'shmread --in'; complete -C 'mmap-file w'"),
            &s.dir,
        );
        assert!(
            got.starts_with("--interval\t") && got.contains("\nwrite\t"),
            "fish: {got}"
        );
    }
}

#[test]
fn every_applet_help_names_its_slide_and_ends_with_an_example() {
    let demos = [
        "shmcon",
        "shmread",
        "shmwrite",
        "shmpthreadcon",
        "shmproducer",
        "shmconsumer",
        "mmap-file",
        "mmap-anon",
        "pipe",
        "fifo-read",
        "fifo-write",
        "msg-server",
        "msg-client",
        "sem-demo",
        "shm-msg-server",
        "shm-msg-client",
        "ftok",
    ];
    let out = ipclab().arg("--help").output().unwrap();
    let top = String::from_utf8(out.stdout).unwrap();
    for applet in demos.iter().chain(&[
        "ls",
        "clean",
        "limits",
        "links",
        "completions",
        "man",
        "tour",
    ]) {
        let out = ipclab().args([applet, "--help"]).succeeds();
        let text = String::from_utf8(out.stdout).unwrap();
        let last = text.trim_end().lines().last().unwrap();
        assert!(
            last.starts_with("Example") && last.contains("ipclab "),
            "{applet}: {last}"
        );
        assert!(
            top.contains(&format!("  {applet}")),
            "{applet} missing from ipclab --help"
        );
        if demos.contains(applet) {
            let first = text.lines().next().unwrap();
            // A title students saw in class: the slide's algorithm, the blog's section or
            // the notes' example; never an internal "seed N".
            assert!(
                ["Algorithm 8-", "IPC全解析", "notes", "ftok() note"]
                    .iter()
                    .any(|t| first.contains(t))
                    && !first.to_lowercase().contains("seed"),
                "{applet}: the first line names no slide: {first}"
            );
        }
    }
}
