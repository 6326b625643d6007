//! `--timeline FILE`: every process of a run recorded, the picture and the Trace Event JSON
//! agree with `--trace` of the same run, nothing of the recording is left behind, and the
//! page is self-contained (headless Chromium loads it when it is installed: .ci/run does).

use crate::common::*;
use serde_json::Value;

/// Run shmcon --sync sem with `--trace` and `--timeline FILE` in a private TMPDIR: the
/// trace lines (stderr) and the output.
fn shmcon_run(s: &Scratch, file: &str) -> (Vec<String>, std::process::Output) {
    let (key, _) = s.keyfile("key", b'\'');
    let tmp = s.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let out = ipclab()
        .env("TMPDIR", &tmp)
        .args(["--trace", "--timeline"])
        .arg(s.path(file))
        .args(["shmcon", "--sync", "sem"])
        .arg(&key)
        .write_stdin("hello\nworld\nend\n")
        .timeout(patience(std::time::Duration::from_secs(30)))
        .succeeds();
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    let trace: Vec<String> = err
        .lines()
        .filter(|l| l.starts_with('['))
        .map(|l| l.split_once("] ").unwrap().1.to_string())
        .collect();
    // The recording directory went with the run.
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    assert!(err.contains("timeline: "), "{err}");
    (trace, out)
}

#[test]
fn the_json_is_trace_event_format_and_matches_the_trace() {
    let s = Scratch::new("tl-json");
    let (trace, _) = shmcon_run(&s, "run.json");
    let v: Value = serde_json::from_slice(&std::fs::read(s.path("run.json")).unwrap()).unwrap();
    let ev = v["traceEvents"].as_array().unwrap();
    for e in ev {
        for k in ["ph", "pid", "tid", "name"] {
            assert!(e.get(k).is_some(), "{k} missing in {e}");
        }
        if e["ph"] != "M" {
            assert!(e["ts"].as_f64().unwrap() >= 0.0, "{e}");
        }
    }
    // One process name per process: the controller and its two children.
    let mut names: Vec<String> = ev
        .iter()
        .filter(|e| e["ph"] == "M")
        .map(|e| {
            e["args"]["name"]
                .as_str()
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["shmcon", "shmread", "shmwrite"]);
    // Every traced call is an event, in the same order per process.
    let calls: Vec<&Value> = ev.iter().filter(|e| e["cat"] == "ipc").collect();
    assert_eq!(calls.len(), trace.len(), "{trace:#?}");
    let mut recorded: Vec<&str> = calls
        .iter()
        .map(|e| e["args"]["call"].as_str().unwrap())
        .collect();
    let mut traced: Vec<&str> = trace.iter().map(String::as_str).collect();
    recorded.sort();
    traced.sort();
    assert_eq!(recorded, traced);
    // Flows come in pairs: two spawns; the hand-offs of three messages under --sync sem
    // (writer V -> reader P three times, reader V -> writer P twice: the first P takes the
    // initial value).
    let flows = |cat: &str, ph: &str| {
        ev.iter()
            .filter(|e| e["cat"] == cat && e["ph"] == ph)
            .count()
    };
    assert_eq!((flows("spawn", "s"), flows("spawn", "f")), (2, 2));
    assert_eq!((flows("hand-off", "s"), flows("hand-off", "f")), (5, 5));
    let mut ids: Vec<u64> = ev
        .iter()
        .filter(|e| e["ph"] == "s" || e["ph"] == "f")
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    ids.sort();
    assert!(
        ids.chunks(2).all(|p| p[0] == p[1]),
        "unpaired flow ids {ids:?}"
    );
}

#[test]
fn the_page_and_the_picture_are_self_contained_and_complete() {
    let s = Scratch::new("tl-html");
    let (trace, _) = shmcon_run(&s, "run.html");
    let page = std::fs::read_to_string(s.path("run.html")).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>") && page.contains("<svg"),
        "{page}"
    );
    // Nothing to fetch, nothing to run.
    assert!(!page.contains("<script") && !page.contains("src="));
    assert_eq!(
        page.matches("http").count(),
        page.matches("http://www.w3.org/2000/svg").count()
    );
    let count = |class: &str| page.matches(&format!("class=\"{class}\"")).count();
    assert_eq!(count("lane"), 3);
    assert_eq!(count("spawn"), 2);
    assert_eq!(count("handoff"), 5);
    assert_eq!(count("call"), trace.len());
    // The segment and the semaphore set, both removed: no leak mark.
    assert_eq!(count("object"), 2);
    assert_eq!(count("leak"), 0);
    // The .svg is the same picture alone.
    let s2 = Scratch::new("tl-svg");
    shmcon_run(&s2, "run.svg");
    let svg = std::fs::read_to_string(s2.path("run.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.matches("class=\"lane\"").count() == 3);
    // Headless Chromium loads the page and renders the picture.
    if !skip_without("chromium") {
        let shot = s.path("run.png");
        let loaded = std::process::Command::new("chromium")
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
            .arg("--enable-logging=stderr")
            .arg(format!("file://{}", s.path("run.html").display()))
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&loaded.stdout);
        assert_eq!(dom.matches("class=\"lane\"").count(), 3, "{dom}");
        // No console message (an error would be one), no request for anything.
        let log = String::from_utf8_lossy(&loaded.stderr);
        assert!(!log.contains(":CONSOLE"), "{log}");
        let ok = std::process::Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--window-size=1280,720",
            ])
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", s.path("run.html").display()))
            .output()
            .unwrap();
        assert!(ok.status.success() && shot.exists(), "{ok:?}");
    }
}

