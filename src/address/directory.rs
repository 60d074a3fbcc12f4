//! The caller finder: whatever the operator typed (a phone, an account number, a name, an
//! address) → the customers it names, best first.

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use super::gazetteer::{gazetteer, Level, FOSHAN_CITY_CODE};
use super::index::{canonical_key, AddressIndex, OTHER_ROOM};
use super::normalize::{is_cjk, normalize};
use super::parse::{parse_query, ParsedAddress};
use crate::model::{CustomerId, GridModel};

/// Score of a prefix match on the account number (exact matches score 1).
const ACCOUNT_PREFIX_SCORE: f32 = 0.9;
/// Shortest digit string tried as an account-number prefix.
const MIN_ACCOUNT_PREFIX: usize = 6;
/// The area code of the home city's landlines, dropped from landline numbers (佛山 0757).
const HOME_AREA_CODE: &str = "0757";

/// How a customer was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MatchKind {
    /// One of the customer's contact phones, exactly.
    Phone,
    /// The account number (户号), exactly or as a unique prefix.
    AccountNo,
    /// The customer name (户名), exactly.
    Name,
    /// The standard address, fuzzily.
    Address,
}

/// One customer found for a query.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerMatch {
    /// The customer.
    pub customer: CustomerId,
    /// How sure the match is, 0..=1 (1 for an exact phone, account or name).
    pub score: f32,
    /// What matched.
    pub matched_by: MatchKind,
}

/// Every customer indexed by phone, account number, name and address.
#[derive(Debug)]
pub struct CustomerDirectory {
    /// Phone key (see [`phone_key`]) → customers.
    /// (packed phone key, customer), sorted: one allocation for every phone of the area.
    phones: Vec<(u64, CustomerId)>,
    /// (account number, customer), sorted by account number.
    accounts: Vec<(String, CustomerId)>,
    /// The lengths account numbers have.
    account_lens: Vec<usize>,
    /// Normalised name → customers, ascending.
    names: HashMap<String, Vec<CustomerId>>,
    addresses: AddressIndex,
    /// Code of the city most customers live in (`4406`): its abbreviations are understood.
    home_city: String,
}

/// The digits of a query that holds nothing but digits and phone punctuation; `None` otherwise.
fn digits_only(text: &str) -> Option<String> {
    let mut digits = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            ' ' | '-' | '+' | '(' | ')' | '\u{3000}' | '－' | '（' | '）' | '\t' => {}
            _ => return None,
        }
    }
    (!digits.is_empty()).then_some(digits)
}

/// The key a phone is filed under: digits only, without the country code, and for the home
/// city's landlines without the area code (`0757-8333 1234` → `83331234`).
pub(crate) fn phone_key(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.strip_prefix("0086").unwrap_or(&digits);
    let digits = match digits.strip_prefix("86") {
        Some(rest) if rest.len() == 11 && rest.starts_with('1') => rest,
        _ => digits,
    };
    match digits.strip_prefix(HOME_AREA_CODE) {
        Some(rest) if (7..=8).contains(&rest.len()) => rest.to_string(),
        _ => digits.to_string(),
    }
}

/// A phone key of up to 17 digits packed into a `u64` (length in the top bits, so that
/// leading zeros count); `None` for an empty or longer key.
fn pack_phone_key(key: &str) -> Option<u64> {
    if key.is_empty() || key.len() > 17 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = key.bytes().fold(0u64, |v, b| v * 10 + u64::from(b - b'0'));
    Some(((key.len() as u64) << 57) | value)
}

/// Whether a phone key is a mobile (11 digits from 1) or a local landline (7–8 digits).
fn is_phone_shaped(key: &str) -> bool {
    (key.len() == 11 && key.starts_with('1')) || (7..=8).contains(&key.len())
}

impl CustomerDirectory {
    /// Indexes every customer of the model.
    pub fn build(model: &GridModel) -> CustomerDirectory {
        let mut phones: Vec<(u64, CustomerId)> = Vec::with_capacity(model.customers.len() * 5 / 4);
        let mut accounts = Vec::with_capacity(model.customers.len());
        let mut names: HashMap<String, Vec<CustomerId>> = HashMap::default();
        let mut cities: HashMap<&str, usize> = HashMap::default();
        for (i, c) in model.customers.iter().enumerate() {
            let id = CustomerId(i as u32);
            for p in &c.phones {
                if let Some(key) = pack_phone_key(&phone_key(p)) {
                    phones.push((key, id));
                }
            }
            let account = normalize(&c.account_no);
            if !account.is_empty() {
                accounts.push((account, id));
            }
            let name = normalize(&c.display_name);
            if !name.is_empty() {
                names.entry(name).or_default().push(id);
            }
            *cities.entry(c.address.city.as_str()).or_default() += 1;
        }
        accounts.sort();
        phones.sort_unstable();
        phones.dedup();
        let mut account_lens: Vec<usize> = accounts.iter().map(|(a, _)| a.len()).collect();
        account_lens.sort_unstable();
        account_lens.dedup();
        let home_city = cities
            .into_iter()
            .filter(|(name, _)| !name.is_empty())
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .and_then(|(name, _)| {
                gazetteer().by_name(&normalize(name), Level::City, FOSHAN_CITY_CODE)
            })
            .map_or_else(|| FOSHAN_CITY_CODE.to_string(), |d| d.code.clone());
        let addresses = AddressIndex::build(
            model.customers.iter().enumerate().map(|(i, c)| (CustomerId(i as u32), &c.address)),
        );
        CustomerDirectory { phones, accounts, account_lens, names, addresses, home_city }
    }

