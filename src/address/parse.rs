//! Free text → the segments of a standard address.
//!
//! The text is normalised first ([`normalize`]). Administrative names at the start are looked
//! up in the gazetteer, with or without their suffix, each level below the one before
//! (`佛山祖庙` = 佛山市 祖庙街道); further on, only full names are (`汾江中路123号禅城区`), as an
//! abbreviation there is far more often the start of a road or compound (`中山路`, `高明花园`).
//! An abbreviation followed by a road or compound suffix is never one (`南海大道`, `祖庙路`).
//!
//! The rest is cut into number tokens (`123号`, `3栋`, `1502房`, `首层1号铺`, bare `1502`,
//! `3-1502`) and runs of characters; each run is cut at its suffix markers (road: 路/街/道/大道/
//! 巷; compound: 花园/小区/苑/庭/城/广场/大厦/村…; community: 社区/居委会/村委会; township:
//! 街道/镇/乡), a compound before a road when it is named first. A run without a marker (a typo
//! ate it, or the caller never said it) is placed by position: before a house number it is the
//! road, before a building the compound. Floor words before a number (`首层`) are dropped.

use super::gazetteer::{gazetteer, Level, Named, FOSHAN_CITY_CODE};
use super::normalize::{is_cjk, normalize};
use crate::model::StandardAddress;

/// At most this many normalised characters are read; no address is longer, and it keeps a
/// pasted page from costing more than a normal query.
pub(crate) const MAX_QUERY_CHARS: usize = 160;

/// Road suffixes (街巷).
pub(crate) const ROAD_SUFFIXES: &[&str] = &["大道", "大街", "路", "街", "道", "巷", "弄"];
/// Compound and natural-village suffixes (小区 / 自然村).
pub(crate) const COMPOUND_SUFFIXES: &[&str] = &[
    "花园", "小区", "新村", "公寓", "山庄", "广场", "大厦", "大楼", "中心", "家园", "公馆", "苑",
    "庭", "城", "园", "府", "居", "阁", "轩", "湾", "邸", "村", "坊",
];
/// Community suffixes (社区居委会 / 村委会).
pub(crate) const COMMUNITY_SUFFIXES: &[&str] =
    &["社区居委会", "居委会", "村委会", "社区", "居委", "村委"];
/// Township suffixes recognised without the gazetteer (a stem of two characters at least).
const TOWNSHIP_SUFFIXES: &[&str] = &["街道", "镇", "乡"];

/// A free-text address split into the segments of a [`StandardAddress`].
///
/// Segments are written canonically: administrative names in full (`禅城区`, `祖庙街道`) when
/// the gazetteer knows them, numbers with their marker (`123号`, `3栋`, `1502房`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedAddress {
    /// The segments found; empty strings for the ones not given.
    pub address: StandardAddress,
    /// Pieces of text that fit no segment, in order.
    pub unplaced: Vec<String>,
}

/// What a road-or-compound run was cut as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Road,
    Compound,
    Community,
    Township,
}

/// A token of the text after the administrative prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    /// A name with the kind of its suffix, if any.
    Name(String, Option<Kind>),
    /// A number with the marker after it (`号`, `栋`, `房`, `铺`, `单`, `层`, `户`) or none.
    Number(String, Option<char>),
}

/// The parse with what the matcher needs beyond the canonical segments.
#[derive(Clone, Debug, Default)]
pub(crate) struct QueryParts {
    pub parsed: ParsedAddress,
    /// Road, compound, community and unplaced names run together, for fuzzy matching.
    pub name_text: Vec<char>,
    /// Number keys without markers.
    pub house_no: Option<String>,
    pub building: Option<String>,
    pub room: Option<String>,
}

/// Splits free text into standard-address segments; see the module rules. Administrative
/// stems are read with 佛山市 as the home city.
///
/// ```
/// use gridcare::address::parse_address;
/// let p = parse_address("佛山祖庙汾江中路文华花园三栋");
/// assert_eq!(p.address.city, "佛山市");
/// assert_eq!(p.address.township, "祖庙街道");
/// assert_eq!(p.address.road, "汾江中路");
/// assert_eq!(p.address.compound, "文华花园");
/// assert_eq!(p.address.building, "3栋");
/// ```
pub fn parse_address(text: &str) -> ParsedAddress {
    parse_query(text, FOSHAN_CITY_CODE).parsed
}

