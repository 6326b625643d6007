//! The terminal: its width, for pictures that redraw in place and must not wrap.

use std::os::fd::AsRawFd;

/// The number of columns of the terminal on stdout, if stdout is a terminal that says.
pub fn stdout_columns() -> Option<u16> {
    let fd = std::io::stdout().as_raw_fd();
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `struct winsize` to the pointer, which points to a
    // valid, writable winsize on our stack; `fd` is stdout, open for our whole life.
    let r = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) };
    (r == 0 && ws.ws_col > 0).then_some(ws.ws_col)
}