    /// Number of distinct addresses without the room (buildings and houses) indexed.
    pub fn address_count(&self) -> usize {
        self.addresses.groups.len()
    }

    /// Parses an address as [`parse_address`](super::parse_address) does, with this
    /// directory's home city for abbreviations.
    pub fn parse(&self, text: &str) -> ParsedAddress {
        parse_query(text, &self.home_city).parsed
    }

    /// The customers a query names, best first, at most `limit` (see the module rules for the
    /// query classes and the address score). Nothing found is an empty list.
    pub fn find(&self, query: &str, limit: usize) -> Vec<CustomerMatch> {
        if limit == 0 {
            return Vec::new();
        }
        if let Some(digits) = digits_only(query) {
            return self.find_by_digits(&digits, limit);
        }
        let normal = normalize(query);
        if normal.is_empty() {
            return Vec::new();
        }
        if normal.chars().all(|c| c.is_ascii_alphanumeric()) {
            return self.find_account(&normal, limit);
        }
        let mut out: Vec<CustomerMatch> = Vec::new();
        if let Some(ids) = self.names.get(&normal) {
            let by_name = ids.iter().map(|&customer| CustomerMatch {
                customer,
                score: 1.0,
                matched_by: MatchKind::Name,
            });
            out.extend(by_name.take(limit));
            let short_name =
                (2..=4).contains(&normal.chars().count()) && normal.chars().all(is_cjk);
            if short_name || out.len() >= limit {
                return out;
            }
        }
        for m in self.find_by_address(query, limit) {
            if out.len() >= limit {
                break;
            }
            if !out.iter().any(|o| o.customer == m.customer) {
                out.push(m);
            }
        }
        out
    }

    fn find_by_digits(&self, digits: &str, limit: usize) -> Vec<CustomerMatch> {
        let mut out: Vec<CustomerMatch> = Vec::new();
        let key = phone_key(digits);
        if is_phone_shaped(&key) {
            if let Some(packed) = pack_phone_key(&key) {
                let start = self.phones.partition_point(|(k, _)| *k < packed);
                out.extend(self.phones[start..].iter().take_while(|(k, _)| *k == packed).map(
                    |&(_, customer)| CustomerMatch {
                        customer,
                        score: 1.0,
                        matched_by: MatchKind::Phone,
                    },
                ));
            }
        }
        for m in self.find_account(digits, limit) {
            if !out.iter().any(|o| o.customer == m.customer) {
                out.push(m);
            }
        }
        out.truncate(limit);
        out
    }

    /// Exact account number; or, shorter than any account, a prefix shared by one account only.
    fn find_account(&self, account: &str, limit: usize) -> Vec<CustomerMatch> {
        let start = self.accounts.partition_point(|(a, _)| a.as_str() < account);
        let with_prefix =
            || self.accounts[start..].iter().take_while(|(a, _)| a.starts_with(account));
        let exact = |score| {
            move |(_, customer): &(String, CustomerId)| CustomerMatch {
                customer: *customer,
                score,
                matched_by: MatchKind::AccountNo,
            }
        };
        if self.account_lens.binary_search(&account.len()).is_ok() {
            return with_prefix()
                .filter(|(a, _)| a == account)
                .take(limit)
                .map(exact(1.0))
                .collect();
        }
        let shorter = self.account_lens.last().is_some_and(|max| account.len() < *max);
        if shorter && account.len() >= MIN_ACCOUNT_PREFIX {
            let mut found = with_prefix();
            if let (Some(only), None) = (found.next(), found.next()) {
                return vec![exact(ACCOUNT_PREFIX_SCORE)(only)];
            }
        }
        Vec::new()
    }

    fn find_by_address(&self, query: &str, limit: usize) -> Vec<CustomerMatch> {
        let q = parse_query(query, &self.home_city);
        let room = canonical_key(&q.room);
        let mut out: Vec<(CustomerMatch, bool)> = Vec::new();
        for (gi, score) in self.addresses.search(&q) {
            if out.len() >= limit && out.iter().filter(|(m, _)| m.score >= score).count() >= limit {
                break;
            }
            for (household_room, customer) in &self.addresses.groups[gi as usize].households {
                let same_room = room.as_ref().is_none_or(|r| r == household_room);
                let score = if same_room { score } else { score * OTHER_ROOM };
                let m =
                    CustomerMatch { customer: *customer, score, matched_by: MatchKind::Address };
                out.push((m, same_room && room.is_some()));
            }
        }
        out.sort_by(|(a, a_room), (b, b_room)| {
            b.score.total_cmp(&a.score).then(b_room.cmp(a_room)).then(a.customer.cmp(&b.customer))
        });
        out.into_iter().take(limit).map(|(m, _)| m).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_filed_without_country_and_home_area_code() {
        assert_eq!(phone_key("+86 138-0013-8000"), "13800138000");
        assert_eq!(phone_key("0757-83331234"), "83331234");
        assert_eq!(phone_key("020-83331234"), "02083331234");
        assert!(is_phone_shaped("13800138000"));
        assert!(is_phone_shaped("83331234"));
        assert!(!is_phone_shaped("1234"));
        assert_eq!(digits_only("１３８ 0013 8000"), Some("13800138000".into()));
        assert_eq!(digits_only("汾江中路123号"), None);
        assert_eq!(digits_only("  "), None);
        assert_ne!(pack_phone_key("083331234"), pack_phone_key("83331234"), "leading zeros count");
        assert_eq!(pack_phone_key(""), None);
        assert_eq!(pack_phone_key("123456789012345678"), None);
    }
}
