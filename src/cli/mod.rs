//! The command line: clap types only, and the multi-call dispatch.
//!
//! Like busybox and coreutils, one binary answers to many names: `ipclab APPLET ARGS…`, or
//! `APPLET ARGS…` when the file name of `argv[0]` is an applet's (a symlink `shmread -> ipclab`
//! runs shmread; `ipclab links DIR` makes them). The controllers exec the same binary with
//! `argv[0]` set to the child's applet name, as the slides exec `./alg.8-2-shmread.o`.

use crate::{demos, tools};

pub mod globals;
pub mod links;
pub mod manual;
pub mod names;
mod usage;
use crate::error;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Each applet also runs by its own name through a symlink (`ipclab links DIR`).
Start with `ipclab tour`; `ipclab APPLET --help` names each applet's slide.";

const AFTER_LONG_HELP: &str = "\
Each applet also runs by its own name through a symlink (`ipclab links DIR`).
Start with `ipclab tour`; `ipclab APPLET --help` names each applet's slide.

Exit status: 0 done; 1 a runtime failure (one line on stderr); 2 a usage error;
128+N ended by signal N after cleaning up (130 for Ctrl-C).
Files: the per-user state directory ($IPCLAB_STATE_DIR, else $XDG_RUNTIME_DIR/ipclab, …)
holds the registry objects.tsv and the default key files; `man ipclab` has FILES and
ENVIRONMENT (IPCLAB_TRACE, IPCLAB_TIMELINE, IPCLAB_COLOR, NO_COLOR, IPCLAB_STATE_DIR).";

/// ipclab: the IPC lecture's demos (algorithms 8-0 … 8-6 and the blog's examples), safely.
#[derive(Parser, Debug)]
#[command(name = "ipclab", version, after_help = AFTER_HELP, after_long_help = AFTER_LONG_HELP)]
pub struct Cli {
    /// Print each IPC system call to stderr as it returns (also IPCLAB_TRACE=1)
    #[arg(long)]
    pub trace: bool,

    /// Colour each process's lines (for a projector); auto: only on a terminal, not with NO_COLOR
    #[arg(long, value_enum)]
    pub color: Option<crate::out::ColorMode>,

    /// Draw the run: every process's IPC calls, spawns and hand-offs, into FILE (.html,
    /// .json for ui.perfetto.dev, or .svg; also IPCLAB_TIMELINE=FILE)
    #[arg(long, value_name = "FILE", env = crate::env::TIMELINE)]
    pub timeline: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub cmd: Cmd,
}

