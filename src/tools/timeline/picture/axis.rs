//! The time axis, broken where nothing happens and stretched where calls crowd. A stretch
//! with no event longer than an eighth of the time that has events (and 2 ms at least) is
//! drawn as a narrow shaded column marked `+702 ms` (at most eight, the longest first).
//! The rest of the width goes to the gaps between events, half by their duration and half
//! evenly: time still runs left to right, but ten hand-offs in half a millisecond after 20
//! ms of set-up spread across the page instead of sharing one vertical line. The page says
//! so; every tick gives the true time.

/// The width of a break.
pub const BREAK: f64 = 66.0;
const MAX_BREAKS: usize = 8;
/// A stretch shorter than this is never broken (ns).
const MIN_IDLE: u64 = 2_000_000;

/// One piece of the axis: times `t0..t1` drawn at `x0..x1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seg {
    pub t0: u64,
    pub t1: u64,
    pub x0: f64,
    pub x1: f64,
    /// A compressed stretch with no event.
    pub idle: bool,
}

/// The axis of a picture.
#[derive(Debug, Clone)]
pub struct Axis {
    pub segs: Vec<Seg>,
}

impl Axis {
    /// An axis for events at `times` (ns), drawn from `left` to `right`.
    pub fn new(mut times: Vec<u64>, left: f64, right: f64) -> Axis {
        times.sort_unstable();
        times.dedup();
        let (first, last) = match (times.first(), times.last()) {
            (Some(&f), Some(&l)) if l > f => (f, l),
            (Some(&f), _) => (f, f + 1),
            _ => (0, 1),
        };
        if times.len() < 2 {
            return Axis {
                segs: vec![Seg {
                    t0: first,
                    t1: last,
                    x0: left,
                    x1: right,
                    idle: false,
                }],
            };
        }
        // The gaps, longest first, become breaks while they dominate what is left.
        let mut gaps: Vec<(u64, usize)> = times
            .windows(2)
            .enumerate()
            .map(|(i, w)| (w[1] - w[0], i))
            .collect();
        gaps.sort_unstable_by(|a, b| b.cmp(a));
        let mut active = last - first;
        let mut broken = Vec::new();
        for &(g, i) in gaps.iter().take(MAX_BREAKS) {
            if g < MIN_IDLE || g * 8 <= active {
                break;
            }
            broken.push(i);
            active -= g;
        }
        // Every gap between two events is a piece: a break, or its share of the rest.
        let busy = times.len() - 1 - broken.len();
        let room = (right - left - BREAK * broken.len() as f64).max(0.0);
        let mut x = left;
        let segs = times
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let idle = broken.contains(&i);
                let share = match (idle, active) {
                    (true, _) => 0.0,
                    (false, 0) => 1.0 / busy as f64,
                    (false, a) => 0.5 * (w[1] - w[0]) as f64 / a as f64 + 0.5 / busy as f64,
                };
                let width = if idle { BREAK } else { room * share };
                let seg = Seg {
                    t0: w[0],
                    t1: w[1],
                    x0: x,
                    x1: x + width,
                    idle,
                };
                x += width;
                seg
            })
            .collect();
        Axis { segs }
    }

    /// Where time `t` is drawn.
    pub fn x(&self, t: u64) -> f64 {
        let first = self.segs[0];
        let last = self.segs[self.segs.len() - 1];
        if t <= first.t0 {
            return first.x0;
        }
        if t >= last.t1 {
            return last.x1;
        }
        let i = self
            .segs
            .partition_point(|s| s.t1 < t)
            .min(self.segs.len() - 1);
        let s = self.segs[i];
        match s.t1 > s.t0 {
            true => s.x0 + (s.x1 - s.x0) * (t - s.t0) as f64 / (s.t1 - s.t0) as f64,
            false => s.x0,
        }
    }

    /// The time drawn at `x` (the inverse of [`Axis::x`]).
    pub fn t_at(&self, x: f64) -> u64 {
        let i = self
            .segs
            .partition_point(|s| s.x1 < x)
            .min(self.segs.len() - 1);
        let s = self.segs[i];
        if s.x1 <= s.x0 {
            return s.t0;
        }
        let f = ((x - s.x0) / (s.x1 - s.x0)).clamp(0.0, 1.0);
        s.t0 + ((s.t1 - s.t0) as f64 * f) as u64
    }

    /// The breaks.
    pub fn breaks(&self) -> impl Iterator<Item = &Seg> {
        self.segs.iter().filter(|s| s.idle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn a_long_wait_is_broken_and_the_busy_part_spreads() {
        // 700 ms of nothing, then ten events 0.5 ms apart.
        let mut ts = vec![0];
        ts.extend((0..10).map(|k| 700 * MS + k * MS / 2));
        let a = Axis::new(ts, 200.0, 1200.0);
        assert_eq!(a.breaks().count(), 1);
        // The ten events take nearly all the width, in order.
        let xs: Vec<f64> = (0..10).map(|k| a.x(700 * MS + k * MS / 2)).collect();
        assert!(xs.windows(2).all(|w| w[1] > w[0] + 50.0), "{xs:?}");
        assert!((a.x(705 * MS) - 1200.0).abs() < 1e-6 && a.x(0) == 200.0);
        // Crowded calls after a busy set-up: 20 events over 20 ms, then 10 in 0.5 ms.
        let mut ts: Vec<u64> = (0..20).map(|k| k * MS).collect();
        ts.extend((0..10).map(|k| 20 * MS + k * MS / 20));
        let a = Axis::new(ts, 0.0, 1000.0);
        let crowd = a.x(20 * MS + 9 * MS / 20) - a.x(20 * MS);
        assert!(crowd > 150.0, "the crowd got {crowd} px");
        // Monotone everywhere, the break included.
        let mut last = 0.0;
        for t in (0..705).map(|m| m * MS) {
            assert!(a.x(t) >= last);
            last = a.x(t);
        }
    }

    #[test]
    fn an_even_run_is_not_broken() {
        let ts: Vec<u64> = (0..50).map(|k| k * 3 * MS).collect();
        let a = Axis::new(ts, 0.0, 1000.0);
        assert_eq!(a.breaks().count(), 0);
        assert!((a.x(75 * MS) - 510.2).abs() < 15.0);
        assert!(a.t_at(a.x(75 * MS)).abs_diff(75 * MS) < MS / 100);
        // One moment only: the whole width, no panic.
        let one = Axis::new(vec![5, 5], 0.0, 100.0);
        assert_eq!((one.x(5), one.x(6)), (0.0, 100.0));
    }
}