fn starts_with_any(text: &[char], words: &[&str]) -> bool {
    words.iter().any(|w| {
        let mut it = text.iter();
        w.chars().all(|c| it.next() == Some(&c))
    })
}

/// `text` without a leading `word`, if it starts with it.
fn strip_word<'t>(text: &'t [char], word: &str) -> Option<&'t [char]> {
    let n = word.chars().count();
    (text.len() >= n && text[..n].iter().copied().eq(word.chars())).then(|| &text[n..])
}

fn ends_with_at(text: &[char], end: usize, word: &str) -> bool {
    let n = word.chars().count();
    end + 1 >= n && text[end + 1 - n..=end].iter().copied().eq(word.chars())
}

/// Whether text right after an abbreviation shows the abbreviation is the start of a road or a
/// compound name (`南海大道`, `祖庙路`, `东城花园`) and not a division.
fn continues_a_name(rest: &[char]) -> bool {
    starts_with_any(rest, ROAD_SUFFIXES)
        || starts_with_any(rest, COMPOUND_SUFFIXES)
        || starts_with_any(rest, COMMUNITY_SUFFIXES)
}

/// Administrative state while parsing.
struct Admin<'a> {
    home_city: &'a str,
    codes: [Option<String>; 4],
    /// Past the leading administrative names: from here on only full names are taken
    /// (`汾江中路123号 禅城区`), never an abbreviation, which is far more often the start of a
    /// road or compound (`中山路`, `高明花园`). At any point only levels below the deepest one
    /// named are looked for (`荷城街道高明花园`: 高明 is not the district here).
    past_prefix: bool,
}

impl Admin<'_> {
    /// Recognises one not-yet-named level at the start of `text`; returns chars consumed.
    fn take(&mut self, text: &[char], address: &mut StandardAddress) -> usize {
        let g = gazetteer();
        let levels = [Level::Province, Level::City, Level::District, Level::Township];
        let deepest = self.codes.iter().rposition(Option::is_some);
        for (k, level) in levels.into_iter().enumerate() {
            if deepest.is_some_and(|d| k <= d) {
                continue;
            }
            let parent_code = self.codes[..k].iter().rev().flatten().next().map(String::as_str);
            let named = Named { parent_code, home_city: self.home_city };
            let Some(r) = g.recognise(text, level, named) else { continue };
            let d = &g.divisions[r.division as usize];
            let is_stem = r.len < d.name.chars().count();
            if is_stem && (self.past_prefix || continues_a_name(&text[r.len..])) {
                continue;
            }
            let slot = match level {
                Level::Province => &mut address.province,
                Level::City => &mut address.city,
                Level::District => &mut address.district,
                Level::Township => &mut address.township,
            };
            *slot = d.name.clone();
            self.codes[k] = Some(d.code.clone());
            return r.len;
        }
        // A province the gazetteer does not hold: two or three characters and 省.
        if !self.past_prefix && self.codes[0].is_none() && address.province.is_empty() {
            if let Some(p) = text.iter().take(4).position(|c| *c == '省').filter(|p| *p >= 2) {
                address.province = text[..=p].iter().collect();
                return p + 1;
            }
        }
        0
    }
}

