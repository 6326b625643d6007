//! Pages loaded in headless Chromium: the page's script writes its findings as JSON into
//! `<pre id="out">`, and the DOM Chromium dumps gives them back.

use std::path::Path;

/// Load `file` (with the `extra` Chromium flags) and give what its script wrote into
/// `<pre id="out">`, HTML entities undone; `Err(the DOM)` when it wrote nothing.
pub fn chromium_out(file: &Path, extra: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .args(extra)
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = dom
        .split("<pre id=\"out\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .filter(|j| !j.is_empty())
        .ok_or_else(|| dom.clone())?;
    Ok(json
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&"))
}
