//! The shape of the program, checked: every `crate::…` and `super::…` path in src/ is read
//! (comments left out) and resolved to the module it names, giving a graph of modules
//! (one per file). Two rules hold (see ARCHITECTURE.md):
//!
//! 1. **Layers.** A top-level module uses only modules of its own layer or below:
//!    sys < layout, units, escape, env < error, out, trace < process < objects <
//!    protocols < demos < tools, bench < cli. Nothing in src/sys names anything outside it.
//! 2. **No circle.** No two modules reach each other through their paths, a module's use
//!    of its own ancestors (`super::Args` from a file of the folder that defines it) aside:
//!    that is the folder's front door, not a circle.
//!
//! A new arrow up or a new circle fails here with the files and paths that make it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LAYERS: &[&[&str]] = &[
    &["sys"],
    &["layout", "units", "escape", "env"],
    &["error", "out", "trace"],
    &["process"],
    &["objects"],
    &["protocols"],
    &["demos"],
    &["tools", "bench"],
    &["cli"],
];

fn layer(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top))
}

/// Every .rs file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: src/tools/check/mod.rs → ["tools", "check"].
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file without its comments (line comments and doc comments).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string (a URL) is rare in paths' lines; good enough here.
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names: `crate::a::b` and `super::super::c`, each as module words.
fn paths(module: &[String], code: &str) -> Vec<Vec<String>> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let text = code;
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0
                && text[..at]
                    .chars()
                    .last()
                    .is_some_and(|c| ident(c) || c == '$')
            {
                continue;
            }
            // Read `a::b::c` (stopping at `{`, a space, `(`…).
            let rest = &text[at..];
            let words: Vec<String> = rest
                .split("::")
                .map(|w| w.chars().take_while(|&c| ident(c)).collect::<String>())
                .take_while(|w| !w.is_empty())
                .collect();
            let resolved = match words.first().map(String::as_str) {
                Some("crate") => words[1..].to_vec(),
                Some("super") => {
                    // Each `super` is one module up (the module of a/b/c.rs is a::b::c, of
                    // a/b/mod.rs a::b: their `super` is a::b and a).
                    let mut base: Vec<String> = module.to_vec();
                    let mut w = &words[..];
                    while w.first().is_some_and(|x| x == "super") {
                        base.pop();
                        w = &w[1..];
                    }
                    base.extend(w.iter().cloned());
                    base
                }
                _ => continue,
            };
            out.push(resolved);
        }
    }
    out
}

#[test]
fn no_arrow_goes_up_and_no_circle_closes() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let modules: BTreeSet<Vec<String>> = all.iter().map(|f| module_of(&src, f)).collect();
    // The graph: module → (module it names, the file and path that name it).
    let mut edges: BTreeMap<Vec<String>, BTreeMap<Vec<String>, String>> = BTreeMap::new();
    for f in &all {
        let m = module_of(&src, f);
        if m.is_empty() || m == ["bin", "ipclab"] {
            continue; // lib.rs and the binary: the roots
        }
        let text = std::fs::read_to_string(f).unwrap();
        for p in paths(&m, &code(&text)) {
            // The longest prefix that is a module of ours.
            let target = (1..=p.len())
                .rev()
                .map(|n| p[..n].to_vec())
                .find(|c| modules.contains(c));
            let Some(t) = target else { continue };
            if t == m || t.is_empty() {
                continue;
            }
            edges
                .entry(m.clone())
                .or_default()
                .entry(t)
                .or_insert_with(|| format!("{} names {}", f.display(), p.join("::")));
        }
    }
    // Rule 1: layers.
    let mut up = Vec::new();
    for (from, tos) in &edges {
        let lf = layer(&from[0]);
        for (to, why) in tos {
            let lt = layer(&to[0]);
            if let (Some(a), Some(b)) = (lf, lt) {
                if b > a || (from[0] == "sys" && to[0] != "sys") {
                    up.push(why.clone());
                }
            }
        }
    }
    assert!(up.is_empty(), "arrows up the layers:\n{}", up.join("\n"));
    // Rule 2: no circle (an arrow to one's own ancestor aside).
    let ancestor = |a: &Vec<String>, b: &Vec<String>| b.len() < a.len() && a.starts_with(b);
    let next = |m: &Vec<String>| -> Vec<Vec<String>> {
        edges
            .get(m)
            .map(|t| t.keys().filter(|t| !ancestor(m, t)).cloned().collect())
            .unwrap_or_default()
    };
    let mut circles = Vec::new();
    for start in edges.keys() {
        // Can `start` reach itself?
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(Vec<String>, Vec<Vec<String>>)> = vec![(start.clone(), vec![])];
        while let Some((m, path)) = stack.pop() {
            for n in next(&m) {
                let mut p = path.clone();
                p.push(n.clone());
                if &n == start {
                    let names: Vec<String> = std::iter::once(start)
                        .chain(p.iter())
                        .map(|m| m.join("::"))
                        .collect();
                    circles.push(names.join(" → "));
                } else if seen.insert(n.clone()) {
                    stack.push((n, p));
                }
            }
        }
    }
    circles.sort();
    circles.dedup();
    assert!(circles.is_empty(), "circles:\n{}", circles.join("\n"));
    let count: usize = edges.values().map(BTreeMap::len).sum();
    eprintln!(
        "layers: {} modules, {count} arrows, none up the layers, no circle",
        modules.len()
    );
}
