//! The GridCare model file format: a directory of UTF-8 CSV tables, one per entity.
//!
//! | file | columns |
//! |---|---|
//! | `manifest.csv` | `key,value`: `format` (`gridcare-tables`), `version`, `name`, then the row count of every table below by table name (`buses`, …); other keys are ignored |
//! | `buses.csv` | `id,name,lon,lat` (empty lon/lat: no position) |
//! | `substations.csv` | `id,name,display_name,lon,lat,kv_hv` |
//! | `feeders.csv` | `id,name,display_name,substation,source_bus,kv,unit` |
//! | `lines.csv` | `id,name,from,to,length_m,phases,in_service,route` |
//! | `switches.csv` | `id,name,kind,from,to,line,normally_open,lon,lat`: a switch has either its own terminals (`from`, `to`) or sits on a line (`line`) |
//! | `transformers.csv` | `id,name,display_name,kind,hv_bus,lv_bus,kva,lon,lat` |
//! | `lv_lines.csv` | `id,name,from,to,length_m,route` |
//! | `customers.csv` | `id,name,account_no,display_name,phones,province,city,district,township,community,road,house_no,compound,building,room,labels,bus,transformer,kw,lon,lat` |
//!
//! Ids are row positions, starting at 0; the `id` column repeats the position so that a hand
//! edit that drops or inserts a row is caught. References to other tables are ids. Coordinates
//! are WGS84 degrees with 6 decimals (about 0.1 m); a route is `lon lat;lon lat;…`. Other
//! numbers are written in Rust's shortest round-trip form. Lists inside a field (phones, labels)
//! are joined with `|`. A field is quoted (RFC 4180, `""` for a quote) only when it holds a
//! comma, a quote or a line break.
//!
//! Reading checks the header of every table, the column count and every value of every row, every
//! reference and the row counts of the manifest; errors name the file, the line and the column.
//! Then [`GridModel::validate`] runs as a backstop. The code depends on `std` only, because
//! `build.rs` includes this module to check the embedded demo city.

mod csv;
mod write;

pub use write::{write_dir, write_tables};

use std::path::Path;

#[cfg(test)]
use csv::parse_f64;
use csv::{chunks, count_lines, Csv, Row};

use super::{
    Bus, BusId, Customer, Feeder, GridModel, Labels, LineId, LineSection, LvLine, StandardAddress,
    Substation, SubstationId, Switch, SwitchKind, SwitchMount, Transformer, TransformerId,
    TransformerKind,
};

/// The `format` value of `manifest.csv`.
pub const FORMAT_NAME: &str = "gridcare-tables";
/// The format version written; files of a newer version are refused.
pub const FORMAT_VERSION: u32 = 1;

/// Every file of a model directory, in the order they are read.
pub const TABLE_FILES: [&str; 9] = [
    "manifest.csv",
    "buses.csv",
    "substations.csv",
    "feeders.csv",
    "lines.csv",
    "switches.csv",
    "transformers.csv",
    "lv_lines.csv",
    "customers.csv",
];

const BUS_COLS: &[&str] = &["id", "name", "lon", "lat"];
const SUBSTATION_COLS: &[&str] = &["id", "name", "display_name", "lon", "lat", "kv_hv"];
const FEEDER_COLS: &[&str] =
    &["id", "name", "display_name", "substation", "source_bus", "kv", "unit"];
const LINE_COLS: &[&str] =
    &["id", "name", "from", "to", "length_m", "phases", "in_service", "route"];
const SWITCH_COLS: &[&str] =
    &["id", "name", "kind", "from", "to", "line", "normally_open", "lon", "lat"];
const TRANSFORMER_COLS: &[&str] =
    &["id", "name", "display_name", "kind", "hv_bus", "lv_bus", "kva", "lon", "lat"];
const LV_LINE_COLS: &[&str] = &["id", "name", "from", "to", "length_m", "route"];
const CUSTOMER_COLS: &[&str] = &[
    "id",
    "name",
    "account_no",
    "display_name",
    "phones",
    "province",
    "city",
    "district",
    "township",
    "community",
    "road",
    "house_no",
    "compound",
    "building",
    "room",
    "labels",
    "bus",
    "transformer",
    "kw",
    "lon",
    "lat",
];

