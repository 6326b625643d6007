//! `--timeline run.mmd`: a Mermaid sequence diagram that renders. The `mermaid` package of
//! the npm registry (tests/mermaid/package.json, installed by .ci/run with `npm ci`) draws
//! each diagram in headless Chromium; a parse error, or a diagram without its processes and
//! hand-offs, fails. Skipped, saying so, where npm or Chromium is missing.

use crate::common::*;

/// Render each (name, text) with mermaid in Chromium: per diagram, "ok N" (N texts drawn)
/// or the error.
fn render(diagrams: &[(String, String)], s: &Scratch) -> serde_json::Value {
    let lib = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mermaid/node_modules/mermaid/dist/mermaid.min.js");
    let list = serde_json::to_string(diagrams)
        .unwrap()
        .replace("</", "<\\/");
    let page = format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><script src="file://{}"></script></head><body><pre id="out"></pre><script>
mermaid.initialize({{startOnLoad: false, securityLevel: 'strict'}});
(async () => {{
  const out = [];
  let n = 0;
  for (const [name, text] of {list}) {{
    try {{
      const {{svg}} = await mermaid.render('d' + (n++), text);
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      out.push({{name, texts: [...doc.querySelectorAll('text')].map(t => t.textContent)}});
    }} catch (e) {{
      out.push({{name, error: String(e && e.message || e)}});
    }}
  }}
  document.getElementById('out').textContent = JSON.stringify(out);
}})();
</script></body></html>"#,
        lib.display()
    );
    let file = s.path("mermaid.html");
    std::fs::write(&file, page).unwrap();
    let json = chromium_out(
        &file,
        &[
            "--allow-file-access-from-files",
            "--virtual-time-budget=20000",
        ],
    )
    .unwrap_or_else(|dom| panic!("mermaid gave no result: {dom}"));
    serde_json::from_str(&json).unwrap()
}

#[test]
fn a_run_as_a_mermaid_diagram_renders_with_its_processes_and_hand_offs() {
    let lib = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mermaid/node_modules/mermaid/dist/mermaid.min.js");
    if skip_without("chromium") {
        return;
    }
    if !lib.exists() {
        skipped(
            "timeline_mermaid: the mermaid package is not installed (cd tests/mermaid && npm ci; .ci/run does it)",
        );
        return;
    }
    let s = Scratch::new("mermaid");
    // One command's run: the slide's fix, a semaphore pair.
    let (kf, _) = s.keyfile("shm.key", 0x27);
    ipclab()
        .current_dir(&s.dir)
        .args(["--timeline", "shmcon.mmd", "shmcon"])
        .arg(&kf)
        .args(["--sync", "sem", "--interval", "10ms"])
        .write_stdin("hello\nend\n")
        .succeeds();
    // Two terminals merged: a message queue.
    let (mk, _) = s.keyfile("msg.key", b'z');
    let mk = mk.display().to_string();
    let mut server = Running::start({
        let mut c = cmd();
        c.current_dir(&s.dir).args([
            "--timeline",
            "srv.json",
            "msg-server",
            "--path",
            &mk,
            "--count",
            "1",
        ]);
        c
    });
    server.wait_for("My pid is");
    ipclab()
        .current_dir(&s.dir)
        .args(["--timeline", "cli.json", "msg-client", "--path", &mk])
        .succeeds();
    let (st, _, err) = server.finish();
    assert!(st.success(), "{err}");
    ipclab()
        .current_dir(&s.dir)
        .args(["timeline", "merge", "srv.json", "cli.json", "-o", "msg.mmd"])
        .succeeds();
    let diagrams: Vec<(String, String)> = ["shmcon.mmd", "msg.mmd"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read_to_string(s.path(f)).unwrap()))
        .collect();
    for (name, text) in &diagrams {
        assert!(text.starts_with("sequenceDiagram\n"), "{name}: {text}");
    }
    let found = render(&diagrams, &s);
    let want: [(&str, &[&str]); 2] = [
        (
            "shmcon.mmd",
            &[
                "shmcon",
                "shmread",
                "shmwrite",
                "semop V → semop P",
                "vfork + execv",
            ],
        ),
        (
            "msg.mmd",
            &["msg-server", "msg-client", "msgsnd → msgrcv", "creates msg"],
        ),
    ];
    for (d, (name, words)) in found.as_array().unwrap().iter().zip(want) {
        assert_eq!(d["name"], name);
        assert!(d.get("error").is_none(), "{name}: {}", d["error"]);
        let texts: Vec<&str> = d["texts"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t.as_str())
            .collect();
        for w in words {
            assert!(
                texts.iter().any(|t| t.contains(w)),
                "{name}: no {w:?} in {texts:?}"
            );
        }
    }
}
