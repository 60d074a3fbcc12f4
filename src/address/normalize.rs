//! Normalisation shared by parsing, indexing and garbling, so that the operator's text and the
//! stored standard address meet in one spelling.
//!
//! Rules, in order: full-width ASCII → half-width, letters upper case; spaces, punctuation,
//! emoji and other symbols dropped (a gap between two digits becomes `-`); `第` before a number
//! dropped; Chinese numerals before a number marker (`三栋`, `十二号`) or after one at the end
//! (`三栋一五零二`) → digits (`十`/`百`/`千` read positionally, other runs digit by digit); after
//! a digit or letter the building variants `号楼`/`幢`/`座`/`楼`/`#` → `栋` and `室` → `房`.

/// True for a CJK unified ideograph (the basic block, extension A and `〇`).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '〇')
}

/// The value of a Chinese digit (`幺` is the dispatcher's spoken "one", `两` "two").
fn numeral_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '幺' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// The value of a Chinese numeral unit.
fn numeral_unit(c: char) -> Option<u32> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

fn is_numeral(c: char) -> bool {
    numeral_digit(c).is_some() || numeral_unit(c).is_some()
}

/// Characters that follow a number in an address: house number, building, room, unit, floor.
fn is_number_marker(c: char) -> bool {
    matches!(c, '号' | '栋' | '幢' | '座' | '楼' | '房' | '室' | '单' | '层' | '户' | '#')
}

/// Characters after which a trailing bare numeral is still a number (`三栋一五零二`).
fn is_marker_before_number(c: char) -> bool {
    matches!(c, '号' | '栋' | '幢' | '座' | '楼' | '房' | '室' | '元' | '层' | '-')
}

/// Reads a run of Chinese numerals: positionally when it holds 十/百/千 (`一百零五` = 105),
/// otherwise digit by digit (`一五零二` = 1502). `None` for a malformed run.
pub(crate) fn chinese_numeral_to_digits(run: &[char]) -> Option<String> {
    if run.is_empty() {
        return None;
    }
    if run.iter().any(|c| numeral_unit(*c).is_some()) {
        let (mut total, mut current) = (0u32, 0u32);
        for &c in run {
            if let Some(d) = numeral_digit(c) {
                current = d;
            } else if let Some(u) = numeral_unit(c) {
                total = total.checked_add(u.checked_mul(current.max(1))?)?;
                current = 0;
            } else {
                return None;
            }
        }
        Some(total.checked_add(current)?.to_string())
    } else {
        run.iter().map(|c| numeral_digit(*c).and_then(|d| char::from_digit(d, 10))).collect()
    }
}

/// Normalises operator text or a stored segment (see the module rules).
///
/// ```
/// use gridcare::address::normalize;
/// assert_eq!(normalize("文华花园 三号楼 １５０２室"), "文华花园3栋1502房");
/// assert_eq!(normalize("十二号"), "12号");
/// assert_eq!(normalize("三水区"), "三水区");
/// ```
pub fn normalize(text: &str) -> String {
    if already_normal(text) {
        return text.to_string();
    }
    normalize_full(text)
}

/// True when [`normalize`] would return the text unchanged: only digits, upper-case ASCII
/// letters and CJK characters that no rule rewrites (no numerals, no `第`, no building or room
/// variants). Most stored segments (`汾江中路`, `1502房`, account numbers) are like this.
fn already_normal(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_ascii_digit()
            || c.is_ascii_uppercase()
            || (is_cjk(c) && !is_numeral(c) && !matches!(c, '第' | '幢' | '座' | '楼' | '室'))
    })
}

/// The full normalisation, every rule applied.
fn normalize_full(text: &str) -> String {
    // Pass 1: width, case, and which characters survive (`None` = a separator).
    let mut chars: Vec<Option<char>> = Vec::with_capacity(text.len() / 2);
    for c in text.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(' '),
            _ => c,
        };
        let c = c.to_ascii_uppercase();
        let keep = c.is_ascii_alphanumeric() || is_cjk(c) || c == '-' || c == '#';
        chars.push(keep.then_some(c));
    }
    // Pass 2: separators vanish, except between two digits, where they become `-`;
    // a dash survives only between two letters or digits.
    let mut joined: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            Some('-') | None => {
                let start = i;
                while i < chars.len() && matches!(chars[i], None | Some('-')) {
                    i += 1;
                }
                let before = joined.last().copied();
                let after = chars.get(i).copied().flatten();
                let dashed = chars[start..i].contains(&Some('-'));
                let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
                if (digit(before) && digit(after)) || (dashed && alnum(before) && alnum(after)) {
                    joined.push('-');
                }
            }
            Some(c) => {
                joined.push(c);
                i += 1;
            }
        }
    }
    // Pass 3: Chinese numerals that are numbers → digits; `第` before a number dropped.
    let mut numbered: Vec<char> = Vec::with_capacity(joined.len());
    let mut i = 0;
    while i < joined.len() {
        let c = joined[i];
        if is_numeral(c) {
            let start = i;
            while i < joined.len() && is_numeral(joined[i]) {
                i += 1;
            }
            let next = joined.get(i).copied();
            let prev = numbered.last().copied();
            let marker_follows = next.is_some_and(is_number_marker);
            let trailing = prev.is_some_and(is_marker_before_number)
                && next.is_none_or(|n| is_number_marker(n) || n == '-');
            let value = if marker_follows || trailing {
                chinese_numeral_to_digits(&joined[start..i])
            } else {
                None
            };
            match value {
                Some(digits) => {
                    if numbered.last() == Some(&'第') {
                        numbered.pop();
                    }
                    numbered.extend(digits.chars());
                }
                None => numbered.extend_from_slice(&joined[start..i]),
            }
            continue;
        }
        if c.is_ascii_digit() && numbered.last() == Some(&'第') {
            numbered.pop();
        }
        numbered.push(c);
        i += 1;
    }
    // Pass 4: building and room variants after a number.
    let mut out = String::with_capacity(numbered.len() * 3);
    let mut prev_alnum = false;
    let mut i = 0;
    while i < numbered.len() {
        let c = numbered[i];
        let next = numbered.get(i + 1).copied();
        if prev_alnum {
            let replaced = match (c, next) {
                ('号', Some('楼')) | ('#', Some('楼' | '栋')) => Some(('栋', 2)),
                ('幢' | '座' | '楼' | '#', _) => Some(('栋', 1)),
                ('室', _) => Some(('房', 1)),
                _ => None,
            };
            if let Some((r, used)) = replaced {
                out.push(r);
                i += used;
                prev_alnum = false;
                continue;
            }
        }
        if c != '#' {
            out.push(c);
        }
        prev_alnum = c.is_ascii_alphanumeric();
        i += 1;
    }
    out
}