/// Cuts a run of characters at its first suffix marker (see the module rules); returns the
/// length of the first segment and its kind, or `None` when the run holds no marker.
fn first_cut(run: &[char]) -> Option<(usize, Kind)> {
    // Every (end, kind, suffix length) where a suffix ends, with enough stem before it.
    let mut ends: Vec<(usize, Kind, usize)> = Vec::new();
    for e in 0..run.len() {
        let mut best: Option<(Kind, usize)> = None;
        let lists: [(&[&str], Kind, usize); 4] = [
            (COMMUNITY_SUFFIXES, Kind::Community, 1),
            (TOWNSHIP_SUFFIXES, Kind::Township, 2),
            (ROAD_SUFFIXES, Kind::Road, 1),
            (COMPOUND_SUFFIXES, Kind::Compound, 1),
        ];
        for (list, kind, min_stem) in lists {
            for s in list {
                let n = s.chars().count();
                if ends_with_at(run, e, s) && e + 1 >= n + min_stem && best.is_none_or(|b| n > b.1)
                {
                    best = Some((kind, n));
                }
            }
        }
        let next = run.get(e + 1).copied();
        match best {
            // 街 before 道 is the township 街道; 村 before 委 is the community 村委(会).
            Some((Kind::Road, _)) if run[e] == '街' && next == Some('道') => {}
            Some((Kind::Compound, _)) if run[e] == '村' && next == Some('委') => {}
            Some((kind, n)) => ends.push((e, kind, n)),
            None => {}
        }
    }
    let first_other = ends.iter().find(|(_, k, _)| *k != Kind::Compound);
    let mut compounds = ends.iter().filter(|(_, k, _)| *k == Kind::Compound);
    if let Some(&(r, kind, n)) = first_other {
        // A compound named before the road (`文华花园汾江中路`), if the road keeps a stem.
        let before = compounds.rfind(|(c, _, _)| *c < r && r - c >= n + 2);
        return Some(match before {
            Some(&(c, _, _)) => (c + 1, Kind::Compound),
            // A direction after a road ends it (`南海大道北`).
            None if kind == Kind::Road
                && run.len() == r + 2
                && matches!(run[r + 1], '东' | '南' | '西' | '北' | '中') =>
            {
                (r + 2, kind)
            }
            None => (r + 1, kind),
        });
    }
    compounds.next_back().map(|&(c, _, _)| (c + 1, Kind::Compound))
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// Whether a run of number characters at `i` belongs to a road name (`中山1路`).
fn number_in_road_name(text: &[char], i: usize) -> bool {
    let mut j = i;
    while j < text.len() && text[j].is_ascii_digit() {
        j += 1;
    }
    j > i && starts_with_any(&text[j..], &["路", "街", "巷", "大道", "大街"])
}

/// Cuts the text after the administrative prefix into tokens, recognising later
/// administrative names too.
fn tokens(text: &[char], admin: &mut Admin<'_>, address: &mut StandardAddress) -> Vec<Token> {
    admin.past_prefix = true;
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if is_number_char(text[i]) && !number_in_road_name(text, i) {
            let start = i;
            while i < text.len() && is_number_char(text[i]) {
                i += 1;
            }
            let number: String = text[start..i].iter().collect::<String>();
            let number = number.trim_matches('-').to_string();
            let (marker, len) = match (text.get(i).copied(), text.get(i + 1).copied()) {
                // A shop on the ground floor: `首层1号铺`.
                (Some('号'), Some('铺')) => (Some('铺'), 2),
                (Some('铺'), _) => (Some('铺'), 1),
                (Some(m @ ('号' | '栋' | '房' | '层' | '户')), _) => (Some(m), 1),
                (Some('单'), Some('元')) => (Some('单'), 2),
                _ => (None, 0),
            };
            i += len;
            // `铺位`, and the `房` some add after a shop number, say nothing more.
            if marker == Some('铺') && matches!(text.get(i), Some('位' | '房')) {
                i += 1;
            }
            if !number.is_empty() {
                out.push(Token::Number(number, marker));
            }
            continue;
        }
        if !is_cjk(text[i]) && !number_in_road_name(text, i) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() {
            if is_cjk(text[i]) {
                i += 1;
            } else if number_in_road_name(text, i) {
                while text[i].is_ascii_digit() {
                    i += 1;
                }
            } else {
                break;
            }
        }
        let mut run = &text[start..i];
        // Floor words before a shop or flat number (`首层1号铺`) are not names.
        for floor in ["首层", "底层", "地下", "商铺"] {
            if let Some(rest) = strip_word(run, floor) {
                run = rest;
            }
        }
        while !run.is_empty() {
            let taken = admin.take(run, address);
            if taken > 0 {
                run = &run[taken..];
                continue;
            }
            let (mut len, kind) = first_cut(run).map_or((run.len(), None), |(n, k)| (n, Some(k)));
            // One stray character after a marker belongs to the name (`海尚湾畔`).
            if run.len() == len + 1 && admin.take(&run[len..], address) == 0 {
                len += 1;
            }
            out.push(Token::Name(run[..len].iter().collect(), kind));
            run = &run[len..];
        }
    }
    out
}

