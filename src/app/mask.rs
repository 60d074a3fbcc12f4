//! Masking personal data for the wall screen (大屏): names like 陈*明, phones like
//! 138****8000, addresses cut before the house number. One place, so that every panel the
//! wall screen shows masks the same way.

use crate::model::StandardAddress;

/// Masks a personal name: first and last character kept, the ones between starred
/// (陈大明 → 陈*明, 欧阳小明 → 欧**明); a two-character name keeps its first (李明 → 李*).
///
/// ```
/// # use gridcare::app::mask_name;
/// assert_eq!(mask_name("陈大明"), "陈*明");
/// assert_eq!(mask_name("李明"), "李*");
/// ```
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", chars[0]),
        n => {
            let stars = "*".repeat((n - 2).min(6));
            format!("{}{}{}", chars[0], stars, chars[n - 1])
        }
    }
}

/// Masks a phone number: of its digits the first three and the last four stay, the ones
/// between become `*` (13812348000 → 138****8000; 0757-83331234 → 075*-****1234); a number
/// with fewer than eight digits keeps only its last two. Separators stay where they are.
///
/// ```
/// # use gridcare::app::mask_phone;
/// assert_eq!(mask_phone("13812348000"), "138****8000");
/// ```
pub fn mask_phone(phone: &str) -> String {
    let digits = phone.chars().filter(|c| c.is_ascii_digit()).count();
    let (keep_head, keep_tail) = if digits >= 8 { (3, 4) } else { (0, 2.min(digits)) };
    let mut seen = 0;
    phone
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen <= keep_head || seen > digits - keep_tail {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// An address down to the road, without house number, compound, building or room.
pub fn mask_address(a: &StandardAddress) -> String {
    [&a.district, &a.township, &a.community, &a.road].iter().map(|s| s.as_str()).collect::<String>()
        + "***"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_only_their_first_and_last_character() {
        assert_eq!(mask_name("陈大明"), "陈*明");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_name("李明"), "李*");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("佛山市禅城区某某五金制品有限公司"), "佛******司");
    }

    #[test]
    fn phones_keep_three_and_four_digits() {
        assert_eq!(mask_phone("13812348000"), "138****8000");
        assert_eq!(mask_phone("0757-83331234"), "075*-****1234");
        assert_eq!(mask_phone("+86 138 1234 8000"), "+86 1** **** 8000");
        assert_eq!(mask_phone("95598"), "***98");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn a_masked_phone_never_contains_the_middle_digits() {
        let m = mask_phone("13912345678");
        assert!(!m.contains("1234"));
        assert_eq!(m.chars().filter(|c| *c == '*').count(), 4);
    }

    #[test]
    fn addresses_stop_at_the_road() {
        let a = StandardAddress {
            district: "禅城区".into(),
            township: "祖庙街道".into(),
            road: "汾江中路".into(),
            house_no: "123号".into(),
            room: "1502房".into(),
            ..Default::default()
        };
        assert_eq!(mask_address(&a), "禅城区祖庙街道汾江中路***");
    }
}
