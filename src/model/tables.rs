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

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

use super::{
    Bus, BusId, Customer, Feeder, GridModel, Labels, LineId, LineSection, LonLat,
    LvLine, StandardAddress, Substation, SubstationId, Switch, SwitchKind, SwitchMount,
    Transformer, TransformerId, TransformerKind,
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
// Writing

/// Writes every table of `model` into `dir` (created if missing), one file per table.
pub fn write_dir(model: &GridModel, dir: &Path) -> std::io::Result<()> {
    let tables = write_tables(model)?;
    std::fs::create_dir_all(dir)?;
    for (name, text) in &tables {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

/// The text of every table of `model`, by file name, in [`TABLE_FILES`] order.
///
/// Fails (`InvalidData`) only for a model that the format cannot hold: a phone number that
/// contains `|`.
pub fn write_tables(model: &GridModel) -> std::io::Result<Vec<(&'static str, String)>> {
    let mut out = Vec::with_capacity(TABLE_FILES.len());
    out.push(("manifest.csv", write_manifest(model)));

    let mut s = header(BUS_COLS, model.buses.len() * 40);
    for (i, b) in model.buses.iter().enumerate() {
        row_start(&mut s, i);
        field(&mut s, &b.name);
        s.push(',');
        opt_pos(&mut s, b.pos);
        s.push('\n');
    }
    out.push(("buses.csv", s));

    let mut s = header(SUBSTATION_COLS, model.substations.len() * 80);
    for (i, x) in model.substations.iter().enumerate() {
        row_start(&mut s, i);
        field(&mut s, &x.name);
        s.push(',');
        field(&mut s, &x.display_name);
        s.push(',');
        pos(&mut s, x.pos);
        let _ = writeln!(s, ",{}", x.kv_hv);
    }
    out.push(("substations.csv", s));

    let mut s = header(FEEDER_COLS, model.feeders.len() * 120);
    for (i, f) in model.feeders.iter().enumerate() {
        row_start(&mut s, i);
        field(&mut s, &f.name);
        s.push(',');
        field(&mut s, &f.display_name);
        let _ = write!(s, ",{},{},{},", f.substation.0, f.source_bus.0, f.kv);
        field(&mut s, &f.unit);
        s.push('\n');
    }
    out.push(("feeders.csv", s));

    let mut s = header(LINE_COLS, model.lines.len() * 120);
    for (i, l) in model.lines.iter().enumerate() {
        row_start(&mut s, i);
        field(&mut s, &l.name);
        let _ = write!(
            s,
            ",{},{},{},{},{},",
            l.from.0, l.to.0, l.length_m, l.phases, l.in_service
        );
        route(&mut s, &l.route);
        s.push('\n');
    }
    out.push(("lines.csv", s));

    let mut s = header(SWITCH_COLS, model.switches.len() * 80);
    for (i, w) in model.switches.iter().enumerate() {
        row_start(&mut s, i);
        field(&mut s, &w.name);
        s.push(',');
        s.push_str(w.kind.as_str());
        let _ = match w.mount {
            SwitchMount::Terminals { from, to } => write!(s, ",{},{},", from.0, to.0),
            SwitchMount::OnLine(line) => write!(s, ",,,{}", line.0),
        };
        let _ = write!(s, ",{},", w.normally_open);
        opt_pos(&mut s, w.pos);
        s.push('\n');
    }
    out.push(("switches.csv", s));

    let mut s = header(TRANSFORMER_COLS, model.transformers.len() * 100);
    for (i, t) in model.transformers.iter().enumerate() {
        row_start(&mut s, i);
        field(&mut s, &t.name);
        s.push(',');
        field(&mut s, &t.display_name);
        let _ = write!(
            s,
            ",{},{},{},{},",
            t.kind.as_str(),
            t.hv_bus.0,
            t.lv_bus.0,
            t.kva
        );
        opt_pos(&mut s, t.pos);
        s.push('\n');
    }
    out.push(("transformers.csv", s));

    let mut s = header(LV_LINE_COLS, model.lv_lines.len() * 100);
    for (i, l) in model.lv_lines.iter().enumerate() {
        row_start(&mut s, i);
        field(&mut s, &l.name);
        let _ = write!(s, ",{},{},{},", l.from.0, l.to.0, l.length_m);
        route(&mut s, &l.route);
        s.push('\n');
    }
    out.push(("lv_lines.csv", s));

    let mut s = header(CUSTOMER_COLS, model.customers.len() * 220);
    for (i, c) in model.customers.iter().enumerate() {
        row_start(&mut s, i);
        field(&mut s, &c.name);
        s.push(',');
        field(&mut s, &c.account_no);
        s.push(',');
        field(&mut s, &c.display_name);
        s.push(',');
        if c.phones.iter().any(|p| p.contains('|')) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("customers[{i}] `{}`: a phone number contains `|`", c.name),
            ));
        }
        field(&mut s, &c.phones.join("|"));
        let a = &c.address;
        for part in [
            &a.province,
            &a.city,
            &a.district,
            &a.township,
            &a.community,
            &a.road,
            &a.house_no,
            &a.compound,
            &a.building,
            &a.room,
        ] {
            s.push(',');
            field(&mut s, part);
        }
        s.push(',');
        s.push_str(&c.labels.to_words());
        let _ = write!(s, ",{},", c.bus.0);
        if let Some(t) = c.transformer {
            let _ = write!(s, "{}", t.0);
        }
        let _ = write!(s, ",{},", c.kw);
        pos(&mut s, c.pos);
        s.push('\n');
    }
    out.push(("customers.csv", s));
    Ok(out)
}

