//! Processes of a demo: a controller that starts its children the slides' way (vfork +
//! execv, [`controller`]), what an exec'd child does to stay tied to it ([`child`]), and how
//! any process of ours waits or leaves when a termination signal comes.

pub mod child;
pub mod controller;

/// Sleep for `d` in short slices, ending early (as `Interrupted`) on a termination signal:
/// `std::thread::sleep` resumes after a signal and would keep a Ctrl-C'd demo waiting.
pub fn nap(d: std::time::Duration) -> anyhow::Result<()> {
    let end = std::time::Instant::now() + d;
    loop {
        if let Some(sig) = crate::sys::signals::pending() {
            return Err(crate::error::Interrupted(sig).into());
        }
        let left = end.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(std::time::Duration::from_millis(10)));
    }
}

/// How a forked child leaves: 0 on success; 128+N, quietly, when a termination signal
/// ended it; otherwise its error on stderr (prefixed with `applet: child:`) and 1.
pub fn child_exit(applet: &str, result: anyhow::Result<()>) -> ! {
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            let (code, print) = crate::error::exit_status(&e);
            if print {
                crate::out::warn(applet, format_args!("child: {e:#}"));
            }
            i32::from(code)
        }
    };
    crate::out::flush_all();
    std::process::exit(code)
}
