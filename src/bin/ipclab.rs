//! The `ipclab` binary: everything lives in the library; see `ipclab --help`.
fn main() -> std::process::ExitCode {
    ipclab::main_entry(std::env::args_os().collect())
}