fn write_manifest(model: &GridModel) -> String {
    let mut s = String::from("key,value\n");
    let _ = writeln!(s, "format,{FORMAT_NAME}");
    let _ = writeln!(s, "version,{FORMAT_VERSION}");
    s.push_str("name,");
    field(&mut s, &model.name);
    s.push('\n');
    for (table, n) in table_counts(model) {
        let _ = writeln!(s, "{table},{n}");
    }
    s
}

fn table_counts(model: &GridModel) -> [(&'static str, usize); 8] {
    [
        ("buses", model.buses.len()),
        ("substations", model.substations.len()),
        ("feeders", model.feeders.len()),
        ("lines", model.lines.len()),
        ("switches", model.switches.len()),
        ("transformers", model.transformers.len()),
        ("lv_lines", model.lv_lines.len()),
        ("customers", model.customers.len()),
    ]
}

fn header(cols: &[&str], capacity: usize) -> String {
    let mut s = String::with_capacity(capacity + 64);
    s.push_str(&cols.join(","));
    s.push('\n');
    s
}

fn row_start(s: &mut String, id: usize) {
    let _ = write!(s, "{id},");
}

/// One text field, quoted only when it must be.
fn field(s: &mut String, text: &str) {
    if text.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        s.push('"');
        s.push_str(&text.replace('"', "\"\""));
        s.push('"');
    } else {
        s.push_str(text);
    }
}

fn pos(s: &mut String, p: LonLat) {
    let _ = write!(s, "{:.6},{:.6}", p.lon, p.lat);
}

fn opt_pos(s: &mut String, p: Option<LonLat>) {
    match p {
        Some(p) => pos(s, p),
        None => s.push(','),
    }
}

