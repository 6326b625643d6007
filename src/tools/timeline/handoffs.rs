//! Hand-offs: a call that made something available, matched with the call in another
//! process that took it, from the calls' typed effects ([`Op`]), never from their text:
//!
//! - a semaphore V (`semop` +1 on set S, number N; `sem_post` at offset O) with the P (-1,
//!   `sem_wait`, a `sem_timedwait` that took it) it let through, past the initial value
//!   (`semctl SETVAL`, `sem_init`);
//! - a `msgsnd` of type T to queue Q with the `msgrcv` that got it (a receiver asking for
//!   type 0 or a negative type takes from any type);
//! - the slide's `written` flag set in segment S with the moment it was seen;
//! - bytes written to a pipe or FIFO with the read that got them ([`super::streams`]).
//!
//! Matching is by order, not by time: each event is stamped when its call *returned*, so a
//! woken P may be stamped before the V that woke it. Per object, the k-th take past the
//! initial value goes with the k-th offer (offers in the order they *began*: a process
//! preempted between its call's return and its stamp would otherwise cross the pairs). A
//! failed call (EINTR, EIDRM) did nothing and matches nothing; a hand-off within one
//! process draws nothing.

use super::Event;
use crate::sys::event::Op;
use std::collections::BTreeMap;

/// What an event offers (+1) or takes (-1), and on which object.
fn exchange(e: &Event) -> Vec<(String, i32)> {
    match &e.op {
        Op::Semop { id, changes } => changes
            .iter()
            .filter(|c| c.op != 0)
            .map(|c| (format!("sem {id}.{}", c.num), i32::from(c.op.signum())))
            .collect(),
        Op::PsemPost { off } => vec![(format!("psem {off}"), 1)],
        Op::PsemWait { off } => vec![(format!("psem {off}"), -1)],
        Op::Msgsnd { id, mtype } => vec![(format!("msg {id} type {mtype}"), 1)],
        Op::Msgrcv { id, mtype } if *mtype > 0 => vec![(format!("msg {id} type {mtype}"), -1)],
        Op::Msgrcv { id, .. } => vec![(format!("msg {id}"), -1)],
        Op::FlagSet { shmid } => vec![(format!("flag {shmid}"), 1)],
        Op::FlagSeen { shmid } => vec![(format!("flag {shmid}"), -1)],
        _ => Vec::new(),
    }
}

/// The initial value a call gives a semaphore: (object, value).
fn initial(e: &Event) -> Option<(String, usize)> {
    match &e.op {
        Op::Setval { id, num, value } => Some((format!("sem {id}.{num}"), *value as usize)),
        Op::PsemInit { off, value } => Some((format!("psem {off}"), *value as usize)),
        _ => None,
    }
}