/// A problem in a model directory, named by file and line (line 0: the file as a whole).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableError {
    /// The file name (`customers.csv`), or its path when read from a directory.
    pub file: String,
    /// 1-based line where the offending record starts; 0 for the file as a whole.
    pub line: usize,
    /// What is wrong, naming the column where there is one.
    pub message: String,
}

// `thiserror` is not available to `build.rs`, so the error impls are written out here.
impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for TableError {}

impl TableError {
    fn new(file: &str, line: usize, message: impl Into<String>) -> Self {
        TableError { file: file.to_string(), line, message: message.into() }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Reads a model directory written by [`write_dir`]; errors name the file by its path.
pub fn read_dir(dir: &Path) -> Result<GridModel, TableError> {
    let mut files: Vec<(&str, Vec<u8>)> = Vec::with_capacity(TABLE_FILES.len());
    for name in TABLE_FILES {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => files.push((name, bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(TableError::new(&path.display().to_string(), 0, e.to_string())),
        }
    }
    read_tables(|name| files.iter().find(|(n, _)| *n == name).map(|(_, b)| b.as_slice())).map_err(
        |mut e| {
            e.file = dir.join(&e.file).display().to_string();
            e
        },
    )
}

/// Parses a model from the bytes of its tables, looked up by file name (`get("buses.csv")`);
/// `None` is a missing file. Used for directories and for the copy embedded in the binary.
pub fn read_tables<'d>(get: impl Fn(&str) -> Option<&'d [u8]>) -> Result<GridModel, TableError> {
    let text = |name: &'static str| -> Result<&'d str, TableError> {
        let bytes = get(name).ok_or_else(|| TableError::new(name, 0, "file is missing"))?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        std::str::from_utf8(bytes).map_err(|e| {
            let line = 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count();
            TableError::new(name, line, "not valid UTF-8")
        })
    };
    let manifest = read_manifest(text("manifest.csv")?)?;
    let mut texts = Vec::with_capacity(TABLE_FILES.len() - 1);
    for name in &TABLE_FILES[1..] {
        texts.push(text(name)?);
    }
    let [buses, substations, feeders, lines, switches, transformers, lv_lines, customers] =
        texts[..]
    else {
        unreachable!("one text per table file");
    };
    // The customers (most of the bytes) are parsed while another thread reads the rest. Their
    // references are checked against the manifest's row counts, which the other tables must
    // match; an error in an earlier file is reported first.
    let count = |table: &str| manifest.expected(table).map_or(0, |e| e.0);
    let (network, customers) = std::thread::scope(|scope| {
        let network = scope.spawn(|| -> Result<GridModel, TableError> {
            let mut model = GridModel { name: manifest.name.clone(), ..GridModel::default() };
            model.buses = read_buses(buses, &manifest)?;
            model.substations = read_substations(substations, &manifest)?;
            model.feeders = read_feeders(feeders, &manifest, &model)?;
            model.lines = read_lines(lines, &manifest, &model)?;
            model.switches = read_switches(switches, &manifest, &model)?;
            model.transformers = read_transformers(transformers, &manifest, &model)?;
            model.lv_lines = read_lv_lines(lv_lines, &manifest, &model)?;
            Ok(model)
        });
        let customers = read_customers(customers, &manifest, count("buses"), count("transformers"));
        let network = network
            .join()
            .unwrap_or_else(|_| Err(TableError::new("buses.csv", 0, "parser panicked")));
        (network, customers)
    });
    let mut model = network?;
    model.customers = customers?;
    if let Err(e) = model.validate() {
        return Err(locate(&model, customers_text(&texts), e));
    }
    Ok(model)
}

fn customers_text<'a>(texts: &[&'a str]) -> &'a str {
    texts.last().copied().unwrap_or("")
}

