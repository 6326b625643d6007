//! Escaping, in one place, for every writer: text that came from elsewhere (a student's
//! program's output, a file name, a demo's message) made safe for where it goes.
//!
//! - [`terminal`]: control characters (ESC, CR, BEL, …) and invalid UTF-8 shown as `\x1b`,
//!   `\r`… so what a program printed can never move the cursor, recolour or overwrite the
//!   report it is quoted in (a forged `PASS`); a backslash stays one (text quoted with
//!   `{:?}` is escaped already, and once is enough to read);
//! - [`html`]: text and attribute values in HTML, SVG and XML (`&`, `<`, `>`, `"`, `'`);
//! - [`shell`]: a word of a command a hint tells the user to paste (`'dir with spaces/f'`).

/// `s` with every control character but tab shown as an escape (`\x1b`, `\r`, `\n`).
pub fn terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Bytes that may not be UTF-8, shown as [`terminal`] shows text, invalid bytes as `\xNN`.
pub fn terminal_bytes(b: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.utf8_chunks() {
        out.push_str(&terminal(chunk.valid()));
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// `s` for HTML, SVG or XML text and attribute values (double- or single-quoted).
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `s` as one POSIX shell word: as it is when every character is plain (letters, digits,
/// `_@%+=:,./-`), else in single quotes, a `'` inside written `'\''`; control characters
/// are shown as [`terminal`] shows them (a hint never moves the cursor).
pub fn shell(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        return s.to_string();
    }
    format!("'{}'", terminal(s).replace('\'', "'\\''"))
}

/// A path as one shell word (see [`shell`]).
pub fn shell_path(p: &std::path::Path) -> String {
    shell(&p.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_paste_back_as_they_were() {
        assert_eq!(shell("/tmp/ipclab-x/fifo1"), "/tmp/ipclab-x/fifo1");
        assert_eq!(shell("dir with spaces/f"), "'dir with spaces/f'");
        assert_eq!(shell("it's"), "'it'\\''s'");
        assert_eq!(shell(""), "''");
        assert_eq!(shell("$HOME;rm"), "'$HOME;rm'");
        assert_eq!(shell("a\x1bb"), "'a\\x1bb'");
    }

    #[test]
    fn a_forged_verdict_cannot_hide() {
        assert_eq!(terminal("ok\r\x1b[32mPASS"), "ok\\r\\x1b[32mPASS");
        assert_eq!(terminal_bytes(b"a\xffb\x07"), "a\\xffb\\x07");
        assert_eq!(terminal("tab\there"), "tab\there");
    }

    #[test]
    fn markup_is_inert() {
        assert_eq!(
            html(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
