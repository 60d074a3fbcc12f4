//! The tables of a report: printed in the terminal, written as CSV (RFC 4180: fields with a
//! comma, a quote or a line break are quoted, quotes doubled), read back, and written as
//! one HTML page.
//!
//! Numbers are written in full (Rust's shortest representation that reads back to the same
//! `f64`), so a table read back from its CSV holds the very same numbers; the terminal and
//! the HTML round them for reading.

use std::path::Path;

use super::KpiError;

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A count.
    Int(u64),
    /// A measure.
    Num(f64),
    /// No value (a ratio without a denominator, a measure not available).
    Missing,
}

impl Cell {
    /// A measure, or [`Cell::Missing`].
    pub fn opt(v: Option<f64>) -> Cell {
        v.map_or(Cell::Missing, Cell::Num)
    }

    /// As written in a CSV file.
    pub fn csv_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Num(x) => format!("{x:?}"),
            Cell::Missing => String::new(),
        }
    }

    /// As shown to a reader: four significant decimals at most.
    pub fn display_text(&self) -> String {
        match self {
            Cell::Num(x) if x.abs() >= 100.0 => format!("{x:.1}"),
            Cell::Num(x) if *x != 0.0 && x.abs() < 0.01 => format!("{x:.6}"),
            Cell::Num(x) => format!("{x:.4}"),
            Cell::Missing => "–".into(),
            other => other.csv_text(),
        }
    }

    /// The number in the cell, if any.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(n) => Some(*n as f64),
            Cell::Num(x) => Some(*x),
            _ => None,
        }
    }
}

/// A named table with a header row.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Its name (the CSV file is `NAME.csv`).
    pub name: String,
    /// A title for readers.
    pub title: String,
    /// Column names.
    pub columns: Vec<String>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

/// Quotes a CSV field when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Splits one CSV record. A quote that is not closed is an error.
pub(crate) fn csv_record(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
        } else {
            match c {
                ',' => {
                    out.push(std::mem::take(&mut field));
                    was_quoted = false;
                }
                '"' if field.is_empty() && !was_quoted => {
                    quoted = true;
                    was_quoted = true;
                }
                '"' => return Err("a quote inside an unquoted field".into()),
                _ => field.push(c),
            }
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    out.push(field);
    Ok(out)
}