fn route(s: &mut String, route: &[LonLat]) {
    for (k, p) in route.iter().enumerate() {
        if k > 0 {
            s.push(';');
        }
        let _ = write!(s, "{:.6} {:.6}", p.lon, p.lat);
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
    let mut model = GridModel { name: manifest.name.clone(), ..GridModel::default() };
    model.buses = read_buses(text("buses.csv")?, &manifest)?;
    model.substations = read_substations(text("substations.csv")?, &manifest)?;
    model.feeders = read_feeders(text("feeders.csv")?, &manifest, &model)?;
    model.lines = read_lines(text("lines.csv")?, &manifest, &model)?;
    model.switches = read_switches(text("switches.csv")?, &manifest, &model)?;
    model.transformers = read_transformers(text("transformers.csv")?, &manifest, &model)?;
    model.lv_lines = read_lv_lines(text("lv_lines.csv")?, &manifest, &model)?;
    model.customers = read_customers(text("customers.csv")?, &manifest, &model)?;
    model.validate().map_err(|e| {
        // The row checks above cover every rule of `validate`; name the table if one slips by.
        let table = e.message.split('[').next().unwrap_or("");
        let file = TABLE_FILES
            .iter()
            .find(|f| f.strip_suffix(".csv") == Some(table))
            .unwrap_or(&"manifest.csv");
        TableError::new(file, 0, e.message)
    })?;
    Ok(model)
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
            return Err(TableError::new(
                FILE,
                line,
                format!("format `{f}` is not `{FORMAT_NAME}`"),
            ))
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
/// and the row count against the manifest.
fn read_table<'a, T>(
    file: &'static str,
    text: &'a str,
    cols: &'static [&'static str],
    manifest: &Manifest,
    mut parse: impl FnMut(&Row<'_, 'a>) -> Result<T, TableError>,
) -> Result<Vec<T>, TableError> {
    let table = file.trim_end_matches(".csv");
    let (expected, _) = manifest.expected(table).unwrap_or((0, 0));
    // Trust the manifest for the allocation, but not beyond what the text could hold.
    let mut out = Vec::with_capacity(expected.min(text.len() / (2 * cols.len()) + 1));
    let mut csv = Csv::new(file, text);
    csv.header(cols)?;
    let mut fields = Vec::with_capacity(cols.len());
    while let Some(line) = csv.record(&mut fields)? {
        let row = Row::new(file, line, cols, &fields)?;
        let id = row.u32(0)? as usize;
        if id != out.len() {
            return Err(row.err(
                0,
                format!("id {id} out of order: ids are row positions, expected {}", out.len()),
            ));
        }
        out.push(parse(&row)?);
    }
    if out.len() != expected {
        let (_, mline) = manifest.expected(table).unwrap_or((0, 0));
        return Err(TableError::new(
            file,
            csv.line,
            format!(
                "{} rows, but manifest.csv line {mline} says {expected} (truncated or edited file?)",
                out.len()
            ),
        ));
    }
    Ok(out)
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

fn read_customers(
    text: &str,
    m: &Manifest,
    model: &GridModel,
) -> Result<Vec<Customer>, TableError> {
    let (nb, nt) = (model.buses.len(), model.transformers.len());
    let mut lines: Vec<usize> = Vec::new();
    let customers = read_table("customers.csv", text, CUSTOMER_COLS, m, |r| {
        lines.push(r.line);
        let phones = match r.str(4) {
            "" => Vec::new(),
            p => p.split('|').map(str::to_string).collect(),
        };
        let labels = Labels::from_words(r.str(15))
            .map_err(|w| r.err(15, format!("unknown label `{w}`")))?;
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
    })?;
    let mut accounts: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(customers.len());
    for (c, line) in customers.iter().zip(&lines) {
        if let Some(first) = accounts.insert(c.account_no.as_str(), *line) {
            return Err(TableError::new(
                "customers.csv",
                *line,
                format!("column `account_no`: `{}` is also used on line {first}", c.account_no),
            ));
        }
    }
    Ok(customers)
}

/// A CSV record splitter over one file's text. Fields borrow from the text unless they were
/// quoted with `""` inside.
struct Csv<'a> {
    file: &'static str,
    text: &'a str,
    pos: usize,
    /// Line number of the next unread line (1-based).
    line: usize,
}

impl<'a> Csv<'a> {
    fn new(file: &'static str, text: &'a str) -> Self {
        Csv { file, text, pos: 0, line: 1 }
    }

