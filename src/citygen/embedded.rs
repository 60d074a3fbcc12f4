//! The demo city embedded in the binary: `maps/demo_city`, checked and packed by `build.rs`.
//!
//! The pack is a sequence of entries, each `name length (u32 LE) | name (UTF-8) |
//! data length (u64 LE) | data`, one per table file.

use crate::model::tables::{read_tables, TableError};
use crate::model::GridModel;

/// The packed table files of `maps/demo_city` (empty when it was missing at build time).
static PACK: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/demo_city.pack"));

/// The table files of the embedded demo city, by name.
pub fn demo_city_files() -> Result<Vec<(&'static str, &'static [u8])>, TableError> {
    unpack(PACK)
}

/// Parses the embedded demo city (100,000 customers; see `maps/README.md`).
pub fn demo_city() -> Result<GridModel, TableError> {
    let files = demo_city_files()?;
    if files.is_empty() {
        return Err(TableError {
            file: "maps/demo_city".into(),
            line: 0,
            message: "was missing when this binary was built; generate it and rebuild".into(),
        });
    }
    read_tables(|name| files.iter().find(|(n, _)| *n == name).map(|(_, d)| *d))
}

/// Splits a pack into its entries.
pub fn unpack(mut pack: &[u8]) -> Result<Vec<(&str, &[u8])>, TableError> {
    let broken = |what: &str| TableError {
        file: "demo_city.pack".into(),
        line: 0,
        message: format!("broken pack: {what}"),
    };
    let mut out = Vec::new();
    while !pack.is_empty() {
        let (len, rest) = pack.split_first_chunk::<4>().ok_or_else(|| broken("name length"))?;
        let len = u32::from_le_bytes(*len) as usize;
        let (name, rest) = rest.split_at_checked(len).ok_or_else(|| broken("name"))?;
        let name = std::str::from_utf8(name).map_err(|_| broken("name is not UTF-8"))?;
        let (len, rest) = rest.split_first_chunk::<8>().ok_or_else(|| broken("data length"))?;
        let len = usize::try_from(u64::from_le_bytes(*len)).map_err(|_| broken("data length"))?;
        let (data, rest) = rest.split_at_checked(len).ok_or_else(|| broken("data"))?;
        out.push((name, data));
        pack = rest;
    }
    Ok(out)
}
