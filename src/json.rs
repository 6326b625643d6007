//! Just enough JSON for `--json` outputs: flat objects of strings, numbers, booleans and
//! nulls, in a fixed key order (stable for scripts). Writing it by hand keeps the
//! dependency list to what the issues name; the tests parse it with serde_json.

use std::fmt::Write;

/// A JSON value of a flat object.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map(Value::Int).unwrap_or(Value::Null)
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map(Value::Str).unwrap_or(Value::Null)
    }
}

/// Quote a string.
pub fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) if f.is_finite() => format!("{f}"),
        Value::Float(_) => "null".into(),
        Value::Str(s) => string(s),
    }
}

/// One object.
pub fn object(fields: &[(&str, Value)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}: {}", string(k), value(v)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// An array of objects, one per line.
pub fn array(objects: &[String]) -> String {
    if objects.is_empty() {
        return "[]".into();
    }
    format!("[\n  {}\n]", objects.join(",\n  "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
        assert_eq!(
            object(&[
                ("k", Value::Null),
                ("n", Value::Int(-1)),
                ("b", Value::Bool(true))
            ]),
            "{\"k\": null, \"n\": -1, \"b\": true}"
        );
    }
}