    fn header(&mut self, cols: &[&str]) -> Result<(), TableError> {
        let mut fields = Vec::with_capacity(cols.len());
        match self.record(&mut fields)? {
            None => Err(TableError::new(self.file, 1, "empty file: no header row")),
            Some(line) => {
                if fields.len() == cols.len() && fields.iter().zip(cols).all(|(f, c)| f == c) {
                    Ok(())
                } else {
                    let found: Vec<&str> = fields.iter().map(|f| f.as_ref()).collect();
                    Err(TableError::new(
                        self.file,
                        line,
                        format!("header is `{}`, expected `{}`", found.join(","), cols.join(",")),
                    ))
                }
            }
        }
    }

    /// Reads the next non-blank record into `fields`; returns its first line, `None` at the end.
    fn record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Result<Option<usize>, TableError> {
        fields.clear();
        loop {
            let rest = &self.text[self.pos..];
            if rest.is_empty() {
                return Ok(None);
            }
            let (line_text, consumed) = match rest.find('\n') {
                Some(i) => (&rest[..i], i + 1),
                None => (rest, rest.len()),
            };
            let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
            let line = self.line;
            if line_text.is_empty() {
                self.pos += consumed;
                self.line += 1;
                continue;
            }
            if !line_text.contains('"') {
                fields.extend(line_text.split(',').map(Cow::Borrowed));
                self.pos += consumed;
                self.line += 1;
                return Ok(Some(line));
            }
            self.quoted_record(fields)?;
            return Ok(Some(line));
        }
    }

    /// The slow path: a record with quoted fields, which may span lines.
    fn quoted_record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Result<(), TableError> {
        let text = self.text;
        let bytes = text.as_bytes();
        let start_line = self.line;
        let mut i = self.pos;
        loop {
            if bytes.get(i) == Some(&b'"') {
                i += 1;
                let mut value = String::new();
                let mut seg = i;
                loop {
                    match bytes.get(i) {
                        None => {
                            return Err(TableError::new(
                                self.file,
                                start_line,
                                "quoted field is not closed before the end of the file",
                            ))
                        }
                        Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                            value.push_str(&text[seg..=i]);
                            i += 2;
                            seg = i;
                        }
                        Some(b'"') => {
                            value.push_str(&text[seg..i]);
                            i += 1;
                            break;
                        }
                        Some(b'\n') => {
                            self.line += 1;
                            i += 1;
                        }
                        Some(_) => i += 1,
                    }
                }
                fields.push(Cow::Owned(value));
            } else {
                let end = text[i..].find([',', '\n']).map_or(text.len(), |k| i + k);
                let value = &text[i..end];
                let value = value.strip_suffix('\r').unwrap_or(value);
                if value.contains('"') {
                    return Err(TableError::new(
                        self.file,
                        self.line,
                        format!("field {} has a quote inside an unquoted value", fields.len() + 1),
                    ));
                }
                fields.push(Cow::Borrowed(value));
                i = end;
            }
            match bytes.get(i) {
                Some(b',') => i += 1,
                Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => {
                    self.pos = i + 2;
                    self.line += 1;
                    return Ok(());
                }
                Some(b'\n') => {
                    self.pos = i + 1;
                    self.line += 1;
                    return Ok(());
                }
                None => {
                    self.pos = i;
                    return Ok(());
                }
                Some(_) => {
                    return Err(TableError::new(
                        self.file,
                        self.line,
                        format!("text after the closing quote of field {}", fields.len()),
                    ))
                }
            }
        }
    }
}

/// One data row with its column names, for typed access with precise errors.
struct Row<'r, 'a> {
    file: &'static str,
    line: usize,
    cols: &'static [&'static str],
    fields: &'r [Cow<'a, str>],
}

