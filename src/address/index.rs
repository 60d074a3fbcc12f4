//! The address index: customers grouped by their address without the room, road and compound
//! names interned, and an inverted index from characters to names for fuzzy look-up.

use rustc_hash::FxHashMap as HashMap;

use super::align::{align, Coverage, MAX_SPANS};
use super::gazetteer::{short_form, Level};
use super::normalize::{normalize, number_key};
use super::parse::QueryParts;
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
const MIN_NAME_SIM: f32 = 0.6;
/// Names whose characters (weighted by rarity) are at least this much in the query are aligned.
const MIN_CHAR_OVERLAP: f32 = 0.3;
/// At most this many names are aligned per query.
const MAX_ALIGNED_NAMES: usize = 96;
/// Addresses scoring below this are not returned.
pub(crate) const MIN_ADDRESS_SCORE: f32 = 0.2;

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

/// Room key: a shop (`首层1号铺`) → `铺1`, a flat (`1502房`) → `1502`.
pub(crate) fn canonical_room(segment: &str) -> Option<String> {
    let n = normalize(segment);
    if n.contains('铺') {
        let digits: String = n
            .chars()
            .rev()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let digits = digits.trim_start_matches('0');
        return Some(format!("铺{digits}"));
    }
    canonical_number(segment)
}

/// Like [`canonical_number`] for a query's number key.
pub(crate) fn canonical_key(key: &Option<String>) -> Option<String> {
    key.as_deref().and_then(canonical_number)
}

/// The group of an address without its room, created on first sight; `None` when the
/// address has neither a road nor a compound to find it by.
fn group_of(
    a: &StandardAddress,
    index: &mut AddressIndex,
    group_ids: &mut HashMap<[String; 9], u32>,
    intern: &mut impl FnMut(&str, bool, &mut Vec<Name>) -> Option<u32>,
) -> Option<u32> {
    let road = intern(&a.road, true, &mut index.names);
    let compound = intern(&a.compound, true, &mut index.names);
    if road.is_none() && compound.is_none() {
        return None;
    }
    let key = a.building_segments().map(normalize);
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
    Some(g)
}

