//! Files: finding an included file the way Windows-authored scripts expect (backslashes,
//! any letter case), reading text in any encoding, and bus coordinate files.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use super::lexer::bus_name;

/// Reads a file as text: invalid UTF-8 (Windows code pages) is replaced, a BOM is dropped.
pub(crate) fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

/// Resolves `target` (as written in a script) against `base_dir`. Backslashes are separators;
/// when the exact path does not exist, each missing component is looked up ignoring case.
/// Returns the path as written when nothing matches (so the error names it).
pub(crate) fn resolve_path(base_dir: &Path, target: &str) -> PathBuf {
    let written = PathBuf::from(target.trim().replace('\\', "/"));
    let joined = if written.is_absolute() { written } else { base_dir.join(written) };
    if joined.exists() {
        return joined;
    }
    let mut found = PathBuf::new();
    for component in joined.components() {
        let Component::Normal(name) = component else {
            found.push(component.as_os_str());
            continue;
        };
        let exact = found.join(name);
        if exact.exists() {
            found = exact;
            continue;
        }
        let dir = if found.as_os_str().is_empty() { Path::new(".") } else { found.as_path() };
        let wanted = name.to_string_lossy().to_lowercase();
        let entry = std::fs::read_dir(dir).ok().and_then(|entries| {
            entries.flatten().find(|e| e.file_name().to_string_lossy().to_lowercase() == wanted)
        });
        match entry {
            Some(e) => found.push(e.file_name()),
            None => return joined,
        }
    }
    found
}

/// A bus position as read, in the file's planar units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Coord {
    pub x: f64,
    pub y: f64,
    /// Index of the coordinates file in the list of files read, and the 1-based line.
    pub file: usize,
    pub line: u32,
}

/// A row of a coordinates file that is not `bus, x, y`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BadRow {
    pub line: u32,
    pub bus: String,
    pub message: String,
}

/// Reads a bus coordinates file (`bus, x, y`; comma, tab, semicolon or blank separated; `!` and
/// `//` comments) into `coords`, later rows replacing earlier ones. A first row that is not
/// numeric is taken as a header and skipped; a row with an empty bus name is skipped.
pub(crate) fn parse_buscoords(
    text: &str,
    file: usize,
    coords: &mut HashMap<String, Coord>,
) -> Result<(), BadRow> {
    let mut first_row = true;
    for (n, raw) in text.lines().enumerate() {
        let line = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let content = raw.split('!').next().unwrap_or("");
        let content = content.split("//").next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        // Comma- (or semicolon-) separated rows keep empty fields, so `, 1, 2` has no bus name.
        let fields: Vec<&str> = if content.contains([',', ';']) {
            content.split([',', ';']).map(str::trim).collect()
        } else {
            content.split_whitespace().collect()
        };
        if fields.first().is_some_and(|f| f.is_empty()) {
            continue; // no bus name: OpenDSS cannot place it either
        }
        let number =
            |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).filter(|x| x.is_finite());
        let was_first = std::mem::replace(&mut first_row, false);
        match (fields.first(), number(1), number(2)) {
            (Some(bus), Some(x), Some(y)) => {
                coords.insert(bus_name(bus), Coord { x, y, file, line });
            }
            _ if was_first => {}
            (bus, _, _) => {
                return Err(BadRow {
                    line,
                    bus: bus.map(|b| b.to_string()).unwrap_or_default(),
                    message: "expected `bus, x, y` with finite numbers".into(),
                })
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_accept_commas_tabs_blanks_and_comments() {
        let text = "// Busname, x, y\nBus,X,Y\nSourceBus, 200, 400\n650\t200\t350 ! c\nRG60 200 300\n\n, 5, 6\n";
        let mut coords = HashMap::new();
        assert_eq!(parse_buscoords(text, 0, &mut coords), Ok(()));
        assert_eq!(coords.len(), 3);
        assert_eq!(coords.get("sourcebus").map(|c| (c.x, c.y, c.line)), Some((200.0, 400.0, 3)));
        assert_eq!(coords.get("650").map(|c| c.y), Some(350.0));
    }

    #[test]
    fn a_bad_coordinate_row_names_its_line() {
        let mut coords = HashMap::new();
        let err = parse_buscoords("a, 1, 2\nb, 1\n", 0, &mut coords);
        assert_eq!(err.map_err(|e| (e.line, e.bus)), Err((2, "b".to_string())));
        assert!(parse_buscoords("a, 1, 2\nb, inf, 2\n", 0, &mut coords).is_err());
    }

    #[test]
    fn included_files_are_found_ignoring_case_and_backslashes() {
        let dir = std::env::temp_dir().join(format!("gridcare-files-{}", std::process::id()));
        let sub = dir.join("Sub");
        assert!(std::fs::create_dir_all(&sub).is_ok());
        assert!(std::fs::write(sub.join("Lines.DSS"), "").is_ok());
        assert_eq!(resolve_path(&dir, "sub\\lines.dss"), sub.join("Lines.DSS"));
        assert_eq!(resolve_path(&dir, "nope.dss"), dir.join("nope.dss"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
