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
    // Every function the map names exists in the source.
    for name in [
        "shmcon::show_segments",
        "controller::wait_children",
        "Handoff::wait_readable",
        "posix::size_object",
        "Ring::produce",
        "sys::spawn::vfork_execv",
    ] {
        assert!(map.contains(name), "{name}");
        let fn_name = name.rsplit("::").next().unwrap();
        let found = walk(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")))
            .iter()
            .any(|f| {
                std::fs::read_to_string(f)
                    .unwrap()
                    .contains(&format!("fn {fn_name}"))
            });
        assert!(found, "fn {fn_name} not in src/");
    }
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