impl AddressIndex {
    /// Groups the customers by address without the room and indexes the names.
    pub fn build<'a>(addresses: impl Iterator<Item = (CustomerId, &'a StandardAddress)>) -> Self {
        let mut index = AddressIndex::default();
        let mut name_ids: HashMap<Vec<char>, u32> = HashMap::default();
        let mut searchable: Vec<bool> = Vec::new();
        let mut group_ids: HashMap<[String; 9], u32> = HashMap::default();
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
        // Households of one building share the same raw segments: normalise each distinct
        // raw address once (28k buildings, not 100k households).
        let mut raw_groups: HashMap<[&'a str; 9], Option<u32>> = HashMap::default();
        for (customer, a) in addresses {
            let raw = a.building_segments();
            let g = match raw_groups.get(&raw) {
                Some(g) => *g,
                None => {
                    let g = group_of(a, &mut index, &mut group_ids, &mut intern);
                    raw_groups.insert(raw, g);
                    g
                }
            };
            let Some(g) = g else {
                continue; // nothing to find it by
            };
            let room = canonical_room(&a.room).unwrap_or_default();
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
        // By house number (none first), so that one number is one slice.
        let groups = &index.groups;
        for list in &mut index.groups_by_name {
            list.sort_by(|a, b| {
                let (a, b) = (&groups[*a as usize], &groups[*b as usize]);
                (&a.house_no, &a.building).cmp(&(&b.house_no, &b.building))
            });
        }
        // Rarity weights: ln(1 + searchable names / names holding the character).
        let mut holders: HashMap<char, Vec<u32>> = HashMap::default();
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
    ///
    /// Only the groups agreeing with a given house number (or, without one, having the given
    /// building) are scored first; the others score 0.5 at most (a contradiction) or lack the
    /// number, so they are scored only when nothing agreeing reaches 0.5.
    pub fn search(&self, q: &QueryParts) -> Vec<(u32, f32)> {
        let text = &q.name_text;
        if text.is_empty() || self.names.is_empty() {
            return Vec::new();
        }
        let mut memo = Mentions::new(self.names.len());
        let mentioned: Vec<u32> = self
            .names_sharing_characters(text)
            .into_iter()
            .filter(|&id| memo.get(self, id, text).is_some())
            .collect();
        let a = &q.parsed.address;
        let given = Given {
            text_len: text.len(),
            house: canonical_key(&q.house_no),
            building: canonical_key(&q.building),
            district: (!a.district.is_empty()).then(|| short_form(&a.district, Level::District)),
            township: (!a.township.is_empty()).then(|| short_form(&a.township, Level::Township)),
        };
        let filtered = given.house.is_some() || given.building.is_some();
        let mut scored = self.score_groups(&mentioned, &given, filtered, &mut memo, text);
        if filtered && scored.first().is_none_or(|s| s.1 < CONTRADICTION) {
            scored = self.score_groups(&mentioned, &given, false, &mut memo, text);
        }
        scored
    }

    /// Road and compound names sharing enough rare characters with the text, most first.
    fn names_sharing_characters(&self, text: &[char]) -> Vec<u32> {
        let mut overlap: Vec<f32> = vec![0.0; self.names.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut distinct: Vec<char> = text.to_vec();
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
        let share =
            |id: u32| overlap[id as usize] / self.names[id as usize].weight.max(f32::EPSILON);
        touched.retain(|&id| share(id) >= MIN_CHAR_OVERLAP);
        touched.sort_unstable_by(|a, b| share(*b).total_cmp(&share(*a)).then(a.cmp(b)));
        touched.truncate(MAX_ALIGNED_NAMES);
        touched
    }

    /// The groups on the mentioned roads and in the mentioned compounds (agreeing with the
    /// given numbers when `filtered`), scored.
    fn score_groups(
        &self,
        mentioned: &[u32],
        given: &Given,
        filtered: bool,
        memo: &mut Mentions,
        text: &[char],
    ) -> Vec<(u32, f32)> {
        let mut candidates: Vec<u32> = Vec::new();
        for &name in mentioned {
            let list = &self.groups_by_name[name as usize];
            let house_of = |g: &u32| self.groups[*g as usize].house_no.as_deref();
            match (&given.house, &given.building) {
                (Some(h), _) if filtered => {
                    let none_end = list.partition_point(|g| house_of(g).is_none());
                    let lo = list.partition_point(|g| house_of(g) < Some(h.as_str()));
                    let hi = list.partition_point(|g| house_of(g) <= Some(h.as_str()));
                    candidates.extend_from_slice(&list[..none_end]);
                    candidates.extend_from_slice(&list[lo.max(none_end)..hi.max(none_end)]);
                }
                (None, Some(b)) if filtered => candidates.extend(
                    list.iter().filter(|g| self.groups[**g as usize].building.as_ref() == Some(b)),
                ),
                _ => candidates.extend_from_slice(list),
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut scored: Vec<(u32, f32)> = Vec::with_capacity(candidates.len());
        for gi in candidates {
            if let Some(score) = self.score_group(&self.groups[gi as usize], given, memo, text) {
                if score >= MIN_ADDRESS_SCORE {
                    scored.push((gi, score));
                }
            }
        }
        scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored
    }

    /// The score of one group (see the module documentation); `None` when none of its names
    /// is mentioned.
    fn score_group(
        &self,
        g: &AddressGroup,
        given: &Given,
        memo: &mut Mentions,
        text: &[char],
    ) -> Option<f32> {
        // The group's mentioned names, surest first; each takes, of its equally good places,
        // the one explaining most of what is not yet explained. Names that explain nothing new
        // (a community whose name is inside a village's) do not count.
        let mut names: [Option<Mention>; 3] = [None; 3];
        for (slot, id) in names.iter_mut().zip([g.compound, g.road, g.community]) {
            *slot = id.and_then(|id| memo.get(self, id, text));
        }
        names.sort_by(|a, b| {
            let sim = |m: &Option<Mention>| m.map_or(-1.0, |m| m.sim);
            sim(b).total_cmp(&sim(a))
        });
        let (mut covered, mut sims, mut count) = (Coverage::default(), 0.0f32, 0u32);
        for m in names.iter().flatten() {
            let spans = &m.spans[..usize::from(m.len)];
            let best =
                spans.iter().copied().max_by_key(|s| (covered.gain(*s), std::cmp::Reverse(s.1)));
            if let Some(span) = best.filter(|s| covered.gain(*s) > 0) {
                covered.add(span);
                sims += m.sim;
                count += 1;
            }
        }
        if count == 0 {
            return None;
        }
        let recall = (covered.count() as f32 / given.text_len as f32).min(1.0);
        let precision = sims / count as f32;
        let mut sum = W_NAMES * recall * (0.5 + 0.5 * precision);
        let mut weight = W_NAMES;
        let mut factor = 1.0f32;
        for (q, has) in [(&given.house, &g.house_no), (&given.building, &g.building)] {
            match (q, has) {
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
        for (q, has) in [(&given.district, &g.district), (&given.township, &g.township)] {
            match q {
                Some(q) if !has.is_empty() && q == has => {
                    weight += W_ADMIN;
                    sum += W_ADMIN;
                }
                Some(_) if !has.is_empty() => factor *= CONTRADICTION,
                _ => {}
            }
        }
        Some((sum / weight * factor).clamp(0.0, 1.0))
    }
}

/// What the query gives, as the scoring compares it.
struct Given {
    text_len: usize,
    house: Option<String>,
    building: Option<String>,
    district: Option<String>,
    township: Option<String>,
}

/// A name mentioned in the query: its similarity and its equally good places.
#[derive(Clone, Copy, Debug)]
struct Mention {
    sim: f32,
    spans: [(usize, usize); MAX_SPANS],
    len: u8,
}

/// Names aligned so far in one query.
struct Mentions {
    /// Name → index into `found` + 1; 0 = not aligned yet.
    slot: Vec<u32>,
    found: Vec<Option<Mention>>,
}

impl Mentions {
    fn new(names: usize) -> Self {
        Mentions { slot: vec![0; names], found: Vec::new() }
    }

    /// The mention of a name, aligning it on first use; `None` when not mentioned.
    fn get(&mut self, index: &AddressIndex, id: u32, text: &[char]) -> Option<Mention> {
        let slot = self.slot[id as usize];
        if slot > 0 {
            return self.found[slot as usize - 1];
        }
        let name = &index.names[id as usize].chars;
        let a = align(name, text);
        let sim = name.len().saturating_sub(a.distance) as f32 / name.len() as f32;
        let mention = (sim >= MIN_NAME_SIM && !a.spans.is_empty()).then(|| {
            let mut spans = [(0, 0); MAX_SPANS];
            for (s, a) in spans.iter_mut().zip(&a.spans) {
                *s = *a;
            }
            Mention { sim, spans, len: a.spans.len().min(MAX_SPANS) as u8 }
        });
        self.found.push(mention);
        self.slot[id as usize] = self.found.len() as u32;
        mention
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_without_leading_zeros() {
        assert_eq!(canonical_number("03栋"), Some("3".into()));
        assert_eq!(canonical_number("3号楼"), Some("3".into()));
        assert_eq!(canonical_number(""), None);
        assert_eq!(canonical_number("A座"), Some("A".into()));
        assert_eq!(canonical_room("首层1号铺"), Some("铺1".into()));
        assert_eq!(canonical_room("首层一号铺"), Some("铺1".into()));
        assert_eq!(canonical_room("1502室"), Some("1502".into()));
    }
}
