//! `--show`: the bounded buffer drawn while it runs; piped, one frame per line, whose
//! numbers must agree with the items consumed and with each other.

use crate::common::*;

/// Check every "took item" frame of `text` for a buffer of `n` slots: items in order from
/// 0, `out` one past the item's slot, fill = (in - out) mod n, drawn as that many `#`.
fn check_frames(text: &str, n: u64, items: u64) {
    let frames: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("took item"))
        .collect();
    assert_eq!(frames.len() as u64, items, "{text}");
    for (k, f) in frames.iter().enumerate() {
        let num = |key: &str| -> u64 {
            let rest = f
                .split(key)
                .nth(1)
                .unwrap_or_else(|| panic!("{key} in {f}"));
            rest.split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        assert_eq!(num("took item "), k as u64, "{f}");
        let (inp, out, fill) = (num("in="), num("out="), num("fill "));
        assert_eq!(out, (k as u64 + 1) % n, "{f}");
        assert_eq!(fill, (inp + n - out) % n, "{f}");
        assert!(fill < n, "{f}");
        let slots = f.split('[').nth(1).unwrap().split(']').next().unwrap();
        assert_eq!(slots.len() as u64, n, "{f}");
        assert_eq!(slots.matches('#').count() as u64, fill, "{f}");
        let waiting = f.split("waiting: ").nth(1).unwrap();
        match fill {
            0 => assert!(waiting.starts_with("consumer"), "{f}"),
            x if x == n - 1 => assert!(waiting.starts_with("producer"), "{f}"),
            // Taken from a full buffer: the producer waited for this slot.
            x if x + 2 == n && waiting.starts_with("producer until this take") => {}
            _ => assert_eq!(waiting, "nobody", "{f}"),
        }
    }
}

#[test]
fn show_draws_frames_that_agree_with_the_items() {
    // 40 items through a buffer of 6 slots, under NAME.
    let forty = |name: &str| {
        let mut c = ipclab();
        c.args(["shmpthreadcon", name, "--items", "40", "--buffer-size", "6"]);
        c
    };
    for (sync, delay) in [("spin", "--delay"), ("sem", "--producer-delay")] {
        let name = shm_name(&format!("show-{sync}"));
        let out = forty(&name)
            .args(["--sync", sync, "--show", delay, "2ms"])
            .timeout(patience(std::time::Duration::from_secs(60)))
            .succeeds();
        let text = String::from_utf8(out.stdout).unwrap();
        check_frames(&text, 6, 40);
        // A slow consumer fills the buffer; a slow producer empties it.
        let want = if delay == "--delay" {
            "waiting: producer"
        } else {
            "waiting: consumer"
        };
        assert!(text.contains(want), "{sync}: {text}");
        assert!(text.contains("consumed 40 items"), "{text}");
        assert!(!dev_shm_has(&name));
    }
    // Without --show nothing is drawn.
    let out = forty(&shm_name("show-off")).succeeds();
    assert!(!String::from_utf8(out.stdout).unwrap().contains("took item"));
}

#[test]
fn in_an_80_by_24_terminal_frames_redraw_in_place_and_lines_stand_alone() {
    if skip_without("tmux") {
        return;
    }
    let s = Scratch::new("show-tmux");
    let session = format!("ipclab-show-{}", std::process::id());
    let tmux = |args: &[&str]| {
        let out = std::process::Command::new("tmux")
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    struct Kill<'a>(&'a str);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("tmux")
                .args(["kill-session", "-t", self.0])
                .output();
        }
    }
    let command = format!(
        "cd {} && IPCLAB_STATE_DIR={} {} shmpthreadcon --items 20 --show --delay 20ms; echo SHOW-DONE; sleep 60",
        s.dir.display(),
        s.state().display(),
        bin().display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "80",
        "-y",
        "24",
        "sh",
        "-c",
        &command,
    ]);
    let _kill = Kill(&session);
    // -J joins lines the terminal wrapped: a frame that wrapped would show as a long line.
    let screen = || tmux(&["capture-pane", "-p", "-J", "-t", &session]);
    wait_until(60, "the run to end in its pane", || {
        screen().contains("SHOW-DONE")
    });
    let text = screen();
    eprintln!("{text}");
    let frames: Vec<&str> = text.lines().filter(|l| l.contains(" in=")).collect();
    assert_eq!(frames.len(), 1, "one frame, redrawn in place: {text}");
    assert!(
        frames[0].starts_with("took item 19 ") && frames[0].chars().count() < 80,
        "{text}"
    );
    assert!(text.lines().any(|l| l == "produced 20 items"), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("consumed 20 items")),
        "{text}"
    );
}
