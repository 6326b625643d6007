//! `--timeline` on every multi-process demo that runs in one command: the page has a lane
//! per process of the `--trace` of the same run, a spawn arrow per child, a dot per call.

use crate::common::*;

#[test]
fn every_one_command_demo_draws_what_it_traced() {
    let s = Scratch::new("tl-demos");
    let (key, _) = s.keyfile("key", b'\'');
    let k = key.to_str().unwrap();
    let name = shm_name("tl-demos");
    // The file `mmap-file fork` maps, as the notes prepare english.txt.
    std::fs::write(s.path("english.txt"), "The quick brown fox.\n").unwrap();
    let demos: Vec<(Vec<&str>, &[u8])> = vec![
        (vec!["shmcon", k, "--interval", "10ms"], b"hi\nend\n"),
        (vec!["shmcon", k, "--sync", "sem"], b"hi\nend\n"),
        (vec!["shmpthreadcon", &name], b""),
        (
            vec!["shmpthreadcon", &name, "--items", "300", "--sync", "sem"],
            b"",
        ),
        (vec!["pipe"], b""),
        (vec!["sem-demo", "--delay", "10ms"], b""),
        (vec!["mmap-anon"], b""),
        (vec!["mmap-file", "demo"], b""),
        (vec!["mmap-file", "fork"], b""),
    ];
    let chromium = !skip_without("chromium");
    for (i, (args, input)) in demos.iter().enumerate() {
        let page = s.path(&format!("{i}.html"));
        let out = ipclab()
            .current_dir(&s.dir)
            .env("IPCLAB_STATE_DIR", s.state())
            .args(["--trace", "--timeline"])
            .arg(&page)
            .args(args)
            .write_stdin(*input)
            .timeout(patience(std::time::Duration::from_secs(60)))
            .succeeds();
        let err = String::from_utf8(out.stderr).unwrap();
        let trace: Vec<&str> = err.lines().filter(|l| l.starts_with('[')).collect();
        let mut pids: Vec<&str> = trace
            .iter()
            .map(|l| {
                l[1..]
                    .split(']')
                    .next()
                    .unwrap()
                    .rsplit(' ')
                    .next()
                    .unwrap()
            })
            .collect();
        pids.sort();
        pids.dedup();
        let html = std::fs::read_to_string(&page).unwrap();
        let count = |class: &str| html.matches(&format!("class=\"{class}\"")).count();
        assert_eq!(count("lane"), pids.len(), "{args:?}: {err}");
        assert_eq!(count("spawn"), pids.len() - 1, "{args:?}");
        assert_eq!(
            count("call"),
            trace.len().min(2000 * pids.len()),
            "{args:?}"
        );
        for pid in &pids {
            assert!(
                html.contains(&format!("data-pid=\"{pid}\"")),
                "{args:?}: {pid}"
            );
        }
        assert_eq!(count("leak"), 0, "{args:?}: an object drawn as left behind");
        // Headless Chromium loads the page (no console message) and takes its picture.
        if chromium {
            let shot = s.path(&format!("{i}.png"));
            let out = std::process::Command::new("chromium")
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--enable-logging=stderr",
                ])
                .args([
                    "--window-size=1280,720",
                    &format!("--screenshot={}", shot.display()),
                ])
                .arg(format!("file://{}", page.display()))
                .output()
                .unwrap();
            let log = String::from_utf8_lossy(&out.stderr);
            assert!(
                shot.exists() && !log.contains(":CONSOLE"),
                "{args:?}: {log}"
            );
        }
        // The slide's flag (two lines typed: two hand-offs, each flag set and seen) and the
        // pipe's bytes get their arrows too.
        match i {
            0 => assert_eq!((count("handoff"), count("mark")), (2, 4), "{args:?}"),
            4 => assert_eq!(count("handoff"), 1, "{args:?}"),
            _ => {}
        }
    }
    assert!(!dev_shm_has(&name));
}
