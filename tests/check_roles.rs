//! `ipclab check` in the roles of the rest of the lecture (shmcon, shmproducer, the bounded
//! buffer, fifo-write, msg-server, sem-demo, the mmap pair): a correct C program passes
//! every check; the seed's own program, or one broken on purpose, fails exactly the check
//! that names its hazard.

use super::check::{check, failed};
use crate::common::*;

#[test]
fn correct_programs_pass_every_check_in_every_other_role() {
    for (role, prog) in [
        ("shmcon", "check_shmcon_ok"),
        ("shmproducer", "shmproducer"),
        ("ring-producer", "check_ring_producer_ok"),
        ("ring-consumer", "check_ring_consumer_ok"),
        ("fifo-write", "fifo_write"),
        ("msg-server", "check_msg_server_ok"),
        ("sem-demo", "check_sem_demo_ok"),
        ("mmap-read", "mmap_r_ipc"),
        ("mmap-write", "check_mmap_write_ok"),
    ] {
        let Some(p) = c_program_rt(prog) else { return };
        let (code, table) = check(role, &["--repeat", "4"], &p);
        assert_eq!(code, Some(0), "{role}:\n{table}");
        assert!(failed(&table).is_empty(), "{table}");
        assert!(table.contains("PASS  repeat"), "{table}");
    }
    // The ring's busy-wait is the slide's design: no cpu verdict for it.
    let Some(p) = c_program_rt("check_ring_consumer_ok") else {
        return;
    };
    let (_, table) = check("ring-consumer", &["--repeat", "1"], &p);
    assert!(!table.contains(" cpu "), "{table}");
}

#[test]
fn seeds_and_broken_programs_fail_the_check_that_names_their_hazard() {
    for (role, prog, opts, hazard) in [
        // 8-1 as on the slide: Ctrl-C kills it before its IPC_RMID: the segment stays.
        (
            "shmcon",
            "shmcon",
            &["--only", "data,end,sigint"][..],
            &["sigint"][..],
        ),
        // The struct's mtext (offset 4) where 8-6 reads offset 0: nothing arrives.
        (
            "shmproducer",
            "check_shmproducer_offset",
            &["--only", "data,end,no-leak"][..],
            &["data"][..],
        ),
        // An object of its own, mapped and never unlinked: seen mapped, found, removed.
        (
            "shmproducer",
            "check_shmproducer_leak",
            &["--only", "data,end,no-leak,sigint"][..],
            &["no-leak", "sigint"][..],
        ),
        // The slide's `while (in == out) ;` on a plain int, at -O2: it never ends.
        (
            "ring-consumer",
            "check_ring_consumer_spin",
            &["--only", "end,no-leak", "--timeout", "2s"][..],
            &["end"][..],
        ),
        // Messages without their NUL: the reader cannot tell them apart.
        (
            "fifo-write",
            "check_fifo_write_nonul",
            &["--only", "data,end,no-leak"][..],
            &["data"][..],
        ),
        // The seed's server never removes its queue, after a normal run or Ctrl-C.
        (
            "msg-server",
            "msg_server",
            &["--only", "data,end,no-leak,sigint"][..],
            &["no-leak", "sigint"][..],
        ),
        // Without the semaphore the father prints first.
        (
            "sem-demo",
            "check_sem_demo_nosem",
            &["--only", "data,end,no-leak"][..],
            &["data"][..],
        ),
        // An IPC_PRIVATE set never removed: found by the pid of its last semop.
        (
            "sem-demo",
            "check_sem_demo_private",
            &["--only", "data,end,no-leak"][..],
            &["no-leak"][..],
        ),
        // The seed's demo: Ctrl-C while the father waits in P leaves the set (hazard 15).
        (
            "sem-demo",
            "sem_demo",
            &["--only", "sigint"][..],
            &["sigint"][..],
        ),
        // No ftruncate, started first: SIGBUS at the first read of the empty file.
        (
            "mmap-read",
            "check_mmap_read_sigbus",
            &["--only", "end,no-leak,no-stray"][..],
            &["end"][..],
        ),
        // The seed's writer started first: SIGBUS (hazard 14).
        (
            "mmap-write",
            "mmap_w_ipc",
            &["--only", "data,end,starts-first"][..],
            &["starts-first"][..],
        ),
    ] {
        let Some(p) = c_program_rt(prog) else { return };
        let (code, table) = check(role, opts, &p);
        assert_eq!(code, Some(1), "{prog}:\n{table}");
        assert_eq!(failed(&table), hazard, "{prog}:\n{table}");
    }
}

#[test]
fn a_sigbus_and_a_hang_are_explained() {
    let Some(p) = c_program_rt("mmap_w_ipc") else {
        return;
    };
    let (_, table) = check("mmap-write", &["--only", "starts-first"], &p);
    assert!(
        table.contains("killed by SIGBUS") && table.contains("ftruncate"),
        "{table}"
    );
    let Some(p) = c_program_rt("check_ring_consumer_spin") else {
        return;
    };
    let (_, table) = check(
        "ring-consumer",
        &["--only", "end,repeat", "--timeout", "1s"],
        &p,
    );
    assert!(
        table.contains("did not end within 1 s") && table.contains("-O2"),
        "{table}"
    );
    // Hung in its normal run: not repeated, each repetition would only hang again.
    assert!(table.contains("not repeated"), "{table}");
}