impl<'r, 'a> Row<'r, 'a> {
    fn new(
        file: &'static str,
        line: usize,
        cols: &'static [&'static str],
        fields: &'r [Cow<'a, str>],
    ) -> Result<Self, TableError> {
        if fields.len() != cols.len() {
            return Err(TableError::new(
                file,
                line,
                format!("{} columns, expected {} ({})", fields.len(), cols.len(), cols.join(",")),
            ));
        }
        Ok(Row { file, line, cols, fields })
    }

    fn err(&self, col: usize, message: impl std::fmt::Display) -> TableError {
        TableError::new(self.file, self.line, format!("column `{}`: {message}", self.cols[col]))
    }

    fn str(&self, col: usize) -> &str {
        &self.fields[col]
    }

    fn string(&self, col: usize) -> String {
        self.fields[col].to_string()
    }

    fn u32(&self, col: usize) -> Result<u32, TableError> {
        parse_u32(self.str(col)).ok_or_else(|| {
            self.err(col, format!("`{}` is not a non-negative integer", self.str(col)))
        })
    }

    /// A reference into a table of `len` rows.
    fn id(&self, col: usize, len: usize, table: &str) -> Result<u32, TableError> {
        let id = self.u32(col)?;
        if (id as usize) < len {
            Ok(id)
        } else {
            Err(self.err(col, format!("{table} id {id} does not exist ({table} has {len} rows)")))
        }
    }

    fn f32(&self, col: usize) -> Result<f32, TableError> {
        self.str(col)
            .parse::<f32>()
            .map_err(|_| self.err(col, format!("`{}` is not a number", self.str(col))))
    }

    fn length(&self, col: usize) -> Result<f32, TableError> {
        let v = self.f32(col)?;
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(self.err(col, format!("`{}` is not a length", self.str(col))))
        }
    }

    fn bool(&self, col: usize) -> Result<bool, TableError> {
        match self.str(col) {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            s => Err(self.err(col, format!("`{s}` is not true or false"))),
        }
    }

    fn coord(&self, col: usize, s: &str) -> Result<f64, TableError> {
        parse_f64(s).ok_or_else(|| self.err(col, format!("`{s}` is not a number")))
    }

    fn pos(&self, lon: usize, lat: usize) -> Result<LonLat, TableError> {
        let p = LonLat::new(self.coord(lon, self.str(lon))?, self.coord(lat, self.str(lat))?);
        if p.is_valid() {
            Ok(p)
        } else {
            Err(self.err(lon, format!("{} {} is not a WGS84 lon/lat", p.lon, p.lat)))
        }
    }

    fn opt_pos(&self, lon: usize, lat: usize) -> Result<Option<LonLat>, TableError> {
        match (self.str(lon).is_empty(), self.str(lat).is_empty()) {
            (true, true) => Ok(None),
            _ => self.pos(lon, lat).map(Some),
        }
    }

    fn route(&self, col: usize) -> Result<Vec<LonLat>, TableError> {
        let s = self.str(col);
        if s.is_empty() {
            return Ok(Vec::new());
        }
        let mut route = Vec::with_capacity(s.len() / 20 + 1);
        for (k, point) in s.split(';').enumerate() {
            let bad = || self.err(col, format!("point {} `{point}` is not `lon lat`", k + 1));
            let (lon, lat) = point.split_once(' ').ok_or_else(bad)?;
            let p = LonLat::new(parse_f64(lon).ok_or_else(bad)?, parse_f64(lat).ok_or_else(bad)?);
            if !p.is_valid() {
                return Err(bad());
            }
            route.push(p);
        }
        Ok(route)
    }
}

fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 10 {
        return None;
    }
    let mut v: u64 = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
    }
    u32::try_from(v).ok()
}

/// Parses a decimal number. Up to 15 significant digits without exponent take a fast exact path
/// (an integer mantissa below 2^53 divided by an exact power of ten is correctly rounded, so it
/// equals `str::parse`); everything else goes to `str::parse`.
fn parse_f64(s: &str) -> Option<f64> {
    const POW10: [f64; 16] =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    let b = s.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let (mut mantissa, mut n_digits, mut n_frac, mut dot) = (0u64, 0usize, 0usize, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                if n_digits == 15 {
                    return s.parse().ok();
                }
                mantissa = mantissa * 10 + u64::from(c - b'0');
                n_digits += 1;
                n_frac += usize::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => return s.parse().ok(),
        }
    }
    if n_digits == 0 {
        return None;
    }
    let v = mantissa as f64 / POW10[n_frac];
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests;
