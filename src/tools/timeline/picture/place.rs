//! Where text goes on a page: every label's box is estimated (an upper bound of what a
//! sans-serif font draws) and placed only where it meets no other label, dot, band or bar
//! already on the page, trying a few spots around its anchor in turn. A label that fits
//! nowhere is left out, and counted, so the page can say how many it thinned.

/// A box on the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect {
        Rect { x0, y0, x1, y1 }
    }

    /// A square of half-side `r` around a point (a dot).
    pub fn around(x: f64, y: f64, r: f64) -> Rect {
        Rect::new(x - r, y - r, x + r, y + r)
    }

    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    fn inside(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }
}

/// How a text is anchored at its x (SVG's `text-anchor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    pub fn svg(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// The width `s` takes at `size` px, at most (generous per glyph: narrow letters, wide
/// ones, digits, capitals, and anything beyond ASCII as a full em).
pub fn text_width(s: &str, size: f64) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.92,
            'i' | 'l' | 'j' | 't' | 'f' | 'r' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' => 0.36,
            ' ' => 0.3,
            c if c.is_ascii_uppercase() => 0.74,
            c if c.is_ascii() => 0.6,
            _ => 1.05,
        })
        .sum();
    em * size
}

/// The box of `s` at `size` px drawn at (`x`, `baseline`) with `anchor`: ascent and
/// descent included.
pub fn text_box(s: &str, size: f64, x: f64, baseline: f64, anchor: Anchor) -> Rect {
    let w = text_width(s, size);
    let x0 = match anchor {
        Anchor::Start => x,
        Anchor::Middle => x - w / 2.0,
        Anchor::End => x - w,
    };
    Rect::new(x0, baseline - 0.95 * size, x0 + w, baseline + 0.3 * size)
}

/// `s` cut to fit `width` px at `size`, with an ellipsis when cut.
pub fn fit(s: &str, size: f64, width: f64) -> String {
    if text_width(s, size) <= width {
        return s.to_string();
    }
    let mut out: String = s.to_string();
    while !out.is_empty() && text_width(&format!("{out}…"), size) > width {
        out.pop();
    }
    format!("{out}…")
}

/// Space kept free on each side of a label, so two never touch.
const AIR: f64 = 4.0;

/// What is on the page so far.
pub struct Page {
    taken: Vec<Rect>,
    bounds: Rect,
}

impl Page {
    /// A page whose labels must stay within `bounds`.
    pub fn new(bounds: Rect) -> Page {
        Page {
            taken: Vec::new(),
            bounds,
        }
    }

    /// Something a label must not cover (a dot, a band, a bar, a fixed text).
    pub fn block(&mut self, r: Rect) {
        self.taken.push(r);
    }

    /// Is `r` on the page and clear of everything placed?
    pub fn free(&self, r: &Rect) -> bool {
        r.inside(&self.bounds) && !self.taken.iter().any(|t| t.overlaps(r))
    }

    /// A line a label should not cross (an arrow), as small boxes along it.
    pub fn block_line(&mut self, (x0, y0): (f64, f64), (x1, y1): (f64, f64)) {
        let steps = ((x1 - x0).hypot(y1 - y0) / 5.0).ceil().max(1.0) as usize;
        for k in 0..=steps {
            let f = k as f64 / steps as f64;
            self.taken
                .push(Rect::around(x0 + (x1 - x0) * f, y0 + (y1 - y0) * f, 2.0));
        }
    }

    /// Place `s` at the first of `spots` (x, baseline, anchor) where it is clear, with a
    /// little air around it; the spot taken, or None (left out).
    pub fn place(
        &mut self,
        s: &str,
        size: f64,
        spots: &[(f64, f64, Anchor)],
    ) -> Option<(f64, f64, Anchor)> {
        for &(x, y, a) in spots {
            let b = text_box(s, size, x, y, a);
            let air = Rect::new(b.x0 - AIR, b.y0, b.x1 + AIR, b.y1);
            if b.inside(&self.bounds) && !self.taken.iter().any(|t| t.overlaps(&air)) {
                self.taken.push(air);
                return Some((x, y, a));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_never_lands_on_what_is_there() {
        let mut p = Page::new(Rect::new(0.0, 0.0, 500.0, 200.0));
        p.block(Rect::around(100.0, 100.0, 6.0));
        let spots = [
            (100.0, 100.0, Anchor::Middle),
            (100.0, 80.0, Anchor::Middle),
            (100.0, 124.0, Anchor::Middle),
        ];
        assert_eq!(p.place("semop", 15.0, &spots), Some(spots[1]));
        assert_eq!(p.place("semop", 15.0, &spots), Some(spots[2]));
        assert_eq!(p.place("semop", 15.0, &spots), None);
        // Off the page is no place either.
        assert_eq!(p.place("x", 15.0, &[(499.0, 100.0, Anchor::Start)]), None);
        assert_eq!(
            fit("sysv-shm 0x2700c1a1", 15.0, 60.0).chars().last(),
            Some('…')
        );
        assert!(text_width(&fit("sysv-shm 0x2700c1a1", 15.0, 60.0), 15.0) <= 60.0);
    }
}
