//! `ipclab tour`: every demo runs and nothing leaks.

use crate::common::*;

#[test]
fn the_tour_runs_every_demo_and_leaks_nothing() {
    let out = ipclab()
        .arg("tour")
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("=== Algorithms 8-1, 8-2, 8-3"));
    assert!(text.contains("You wrote: Hello World!"));
    assert!(text.contains("nothing left behind"));
    assert!(text
        .trim_end()
        .ends_with("tour complete: every demo ran and cleaned up"));
}
