//! The gazetteer: Guangdong's province, cities, districts and townships (NBS 2023 codes, see
//! `data/README.md`), each known by its full name and by its stem without the suffix
//! (`佛山市`/`佛山`, `禅城区`/`禅城`, `石湾镇街道`/`石湾镇`/`石湾`).
//!
//! Full names are recognised anywhere in the province. Stems of districts and townships are
//! only recognised inside the parent already named in the text, or, when none is named, inside
//! the home city (the city the dispatch centre serves): callers abbreviate their own township,
//! and a stem such as `东城` or `凤凰` names a township in some other city far more often than
//! the caller means it.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

/// City code of 佛山市, the home city of [`parse_address`](super::parse_address).
pub const FOSHAN_CITY_CODE: &str = "4406";

/// An administrative level of the standard address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    Province,
    City,
    District,
    Township,
}

/// One administrative division.
#[derive(Clone, Debug)]
pub(crate) struct Division {
    /// Full name (`禅城区`).
    pub name: String,
    /// Statistical code (`440604`).
    pub code: String,
    pub level: Level,
}

impl Division {
    /// The city code this division lies in (`4406`), empty for the province.
    pub fn city_code(&self) -> &str {
        self.code.get(..4).unwrap_or("")
    }
}

/// All divisions with a look-up from every written form to the divisions it may name.
#[derive(Debug)]
pub(crate) struct Gazetteer {
    pub divisions: Vec<Division>,
    /// Written form → (division index, is a stem).
    forms: HashMap<String, Vec<(u32, bool)>>,
    max_form_chars: usize,
}

/// What the text has named so far, to choose among divisions sharing a name.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Named<'a> {
    /// Code of the deepest division named so far.
    pub parent_code: Option<&'a str>,
    /// The home city code (`4406`).
    pub home_city: &'a str,
}

/// A division recognised at the start of some text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Recognised {
    pub division: u32,
    /// Characters consumed.
    pub len: usize,
}

/// The suffixes stripped to make a stem, per level; applied repeatedly (石湾镇街道 → 石湾).
fn suffixes(level: Level) -> &'static [&'static str] {
    match level {
        Level::Province => &["省"],
        Level::City => &["市"],
        Level::District => &["区", "县", "市"],
        Level::Township => &["街道", "镇", "乡"],
    }
}

/// The stems of a name, longest first, each at least two characters.
pub(crate) fn stems(name: &str, level: Level) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = name;
    while let Some(s) = suffixes(level).iter().find_map(|s| current.strip_suffix(s)) {
        if s.chars().count() < 2 {
            break;
        }
        out.push(s.to_string());
        current = s;
    }
    out
}

/// The shortest stem of a name (the name itself when it has none): `祖庙街道` → `祖庙`.
pub(crate) fn short_form(name: &str, level: Level) -> String {
    stems(name, level).pop().unwrap_or_else(|| name.to_string())
}

fn csv_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().skip(1).map(|l| l.split(',').map(|f| f.trim().trim_matches('"')).collect())
}

impl Gazetteer {
    fn load() -> Gazetteer {
        let mut divisions =
            vec![Division { name: "广东省".into(), code: "44".into(), level: Level::Province }];
        let tables: [(&str, Level); 3] = [
            (include_str!("data/cities.csv"), Level::City),
            (include_str!("data/areas.csv"), Level::District),
            (include_str!("data/streets.csv"), Level::Township),
        ];
        for (text, level) in tables {
            for row in csv_rows(text) {
                let (Some(code), Some(name)) = (row.first(), row.get(1)) else { continue };
                divisions.push(Division { name: name.to_string(), code: code.to_string(), level });
            }
        }
        let mut forms: HashMap<String, Vec<(u32, bool)>> = HashMap::default();
        for (i, d) in divisions.iter().enumerate() {
            forms.entry(d.name.clone()).or_default().push((i as u32, false));
            for stem in stems(&d.name, d.level) {
                forms.entry(stem).or_default().push((i as u32, true));
            }
        }
        let max_form_chars = forms.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        Gazetteer { divisions, forms, max_form_chars }
    }