/// Parses with a given home city code (`4406`).
pub(crate) fn parse_query(text: &str, home_city: &str) -> QueryParts {
    let normal: Vec<char> = normalize(text).chars().take(MAX_QUERY_CHARS).collect();
    let mut q = QueryParts::default();
    let mut admin = Admin { home_city, codes: Default::default(), past_prefix: false };
    let mut cursor = 0;
    loop {
        let taken = admin.take(&normal[cursor..], &mut q.parsed.address);
        if taken == 0 {
            break;
        }
        cursor += taken;
    }
    let tokens = tokens(&normal[cursor..], &mut admin, &mut q.parsed.address);
    let mut names: Vec<&str> = Vec::new();
    for (k, token) in tokens.iter().enumerate() {
        let next = tokens.get(k + 1);
        match token {
            Token::Name(name, kind) => {
                let more_names = tokens[k + 1..].iter().any(|t| matches!(t, Token::Name(..)));
                if place_name(&mut q, name, *kind, next, more_names) {
                    names.push(name);
                }
            }
            Token::Number(number, marker) => place_number(&mut q, number, *marker, next),
        }
    }
    let address = &mut q.parsed.address;
    address.house_no = q.house_no.as_ref().map(|n| format!("{n}号")).unwrap_or_default();
    address.building = q.building.as_ref().map(|n| format!("{n}栋")).unwrap_or_default();
    address.room = match q.room.as_deref() {
        Some(shop) if shop.starts_with('铺') => format!("首层{}号铺", &shop['铺'.len_utf8()..]),
        Some(room) => format!("{room}房"),
        None => String::new(),
    };
    for name in names {
        q.name_text.extend(name.chars());
    }
    q
}

/// Puts a name in its segment, by its suffix or else by position; returns whether it is part
/// of the name text to match (everything but a township).
fn place_name(
    q: &mut QueryParts,
    name: &str,
    kind: Option<Kind>,
    next: Option<&Token>,
    more_names: bool,
) -> bool {
    let address = &mut q.parsed.address;
    let kind = match kind {
        // 民乐村新基村: a village before another name is the village committee.
        Some(Kind::Compound) if name.ends_with('村') && more_names => Some(Kind::Community),
        Some(kind) => Some(kind),
        None => match next {
            Some(Token::Number(_, Some('号'))) if address.road.is_empty() => Some(Kind::Road),
            Some(Token::Number(..)) if address.compound.is_empty() => Some(Kind::Compound),
            _ if address.compound.is_empty() && !address.road.is_empty() => Some(Kind::Compound),
            _ if address.road.is_empty() && address.compound.is_empty() => Some(Kind::Road),
            _ => None,
        },
    };
    let slot = match kind {
        Some(Kind::Road) => &mut address.road,
        Some(Kind::Compound) => &mut address.compound,
        Some(Kind::Community) => &mut address.community,
        Some(Kind::Township) if address.township.is_empty() => {
            address.township = name.to_string();
            return false;
        }
        Some(Kind::Township) | None => {
            q.parsed.unplaced.push(name.to_string());
            return true;
        }
    };
    if slot.is_empty() {
        *slot = name.to_string();
    } else {
        q.parsed.unplaced.push(name.to_string());
    }
    true
}