/// (offer, take): indices into `events`, for every hand-off between two processes.
pub fn handoffs(events: &[Event]) -> Vec<(usize, usize)> {
    let mut offers: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut takes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut init: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        if let Some((obj, v)) = initial(e) {
            init.insert(obj, v);
        }
        for (obj, v) in exchange(e) {
            let side = if v > 0 { &mut offers } else { &mut takes };
            side.entry(obj).or_default().push(i);
        }
    }
    for o in offers.values_mut() {
        o.sort_by_key(|&i| events[i].began.unwrap_or(events[i].t));
    }
    // A receiver of any type takes the next message of whatever type: its offers are all
    // of the queue's sends, in order.
    let any: BTreeMap<String, Vec<usize>> = takes
        .keys()
        .filter(|k| k.starts_with("msg ") && !k.contains(" type "))
        .map(|k| {
            let mut all: Vec<usize> = offers
                .iter()
                .filter(|(o, _)| o.starts_with(&format!("{k} type ")))
                .flat_map(|(_, v)| v.iter().copied())
                .collect();
            all.sort_by_key(|&i| events[i].began.unwrap_or(events[i].t));
            (k.clone(), all)
        })
        .collect();
    let mut out = Vec::new();
    for (obj, t) in &takes {
        let skip = init.get(obj).copied().unwrap_or(0);
        let o = any
            .get(obj)
            .or_else(|| offers.get(obj))
            .map_or(&[][..], Vec::as_slice);
        for (&take, &offer) in t.iter().skip(skip).zip(o) {
            if events[take].pid != events[offer].pid {
                out.push((offer, take));
            }
        }
    }
    out.extend(super::streams::handoffs(events));
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::event::SemChange;
    use crate::trace::Kind;

    fn ev(t: u64, pid: u32, op: Op) -> Event {
        Event {
            t,
            pid,
            who: "test".into(),
            kind: Kind::Call,
            line: String::new(),
            ppid: None,
            began: None,
            role: None,
            errno: None,
            op,
        }
    }

    fn semop(t: u64, pid: u32, id: i32, num: u16, op: i16) -> Event {
        ev(
            t,
            pid,
            Op::Semop {
                id,
                changes: vec![SemChange { num, op }],
            },
        )
    }

    #[test]
    fn a_p_stamped_before_its_v_still_pairs_with_it() {
        // The P returns (and is stamped) before the V's stamp: order, not time, pairs them.
        let events = vec![
            ev(
                0,
                1,
                Op::Setval {
                    id: 5,
                    num: 0,
                    value: 0,
                },
            ),
            semop(10, 2, 5, 0, -1),
            semop(11, 1, 5, 0, 1),
        ];
        assert_eq!(handoffs(&events), vec![(2, 1)]);
    }

    #[test]
    fn the_initial_value_lets_the_first_ps_through_unmatched() {
        let events = vec![
            ev(
                0,
                1,
                Op::Setval {
                    id: 5,
                    num: 1,
                    value: 1,
                },
            ),
            semop(1, 2, 5, 1, -1), // the initial 1
            semop(2, 1, 5, 1, 1),
            semop(3, 2, 5, 1, -1), // the V at 2
        ];
        assert_eq!(handoffs(&events), vec![(2, 3)]);
    }

    #[test]
    fn an_interrupted_call_did_nothing_and_matches_nothing() {
        let mut eintr = semop(2, 2, 5, 0, -1);
        eintr.op = Op::Other; // what the system layer reports for a failed call
        eintr.errno = Some("EINTR".into());
        let events = vec![semop(1, 1, 5, 0, 1), eintr, semop(3, 2, 5, 0, -1)];
        assert_eq!(handoffs(&events), vec![(0, 2)]);
    }

    #[test]
    fn several_objects_and_message_types_keep_their_own_order() {
        let snd = |t, pid, id, mtype| ev(t, pid, Op::Msgsnd { id, mtype });
        let rcv = |t, pid, id, mtype| ev(t, pid, Op::Msgrcv { id, mtype });
        let events = vec![
            snd(1, 1, 7, 888),     // 0: client → server
            snd(2, 3, 7, 888),     // 1: a second client
            rcv(3, 2, 7, 888),     // 2: server takes 0
            rcv(4, 2, 7, 888),     // 3: server takes 1
            snd(5, 2, 7, 999),     // 4: reply
            rcv(6, 1, 7, 999),     // 5: client takes 4
            semop(7, 1, 9, 0, 1),  // 6: another object entirely
            semop(8, 2, 9, 0, -1), // 7
            snd(9, 1, 8, 1),       // 8: a second queue, any type
            rcv(10, 2, 8, 0),      // 9
        ];
        assert_eq!(
            handoffs(&events),
            vec![(0, 2), (1, 3), (4, 5), (6, 7), (8, 9)]
        );
    }

    #[test]
    fn within_one_process_nothing_is_drawn_and_posix_semaphores_pair_too() {
        let events = vec![
            ev(0, 1, Op::PsemInit { off: 64, value: 0 }),
            ev(1, 1, Op::PsemPost { off: 64 }),
            ev(2, 1, Op::PsemWait { off: 64 }),
            ev(3, 1, Op::PsemPost { off: 64 }),
            ev(4, 2, Op::PsemWait { off: 64 }),
            ev(5, 1, Op::FlagSet { shmid: 3 }),
            ev(6, 2, Op::FlagSeen { shmid: 3 }),
        ];
        assert_eq!(handoffs(&events), vec![(3, 4), (5, 6)]);
    }
}
