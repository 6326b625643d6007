//! Progress on stderr while a grading runs, one line redrawn in place, only when stderr
//! is a terminal (a script or an autograder that pipes it sees nothing extra).

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// The progress line of one grading.
pub struct Progress {
    on: bool,
    what: String,
    t0: Instant,
}

impl Progress {
    /// For the grading of `what` (`check shmread -- ./a.out`); silent unless stderr is a
    /// terminal and `quiet` is false.
    pub fn new(what: String, quiet: bool) -> Progress {
        Progress {
            on: !quiet && std::io::stderr().is_terminal(),
            what,
            t0: Instant::now(),
        }
    }

    /// Say what is going on now.
    pub fn say(&mut self, now: &str) {
        if self.on {
            let line = format!(
                "{}: {now}… {:.0} s",
                self.what,
                self.t0.elapsed().as_secs_f64()
            );
            let _ = write!(
                std::io::stderr(),
                "\r\x1b[K{}",
                crate::escape::terminal(&line)
            );
        }
    }

    /// Clear the line.
    pub fn done(&mut self) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
            self.on = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done();
    }
}
