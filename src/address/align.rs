//! Where a name stands in the query: approximate substring matching, and which characters of
//! the query the matched names explain.

use super::parse::MAX_QUERY_CHARS;

/// Where a name aligns in the query's name text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Alignment {
    /// Edit distance of the name to its best-matching substrings.
    pub distance: usize,
    /// Those substrings as character ranges `start..end` of the text (at most
    /// [`MAX_SPANS`], earliest end first).
    pub spans: Vec<(usize, usize)>,
}

/// Alternative places kept per aligned name.
pub(crate) const MAX_SPANS: usize = 4;

/// The substrings of `text` nearest to `name` in edit distance (Sellers' algorithm; each cell
/// carries where its substring starts, the shorter substring winning a tie).
pub(crate) fn align(name: &[char], text: &[char]) -> Alignment {
    let n = name.len();
    // col[i] = (distance of name[..i] to the best substring ending here, its start).
    let mut col: Vec<(usize, usize)> = (0..=n).map(|i| (i, 0)).collect();
    let mut best = Alignment { distance: n, spans: Vec::new() };
    // Lower distance first, then the later start (a shorter substring).
    let better = |a: (usize, usize), b: (usize, usize)| a.0 < b.0 || (a.0 == b.0 && a.1 > b.1);
    for (j, &t) in text.iter().enumerate() {
        let mut diag = col[0];
        col[0] = (0, j + 1); // a match may start anywhere
        for i in 1..=n {
            let up = col[i];
            let mut cell = (diag.0 + usize::from(name[i - 1] != t), diag.1);
            for other in [(up.0 + 1, up.1), (col[i - 1].0 + 1, col[i - 1].1)] {
                if better(other, cell) {
                    cell = other;
                }
            }
            col[i] = cell;
            diag = up;
        }
        let (distance, start) = col[n];
        if distance < best.distance {
            best = Alignment { distance, spans: Vec::new() };
        }
        // A longer substring from the same start is the same place with a substitution.
        let new_place = best.spans.last().is_none_or(|last| last.0 != start);
        if distance == best.distance && distance < n && new_place && best.spans.len() < MAX_SPANS {
            best.spans.push((start, j + 1));
        }
    }
    best
}

/// Character positions of the name text covered by aligned names (the text has at most
/// [`MAX_QUERY_CHARS`] characters).
#[derive(Clone, Copy, Default)]
pub(crate) struct Coverage([u64; MAX_QUERY_CHARS.div_ceil(64)]);

impl Coverage {
    pub fn add(&mut self, (start, end): (usize, usize)) {
        for k in start..end.min(MAX_QUERY_CHARS) {
            self.0[k / 64] |= 1 << (k % 64);
        }
    }

    /// The positions of `start..end` not yet covered.
    pub fn gain(&self, (start, end): (usize, usize)) -> u32 {
        (start..end.min(MAX_QUERY_CHARS)).filter(|k| self.0[k / 64] & (1 << (k % 64)) == 0).count()
            as u32
    }

    pub fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, text: &str) -> usize {
        align(&name.chars().collect::<Vec<_>>(), &text.chars().collect::<Vec<_>>()).distance
    }

    #[test]
    fn alignment_absorbs_one_typo() {
        assert_eq!(d("汾江中路", "汾江中路文华花园"), 0);
        assert_eq!(d("汾江中路", "汾江中璐文华花园"), 1);
        assert_eq!(d("汾江中路", "汾江路"), 1);
        assert_eq!(d("文华花园", "汾江中路文华花园"), 0);
        assert_eq!(d("文华花园", ""), 4);
        assert_eq!(d("人民路", "汾江中路"), 2);
    }

    #[test]
    fn alignment_says_where_the_name_is() {
        let at = |name: &str, text: &str| {
            let a = align(&name.chars().collect::<Vec<_>>(), &text.chars().collect::<Vec<_>>());
            a.spans
        };
        assert_eq!(at("文华花园", "汾江中路文华花园"), [(4, 8)]);
        assert_eq!(at("汾江中路", "汾江路文华"), [(0, 3)]);
        assert_eq!(at("东风路", "东风社区融城"), [(0, 2)]);
        assert_eq!(at("金融城", "东风社区融城"), [(4, 6)]);
        assert_eq!(at("东风路", "东风社区东路"), [(0, 2), (4, 6)]);
    }
}
