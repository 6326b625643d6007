//! Transcripts: a run's output compared with a slide's or a page's, in the manner of
//! snapbox/trycmd, so that nothing that changes from machine to machine can break it.
//!
//! In an expected transcript:
//! - `[..]` matches any text within one line (a key, an id, an address, a pid);
//! - a line that is exactly `...` matches any number of lines, none included;
//! - `[USER]` matches the name of the user running the tests, whole or cut to 10 characters
//!   as `ipcs` prints it in its owner column.
//!
//! Both sides are compared with every run of blanks *inside* a line folded to one blank:
//! column widths follow the values (a 6-digit shmid, a 14-letter user name) and are not part
//! of what a slide teaches. A line's leading indentation (shmread's 30 blanks) and whether it
//! ends in a blank (the slide's `-----\x20`) are compared as they are.
//!
//! [`redact`] turns a page's example run and a real run into the same shape (numbers,
//! addresses and the user's name masked), for the docs' recipes, whose values are real.

/// Match `actual` against `expected` line by line (see the module's syntax).
pub fn assert_transcript(actual: &str, expected: &str) {
    let a: Vec<&str> = actual.lines().collect();
    let e: Vec<&str> = expected.lines().collect();
    if let Err(why) = match_lines(&a, &e, &user_names()) {
        panic!("{why}\n--- expected ---\n{expected}\n--- actual ---\n{actual}");
    }
}

/// Does `text` match the one-line `pattern` (`[..]`, `[USER]`, blanks folded)?
pub fn line_matches(pattern: &str, text: &str) -> bool {
    line_match(pattern, text, &user_names())
}

/// `actual` lines against `expected` lines; the first difference, explained.
pub fn match_lines(a: &[&str], e: &[&str], users: &[String]) -> Result<(), String> {
    match_from(a, 0, e, 0, users)
}

fn match_from(a: &[&str], i: usize, e: &[&str], j: usize, users: &[String]) -> Result<(), String> {
    if j == e.len() {
        return if i == a.len() {
            Ok(())
        } else {
            Err(format!("line {}: {:?} is more than expected", i + 1, a[i]))
        };
    }
    if e[j] == "..." {
        // Any number of lines: try the fewest first.
        let mut last = Err(String::new());
        for skip in i..=a.len() {
            last = match_from(a, skip, e, j + 1, users);
            if last.is_ok() {
                return last;
            }
        }
        return last;
    }
    let Some(line) = a.get(i) else {
        return Err(format!("expected line {:?}, the output ended", e[j]));
    };
    if !line_match(e[j], line, users) {
        return Err(format!(
            "line {} differs:\n  expected: {:?}\n  actual:   {:?}",
            i + 1,
            e[j],
            line
        ));
    }
    match_from(a, i + 1, e, j + 1, users)
}

/// A line with its inner runs of blanks folded to one; leading indentation kept.
pub fn fold_blanks(line: &str) -> String {
    let body = line.trim_start_matches([' ', '\t']);
    let mut out = line[..line.len() - body.len()].to_string();
    let mut blank = false;
    for c in body.chars() {
        if c == ' ' || c == '\t' {
            blank = true;
            continue;
        }
        if blank {
            out.push(' ');
            blank = false;
        }
        out.push(c);
    }
    if blank {
        out.push(' ');
    }
    out
}

pub fn line_match(pattern: &str, text: &str, users: &[String]) -> bool {
    let pattern = fold_blanks(pattern);
    let text = fold_blanks(text);
    // `[USER]` is any of the user's spellings: try each.
    if pattern.contains("[USER]") {
        return users
            .iter()
            .any(|u| line_match(&pattern.replacen("[USER]", u, 1), &text, users));
    }
    wildcard(&pattern, &text)
}

/// `[..]` matches any run of characters.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let Some(mut rest) = text.strip_prefix(parts[0]) else {
        return false;
    };
    let last = parts.len() - 1;
    for p in &parts[1..last] {
        match rest.find(p) {
            Some(at) => rest = &rest[at + p.len()..],
            None => return false,
        }
    }
    rest.ends_with(parts[last])
}

/// The running user's name as a transcript may print it: whole, and cut to 10 characters
/// (`ipcs` and the slide's `ipcs -m` rows). Root's name when running as root.
pub fn user_names() -> Vec<String> {
    let name = nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| nix::unistd::geteuid().to_string());
    let short: String = name.chars().take(10).collect();
    let mut v = vec![name];
    if short != v[0] {
        v.push(short);
    }
    v
}

/// A line of a real run or of a page's example with what changes between runs masked:
/// every number (decimal, hex, `0x…` addresses) becomes `N`, the page's user and the
/// running user become `USER`, blanks are folded. Two runs of the same program on two
/// machines then give the same lines.
pub fn redact(line: &str, page_users: &[&str]) -> String {
    let mut line = fold_blanks(line);
    let mut users: Vec<String> = user_names();
    users.extend(page_users.iter().map(|u| u.to_string()));
    // Longest first, so a full name is masked before its 10-character cut.
    users.sort_by_key(|u| std::cmp::Reverse(u.len()));
    for u in &users {
        line = replace_word(&line, u, "USER");
    }
    let mut out = String::new();
    let mut word = String::new();
    for c in line.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_alphanumeric() {
            word.push(c);
            continue;
        }
        out.push_str(if is_number(&word) { "N" } else { &word });
        word.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// A decimal number, a hex run with a digit in it (a key), or `0x…`.
fn is_number(word: &str) -> bool {
    let hex = word.strip_prefix("0x").unwrap_or(word);
    !hex.is_empty()
        && hex.chars().all(|c| c.is_ascii_hexdigit())
        && hex.chars().any(|c| c.is_ascii_digit())
}

/// `text` with every whole-word `word` replaced (not inside a longer name).
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        let whole = !before.is_some_and(is_name) && !after.is_some_and(is_name);
        out.push_str(&rest[..at]);
        out.push_str(if whole { with } else { word });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
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