/// Puts a number token in its segment (see the module rules).
fn place_number(q: &mut QueryParts, number: &str, marker: Option<char>, next: Option<&Token>) {
    let address = &q.parsed.address;
    let unplaced = &mut q.parsed.unplaced;
    let set = |slot: &mut Option<String>, unplaced: &mut Vec<String>| {
        if slot.is_none() {
            *slot = Some(number.to_string());
        } else {
            unplaced.push(number.to_string());
        }
    };
    match marker {
        Some('号') if q.house_no.is_none() => q.house_no = Some(number.to_string()),
        Some('号') if q.building.is_none() => q.building = Some(number.to_string()),
        Some('铺') => {
            let shop = format!("铺{}", number.trim_start_matches('0'));
            if q.room.is_none() {
                q.room = Some(shop);
            } else {
                unplaced.push(shop);
            }
        }
        Some('号') | Some('房') | Some('户') => set(&mut q.room, unplaced),
        Some('栋') => set(&mut q.building, unplaced),
        Some(_) => {} // unit or floor: not a segment of the standard address
        None => {
            if let Some((b, r)) = number.split_once('-').filter(|_| q.building.is_none()) {
                q.building = Some(b.to_string());
                q.room = Some(r.to_string());
            } else if q.house_no.is_none()
                && !address.road.is_empty()
                && address.compound.is_empty()
                && q.building.is_none()
            {
                q.house_no = Some(number.to_string());
            } else if q.building.is_none()
                && number.len() <= 2
                && matches!(next, None | Some(Token::Number(..)))
            {
                q.building = Some(number.to_string());
            } else {
                set(&mut q.room, unplaced);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(text: &str) -> [String; 10] {
        let a = parse_address(text).address;
        [
            a.province,
            a.city,
            a.district,
            a.township,
            a.community,
            a.road,
            a.house_no,
            a.compound,
            a.building,
            a.room,
        ]
    }

    #[test]
    fn a_full_standard_address_splits_into_all_segments() {
        let a = parse_address("广东省佛山市禅城区祖庙街道升平社区汾江中路123号文华花园3栋1502房")
            .address;
        assert_eq!(a.province, "广东省");
        assert_eq!(a.city, "佛山市");
        assert_eq!(a.district, "禅城区");
        assert_eq!(a.township, "祖庙街道");
        assert_eq!(a.community, "升平社区");
        assert_eq!(a.road, "汾江中路");
        assert_eq!(a.house_no, "123号");
        assert_eq!(a.compound, "文华花园");
        assert_eq!(a.building, "3栋");
        assert_eq!(a.room, "1502房");
    }

    #[test]
    fn what_callers_say_is_understood() {
        let s = segs("禅城区祖庙街道汾江中路123号文华花园3栋1502");
        assert_eq!(
            &s[2..],
            ["禅城区", "祖庙街道", "", "汾江中路", "123号", "文华花园", "3栋", "1502房"]
        );
        let s = segs("南海桂城桂澜路88号");
        assert_eq!(&s[2..7], ["南海区", "桂城街道", "", "桂澜路", "88号"]);
        let s = segs("汾江中路123号");
        assert_eq!(&s[5..7], ["汾江中路", "123号"]);
        let s = segs("南海大道北 十二号");
        assert_eq!(s[2], "");
        assert_eq!(s[6], "12号");
        let s = segs("祖庙路5号");
        assert_eq!(&s[3..7], ["", "", "祖庙路", "5号"]);
    }

    #[test]
    fn variants_and_missing_suffixes_are_tolerated() {
        let s = segs("文华花园 3号楼 1502室 汾江中路");
        assert_eq!(&s[5..10], ["汾江中路", "", "文华花园", "3栋", "1502房"]);
        // A typo ate the road's suffix: the run before the house number is the road.
        let s = segs("汾江中璐１２３号文华花圆三幢");
        assert_eq!(&s[5..9], ["汾江中璐", "123号", "文华花圆", "3栋"]);
        let s = segs("文华花园3-1502");
        assert_eq!(&s[7..10], ["文华花园", "3栋", "1502房"]);
        let s = segs("文华花园2座首层3号铺");
        assert_eq!(&s[7..10], ["文华花园", "2栋", "首层3号铺"]);
        let s = segs("石湾 紫园路 8号");
        assert_eq!(&s[3..7], ["石湾镇街道", "", "紫园路", "8号"]);
    }

    #[test]
    fn nonsense_parses_to_nothing_much_without_panicking() {
        for text in ["", "   ", "😀", "？？？", "号栋房", "-", "第", "三", "1-", "-1-"] {
            let _ = parse_address(text);
        }
        let long = "汾江中路".repeat(30_000);
        let p = parse_address(&long);
        assert!(p.address.road.chars().count() <= MAX_QUERY_CHARS);
    }
}
