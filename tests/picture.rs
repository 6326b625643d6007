//! Pictures readable without a mouse: on every demo's page (the tour's gallery, a merged
//! two-terminal run, the bounded buffer), headless Chromium lays the SVG out and a script
//! measures every text's box (getBBox) against every other text, every call's dot, every
//! band (a lane, an object's life), every blocked bar and flag mark: none may overlap.

use crate::common::*;

/// The script: for each <svg>, the overlaps it finds and what it measured, as JSON in
/// <pre id="out">.
const CHECK: &str = r#"
<script>
const out = [];
document.querySelectorAll('svg').forEach((svg, n) => {
  const box = (el, pad) => {
    const b = el.getBBox();
    const w = parseFloat(el.getAttribute('stroke-width') || '0') / 2;
    const grow = (el.tagName === 'line') ? w : 0;
    return {x0: b.x - grow - pad, y0: b.y - grow - pad, x1: b.x + b.width + grow + pad,
            y1: b.y + b.height + grow + pad, what: el.tagName + ':' + (el.textContent || el.getAttribute('class') || '')};
  };
  const hit = (a, b) => a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
  const texts = [...svg.querySelectorAll('text')].map(t => box(t, 0));
  const things = [...svg.querySelectorAll('circle.call, line.band, rect.band, rect.blocked, path.mark')].map(t => box(t, 0));
  const overlaps = [];
  texts.forEach((a, i) => {
    texts.slice(i + 1).forEach(b => { if (hit(a, b)) overlaps.push(a.what + ' / ' + b.what); });
    things.forEach(b => { if (hit(a, b)) overlaps.push(a.what + ' / ' + b.what); });
  });
  out.push({page: svg.getAttribute('data-page'), texts: texts.length, things: things.length, overlaps});
});
document.getElementById('out').textContent = JSON.stringify(out);
</script>"#;

/// Every <svg> of `pages`, in one document with the script; what the script found.
fn measure(pages: &[std::path::PathBuf], scratch: &Scratch) -> serde_json::Value {
    let mut doc = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>");
    for p in pages {
        let text = std::fs::read_to_string(p).unwrap();
        let start = text.find("<svg").expect("an svg");
        let end = text.rfind("</svg>").expect("an svg's end") + 6;
        let name = p.file_name().unwrap().to_string_lossy();
        doc.push_str(&text[start..end].replacen(
            "<svg ",
            &format!("<svg data-page=\"{name}\" "),
            1,
        ));
    }
    doc.push_str("<pre id=\"out\"></pre>");
    doc.push_str(CHECK);
    doc.push_str("</body></html>");
    let file = scratch.path("check.html");
    std::fs::write(&file, doc).unwrap();
    let json = chromium_out(&file, &["--virtual-time-budget=10000"])
        .unwrap_or_else(|dom| panic!("no result from Chromium: {dom}"));
    serde_json::from_str(&json).unwrap()
}

#[test]
fn no_label_covers_a_dot_a_band_or_another_label_on_any_demo_page() {
    if skip_without("chromium") {
        return;
    }
    let s = Scratch::new("picture");
    // Every demo, as the tour runs it: one page per step.
    let gallery = s.path("gallery");
    ipclab()
        .args(["tour", "--timeline"])
        .arg(&gallery)
        .env("TMPDIR", &s.dir)
        .timeout(patience(std::time::Duration::from_secs(120)))
        .succeeds();
    let mut pages: Vec<_> = std::fs::read_dir(&gallery)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != "index.html"))
        .collect();
    pages.sort();
    assert!(pages.len() >= 15, "{pages:?}");
    // Two terminals merged: msg-server and msg-client, a wait then quick hand-offs.
    let (kf, _) = s.keyfile("msg.key", b'z');
    let kp = kf.display().to_string();
    let mut server = Running::start({
        let mut c = cmd();
        c.current_dir(&s.dir).args([
            "--timeline",
            "srv.json",
            "msg-server",
            "--path",
            &kp,
            "--count",
            "2",
        ]);
        c
    });
    server.wait_for("My pid is");
    for _ in 0..2 {
        ipclab()
            .current_dir(&s.dir)
            .args(["--timeline", "cli.json", "msg-client", "--path", &kp])
            .succeeds();
    }
    let (st, _, err) = server.finish();
    assert!(st.success(), "{err}");
    ipclab()
        .current_dir(&s.dir)
        .args([
            "timeline",
            "merge",
            "srv.json",
            "cli.json",
            "-o",
            "merged.html",
        ])
        .succeeds();
    pages.push(s.path("merged.html"));
    // The bounded buffer, long enough to be dense.
    ipclab()
        .current_dir(&s.dir)
        .args(["--timeline", "ring.html", "shmpthreadcon", "--items", "200"])
        .succeeds();
    pages.push(s.path("ring.html"));
    let found = measure(&pages, &s);
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), pages.len());
    let (mut texts, mut things) = (0, 0);
    for page in found {
        let overlaps = page["overlaps"].as_array().unwrap();
        assert!(overlaps.is_empty(), "{}: {overlaps:#?}", page["page"]);
        texts += page["texts"].as_u64().unwrap();
        things += page["things"].as_u64().unwrap();
    }
    eprintln!(
        "picture: {} pages, {texts} texts measured against each other and {things} dots, bands, bars and marks: no overlap",
        found.len()
    );
    // Each gallery page says its step; the bounded buffer's page plots the buffer.
    let titles: Vec<String> = pages
        .iter()
        .filter(|p| p.starts_with(&gallery))
        .map(|p| {
            let t = std::fs::read_to_string(p).unwrap();
            t.split("<h1>")
                .nth(1)
                .unwrap()
                .split("</h1>")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut unique = titles.clone();
    unique.dedup();
    assert_eq!(unique.len(), titles.len(), "{titles:#?}");
    let ring = std::fs::read_to_string(s.path("ring.html")).unwrap();
    for part in [
        "class=\"ring-fill\"",
        "class=\"ring-in\"",
        "class=\"ring-out\"",
        "the buffer (10 slots)",
    ] {
        assert!(ring.contains(part), "{part}");
    }
}