/// Turns a [`GridModel::validate`] error into a located one. The row checks cover every rule
/// of `validate` but one, unique account numbers, which is only looked for when it fails.
fn locate(model: &GridModel, customers: &str, e: super::ModelError) -> TableError {
    const FILE: &str = "customers.csv";
    let mut seen = std::collections::HashMap::with_capacity(model.customers.len());
    for (i, c) in model.customers.iter().enumerate() {
        if let Some(first) = seen.insert(c.account_no.as_str(), i) {
            return TableError::new(
                FILE,
                line_of_row(FILE, customers, i),
                format!(
                    "column `account_no`: `{}` is also used on line {}",
                    c.account_no,
                    line_of_row(FILE, customers, first)
                ),
            );
        }
    }
    let table = e.message.split('[').next().unwrap_or("");
    let file = TABLE_FILES.iter().find(|f| f.strip_suffix(".csv") == Some(table));
    TableError::new(file.unwrap_or(&"manifest.csv"), 0, e.message)
}

struct Manifest {
    name: String,
    /// Row counts by table, in `table_counts` order.
    rows: [Option<(usize, usize)>; 8],
}

impl Manifest {
    fn expected(&self, table: &str) -> Option<(usize, usize)> {
        let k = TABLE_FILES[1..].iter().position(|f| f.strip_suffix(".csv") == Some(table))?;
        self.rows[k]
    }
}

fn read_manifest(text: &str) -> Result<Manifest, TableError> {
    const FILE: &str = "manifest.csv";
    let mut csv = Csv::new(FILE, text);
    csv.header(&["key", "value"])?;
    let (mut format, mut version, mut name) = (None, None, None);
    let mut rows = [None; 8];
    let mut fields = Vec::new();
    while let Some(line) = csv.record(&mut fields)? {
        let r = Row::new(FILE, line, &["key", "value"], &fields)?;
        let (key, value) = (r.str(0), r.str(1));
        match key {
            "format" => format = Some((line, value.to_string())),
            "version" => version = Some((line, r.u32(1)?)),
            "name" => name = Some(value.to_string()),
            _ => {
                if let Some(k) =
                    TABLE_FILES[1..].iter().position(|f| f.strip_suffix(".csv") == Some(key))
                {
                    rows[k] = Some((r.u32(1)? as usize, line));
                }
            }
        }
    }
    match format {
        Some((_, f)) if f == FORMAT_NAME => {}
        Some((line, f)) => {
            return Err(TableError::new(FILE, line, format!("format `{f}` is not `{FORMAT_NAME}`")))
        }
        None => return Err(TableError::new(FILE, 0, "no `format` row")),
    }
    match version {
        Some((line, v)) if v > FORMAT_VERSION => {
            return Err(TableError::new(
                FILE,
                line,
                format!(
                    "format version {v} is newer than this program reads ({FORMAT_VERSION}); \
                     update GridCare"
                ),
            ))
        }
        Some((line, 0)) => return Err(TableError::new(FILE, line, "format version 0")),
        Some(_) => {}
        None => return Err(TableError::new(FILE, 0, "no `version` row")),
    }
    for (k, r) in rows.iter().enumerate() {
        if r.is_none() {
            let table = TABLE_FILES[k + 1].trim_end_matches(".csv");
            return Err(TableError::new(FILE, 0, format!("no row count for `{table}`")));
        }
    }
    Ok(Manifest { name: name.unwrap_or_default(), rows })
}

/// Runs `parse` on every data row of a table after checking its header; checks the `id` column
/// and the row count against the manifest. A large table without quotes is cut at line ends
/// into chunks that are parsed on several threads (the work is allocating the strings).
fn read_table<T: Send>(
    file: &'static str,
    text: &str,
    cols: &'static [&'static str],
    manifest: &Manifest,
    parse: impl Fn(&Row<'_, '_>) -> Result<T, TableError> + Sync,
) -> Result<Vec<T>, TableError> {
    let table = file.trim_end_matches(".csv");
    let (expected, manifest_line) = manifest.expected(table).unwrap_or((0, 0));
    let mut csv = Csv::new(file, text);
    csv.header(cols)?;
    let header_lines = csv.line - 1;
    let body = &text[csv.pos..];
    let chunks = chunks(body);
    let parse = &parse;
    let results: Vec<Result<(usize, Vec<T>), TableError>> = if chunks.len() == 1 {
        vec![parse_chunk(file, body, cols, parse)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|chunk| scope.spawn(move || parse_chunk(file, chunk, cols, parse)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| Err(TableError::new(file, 0, "parser panicked")))
                })
                .collect()
        })
    };
    let lines_before =
        |k: usize| header_lines + chunks[..k].iter().map(|c| count_lines(c)).sum::<usize>();
    let mut out: Vec<T> = Vec::new();
    for (k, result) in results.into_iter().enumerate() {
        let (first_id, rows) = result.map_err(|mut e| {
            e.line += lines_before(k);
            e
        })?;
        if !rows.is_empty() && first_id != out.len() {
            return Err(TableError::new(
                file,
                lines_before(k) + 1,
                format!(
                    "column `id`: id {first_id} out of order: ids are row positions, expected {}",
                    out.len()
                ),
            ));
        }
        if out.is_empty() {
            // Keep the first chunk's rows in place: no second copy of a large table.
            out = rows;
        } else {
            out.extend(rows);
        }
    }
    if out.len() != expected {
        return Err(TableError::new(
            file,
            lines_before(chunks.len()) + 1,
            format!(
                "{} rows, but manifest.csv line {manifest_line} says {expected} (truncated or edited file?)",
                out.len()
            ),
        ));
    }
    Ok(out)
}