/// The digits (and letters) of a number segment: `123号` → `123`, `3栋` → `3`, `1502房` → `1502`.
pub(crate) fn number_key(segment: &str) -> String {
    let n = normalize(segment);
    n.trim_end_matches(['号', '栋', '房']).to_string()
}

/// Chinese numerals for a number, positionally (`123` → `一百二十三`), for the garbler.
pub(crate) fn digits_to_chinese_positional(n: u32) -> Option<String> {
    const D: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 || n >= 10_000 {
        return None;
    }
    let parts = [(n / 1000, '千'), (n / 100 % 10, '百'), (n / 10 % 10, '十'), (n % 10, ' ')];
    let mut out = String::new();
    let mut pending_zero = false;
    for (k, (d, unit)) in parts.iter().enumerate() {
        if *d == 0 {
            pending_zero = !out.is_empty();
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        // 十二, not 一十二, when the number starts with the tens.
        if !(k == 2 && *d == 1 && out.is_empty()) {
            out.push(D[*d as usize]);
        }
        if *unit != ' ' {
            out.push(*unit);
        }
    }
    Some(out)
}

/// Chinese numerals digit by digit (`1502` → `一五零二`), as rooms are read out.
pub(crate) fn digits_to_chinese_spoken(digits: &str) -> String {
    const D: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    digits.chars().map(|c| c.to_digit(10).map_or(c, |d| D[d as usize])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_spaces_are_folded() {
        assert_eq!(normalize("汾江中路 １２３号，文华花园"), "汾江中路123号文华花园");
        assert_eq!(normalize("ａ座"), "A栋");
        assert_eq!(normalize("138 0013 8000"), "138-0013-8000");
        assert_eq!(normalize("  \t"), "");
        assert_eq!(normalize("😀🏠"), "");
    }

    #[test]
    fn chinese_numbers_before_markers_become_digits() {
        assert_eq!(normalize("三栋"), "3栋");
        assert_eq!(normalize("十二号"), "12号");
        assert_eq!(normalize("一百二十三号"), "123号");
        assert_eq!(normalize("一百零五号"), "105号");
        assert_eq!(normalize("三栋一五零二"), "3栋1502");
        assert_eq!(normalize("第三栋"), "3栋");
        assert_eq!(normalize("一千五百零二室"), "1502房");
    }

    #[test]
    fn names_with_numeral_characters_are_left_alone() {
        assert_eq!(normalize("三水区"), "三水区");
        assert_eq!(normalize("中山一路"), "中山一路");
        assert_eq!(normalize("万科四季花城"), "万科四季花城");
        assert_eq!(normalize("九江镇"), "九江镇");
    }

    #[test]
    fn building_variants_become_dong() {
        for v in ["3栋", "3幢", "3座", "3号楼", "3楼", "3#", "3#楼", "三号楼"] {
            assert_eq!(normalize(v), "3栋", "{v}");
        }
        assert_eq!(normalize("1502室"), "1502房");
        assert_eq!(normalize("综合楼"), "综合楼");
    }

    #[test]
    fn numbers_read_back_both_ways() {
        for n in [1, 3, 10, 12, 20, 88, 105, 110, 123, 1502, 2000, 9999] {
            let zh = digits_to_chinese_positional(n).unwrap_or_default();
            let chars: Vec<char> = zh.chars().collect();
            assert_eq!(chinese_numeral_to_digits(&chars), Some(n.to_string()), "{zh}");
        }
        assert_eq!(digits_to_chinese_spoken("1502"), "一五零二");
        assert_eq!(number_key("123号"), "123");
        assert_eq!(number_key("3号楼"), "3");
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_the_full_rules() {
        for t in [
            "汾江中路",
            "1502房",
            "0600000013",
            "首层1号铺",
            "李淑超",
            "文华花园",
            "3栋",
            "祖庙街道",
            "ABC123",
            "普君南社区",
            "禅城区",
            "佛山市",
            "广东省",
            "9号",
            "季华四路",
            "第三",
            "三栋",
            "1号楼",
            "2幢",
            "1502室",
            "a1",
            "Ｂ２",
            "",
            "十二号",
            "桂澜路88号",
        ] {
            if already_normal(t) {
                assert_eq!(normalize_full(t), t, "{t}");
            }
            assert_eq!(normalize(t), normalize_full(t), "{t}");
        }
    }
}
