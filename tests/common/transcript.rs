//! Transcripts: line-by-line matching with `*` wildcards, and FIFO message numbers.

/// Match `actual` against `expected` line by line; `*` in an expected line matches any text.
pub fn assert_transcript(actual: &str, expected: &str) {
    let a: Vec<&str> = actual.lines().collect();
    let e: Vec<&str> = expected.lines().collect();
    for (i, (al, el)) in a.iter().zip(e.iter()).enumerate() {
        assert!(
            glob(el, al),
            "line {} differs:\n  expected: {el:?}\n  actual:   {al:?}\n--- whole output ---\n{actual}",
            i + 1
        );
    }
    assert_eq!(a.len(), e.len(), "line count differs; output:\n{actual}");
}

/// `*` matches any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(p) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(p);
        } else {
            match rest.find(p) {
                Some(at) => rest = &rest[at + p.len()..],
                None => return false,
            }
        }
    }
    true
}

/// The sequence numbers of `fifo-write --random-size` messages as a reader printed them.
pub fn fifo_seqs(text: &str) -> Vec<u64> {
    text.lines()
        .map(|l| {
            let rest = l.split("'s message ").nth(1).expect("a numbered message");
            rest.split(' ').next().unwrap().parse().unwrap()
        })
        .collect()
}
