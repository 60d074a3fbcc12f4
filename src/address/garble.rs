//! The garbled address a caller gives, made from a standard address: for tests, the simulator
//! and the demo. Deterministic for a seed.

use super::gazetteer::{short_form, Level};
use super::normalize::{digits_to_chinese_positional, digits_to_chinese_spoken, number_key};
use crate::model::StandardAddress;
use crate::rng::Rng;

/// Groups of characters that sound or look alike, as operators mistype them.
const CONFUSABLE: &[&str] = &[
    "园圆元原源",
    "华化花划",
    "澜兰蓝岚",
    "江疆姜将",
    "汾分芬纷",
    "庙妙苗",
    "桂贵",
    "城成诚承",
    "苑院远愿",
    "庭亭廷婷",
    "路露鹿陆",
    "山珊衫",
    "湖胡糊",
    "海每",
    "南男难",
    "禅蝉婵",
    "顺舜",
    "德得",
    "良粮梁凉",
    "明名鸣铭",
    "新心欣馨",
    "村存寸",
    "中忠钟",
    "东冬",
    "西溪希",
    "北背",
    "景井静",
    "锦金今",
    "龙隆珑",
    "凤风丰峰",
    "翠萃粹",
    "怡宜仪",
    "豪浩好",
    "庄装壮",
    "雅亚",
    "嘉佳家加",
    "湾弯",
    "居局菊",
    "福富府",
    "泰太",
    "荣容融",
    "恒衡",
    "晖辉灰徽",
    "岭领令",
    "塘堂唐糖",
    "坊方芳",
    "沙纱砂",
    "滨宾彬",
    "秀绣",
    "桥乔侨",
    "涌勇永",
    "堤提",
    "街接",
];

/// Common characters for a random slip of the keyboard (no numerals: a slip that makes a
/// number, `季华四路` → `季华四十八号`, is not the kind of typo measured here).
const COMMON: &str = "的是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产\
种面而方后多定行学法所民得经之进着等部度家电力里如水化高自理起小物现实加量都体制机当使点从业本去\
把性好应开它合还因由其些然前外天政日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比\
或但质气向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展果料象员革位入常文总\
次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几区强放决西被干\
做必战先回则任取据处队南给色光门即保治北造规热领海口东";

/// The similar characters of `c`, if it has any.
fn confusable_with(c: char) -> Option<Vec<char>> {
    CONFUSABLE.iter().find(|g| g.contains(c)).map(|g| g.chars().filter(|x| *x != c).collect())
}

/// One typo: a similar or random character in place of one, or one deleted.
fn typo(name: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let at = rng.index(chars.len());
    let roll = rng.f64();
    if roll < 0.2 && chars.len() >= 3 {
        chars.remove(at);
    } else {
        let similar = confusable_with(chars[at]).filter(|_| roll < 0.65);
        let common: Vec<char> = COMMON.chars().collect();
        let mut replacement = match similar {
            Some(list) => *rng.pick(&list),
            None => *rng.pick(&common),
        };
        if replacement == chars[at] {
            replacement = if replacement == '的' { '是' } else { '的' };
        }
        chars[at] = replacement;
    }
    chars.into_iter().collect()
}

/// A number written as a caller gives it: digits, Chinese numerals or full-width digits.
fn spoken_number(key: &str, rooms_digit_by_digit: bool, rng: &mut Rng) -> String {
    let roll = rng.f64();
    let all_digits = !key.is_empty() && key.chars().all(|c| c.is_ascii_digit());
    if all_digits && roll < 0.25 {
        if rooms_digit_by_digit {
            return digits_to_chinese_spoken(key);
        }
        if let Some(zh) = key.parse::<u32>().ok().and_then(digits_to_chinese_positional) {
            return zh;
        }
    }
    if roll < 0.4 {
        return key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect();
    }
    key.to_string()
}

