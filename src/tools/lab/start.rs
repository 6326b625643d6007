//! `ipclab lab start NAME [DIR]`: the starter of an exercise, written into DIR (default
//! `./NAME`): the C skeleton (the slide's program with `TODO` where the IPC calls go), its
//! headers, a Makefile (`cc -Wall -O2`), a README.md (English, then Chinese) and the marker
//! `.ipclab-lab` that tells `watch`, `hint` and `grade` which exercise the directory holds.
//! Every file is created with O_EXCL: an existing file is never written over.

use super::exercises::{self, Exercise, Grader};
use crate::tools::check::validate;
use anyhow::{anyhow, Result};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The marker file of an exercise directory.
pub const MARKER: &str = ".ipclab-lab";

/// The Makefile of `e`.
pub fn makefile(e: &Exercise) -> String {
    let p = e.program;
    let head = format!(
        "# ipclab lab {}: `make` builds ./{p} (cc -Wall -O2); `ipclab lab watch` rebuilds it on every save.\nCC = cc\nCFLAGS = -Wall -O2\n\n",
        e.name
    );
    let body = match e.grader {
        Grader::RpcClient => format!(
            "{p}: {p}.c date.h date_clnt.c date_xdr.c\n\t$(CC) $(CFLAGS) -Wno-unused-variable -I/usr/include/tirpc -o {p} {p}.c date_clnt.c date_xdr.c -ltirpc\n\ndate.h date_clnt.c date_xdr.c: date.x\n\trpcgen date.x\n\nclean:\n\trm -f {p} date.h date_clnt.c date_xdr.c date_svc.c\n"
        ),
        _ => {
            let headers: Vec<&str> = e.extra.iter().map(|(n, _)| *n).collect();
            format!(
                "{p}: {p}.c {}\n\t$(CC) $(CFLAGS) -o {p} {p}.c -lrt\n\nclean:\n\trm -f {p}\n",
                headers.join(" ")
            )
        }
    };
    format!("{head}{body}.PHONY: clean\n")
}

/// What each check means: English, Chinese.
fn check_meaning(name: &str) -> [&'static str; 2] {
    match name {
        "transcript" => [
            "it prints the slide's lines (only keys, ids and pids differ)",
            "打印与幻灯片相同的行（只有键、id、pid 不同）",
        ],
        "data" => [
            "what the other side sent arrives whole, once, in order",
            "对方发出的内容完整、不重不漏、按序到达",
        ],
        "end" => [
            "it ends by itself, at the right moment, with status 0",
            "在正确的时刻自行结束，退出码 0",
        ],
        "no-leak" => [
            "nothing it made is left (segments, queues, sets, FIFOs, /dev/shm objects, files)",
            "不留下它创建的任何东西（共享段、队列、信号量集、FIFO、/dev/shm 对象、文件）",
        ],
        "no-stray" => [
            "no process of the run is left after it ended",
            "结束后不留下任何进程",
        ],
        "cpu" => [
            "it blocks or sleeps while it waits, it does not spin",
            "等待时阻塞或睡眠，不空转",
        ],
        "limits" => [
            "it stays within its limits of processes, memory, CPU and file size",
            "不超出进程数、内存、CPU 和文件大小的限制",
        ],
        "sigint" => [
            "Ctrl-C while it waits ends it and leaves nothing",
            "等待时按 Ctrl-C 能结束它且不留下任何东西",
        ],
        "peer-dies" => [
            "when the server dies it says so and fails, it does not hang",
            "服务器死掉时报错退出，不挂起",
        ],
        "starts-first" => [
            "started before the reader (no file yet), it still works",
            "先于读者启动（文件还不存在）也能工作",
        ],
        "repeat" => [
            "all of the above again, with the timing perturbed, many times",
            "打乱时序，多次重复以上检查",
        ],
        "connect" => ["it connects to the server", "连接到服务器"],
        "udp" => [
            "over UDP: the server's date and the right sum",
            "经 UDP：服务器的日期和正确的和",
        ],
        "tcp" => [
            "over TCP: the server's date and the right sum",
            "经 TCP：服务器的日期和正确的和",
        ],
        _ => ["", ""],
    }
}

/// The checks `lab grade` makes for `e`, in order.
pub fn checks(e: &Exercise) -> Vec<&'static str> {
    match e.grader {
        Grader::Check(role) => validate::CHECKS
            .iter()
            .copied()
            .filter(|c| validate::applies(c, role))
            .collect(),
        Grader::SockClient => vec!["connect", "data", "end"],
        Grader::RpcClient => vec!["udp", "tcp", "end"],
    }
}

