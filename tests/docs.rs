//! The docs: one page per demo in English and Chinese, with the parts each page promises.

use std::path::Path;

const DEMO_PAGES: [&str; 9] = [
    "shm-sysv.md",
    "sysv-student.md",
    "shm-posix.md",
    "mmap.md",
    "pipe.md",
    "fifo.md",
    "msg.md",
    "sem.md",
    "shm-msg.md",
];

fn read(p: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(p))
        .unwrap_or_else(|_| panic!("{p} is missing"))
}

#[test]
fn every_demo_page_exists_in_both_languages_with_its_parts() {
    for page in DEMO_PAGES {
        for (dir, parts) in [
            (
                "docs",
                [
                    "## What it teaches",
                    "## System calls",
                    "## What ipclab fixes",
                    "## Exercises",
                ],
            ),
            (
                "docs/zh",
                [
                    "## 讲什么",
                    "## 系统调用",
                    "## ipclab 修正了什么",
                    "## 练习",
                ],
            ),
        ] {
            let text = read(&format!("{dir}/{page}"));
            for part in parts {
                assert!(text.contains(part), "{dir}/{page} lacks {part}");
            }
            assert!(text.contains("```console"), "{dir}/{page}: no run shown");
            let exercises = text.split(parts[3]).nth(1).unwrap();
            for n in ["1. ", "2. ", "3. "] {
                assert!(exercises.contains(n), "{dir}/{page}: exercise {n}missing");
            }
            assert!(
                exercises.contains("<details>") && exercises.contains("</details>"),
                "{dir}/{page}: answers not hidden"
            );
        }
    }
    for page in [
        "c-to-rust.md",
        "troubleshooting.md",
        "tools.md",
        "bench.md",
        "README.md",
    ] {
        read(&format!("docs/{page}"));
        read(&format!("docs/zh/{page}"));
    }
    let troubleshooting = read("docs/troubleshooting.md");
    for topic in ["EINVAL", "left behind", "EACCES", "ENOSPC", "RemoveIPC"] {
        assert!(
            troubleshooting.contains(topic),
            "troubleshooting lacks {topic}"
        );
    }
    let readme = read("README.md");
    assert!(readme.contains("docs/README.md") && readme.contains("docs/zh/README.md"));
}

#[test]
fn the_c_map_covers_every_algorithm() {
    let map = read("docs/c-to-rust.md");
    for alg in ["8-0", "8-1", "8-2", "8-3", "8-4", "8-5", "8-6"] {
        assert!(map.contains(&format!("## Algorithm {alg}")), "{alg}");
    }
}

/// Where `a::b::item` can live: files whose path ends with `a/b.rs` or `a/b/mod.rs`, or the
/// type `b`'s file (`Ring::produce`: a file with `struct Ring` and `fn produce`).
fn resolves(src: &[std::path::PathBuf], path: &str) -> bool {
    let parts: Vec<&str> = path.split("::").collect();
    let (item, mods) = parts.split_last().unwrap();
    let text = |f: &std::path::PathBuf| std::fs::read_to_string(f).unwrap_or_default();
    let defines = |t: &str, name: &str| {
        [
            "fn ", "struct ", "enum ", "trait ", "mod ", "const ", "static ", "type ",
        ]
        .iter()
        .any(|k| t.contains(&format!("{k}{name}")))
            || t.contains(&format!("pub {name}:"))
    };
    let rel = |f: &std::path::PathBuf| f.to_string_lossy().replace(".rs", "");
    src.iter().any(|f| {
        let r = rel(f);
        let r = r.trim_end_matches("/mod");
        let module = mods.join("/");
        // `a::b` naming a module (a file), or `a::b::item` defined in module a::b
        (mods.is_empty()
            || r.ends_with(&format!("/{module}"))
            || r.ends_with(&format!("/{}", parts.join("/"))))
            && (r.ends_with(&format!("/{}", parts.join("/"))) || defines(&text(f), item))
            || mods.last().is_some_and(|t| {
                t.chars().next().is_some_and(char::is_uppercase)
                    && defines(&text(f), t)
                    && defines(&text(f), item)
            })
    })
}

#[test]
fn every_rust_path_and_file_the_docs_name_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = walk(&root.join("src"));
    // The check itself can fail.
    assert!(resolves(&src, "sys::ipc::shmget") && resolves(&src, "Ring::produce"));
    assert!(!resolves(&src, "sys::ipc::no_such_call") && !resolves(&src, "segment::Owned::remove"));
    let mut missing = Vec::new();
    let mut pages: Vec<std::path::PathBuf> = walk(&root.join("docs"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.push(root.join("README.md"));
    pages.push(root.join("ARCHITECTURE.md"));
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for (n, code) in text.split('`').enumerate().filter(|(n, _)| n % 2 == 1) {
            let _ = n;
            // `src/...rs` files, and Rust paths of ours (`sys::ipc::shmget`, not std's).
            if code.starts_with("src/") && code.ends_with(".rs") {
                if !root.join(code).exists() {
                    missing.push(format!("{}: {code}", page.display()));
                }
                continue;
            }
            let ours = code.contains("::")
                && !code.contains(' ')
                && !code.contains('(')
                && !code.starts_with("std::")
                && !code.starts_with("nix::")
                && !code.starts_with("libc::")
                && code
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == ':');
            if ours && !resolves(&src, code) {
                missing.push(format!("{}: {code}", page.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the docs name what src/ does not have:\n{}",
        missing.join("\n")
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v
}