/// `text` with each run of digits said as a caller might (`首层1号铺` → `首层一号铺`).
fn respell_digits(text: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            out.push_str(&spoken_number(&digits, false, rng));
            digits.clear();
        }
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// Segment positions in a standard address.
const PROVINCE: usize = 0;
const CITY: usize = 1;
const DISTRICT: usize = 2;
const TOWNSHIP: usize = 3;
const COMMUNITY: usize = 4;
const ROAD: usize = 5;
const HOUSE_NO: usize = 6;
const COMPOUND: usize = 7;
const BUILDING: usize = 8;
const ROOM: usize = 9;

/// The address as a caller might say it. In order, each with its chance:
///
/// * 1–3 segments dropped, weighted province 5, city 4, community 4, district 3, township 2,
///   and 1 each for the house number, the road (with its number) or the compound — these only
///   while what is left still locates the address (compound + building, or road + number);
///   never the building or the room;
/// * each of province, city, district, township abbreviated (½): `佛山`, `禅城`, `祖庙`;
/// * one typo in the road or the compound (70 %): a similar character (`园`→`圆`), a random
///   common one, or one deleted;
/// * 栋 said as 幢/座/号楼; house, building and room numbers as Chinese numerals (`一百二十三号`,
///   `三栋`, rooms digit by digit `一五零二`) or full-width digits; 房 as 室 or left out;
/// * the compound before the road (20 %); spaces between segments (30 %).
///
/// Deterministic for the state of `rng`.
///
/// ```
/// use gridcare::address::garble_address;
/// use gridcare::model::StandardAddress;
/// use gridcare::rng::Rng;
/// let a = StandardAddress { road: "汾江中路".into(), house_no: "123号".into(), ..Default::default() };
/// let said = garble_address(&a, &mut Rng::new(7));
/// assert_eq!(said, garble_address(&a, &mut Rng::new(7)));
/// ```
pub fn garble_address(addr: &StandardAddress, rng: &mut Rng) -> String {
    let mut segs: [String; 10] = [
        addr.province.clone(),
        addr.city.clone(),
        addr.district.clone(),
        addr.township.clone(),
        addr.community.clone(),
        addr.road.clone(),
        addr.house_no.clone(),
        addr.compound.clone(),
        addr.building.clone(),
        addr.room.clone(),
    ];
    // 1. Drop segments.
    let drops = 1 + rng.index(3);
    for _ in 0..drops {
        let has = |segs: &[String; 10], i: usize| !segs[i].is_empty();
        let mut choices: Vec<(usize, u32)> = Vec::new();
        for (i, w) in [(PROVINCE, 5), (CITY, 4), (DISTRICT, 3), (COMMUNITY, 4), (TOWNSHIP, 2)] {
            if has(&segs, i) {
                choices.push((i, w));
            }
        }
        // A house number may go only where the compound and building still say where.
        if has(&segs, COMPOUND) && has(&segs, BUILDING) && has(&segs, HOUSE_NO) {
            choices.push((HOUSE_NO, 1));
        }
        if has(&segs, COMPOUND) && has(&segs, BUILDING) && has(&segs, ROAD) {
            choices.push((ROAD, 1));
        }
        if has(&segs, ROAD) && has(&segs, HOUSE_NO) && has(&segs, COMPOUND) {
            choices.push((COMPOUND, 1));
        }
        let total: u32 = choices.iter().map(|c| c.1).sum();
        if total == 0 {
            break;
        }
        let mut pick = rng.below(u64::from(total)) as u32;
        for (i, w) in choices {
            if pick < w {
                segs[i].clear();
                if i == ROAD {
                    segs[HOUSE_NO].clear(); // a house number without its road means nothing
                }
                break;
            }
            pick -= w;
        }
    }
    // 2. Abbreviate.
    for (i, level) in [
        (PROVINCE, Level::Province),
        (CITY, Level::City),
        (DISTRICT, Level::District),
        (TOWNSHIP, Level::Township),
    ] {
        if !segs[i].is_empty() && rng.chance(0.5) {
            segs[i] = short_form(&segs[i], level);
        }
    }
    // 3. One typo in the road or the compound.
    if rng.chance(0.7) {
        let names: Vec<usize> =
            [ROAD, COMPOUND].into_iter().filter(|i| !segs[*i].is_empty()).collect();
        if !names.is_empty() {
            let i = *rng.pick(&names);
            segs[i] = typo(&segs[i], rng);
        }
    }
    // 4. Numbers and markers as spoken.
    if !segs[HOUSE_NO].is_empty() {
        segs[HOUSE_NO] = format!("{}号", spoken_number(&number_key(&segs[HOUSE_NO]), false, rng));
    }
    if !segs[BUILDING].is_empty() {
        let marker = *rng.pick(&["栋", "栋", "幢", "座", "号楼"]);
        segs[BUILDING] =
            format!("{}{marker}", spoken_number(&number_key(&segs[BUILDING]), false, rng));
    }
    let room_key = number_key(&segs[ROOM]);
    if !room_key.is_empty() && room_key.chars().all(|c| c.is_ascii_digit()) {
        let marker = *rng.pick(&["房", "房", "室", "", ""]);
        segs[ROOM] = format!("{}{marker}", spoken_number(&room_key, true, rng));
    } else if !segs[ROOM].is_empty() {
        // A shop (`首层1号铺`) or another room word: only its number is said differently.
        segs[ROOM] = respell_digits(&segs[ROOM], rng);
    }
    // 5. Order, then spaces between some segments.
    let mut order: Vec<usize> = (0..10).collect();
    if rng.chance(0.2) && !segs[ROAD].is_empty() && !segs[COMPOUND].is_empty() {
        order = vec![
            PROVINCE, CITY, DISTRICT, TOWNSHIP, COMMUNITY, COMPOUND, ROAD, HOUSE_NO, BUILDING, ROOM,
        ];
    }
    let spaced = rng.chance(0.3);
    let mut out = String::new();
    for i in order {
        if segs[i].is_empty() {
            continue;
        }
        if spaced && !out.is_empty() && rng.chance(0.4) {
            out.push(if rng.chance(0.2) { '\u{3000}' } else { ' ' });
        }
        out.push_str(&segs[i]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::normalize::normalize;

    fn sample() -> StandardAddress {
        StandardAddress {
            province: "广东省".into(),
            city: "佛山市".into(),
            district: "禅城区".into(),
            township: "祖庙街道".into(),
            community: "升平社区".into(),
            road: "汾江中路".into(),
            house_no: "123号".into(),
            compound: "文华花园".into(),
            building: "3栋".into(),
            room: "1502房".into(),
        }
    }

    #[test]
    fn the_same_seed_garbles_the_same_way() {
        let a = sample();
        for seed in 0..50 {
            assert_eq!(
                garble_address(&a, &mut Rng::new(seed)),
                garble_address(&a, &mut Rng::new(seed))
            );
        }
    }

    #[test]
    fn the_building_and_room_numbers_survive_garbling() {
        let a = sample();
        let mut rng = Rng::new(11);
        let mut distinct = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let said = garble_address(&a, &mut rng);
            let n = normalize(&said);
            assert!(n.contains("3栋"), "{said} → {n}");
            assert!(n.contains("1502"), "{said} → {n}");
            assert!(said != a.full());
            distinct.insert(said);
        }
        assert!(distinct.len() > 150);
    }

    #[test]
    fn a_typo_changes_exactly_one_character() {
        let mut rng = Rng::new(3);
        for _ in 0..100 {
            let t = typo("文华花园", &mut rng);
            let changed = t.chars().zip("文华花园".chars()).filter(|(a, b)| a != b).count();
            assert!(t.chars().count() == 3 || changed == 1, "{t}");
        }
    }
}