impl Table {
    /// An empty table.
    pub fn new(name: &str, title: &str, columns: &[&str]) -> Table {
        Table {
            name: name.into(),
            title: title.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// The table as CSV text (header first, `\n` line ends).
    pub fn to_csv(&self) -> String {
        let mut s = self.columns.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",");
        s.push('\n');
        for r in &self.rows {
            let line: Vec<String> = r.iter().map(|c| csv_field(&c.csv_text())).collect();
            s.push_str(&line.join(","));
            s.push('\n');
        }
        s
    }

    /// Writes `DIR/NAME.csv`; returns the path.
    pub fn write_csv(&self, dir: &Path) -> Result<std::path::PathBuf, KpiError> {
        let path = dir.join(format!("{}.csv", self.name));
        std::fs::create_dir_all(dir)
            .map_err(|source| KpiError::Io { file: dir.display().to_string(), source })?;
        std::fs::write(&path, self.to_csv())
            .map_err(|source| KpiError::Io { file: path.display().to_string(), source })?;
        Ok(path)
    }

    /// Reads a CSV file written by [`Table::write_csv`] (or by hand): the header gives the
    /// columns; an empty field is [`Cell::Missing`], a whole number a [`Cell::Int`], another
    /// number a [`Cell::Num`], anything else [`Cell::Text`]. A row with another number of
    /// fields than the header, or a broken quote, is an error naming the file and line.
    ///
    /// # Examples
    ///
    /// ```
    /// use gridcare::kpi::{Cell, Table};
    /// let dir = std::env::temp_dir().join(format!("gridcare-doc-table-{}", std::process::id()));
    /// let mut t = Table::new("indices", "Indices", &["scope", "saifi", "caidi_min"]);
    /// t.rows.push(vec![Cell::Text("feeder:祖01线, 东".into()), Cell::Num(0.1 + 0.2), Cell::Missing]);
    /// let path = t.write_csv(&dir).unwrap();
    /// assert_eq!(Table::read_csv(&path).unwrap().rows, t.rows);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn read_csv(path: &Path) -> Result<Table, KpiError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| KpiError::Io { file: file.clone(), source })?;
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Err(KpiError::Csv { file, line: 1, why: "the file is empty".into() });
        };
        let columns =
            csv_record(header).map_err(|why| KpiError::Csv { file: file.clone(), line: 1, why })?;
        let mut rows = Vec::new();
        for (i, line) in lines {
            let fields = csv_record(line).map_err(|why| KpiError::Csv {
                file: file.clone(),
                line: i + 1,
                why,
            })?;
            if fields.len() != columns.len() {
                return Err(KpiError::Csv {
                    file,
                    line: i + 1,
                    why: format!(
                        "{} fields where the header has {} ({})",
                        fields.len(),
                        columns.len(),
                        columns.join(",")
                    ),
                });
            }
            rows.push(fields.into_iter().map(|f| parse_cell(&f)).collect());
        }
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Table { title: name.clone(), name, columns, rows })
    }

    /// The index of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The table aligned for a terminal, under its title.
    pub fn to_text(&self) -> String {
        let cells: Vec<Vec<String>> =
            self.rows.iter().map(|r| r.iter().map(Cell::display_text).collect()).collect();
        let width = |s: &str| s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
        let mut widths: Vec<usize> = self.columns.iter().map(|c| width(c)).collect();
        for r in &cells {
            for (i, c) in r.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(width(c));
                }
            }
        }
        let line = |fields: &[String]| {
            let mut s = String::new();
            for (i, f) in fields.iter().enumerate() {
                let pad = widths.get(i).copied().unwrap_or(0).saturating_sub(width(f));
                let numeric = f.parse::<f64>().is_ok() || f == "–";
                if i > 0 {
                    s.push_str("  ");
                }
                if numeric {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(f);
                } else {
                    s.push_str(f);
                    s.push_str(&" ".repeat(pad));
                }
            }
            s.trim_end().to_string()
        };
        let mut out = format!("{}\n", self.title);
        out.push_str(&line(&self.columns));
        out.push('\n');
        for r in &cells {
            out.push_str(&line(r));
            out.push('\n');
        }
        out
    }

    /// The table as an HTML `<table>` with its title as a heading.
    pub fn to_html(&self) -> String {
        let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let mut s = format!("<h2>{}</h2>\n<table>\n<tr>", esc(&self.title));
        for c in &self.columns {
            s.push_str(&format!("<th>{}</th>", esc(c)));
        }
        s.push_str("</tr>\n");
        for r in &self.rows {
            s.push_str("<tr>");
            for c in r {
                let class = if matches!(c, Cell::Text(_)) { "" } else { " class=\"n\"" };
                s.push_str(&format!("<td{class}>{}</td>", esc(&c.display_text())));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table>\n");
        s
    }
}

fn parse_cell(f: &str) -> Cell {
    if f.is_empty() {
        Cell::Missing
    } else if f.bytes().all(|b| b.is_ascii_digit()) {
        // a count; a measure is always written with a point or an exponent
        f.parse().map_or_else(|_| Cell::Text(f.to_string()), Cell::Int)
    } else if f.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && f.bytes().any(|b| b.is_ascii_digit())
    {
        f.parse().map_or_else(|_| Cell::Text(f.to_string()), Cell::Num)
    } else {
        Cell::Text(f.to_string())
    }
}

/// One HTML page holding the tables, with a heading and a line of notes.
pub fn html_page(heading: &str, notes: &[String], tables: &[Table]) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut s = String::from(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n<title>",
    );
    s.push_str(&esc(heading));
    s.push_str(
        "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:80em}\
         table{border-collapse:collapse;margin-bottom:1.5em;font-size:90%}\
         th,td{border:1px solid #bbb;padding:2px 8px}th{background:#eee}\
         td.n{text-align:right;font-variant-numeric:tabular-nums}</style>\n</head><body>\n<h1>",
    );
    s.push_str(&esc(heading));
    s.push_str("</h1>\n");
    for n in notes {
        s.push_str(&format!("<p>{}</p>\n", esc(n)));
    }
    for t in tables {
        s.push_str(&t.to_html());
    }
    s.push_str("</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_with_quotes_and_commas_split_right() {
        assert_eq!(
            csv_record("a,\"b,c\",\"d\"\"e\",").expect("splits"),
            vec!["a", "b,c", "d\"e", ""]
        );
        assert!(csv_record("a,\"b").is_err());
        assert!(csv_record("a,b\"c").is_err());
    }

    #[test]
    fn a_corrupt_csv_names_the_file_and_line() {
        let dir = std::env::temp_dir().join(format!("gridcare-kpi-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let p = dir.join("broken.csv");
        std::fs::write(&p, "a,b\n1,2\n3\n").expect("written");
        let e = Table::read_csv(&p).expect_err("short row").to_string();
        assert!(e.contains("broken.csv") && e.contains("line 3") && e.contains("1 fields"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
