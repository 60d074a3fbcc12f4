//! Standard addresses (三级七段) and finding the caller from whatever the operator typed.
//!
//! * [`normalize`] is the one spelling both sides meet in: full-width → half-width, spaces and
//!   punctuation dropped, Chinese numerals of numbers → digits (`三栋` = `3栋`, `十二号` =
//!   `12号`), `幢`/`座`/`号楼` → `栋`, `室` → `房`.
//! * [`parse_address`] splits free text into the segments of a
//!   [`StandardAddress`](crate::model::StandardAddress) by their suffix markers, with the
//!   Guangdong gazetteer for district and township names said without their suffix (`禅城`,
//!   `祖庙`) and by position when a marker is missing.
//! * [`CustomerDirectory::find`] classifies the query and answers it:
//!   - digits only, 11 from `1` (mobile) or 7–8 (landline, with or without `0757`) → the
//!     customers with that phone, exactly;
//!   - digits (or letters and digits) as long as an account number → that account exactly; shorter
//!     (6 digits at least) → the one account starting with them, if only one does (score 0.9);
//!   - text equal to a customer name → every customer of that name, by id (score 1); a name of
//!     2–4 Chinese characters ends the search there;
//!   - anything else is an address.
//! * [`garble_address`] makes the garbled address a caller gives, for tests and the simulator.
//!
//! # The address score
//!
//! Customers are grouped by address without the room (one group per building or house). The
//! road, compound and community names of the query (its *name text*, administrative names
//! removed) are compared with each group's names by the edit distance of the group's name to
//! its best-matching substring of the name text; a name is *mentioned* when at least half its
//! characters align. Then
//!
//! ```text
//! names   = recall · (0.5 + 0.5 · precision)
//!           recall    = aligned characters of the mentioned names / characters in the name text (≤ 1)
//!           precision = mean share of aligned characters over the mentioned names
//! score   = (6·names + 2·[house no. equal] + 2·[building equal] + 0.5·[district equal] + 0.5·[township equal])
//!           / (6 + 2·[house no. given] + 2·[building given] + 0.5·[district agrees] + 0.5·[township agrees])
//!           · 0.5 for each number or district/township given that differs (a contradiction)
//!           · 0.97 for each number the address has and the query does not give
//! ```
//!
//! Addresses scoring under 0.3 are dropped. Every household of a matched group is returned
//! with the group's score; when the query gives a room, households in other rooms score 0.9 of
//! it, so the exact room comes first. Ties go to the lower customer id.
//!
//! Speed: candidate names come from an inverted index (character → names, weighted by rarity),
//! at most 96 are aligned, and only the groups on an aligned road or in an aligned compound are
//! scored. The query is cut to 160 characters after normalisation.

mod directory;
mod garble;
mod gazetteer;
mod index;
mod normalize;
mod parse;

pub use directory::{CustomerDirectory, CustomerMatch, MatchKind};
pub use garble::garble_address;
pub use gazetteer::FOSHAN_CITY_CODE;
pub use normalize::normalize;
pub use parse::{parse_address, ParsedAddress};