/// Parses the rows of one chunk; lines are counted from the chunk's start. Returns the id of the
/// first row (the rest must follow it) and the rows.
fn parse_chunk<T>(
    file: &'static str,
    chunk: &str,
    cols: &'static [&'static str],
    parse: &impl Fn(&Row<'_, '_>) -> Result<T, TableError>,
) -> Result<(usize, Vec<T>), TableError> {
    let mut csv = Csv::new(file, chunk);
    let mut out = Vec::with_capacity(chunk.len() / (8 * cols.len()) + 1);
    let mut fields = Vec::with_capacity(cols.len());
    let mut first_id = 0;
    while let Some(line) = csv.record(&mut fields)? {
        let row = Row::new(file, line, cols, &fields)?;
        let id = row.u32(0)? as usize;
        if out.is_empty() {
            first_id = id;
        } else if id != first_id + out.len() {
            return Err(row.err(
                0,
                format!(
                    "id {id} out of order: ids are row positions, expected {}",
                    first_id + out.len()
                ),
            ));
        }
        out.push(parse(&row)?);
    }
    Ok((first_id, out))
}

/// The line on which data row `index` (0-based) starts, for errors found after parsing.
fn line_of_row(file: &'static str, text: &str, index: usize) -> usize {
    let mut csv = Csv::new(file, text);
    let mut fields = Vec::new();
    let mut k = 0;
    while let Ok(Some(line)) = csv.record(&mut fields) {
        if k == index + 1 {
            return line;
        }
        k += 1;
    }
    0
}

fn read_buses(text: &str, m: &Manifest) -> Result<Vec<Bus>, TableError> {
    read_table("buses.csv", text, BUS_COLS, m, |r| {
        Ok(Bus { name: r.string(1), pos: r.opt_pos(2, 3)? })
    })
}

fn read_substations(text: &str, m: &Manifest) -> Result<Vec<Substation>, TableError> {
    read_table("substations.csv", text, SUBSTATION_COLS, m, |r| {
        Ok(Substation {
            name: r.string(1),
            display_name: r.string(2),
            pos: r.pos(3, 4)?,
            kv_hv: r.f32(5)?,
        })
    })
}

fn read_feeders(text: &str, m: &Manifest, model: &GridModel) -> Result<Vec<Feeder>, TableError> {
    let (nb, ns) = (model.buses.len(), model.substations.len());
    read_table("feeders.csv", text, FEEDER_COLS, m, |r| {
        Ok(Feeder {
            name: r.string(1),
            display_name: r.string(2),
            substation: SubstationId(r.id(3, ns, "substations")?),
            source_bus: BusId(r.id(4, nb, "buses")?),
            kv: r.f32(5)?,
            unit: r.string(6),
        })
    })
}

fn read_lines(text: &str, m: &Manifest, model: &GridModel) -> Result<Vec<LineSection>, TableError> {
    let nb = model.buses.len();
    read_table("lines.csv", text, LINE_COLS, m, |r| {
        let phases = r.u32(5)?;
        Ok(LineSection {
            name: r.string(1),
            from: BusId(r.id(2, nb, "buses")?),
            to: BusId(r.id(3, nb, "buses")?),
            length_m: r.length(4)?,
            phases: u8::try_from(phases).map_err(|_| r.err(5, "more than 255 phases"))?,
            in_service: r.bool(6)?,
            route: r.route(7)?,
        })
    })
}

