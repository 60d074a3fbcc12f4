//! The CSV layer of the table format: records (RFC 4180 quoting), typed fields with precise
//! errors, fast number parsing, and cutting a large table into chunks for parallel parsing.

use std::borrow::Cow;

use super::TableError;
use crate::model::LonLat;

/// Chunks of at least 1 MiB cut after a line end, one per available core (at most 8); the
/// whole text when it is small or holds quotes (a quoted field may span lines).
pub(super) fn chunks(body: &str) -> Vec<&str> {
    const MIN_CHUNK: usize = 1 << 20;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let n = threads.min(body.len() / MIN_CHUNK).max(1);
    if n == 1 || body.contains('"') {
        return vec![body];
    }
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    for k in 1..n {
        let target = (body.len() * k / n).max(start);
        match body.as_bytes()[target..].iter().position(|b| *b == b'\n') {
            Some(i) => {
                out.push(&body[start..target + i + 1]);
                start = target + i + 1;
            }
            None => break,
        }
    }
    out.push(&body[start..]);
    out
}

pub(super) fn count_lines(text: &str) -> usize {
    text.bytes().filter(|b| *b == b'\n').count()
}

/// A CSV record splitter over one file's text. Fields borrow from the text unless they were
/// quoted with `""` inside.
pub(super) struct Csv<'a> {
    file: &'static str,
    text: &'a str,
    /// Byte offset of the next unread record.
    pub(super) pos: usize,
    /// Line number of the next unread line (1-based).
    pub(super) line: usize,
}

impl<'a> Csv<'a> {
    pub(super) fn new(file: &'static str, text: &'a str) -> Self {
        Csv { file, text, pos: 0, line: 1 }
    }

    pub(super) fn header(&mut self, cols: &[&str]) -> Result<(), TableError> {
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
    pub(super) fn record(
        &mut self,
        fields: &mut Vec<Cow<'a, str>>,
    ) -> Result<Option<usize>, TableError> {
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
pub(super) struct Row<'r, 'a> {
    file: &'static str,
    /// Line where the record starts.
    pub(super) line: usize,
    cols: &'static [&'static str],
    fields: &'r [Cow<'a, str>],
}

impl<'r, 'a> Row<'r, 'a> {
    pub(super) fn new(
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

    pub(super) fn err(&self, col: usize, message: impl std::fmt::Display) -> TableError {
        TableError::new(self.file, self.line, format!("column `{}`: {message}", self.cols[col]))
    }

    pub(super) fn str(&self, col: usize) -> &str {
        &self.fields[col]
    }

    pub(super) fn string(&self, col: usize) -> String {
        self.fields[col].to_string()
    }

    pub(super) fn u32(&self, col: usize) -> Result<u32, TableError> {
        parse_u32(self.str(col)).ok_or_else(|| {
            self.err(col, format!("`{}` is not a non-negative integer", self.str(col)))
        })
    }

    /// A reference into a table of `len` rows.
    pub(super) fn id(&self, col: usize, len: usize, table: &str) -> Result<u32, TableError> {
        let id = self.u32(col)?;
        if (id as usize) < len {
            Ok(id)
        } else {
            Err(self.err(col, format!("{table} id {id} does not exist ({table} has {len} rows)")))
        }
    }

    pub(super) fn f32(&self, col: usize) -> Result<f32, TableError> {
        self.str(col)
            .parse::<f32>()
            .map_err(|_| self.err(col, format!("`{}` is not a number", self.str(col))))
    }

    pub(super) fn length(&self, col: usize) -> Result<f32, TableError> {
        let v = self.f32(col)?;
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(self.err(col, format!("`{}` is not a length", self.str(col))))
        }
    }

    pub(super) fn bool(&self, col: usize) -> Result<bool, TableError> {
        match self.str(col) {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            s => Err(self.err(col, format!("`{s}` is not true or false"))),
        }
    }

    pub(super) fn coord(&self, col: usize, s: &str) -> Result<f64, TableError> {
        parse_f64(s).ok_or_else(|| self.err(col, format!("`{s}` is not a number")))
    }

    pub(super) fn pos(&self, lon: usize, lat: usize) -> Result<LonLat, TableError> {
        let p = LonLat::new(self.coord(lon, self.str(lon))?, self.coord(lat, self.str(lat))?);
        if p.is_valid() {
            Ok(p)
        } else {
            Err(self.err(lon, format!("{} {} is not a WGS84 lon/lat", p.lon, p.lat)))
        }
    }

    pub(super) fn opt_pos(&self, lon: usize, lat: usize) -> Result<Option<LonLat>, TableError> {
        match (self.str(lon).is_empty(), self.str(lat).is_empty()) {
            (true, true) => Ok(None),
            _ => self.pos(lon, lat).map(Some),
        }
    }

    pub(super) fn route(&self, col: usize) -> Result<Vec<LonLat>, TableError> {
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

pub(super) fn parse_u32(s: &str) -> Option<u32> {
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
pub(super) fn parse_f64(s: &str) -> Option<f64> {
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
