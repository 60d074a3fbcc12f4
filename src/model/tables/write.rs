//! Writing the tables: one `String` per file, quoting only where needed.

use std::fmt::Write as _;
use std::path::Path;

use super::{
    BUS_COLS, CUSTOMER_COLS, FEEDER_COLS, FORMAT_NAME, FORMAT_VERSION, LINE_COLS, LV_LINE_COLS,
    SUBSTATION_COLS, SWITCH_COLS, TABLE_FILES, TRANSFORMER_COLS,
};
use crate::model::{GridModel, LonLat, SwitchMount};

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
        let _ = write!(s, ",{},{},{},{},{},", l.from.0, l.to.0, l.length_m, l.phases, l.in_service);
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
        let _ = write!(s, ",{},{},{},{},", t.kind.as_str(), t.hv_bus.0, t.lv_bus.0, t.kva);
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
        for part in a.segments() {
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

pub(super) fn table_counts(model: &GridModel) -> [(&'static str, usize); 8] {
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
