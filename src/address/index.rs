//! The address index: customers grouped by their address without the room, road and compound
//! names interned, and an inverted index from characters to names for fuzzy look-up.

use std::collections::HashMap;

use super::gazetteer::{short_form, Level};
use super::normalize::{normalize, number_key};
use super::parse::{QueryParts, MAX_QUERY_CHARS};
use crate::model::{CustomerId, StandardAddress};

/// Weight of the road, compound and community names together.
const W_NAMES: f32 = 6.0;
/// Weight of the house number and of the building number, each.
const W_NUMBER: f32 = 2.0;
/// Weight of an agreeing district or township, each.
const W_ADMIN: f32 = 0.5;
/// Factor for a contradiction: a number or a district/township given and different.
const CONTRADICTION: f32 = 0.5;
/// Factor for a number the address has and the query does not give.
const MISSING_NUMBER: f32 = 0.97;
/// Factor for a household whose room is not the room given.
pub(crate) const OTHER_ROOM: f32 = 0.9;
/// A name counts as mentioned when at least this share of its characters align.
const MIN_NAME_SIM: f32 = 0.5;
/// Names whose characters (weighted by rarity) are at least this much in the query are aligned.
const MIN_CHAR_OVERLAP: f32 = 0.3;
/// At most this many names are aligned per query.
const MAX_ALIGNED_NAMES: usize = 96;
/// Addresses scoring below this are not returned.
pub(crate) const MIN_ADDRESS_SCORE: f32 = 0.3;

/// A distinct road, compound or community name.
#[derive(Debug)]
struct Name {
    chars: Vec<char>,
    /// Sum of the rarity weights of its distinct characters.
    weight: f32,
}

/// All households at one address without the room (one building, or one house).
#[derive(Debug)]
pub(crate) struct AddressGroup {
    district: String,
    township: String,
    community: Option<u32>,
    road: Option<u32>,
    compound: Option<u32>,
    house_no: Option<String>,
    building: Option<String>,
    /// (room key, customer), sorted.
    pub households: Vec<(String, CustomerId)>,
}

/// The fuzzy address index.
#[derive(Debug, Default)]
pub(crate) struct AddressIndex {
    names: Vec<Name>,
    /// Character → (rarity weight, road and compound names holding it).
    postings: HashMap<char, (f32, Vec<u32>)>,
    pub groups: Vec<AddressGroup>,
    /// Name → groups where it is the road or the compound.
    groups_by_name: Vec<Vec<u32>>,
}

/// Number key with leading zeros dropped (`03` = `3`); `None` when empty.
fn canonical_number(segment: &str) -> Option<String> {
    let key = number_key(segment);
    let trimmed = key.trim_start_matches('0');
    match (key.is_empty(), trimmed.is_empty()) {
        (true, _) => None,
        (false, true) => Some("0".into()),
        (false, false) => Some(trimmed.to_string()),
    }
}

/// Like [`canonical_number`] for a query's number key.
pub(crate) fn canonical_key(key: &Option<String>) -> Option<String> {
    key.as_deref().and_then(canonical_number)
}

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
const MAX_SPANS: usize = 4;

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
struct Coverage([u64; MAX_QUERY_CHARS.div_ceil(64)]);

impl Coverage {
    fn add(&mut self, (start, end): (usize, usize)) {
        for k in start..end.min(MAX_QUERY_CHARS) {
            self.0[k / 64] |= 1 << (k % 64);
        }
    }

    /// The positions of `start..end` not yet covered.
    fn gain(&self, (start, end): (usize, usize)) -> u32 {
        (start..end.min(MAX_QUERY_CHARS)).filter(|k| self.0[k / 64] & (1 << (k % 64)) == 0).count()
            as u32
    }

    fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
}