#[test]
fn forked_children_and_bad_files() {
    let s = Scratch::new("tl-misc");
    // A plain fork (pipe, mmap-anon, sem-demo): the child writes into the parent's file.
    for demo in ["pipe", "mmap-anon", "sem-demo"] {
        let f = s.path(&format!("{demo}.json"));
        ipclab().args([demo, "--timeline"]).arg(&f).succeeds();
        let v: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        let procs = v["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["ph"] == "M")
            .count();
        assert_eq!(procs, 2, "{demo}");
    }
    // A name that says no format: a usage error, nothing run.
    let out = ipclab()
        .args(["pipe", "--timeline"])
        .arg(s.path("x.png"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(".html, .json, .svg or .mmd") && err.lines().count() == 1,
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // A symlink planted at FILE is not followed.
    let victim = s.path("victim");
    std::fs::write(&victim, "keep").unwrap();
    std::os::unix::fs::symlink(&victim, s.path("run.svg")).unwrap();
    let out = ipclab()
        .args(["pipe", "--timeline"])
        .arg(s.path("run.svg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    // IPCLAB_TIMELINE=FILE does the same as the flag.
    let f = s.path("env.json");
    ipclab().env("IPCLAB_TIMELINE", &f).arg("pipe").succeeds();
    assert!(f.exists());
}

#[test]
fn the_tour_draws_a_gallery_with_both_terminals_on_one_page() {
    let s = Scratch::new("tl-tour");
    let gallery = s.path("gallery");
    let tmp = s.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    // Its own state directory: sem-demo's default key file lives there.
    let out = ipclab()
        .env("TMPDIR", &tmp)
        .env("IPCLAB_STATE_DIR", s.state())
        .args(["tour", "msg", "--timeline"])
        .arg(&gallery)
        .timeout(patience(std::time::Duration::from_secs(120)))
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("tour complete"), "{text}");
    let index = std::fs::read_to_string(gallery.join("index.html")).unwrap();
    // One page per step of the section, each linked from the index.
    let pages: Vec<String> = std::fs::read_dir(&gallery)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "index.html")
        .collect();
    assert_eq!(pages.len(), 5, "{pages:?}");
    for p in &pages {
        assert!(index.contains(&format!("href=\"{p}\"")), "{p} not linked");
    }
    // The message queue step: the client and the server (the other terminal) on one page,
    // with the request and the reply as hand-offs.
    let msg = pages.iter().find(|p| p.contains("msg-client")).unwrap();
    let page = std::fs::read_to_string(gallery.join(msg)).unwrap();
    assert!(
        page.contains(">msg-server ") && page.contains(">msg-client "),
        "{page}"
    );
    assert_eq!(page.matches("class=\"handoff\"").count(), 2);
    // A pipe's and a FIFO's bytes: an arrow from each write to the read that got it.
    let page_of = |tag: &str| {
        let p = pages.iter().find(|p| p.contains(tag)).unwrap();
        std::fs::read_to_string(gallery.join(p)).unwrap()
    };
    assert_eq!(page_of("pipe").matches("class=\"handoff\"").count(), 1);
    assert_eq!(page_of("fifo").matches("class=\"handoff\"").count(), 3);
    // Nothing of the recordings is left.
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
}

#[test]
fn two_terminals_merged_on_one_axis() {
    let s = Scratch::new("tl-merge");
    let (key, _) = s.keyfile("k", b'z');
    let kp = key.to_str().unwrap();
    let (sj, cj) = (s.path("server.json"), s.path("client.json"));
    let mut server = started_in(
        &s.dir,
        &[
            "msg-server",
            "--path",
            kp,
            "--count",
            "1",
            "--timeline",
            sj.to_str().unwrap(),
        ],
    );
    server.wait_for("My pid is");
    let out = run_in(
        &s.dir,
        &[
            "msg-client",
            "--path",
            kp,
            "--timeline",
            cj.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let (st, _, _) = server.finish();
    assert!(st.success());
    let merged = s.path("run.html");
    ipclab()
        .args(["timeline", "merge"])
        .args([&sj, &cj])
        .arg("-o")
        .arg(&merged)
        .succeeds();
    let page = std::fs::read_to_string(&merged).unwrap();
    // Both processes, and the request and the reply between them as hand-offs.
    assert_eq!(page.matches("class=\"lane\"").count(), 2);
    assert!(page.contains(">msg-server ") && page.contains(">msg-client "));
    assert_eq!(page.matches("class=\"handoff\"").count(), 2);
    // The queue was created and removed in the run: a band, no leak mark.
    assert_eq!(page.matches("class=\"leak\"").count(), 0);
    // Not a timeline: one line, exit 1; one file: a usage error.
    ipclab()
        .args(["timeline", "merge"])
        .arg(&sj)
        .arg(&key)
        .arg("-o")
        .arg(s.path("x.html"))
        .fails_in_one_line();
    let out = ipclab()
        .args(["timeline", "merge"])
        .arg(&sj)
        .args(["-o", "x.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_gallery_is_never_written_through_a_link_or_into_another_users_directory() {
    let s = Scratch::new("tl-gallery-trust");
    let tour_into = |gallery: &std::path::Path| {
        ipclab()
            .env("IPCLAB_STATE_DIR", s.state())
            .args(["tour", "mmap", "--timeline"])
            .arg(gallery)
            .timeout(patience(std::time::Duration::from_secs(120)))
            .output()
            .unwrap()
    };
    // index.html planted as a link to a file of the user's: refused, the file unchanged.
    let gallery = s.path("gallery");
    std::fs::create_dir(&gallery).unwrap();
    let victim = s.path("victim");
    std::fs::write(&victim, "keep").unwrap();
    std::os::unix::fs::symlink(&victim, gallery.join("index.html")).unwrap();
    let out = tour_into(&gallery);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot write") && err.contains("index.html"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    // A directory another user owns: refused before the tour starts.
    if !skip_unless_root("a directory of another user's, for part of the test") {
        let theirs = s.path("theirs");
        std::fs::create_dir(&theirs).unwrap();
        nix::unistd::chown(&theirs, Some(65534.into()), None).unwrap();
        let out = tour_into(&theirs);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("not yours"), "{err}");
        assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 0);
    }
}
