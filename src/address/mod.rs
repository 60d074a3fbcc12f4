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
//! road, compound and community names of the query (its *name text*: administrative names,
//! numbers and floor words removed) are compared with each group's names: a name is aligned
//! with its best-matching substring of the name text (least edit distance, Sellers'
//! algorithm), and is *mentioned* when at least half its characters align (`sim` = aligned
//! share). Taking the group's mentioned names surest first, each claims the place in the text
//! that explains the most not yet explained; a name explaining nothing new does not count.
//!
//! ```text
//! names  = recall · (0.5 + 0.5 · precision)
//!          recall    = characters of the name text explained / characters in it
//!          precision = mean sim of the names that explained something
//! score  = (6·names + 2·[house no. equal] + 2·[building equal] + 0.5·[district equal]
//!                   + 0.5·[township equal])
//!          / (6 + 2·[house no. given] + 2·[building given] + 0.5·[district equal]
//!                   + 0.5·[township equal])
//!          · 0.5  for each house no., building, district or township given that differs
//!          · 0.97 for each number the address has and the query does not give
//! ```
//!
//! Road and compound weigh most (together 6 of at most 11), then the numbers; a wrong number
//! or district halves the score, a missing one costs little. Addresses scoring under 0.3 are
//! dropped. Every household of a matched group is returned with the group's score; when the
//! query gives a room (`1502房`, `首层1号铺`), households in other rooms score 0.9 of it, so the
//! exact room comes first. Ties go to the lower customer id.
//!
//! # Speed
//!
//! Candidate names come from an inverted index (character → road and compound names, each
//! character weighted by its rarity); names holding at least 30 % of their weight in the query,
//! at most 96, are aligned. Only groups on a mentioned road or in a mentioned compound are
//! scored, and of those first only the ones with the given house number (or, without one, the
//! given building): any other scores at most 0.5, so the rest is scored only when nothing
//! reaches 0.5. The query is cut to 160 characters after normalisation.

mod align;
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