impl AddressIndex {
    /// Groups the customers by address without the room and indexes the names.
    pub fn build<'a>(addresses: impl Iterator<Item = (CustomerId, &'a StandardAddress)>) -> Self {
        let mut index = AddressIndex::default();
        let mut name_ids: HashMap<Vec<char>, u32> = HashMap::new();
        let mut searchable: Vec<bool> = Vec::new();
        let mut group_ids: HashMap<[String; 9], u32> = HashMap::new();
        let mut intern = |s: &str, search: bool, names: &mut Vec<Name>| -> Option<u32> {
            let chars: Vec<char> = normalize(s).chars().collect();
            if chars.is_empty() {
                return None;
            }
            let next = names.len() as u32;
            let id = *name_ids.entry(chars.clone()).or_insert(next);
            if id == next {
                names.push(Name { chars, weight: 0.0 });
                searchable.push(false);
            }
            searchable[id as usize] |= search;
            Some(id)
        };
        for (customer, a) in addresses {
            let road = intern(&a.road, true, &mut index.names);
            let compound = intern(&a.compound, true, &mut index.names);
            if road.is_none() && compound.is_none() {
                continue; // nothing to find it by
            }
            let key = [
                &a.province, &a.city, &a.district, &a.township, &a.community, &a.road,
                &a.house_no, &a.compound, &a.building,
            ]
            .map(|s| normalize(s));
            let next = index.groups.len() as u32;
            let g = *group_ids.entry(key).or_insert(next);
            if g == next {
                index.groups.push(AddressGroup {
                    district: short_form(&normalize(&a.district), Level::District),
                    township: short_form(&normalize(&a.township), Level::Township),
                    community: intern(&a.community, false, &mut index.names),
                    road,
                    compound,
                    house_no: canonical_number(&a.house_no),
                    building: canonical_number(&a.building),
                    households: Vec::new(),
                });
            }
            let room = canonical_number(&a.room).unwrap_or_default();
            index.groups[g as usize].households.push((room, customer));
        }
        for g in &mut index.groups {
            g.households.sort();
        }
        index.groups_by_name = vec![Vec::new(); index.names.len()];
        for (gi, g) in index.groups.iter().enumerate() {
            for n in [g.road, g.compound].into_iter().flatten() {
                let list = &mut index.groups_by_name[n as usize];
                if list.last() != Some(&(gi as u32)) {
                    list.push(gi as u32);
                }
            }
        }
        // Rarity weights: ln(1 + searchable names / names holding the character).
        let mut holders: HashMap<char, Vec<u32>> = HashMap::new();
        for (id, name) in index.names.iter().enumerate() {
            if !searchable[id] {
                continue;
            }
            let mut distinct = name.chars.clone();
            distinct.sort_unstable();
            distinct.dedup();
            for c in distinct {
                holders.entry(c).or_default().push(id as u32);
            }
        }
        let total = searchable.iter().filter(|s| **s).count().max(1) as f32;
        for (c, ids) in holders {
            let idf = (1.0 + total / ids.len() as f32).ln();
            index.postings.insert(c, (idf, ids));
        }
        for name in &mut index.names {
            let mut distinct = name.chars.clone();
            distinct.sort_unstable();
            distinct.dedup();
            name.weight = distinct.iter().filter_map(|c| index.postings.get(c)).map(|p| p.0).sum();
        }
        index
    }

    /// The addresses matching a parsed query, best first, each with its score in 0..=1.
    pub fn search(&self, q: &QueryParts) -> Vec<(u32, f32)> {
        let text = &q.name_text;
        let text_len = text.len();
        if text_len == 0 || self.names.is_empty() {
            return Vec::new();
        }
        // 1. Names sharing rare characters with the query.
        let mut overlap: Vec<f32> = vec![0.0; self.names.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut distinct: Vec<char> = text.clone();
        distinct.sort_unstable();
        distinct.dedup();
        for c in &distinct {
            if let Some((idf, ids)) = self.postings.get(c) {
                for &id in ids {
                    if overlap[id as usize] == 0.0 {
                        touched.push(id);
                    }
                    overlap[id as usize] += idf;
                }
            }
        }
        let share = |id: u32| overlap[id as usize] / self.names[id as usize].weight.max(f32::EPSILON);
        touched.retain(|&id| share(id) >= MIN_CHAR_OVERLAP);
        touched.sort_unstable_by(|a, b| share(*b).total_cmp(&share(*a)).then(a.cmp(b)));
        touched.truncate(MAX_ALIGNED_NAMES);
        // 2. Align them; a name is mentioned when most of its characters align.
        let mut aligned: Vec<Option<Option<(f32, Alignment)>>> = vec![None; self.names.len()];
        let mentioned = |id: u32, aligned: &mut [Option<Option<(f32, Alignment)>>]| {
            aligned[id as usize]
                .get_or_insert_with(|| {
                    let name = &self.names[id as usize].chars;
                    let a = align(name, text);
                    let sim = name.len().saturating_sub(a.distance) as f32 / name.len() as f32;
                    (sim >= MIN_NAME_SIM).then_some((sim, a))
                })
                .clone()
        };
        let mut candidates: Vec<u32> = Vec::new();
        for &id in &touched {
            if mentioned(id, &mut aligned).is_some() {
                candidates.extend_from_slice(&self.groups_by_name[id as usize]);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        // 3. Score the addresses.
        let house = canonical_key(&q.house_no);
        let building = canonical_key(&q.building);
        let a = &q.parsed.address;
        let district = (!a.district.is_empty()).then(|| short_form(&a.district, Level::District));
        let township = (!a.township.is_empty()).then(|| short_form(&a.township, Level::Township));
        let mut scored: Vec<(u32, f32)> = Vec::with_capacity(candidates.len());
        for gi in candidates {
            let g = &self.groups[gi as usize];
            let (mut covered, mut sims, mut count) = (Coverage::default(), 0.0f32, 0u32);
            for n in [g.community, g.road, g.compound].into_iter().flatten() {
                if let Some((sim, a)) = mentioned(n, &mut aligned) {
                    // Of equally good places, the one explaining most of what is not yet explained.
                    let mut best = a.spans[0];
                    for &span in &a.spans[1..] {
                        if covered.gain(span) > covered.gain(best) {
                            best = span;
                        }
                    }
                    covered.add(best);
                    sims += sim;
                    count += 1;
                }
            }
            if count == 0 {
                continue;
            }
            let recall = (covered.count() as f32 / text_len as f32).min(1.0);
            let precision = sims / count as f32;
            let mut sum = W_NAMES * recall * (0.5 + 0.5 * precision);
            let mut weight = W_NAMES;
            let mut factor = 1.0f32;
            for (given, has) in [(&house, &g.house_no), (&building, &g.building)] {
                match (given, has) {
                    (Some(q), Some(h)) => {
                        weight += W_NUMBER;
                        if q == h {
                            sum += W_NUMBER;
                        } else {
                            factor *= CONTRADICTION;
                        }
                    }
                    (Some(_), None) => weight += W_NUMBER,
                    (None, Some(_)) => factor *= MISSING_NUMBER,
                    (None, None) => {}
                }
            }
            for (given, has) in [(&district, &g.district), (&township, &g.township)] {
                match given {
                    Some(q) if !has.is_empty() && q == has => {
                        weight += W_ADMIN;
                        sum += W_ADMIN;
                    }
                    Some(_) if !has.is_empty() => factor *= CONTRADICTION,
                    _ => {}
                }
            }
            let score = (sum / weight * factor).clamp(0.0, 1.0);
            if score >= MIN_ADDRESS_SCORE {
                scored.push((gi, score));
            }
        }
        scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored
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

    #[test]
    fn numbers_compare_without_leading_zeros() {
        assert_eq!(canonical_number("03栋"), Some("3".into()));
        assert_eq!(canonical_number("3号楼"), Some("3".into()));
        assert_eq!(canonical_number(""), None);
        assert_eq!(canonical_number("A座"), Some("A".into()));
    }
}