/// The README.md of `e`: English, then Chinese.
pub fn readme(e: &Exercise) -> String {
    let list = |lang: usize| -> String {
        checks(e)
            .iter()
            .map(|c| format!("- `{c}`: {}\n", check_meaning(c)[lang]))
            .collect()
    };
    let files: Vec<String> = std::iter::once(format!("{}.c", e.program))
        .chain(e.extra.iter().map(|(n, _)| n.to_string()))
        .collect();
    let en = format!(
        "# {title}\n\nLecture: {lecture}. Your program: `{argv}`.\n\n## Task\n\nWrite `{p}.c`: {task}. The starter is the lecture's program with `TODO` where the IPC calls and the synchronisation go; it compiles as it is and fails its checks.\n\n## What ipclab does meanwhile\n\nipclab {peer}.\n\n## The checks\n\n{checks}\n## How to work\n\n```console\n$ ipclab lab watch      # rebuilds on every save, shows the compiler's errors or the first failing check\n$ ipclab lab hint       # a hint; each one reveals more (they are counted)\n$ ipclab lab grade      # the full check; a pass marks the exercise done\n$ ipclab lab status     # your progress\n```\n\nFiles: {files}, `Makefile`. Read: `docs/{page}` of ipclab (and `ipclab {man}` for its own run of the demo).\n\n",
        title = e.title[0],
        lecture = e.lecture,
        argv = e.argv,
        p = e.program,
        task = e.task[0],
        peer = e.peer[0],
        checks = list(0),
        files = files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", "),
        page = e.page,
        man = e.name,
    );
    let zh = format!(
        "# {title}\n\n讲义：{lecture}。你的程序：`{argv}`。\n\n## 任务\n\n编写 `{p}.c`：{task}。起始代码是讲义里的程序，在放 IPC 调用和同步的地方标了 `TODO`；它原样可以编译，但检查不通过。\n\n## 同时 ipclab 做什么\n\nipclab {peer}。\n\n## 检查项\n\n{checks}\n## 怎么做\n\n`ipclab lab watch`（每次保存都重新编译，显示编译错误或第一个失败的检查）、`ipclab lab hint`（提示，逐条更详细，会被记录）、`ipclab lab grade`（完整检查，通过即完成）、`ipclab lab status`（进度）。阅读 ipclab 的 `docs/zh/{page}`。\n",
        title = e.title[1],
        lecture = e.lecture,
        argv = e.argv,
        p = e.program,
        task = e.task[1],
        peer = e.peer[1],
        checks = list(1),
        page = e.page,
    );
    format!("{en}---\n\n{zh}")
}

/// Write the starter of `e` into `dir`; the files written.
pub fn write(e: &Exercise, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<(String, String)> =
        vec![(format!("{}.c", e.program), exercises::source(e).to_string())];
    files.extend(e.extra.iter().map(|(n, t)| (n.to_string(), t.to_string())));
    files.push(("Makefile".into(), makefile(e)));
    files.push(("README.md".into(), readme(e)));
    files.push((MARKER.into(), format!("{}\n", e.name)));
    std::fs::create_dir_all(dir)
        .map_err(|err| anyhow!("cannot create {}: {err}", dir.display()))?;
    if let Some((name, _)) = files
        .iter()
        .find(|(n, _)| std::fs::symlink_metadata(dir.join(n)).is_ok())
    {
        return Err(anyhow!(
            "{} exists: `ipclab lab start` never writes over a file; give another directory (`ipclab lab start {} DIR`)",
            dir.join(name).display(),
            e.name
        ));
    }
    let mut written = Vec::new();
    for (name, text) in &files {
        let path = dir.join(name);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|err| anyhow!("cannot create {}: {err}", path.display()))?;
        f.write_all(text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// The exercise held in `dir` (its marker), or the one named.
pub fn which(dir: &Path, named: Option<&str>) -> Result<&'static Exercise> {
    let name = match named {
        Some(n) => n.to_string(),
        None => std::fs::read_to_string(dir.join(MARKER))
            .map_err(|_| {
                crate::error::usage(format!(
                    "{} holds no exercise (no {MARKER}): run this in a directory `ipclab lab start NAME` made, or give --exercise NAME",
                    dir.display()
                ))
            })?
            .trim()
            .to_string(),
    };
    exercises::find(&name).ok_or_else(|| {
        crate::error::usage(format!(
            "no exercise called {name:?}: `ipclab lab list` shows them"
        ))
    })
}
