//! Argument parsers shared by every applet: durations (`0`, `200ms`, `2s`, `1.5s`),
//! permission modes (`600`, `0666`), message sizes (`64`, `4K`, `1M`). They return `String`
//! errors for clap to show.

use std::time::Duration;

/// Parse a duration: a number with an optional unit `ms`, `s` (default) or `m`.
pub fn duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let bad = || format!("'{s}' is not a duration: write it like 0, 200ms, 2s or 1.5s");
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let v: f64 = num.parse().map_err(|_| bad())?;
    let secs = v * scale;
    if !secs.is_finite() || secs > 86_400.0 * 365.0 {
        return Err(format!("'{s}' is too long a duration (at most a year)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Parse a polling interval: a duration greater than zero.
pub fn interval(s: &str) -> Result<Duration, String> {
    let d = duration(s)?;
    if d.is_zero() {
        return Err(format!(
            "'{s}' would poll without pause: give an interval above zero, like 10ms or 1s"
        ));
    }
    Ok(d)
}

/// Parse a permission mode in octal (`600`, `0666`), at most 0777.
pub fn mode(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let digits = t.strip_prefix("0o").unwrap_or(t);
    match u32::from_str_radix(digits, 8) {
        Ok(m) if m <= 0o777 && !digits.is_empty() => Ok(m),
        _ => Err(format!(
            "'{s}' is not a permission mode: give octal digits up to 777, like 600 or 666"
        )),
    }
}

/// Show a duration the way it is typed (`10ms`, `1s`, `1.5s`).
pub fn show(d: Duration) -> String {
    let ms = d.as_millis();
    if d.as_nanos() % 1_000_000 != 0 {
        format!("{}us", d.as_micros())
    } else if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// Parse a count of at least 1.
pub fn count(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(_) => Err("give 1 or more".into()),
        Err(_) => Err(format!(
            "'{s}' is not a count: give a whole number, 1 or more"
        )),
    }
}

/// Parse BUFFER_SIZE: 2 (one usable slot) to 1048576 slots.
pub fn buffer_size(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (2..=1 << 20).contains(&n) => Ok(n as u32),
        Ok(_) => Err("give 2 to 1048576 slots (the ring holds at most BUFFER_SIZE-1 items)".into()),
        Err(_) => Err(format!("'{s}' is not a number of slots: give 2 to 1048576")),
    }
}

/// Parse a message type: a System V mtype must be greater than 0.
pub fn mtype(s: &str) -> Result<i64, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(_) => {
            Err("a message type must be greater than 0 (msgsnd fails with EINVAL otherwise)".into())
        }
        Err(_) => Err(format!(
            "'{s}' is not a message type: give a whole number above 0, like 888"
        )),
    }
}

/// Parse `64`, `4K`, `64K`, `1M`.
pub fn size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (num, mul) = match t.chars().last() {
        Some('K' | 'k') => (&t[..t.len() - 1], 1024),
        Some('M' | 'm') => (&t[..t.len() - 1], 1024 * 1024),
        _ => (t, 1),
    };
    let n: usize = num
        .parse()
        .map_err(|_| format!("'{s}' is not a size: write it like 64, 4K, 64K or 1M"))?;
    let v = n.saturating_mul(mul);
    if !(16..=64 << 20).contains(&v) {
        return Err(format!(
            "'{s}': sizes go from 16 bytes (the sequence number and checksum) to 64M"
        ));
    }
    Ok(v)
}

/// `64`, `4K`, `64K`, `1M`.
pub fn size_name(s: usize) -> String {
    if s >= 1 << 20 && s % (1 << 20) == 0 {
        format!("{}M", s >> 20)
    } else if s >= 1024 && s % 1024 == 0 {
        format!("{}K", s >> 10)
    } else {
        s.to_string()
    }
}

/// `n` and the noun, singular or plural: `1 process`, `2 processes`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("0").unwrap(), Duration::ZERO);
        assert_eq!(duration("200ms").unwrap(), Duration::from_millis(200));
        assert_eq!(duration("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(duration("1.5s").unwrap(), Duration::from_millis(1500));
        for bad in ["", "x", "-1s", "1h", "1e3", "ms"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
        assert!(interval("0").is_err());
        assert_eq!(show(Duration::from_millis(10)), "10ms");
        assert_eq!(show(Duration::from_millis(1500)), "1500ms");
        assert_eq!(show(Duration::from_secs(1)), "1s");
    }

    #[test]
    fn modes() {
        assert_eq!(mode("600").unwrap(), 0o600);
        assert_eq!(mode("0666").unwrap(), 0o666);
        for bad in ["888", "1777", "", "rw"] {
            assert!(mode(bad).is_err(), "{bad}");
        }
    }

    use proptest::prelude::*;

    proptest! {
        /// What `show` prints, `duration` reads back; every mode's octal reads back.
        #[test]
        fn shown_durations_and_modes_read_back(ms in 0u64..10_000_000, m in 0u32..=0o777) {
            let d = Duration::from_millis(ms);
            prop_assert_eq!(duration(&show(d)).unwrap(), d);
            prop_assert_eq!(mode(&format!("{m:o}")).unwrap(), m);
        }

        /// Anything else is an error, never a panic.
        #[test]
        fn any_text_is_parsed_or_refused(s in "\\PC{0,12}") {
            let _ = duration(&s);
            let _ = interval(&s);
            let _ = mode(&s);
        }
    }
}