/// The applets.
#[derive(Subcommand, Debug)]
// Each applet's arguments are built only when that applet runs (clap's `defer`): building
// all 27 was most of the start-up time.
#[command(defer = true)]
pub enum Cmd {
    /// Algorithm 8-1 (shmcon.c): create a System V segment, vfork+execv shmread and shmwrite, remove it
    Shmcon(demos::shmcon::Args),
    /// Algorithm 8-2 (shmread.c): attach the segment of KEY and print what the writer wrote
    Shmread(demos::shmread::Args),
    /// Algorithm 8-3 (shmwrite.c): attach the segment of KEY and pass it lines from stdin
    Shmwrite(demos::shmwrite::Args),
    /// Algorithm 8-4 (shmpthreadcon.c): create a POSIX shm object, vfork+execv producer and consumer, unlink it
    #[command(alias = "shmthreadcon")]
    Shmpthreadcon(demos::shmpthreadcon::Args),
    /// Algorithm 8-5 (shmproducer.c): write "Hello World!" into the POSIX object NAME
    Shmproducer(demos::shmproducer::Args),
    /// Algorithm 8-6 (shmconsumer.c): read the message from the POSIX object NAME
    Shmconsumer(demos::shmconsumer::Args),
    /// The mmap notes: files shared through mmap (范例1 write/read/demo, fork, send/receive, mmap.c edit)
    MmapFile(demos::mmap_file::Args),
    /// The mmap notes' 范例2: parent and child share an anonymous mapping over fork
    MmapAnon(demos::mmap_anon::Args),
    /// IPC全解析 一 管道 (Pipes): pipe + fork, the parent writes "hello world", the child reads it
    Pipe(demos::pipe::Args),
    /// IPC全解析 二 FIFO: create the named pipe and print each message that arrives
    FifoRead(demos::fifo::ReadArgs),
    /// IPC全解析 二 FIFO: send timestamped messages through the named pipe
    FifoWrite(demos::fifo::WriteArgs),
    /// IPC全解析 三 消息队列 (Message Passing): answer each type-888 request with a type-999 reply
    MsgServer(demos::msg::server::ServerArgs),
    /// IPC全解析 三 消息队列 (Message Passing): send a type-888 request and print the reply
    MsgClient(demos::msg::client::ClientArgs),
    /// IPC全解析 四 信号量: a semaphore makes the father wait for the child
    SemDemo(demos::sem_demo::Args),
    /// IPC全解析 五 共享内存 (shm + sem + msg): print what the client puts in the segment
    ShmMsgServer(demos::shm_msg::ServerArgs),
    /// IPC全解析 五 共享内存 (shm + sem + msg): write words into the segment, notify the server
    ShmMsgClient(demos::shm_msg::ClientArgs),
    /// The shared-memory notes' System V example (shmwrite.cpp, shmread.cpp): struct student under key 1234
    SysvStudent(demos::sysv_student::Args),
    /// The ftok() note: the key of PATHNAME and the three parts it is made of
    Ftok(demos::ftok::Args),
    /// Sockets (the closing part of the lecture): the textbook's date server, over UNIX or TCP
    SockServer(demos::sock::server::Args),
    /// Sockets: the date client; says what a refused, reset or timed-out connection means
    SockClient(demos::sock::client::Args),
    /// Sockets: socketpair + fork, the socket twin of pipe (two-way: --reply)
    SockPair(demos::sock::pair::Args),
    /// RPC (ONC RPC): the remote date service, registered with rpcbind (the matchmaker)
    RpcServer(demos::rpc::server::Args),
    /// RPC: find the service through rpcbind and call DATE (and ADD) with XDR arguments
    RpcClient(demos::rpc::client::Args),
    /// Every IPC object you can see (System V and POSIX), marking what ipclab created
    Ls(tools::ls::Args),
    /// Remove what ipclab runs that died left behind (lists them without --yes)
    Clean(tools::clean::Args),
    /// The IPC limits of this kernel (the slides' ipcs -l) with current use
    Limits(tools::limits::Args),
    /// Create applet symlinks in DIR (like busybox --install -s), so `shmread KEY` works
    Links(links::Args),
    /// Print shell completions for bash, zsh, fish, elvish or powershell
    Completions(manual::CompletionArgs),
    /// Write man pages for ipclab and every applet into DIR
    Man(manual::ManArgs),
    /// Open a tmux window with both sides of a two-terminal demo (fifo, msg, shm, shm-msg, mmap-file)
    Split(tools::split::Args),
    /// Measure every IPC mechanism side by side: throughput and latency, checked payloads
    Bench(crate::bench::Args),
    /// Run every demo with built-in input and fast intervals, then check nothing leaked
    Tour(tools::tour::Args),
    /// Join --timeline recordings of the two terminals of a demo on one time axis
    Timeline(tools::timeline::merge::Args),
    /// Grade a student's own program in a demo's role: transcript, data, leaks, races, Ctrl-C
    Check(tools::check::Args),
    /// The lecture as exercises: a starter, a watch that checks every save, hints, a grade
    Lab(tools::lab::Args),
}

/// Every applet name: the subcommands and their aliases (from the clap types: no second
/// table to keep in step).
pub fn applet_names(cmd: &clap::Command) -> Vec<String> {
    cmd.get_subcommands()
        .flat_map(|s| std::iter::once(s.get_name()).chain(s.get_all_aliases()))
        .map(str::to_string)
        .collect()
}

