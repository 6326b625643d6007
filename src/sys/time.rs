//! Local time for the transcripts (`ls -l`'s dates, the FIFO demo's `ctime()`).

/// Broken-down local time of a Unix timestamp.
#[derive(Debug, Clone, Copy)]
pub struct Tm {
    pub year: i32,
    /// 0-11
    pub mon: usize,
    pub mday: i32,
    pub hour: i32,
    pub min: i32,
    pub sec: i32,
    /// 0 = Sunday
    pub wday: usize,
}

/// `localtime_r(t)`.
pub fn local(t: i64) -> Tm {
    let mut tm = std::mem::MaybeUninit::<libc::tm>::zeroed();
    let tt: libc::time_t = t;
    // SAFETY: both pointers are valid for the call; localtime_r is the thread-safe variant and
    // writes only into `tm` (it was zeroed, so it is initialised even if the call fails).
    let tm = unsafe {
        libc::localtime_r(&tt, tm.as_mut_ptr());
        tm.assume_init()
    };
    Tm {
        year: tm.tm_year + 1900,
        mon: tm.tm_mon.clamp(0, 11) as usize,
        mday: tm.tm_mday,
        hour: tm.tm_hour,
        min: tm.tm_min,
        sec: tm.tm_sec,
        wday: tm.tm_wday.clamp(0, 6) as usize,
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// `ctime()`'s text without its newline: `Sun Jul  5 21:22:04 2020`.
pub fn ctime(t: i64) -> String {
    let tm = local(t);
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        DAYS[tm.wday], MONTHS[tm.mon], tm.mday, tm.hour, tm.min, tm.sec, tm.year
    )
}

/// `ls -l`'s date: `Mar 21 21:50` within six months of `now`, else `Mar 21  2020`.
pub fn ls_date(t: i64, now: i64) -> String {
    let tm = local(t);
    let recent = (now - t).abs() < 182 * 24 * 3600;
    if recent {
        format!(
            "{} {:>2} {:02}:{:02}",
            MONTHS[tm.mon], tm.mday, tm.hour, tm.min
        )
    } else {
        format!("{} {:>2}  {}", MONTHS[tm.mon], tm.mday, tm.year)
    }
}