fn read_switches(text: &str, m: &Manifest, model: &GridModel) -> Result<Vec<Switch>, TableError> {
    let (nb, nl) = (model.buses.len(), model.lines.len());
    read_table("switches.csv", text, SWITCH_COLS, m, |r| {
        let kind = SwitchKind::parse(r.str(2)).ok_or_else(|| {
            r.err(2, format!("unknown switch kind `{}` (breaker, recloser, fuse, sectionaliser, tie, disconnector)", r.str(2)))
        })?;
        let mount = if r.str(5).is_empty() {
            SwitchMount::Terminals {
                from: BusId(r.id(3, nb, "buses")?),
                to: BusId(r.id(4, nb, "buses")?),
            }
        } else {
            if !r.str(3).is_empty() || !r.str(4).is_empty() {
                return Err(r.err(5, "a switch on a line has no `from`/`to` of its own"));
            }
            SwitchMount::OnLine(LineId(r.id(5, nl, "lines")?))
        };
        Ok(Switch {
            name: r.string(1),
            kind,
            mount,
            normally_open: r.bool(6)?,
            pos: r.opt_pos(7, 8)?,
        })
    })
}

fn read_transformers(
    text: &str,
    m: &Manifest,
    model: &GridModel,
) -> Result<Vec<Transformer>, TableError> {
    let nb = model.buses.len();
    read_table("transformers.csv", text, TRANSFORMER_COLS, m, |r| {
        let kind = TransformerKind::parse(r.str(3)).ok_or_else(|| {
            r.err(
                3,
                format!(
                    "unknown transformer kind `{}` (substation, regulator, public, dedicated)",
                    r.str(3)
                ),
            )
        })?;
        Ok(Transformer {
            name: r.string(1),
            display_name: r.string(2),
            kind,
            hv_bus: BusId(r.id(4, nb, "buses")?),
            lv_bus: BusId(r.id(5, nb, "buses")?),
            kva: r.f32(6)?,
            pos: r.opt_pos(7, 8)?,
        })
    })
}

fn read_lv_lines(text: &str, m: &Manifest, model: &GridModel) -> Result<Vec<LvLine>, TableError> {
    let nb = model.buses.len();
    read_table("lv_lines.csv", text, LV_LINE_COLS, m, |r| {
        Ok(LvLine {
            name: r.string(1),
            from: BusId(r.id(2, nb, "buses")?),
            to: BusId(r.id(3, nb, "buses")?),
            length_m: r.length(4)?,
            route: r.route(5)?,
        })
    })
}

/// Customers; `nb` and `nt` are the row counts of buses and transformers.
fn read_customers(
    text: &str,
    m: &Manifest,
    nb: usize,
    nt: usize,
) -> Result<Vec<Customer>, TableError> {
    read_table("customers.csv", text, CUSTOMER_COLS, m, |r| {
        let phones = match r.str(4) {
            "" => Vec::new(),
            p => p.split('|').map(str::to_string).collect(),
        };
        let labels =
            Labels::from_words(r.str(15)).map_err(|w| r.err(15, format!("unknown label `{w}`")))?;
        let transformer = match r.str(17) {
            "" => None,
            _ => Some(TransformerId(r.id(17, nt, "transformers")?)),
        };
        Ok(Customer {
            name: r.string(1),
            account_no: r.string(2),
            display_name: r.string(3),
            phones,
            address: StandardAddress {
                province: r.string(5),
                city: r.string(6),
                district: r.string(7),
                township: r.string(8),
                community: r.string(9),
                road: r.string(10),
                house_no: r.string(11),
                compound: r.string(12),
                building: r.string(13),
                room: r.string(14),
            },
            labels,
            bus: BusId(r.id(16, nb, "buses")?),
            transformer,
            kw: r.f32(18)?,
            pos: r.pos(19, 20)?,
        })
    })
}

#[cfg(test)]
mod tests;