/// Step 3 of a timeline: write the picture whatever the run's outcome (a failed run is
/// worth seeing too); a failure to write it fails a run that had not failed.
fn finish_timeline(
    session: Option<tools::timeline::Session>,
    result: anyhow::Result<()>,
) -> anyhow::Result<()> {
    let Some(session) = session else {
        crate::trace::record::end("");
        return result;
    };
    let status = match &result {
        Ok(()) => 0,
        Err(e) => error::exit_status(e).0,
    };
    let written = session.finish(status);
    result.and(written)
}

/// Run ipclab with these arguments; returns the process exit status.
pub fn main_entry(mut args: Vec<OsString>) -> ExitCode {
    let command = Cli::command();
    let applets = applet_names(&command);
    let argv0 = args.first().cloned().unwrap_or_default();
    // Run as an applet (or a seed's program) when called by its name (see [`names`]).
    let mut ran_as = None;
    match names::invoked_as(&argv0, &applets) {
        Some(fixed) => {
            args[0] = "ipclab".into();
            args.splice(1..1, fixed.into_iter().map(OsString::from));
        }
        // Any other name runs ipclab itself (as coreutils does); if that then fails to
        // parse, the error says under which name it ran.
        None => ran_as = names::unknown_name(&argv0),
    }
    // The applet named on the command line (for messages before clap has parsed it).
    let applet = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .find(|a| applets.contains(a))
        .unwrap_or_else(|| "ipclab".to_string());

    // --trace, --color and --timeline: for the applet that runs only (see [`globals`]).
    let mut command = globals::to_applet(command, &applet);
    let matches = match command.try_get_matches_from_mut(&args) {
        Ok(m) => m,
        Err(e) => return usage::clap_error(&applet, e, ran_as.map(|n| (n, command)), &args),
    };
    let applet = matches.subcommand_name().unwrap_or("ipclab").to_string();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return usage::clap_error(&applet, e, None, &args),
    };
    globals::merge(&mut cli, &matches);
    crate::out::set_applet(&applet);
    // Too few descriptors would fail the run half-way, after some of its lines: say it now.
    if let Err(e) = crate::process::enough_descriptors() {
        crate::out::err_line(&error::render(&applet, &e));
        return ExitCode::from(1);
    }
    // The lane of a timeline says the part, not only the applet: `sysv-student write`.
    let role = match matches.subcommand() {
        Some((a, m)) => match m.subcommand_name() {
            Some(s) => format!("{a} {s}"),
            None => a.to_string(),
        },
        None => applet.clone(),
    };
    // What the system layer must have done around a fork and before dying by a signal.
    crate::sys::event::set_hooks(crate::sys::event::Hooks {
        before_fork: || {
            crate::out::flush_all();
            crate::trace::flush();
        },
        in_forked_child: crate::out::color_forked_child,
        before_dying: crate::out::flush_all,
    });
    crate::trace::init_from_env(&applet, &role);
    crate::out::init_color(cli.color, &applet);
    if cli.trace {
        crate::trace::enable();
    }
    // Step 1 of a timeline: only the process given the flag records the run (its children
    // find the directory in their environment and write into it).
    let inherited = std::env::var_os(crate::env::TIMELINE_DIR).is_some();
    // `tour --timeline DIR` (no picture extension): a gallery, one picture per step.
    let gallery = match (&cli.cmd, &cli.timeline) {
        (Cmd::Tour(_), Some(d)) if tools::timeline::format_of(d).is_err() => Some(d.clone()),
        _ => None,
    };
    let session = match cli
        .timeline
        .clone()
        .filter(|_| !inherited && gallery.is_none())
    {
        None => None,
        Some(file) => match tools::timeline::format_of(&file) {
            Err(e) => {
                crate::out::err_line(&format!("{applet}: {e}"));
                return ExitCode::from(2);
            }
            // Its scratch directory must not outlive a signal that comes before the
            // applet catches them: catch them first (the applet's own call repeats it).
            Ok(_) if crate::sys::signals::catch_termination().is_err() => None,
            Ok(_) => match tools::timeline::Session::start(file) {
                Ok(s) => Some(s),
                Err(e) => {
                    crate::out::err_line(&error::render(&applet, &e));
                    return ExitCode::from(1);
                }
            },
        },
    };
    let result = match cli.cmd {
        Cmd::Shmcon(a) => demos::shmcon::run(a),
        Cmd::Shmread(a) => demos::shmread::run(a),
        Cmd::Shmwrite(a) => demos::shmwrite::run(a),
        Cmd::Shmpthreadcon(a) => demos::shmpthreadcon::run(a),
        Cmd::Shmproducer(a) => demos::shmproducer::run(a),
        Cmd::Shmconsumer(a) => demos::shmconsumer::run(a),
        Cmd::MmapFile(a) => demos::mmap_file::run(a),
        Cmd::MmapAnon(a) => demos::mmap_anon::run(a),
        Cmd::Pipe(a) => demos::pipe::run(a),
        Cmd::FifoRead(a) => demos::fifo::run_read(a),
        Cmd::FifoWrite(a) => demos::fifo::run_write(a),
        Cmd::MsgServer(a) => demos::msg::server::run(a),
        Cmd::MsgClient(a) => demos::msg::client::run(a),
        Cmd::SemDemo(a) => demos::sem_demo::run(a),
        Cmd::ShmMsgServer(a) => demos::shm_msg::run_server(a),
        Cmd::ShmMsgClient(a) => demos::shm_msg::run_client(a),
        Cmd::SysvStudent(a) => demos::sysv_student::run(a),
        Cmd::Ftok(a) => demos::ftok::run(a),
        Cmd::SockServer(a) => demos::sock::server::run(a),
        Cmd::SockClient(a) => demos::sock::client::run(a),
        Cmd::SockPair(a) => demos::sock::pair::run(a),
        Cmd::RpcServer(a) => demos::rpc::server::run(a),
        Cmd::RpcClient(a) => demos::rpc::client::run(a),
        Cmd::Ls(a) => tools::ls::run(a),
        Cmd::Clean(a) => tools::clean::run(a),
        Cmd::Limits(a) => tools::limits::run(a),
        Cmd::Links(a) => links::run(a),
        Cmd::Completions(a) => manual::completions(a),
        Cmd::Man(a) => manual::man(a),
        Cmd::Split(a) => tools::split::run(a),
        Cmd::Bench(a) => crate::bench::run(a),
        Cmd::Tour(a) => tools::tour::run(a, gallery.as_deref()),
        Cmd::Timeline(a) => tools::timeline::merge::run(a),
        Cmd::Check(a) => tools::check::run(a),
        Cmd::Lab(a) => tools::lab::run(a),
    };
    // Done blocking: the SIGALRM ticker a signal may have started must not disturb the end.
    crate::sys::signals::stop_ticking();
    let result = finish_timeline(session, result);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let (code, print) = error::exit_status(&e);
            let line = error::render(&applet, &e);
            // A child of an ipclab controller tells the controller, which says it in one line.
            if print && !crate::process::child::report(&line) {
                crate::out::err_line(&line);
            }
            // Cleaned up after a termination signal: end by that signal, as the shell expects.
            if let Some(sig) = code
                .checked_sub(128)
                .and_then(|n| nix::sys::signal::Signal::try_from(i32::from(n)).ok())
            {
                crate::sys::signals::die_by(sig);
            }
            ExitCode::from(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_lecture_applet_and_seed_name_is_an_applet() {
        let applets = applet_names(&Cli::command());
        for a in names::LECTURE
            .iter()
            .chain(names::SEED_NAMES.iter().map(|(_, f)| &f[0]))
        {
            assert!(applets.iter().any(|x| x == a), "{a}");
        }
    }
}