    /// The longest division of `level` whose name or stem starts `text`, chosen by what was
    /// named before (see the module rule for stems).
    pub fn recognise(&self, text: &[char], level: Level, named: Named<'_>) -> Option<Recognised> {
        let longest = self.max_form_chars.min(text.len());
        let mut form = String::with_capacity(longest * 3);
        for len in (2..=longest).rev() {
            form.clear();
            form.extend(&text[..len]);
            let Some(entries) = self.forms.get(&form) else { continue };
            let mut best: Option<(u32, u8)> = None;
            for &(idx, is_stem) in entries {
                let d = &self.divisions[idx as usize];
                if d.level != level {
                    continue;
                }
                let under_parent = named.parent_code.is_some_and(|p| d.code.starts_with(p));
                let in_home = d.city_code() == named.home_city;
                let local = matches!(level, Level::Province | Level::City);
                let rank = match (under_parent, in_home) {
                    (true, _) => 3,
                    (false, true) if named.parent_code.is_none() => 2,
                    _ if !is_stem || local => 1,
                    _ => continue,
                };
                if best.is_none_or(|(_, r)| rank > r) {
                    best = Some((idx, rank));
                }
            }
            if let Some((division, _)) = best {
                return Some(Recognised { division, len });
            }
        }
        None
    }

    /// The division of `level` with this full name, preferring the home city.
    pub fn by_name(&self, name: &str, level: Level, home_city: &str) -> Option<&Division> {
        let entries = self.forms.get(name)?;
        let mut found = entries
            .iter()
            .map(|&(i, _)| &self.divisions[i as usize])
            .filter(|d| d.level == level && d.name == name);
        let first = found.next()?;
        if first.city_code() == home_city {
            return Some(first);
        }
        Some(found.find(|d| d.city_code() == home_city).unwrap_or(first))
    }
}

/// The embedded Guangdong gazetteer, parsed on first use.
pub(crate) fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(Gazetteer::load)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn name_of(r: Option<Recognised>) -> Option<(String, usize)> {
        r.map(|r| (gazetteer().divisions[r.division as usize].name.clone(), r.len))
    }

    #[test]
    fn foshan_districts_and_townships_are_known_with_and_without_suffix() {
        let g = gazetteer();
        let home = Named { parent_code: None, home_city: FOSHAN_CITY_CODE };
        let got = name_of(g.recognise(&chars("禅城祖庙"), Level::District, home));
        assert_eq!(got, Some(("禅城区".into(), 2)));
        let got = name_of(g.recognise(&chars("祖庙街道汾江"), Level::Township, home));
        assert_eq!(got, Some(("祖庙街道".into(), 4)));
        let got = name_of(g.recognise(&chars("石湾"), Level::Township, home));
        assert_eq!(got, Some(("石湾镇街道".into(), 2)));
        let got = name_of(g.recognise(&chars("佛山"), Level::City, home));
        assert_eq!(got, Some(("佛山市".into(), 2)));
        assert!(g.divisions.len() > 1800);
    }

    #[test]
    fn a_stem_from_another_city_is_not_taken_for_a_township() {
        let g = gazetteer();
        let home = Named { parent_code: None, home_city: FOSHAN_CITY_CODE };
        // 东城街道 is in 东莞; a Foshan caller saying 东城 means something else.
        assert!(g.recognise(&chars("东城花园"), Level::Township, home).is_none());
        // Its full name is still recognised.
        assert!(g.recognise(&chars("东城街道"), Level::Township, home).is_some());
        assert_eq!(stems("石湾镇街道", Level::Township), vec!["石湾镇", "石湾"]);
        assert_eq!(short_form("祖庙街道", Level::Township), "祖庙");
    }
}
