use super::*;
use crate::model::LonLat;

/// A small model that uses every kind of value the format must carry: a switch on a line, a
/// bus without position, a customer without transformer, names that need quoting.
fn small_model() -> GridModel {
    let p = |lon: f64, lat: f64| LonLat::new(lon, lat);
    let bus = |name: &str, pos: Option<LonLat>| Bus { name: name.to_string(), pos };
    GridModel {
        name: "test, \"quoted\" model".to_string(),
        buses: vec![
            bus("src", Some(p(113.1, 23.0))),
            bus("b1", Some(p(113.100_123, 23.000_456))),
            bus("b2", Some(p(113.102, 23.001))),
            bus("lv", None),
        ],
        substations: vec![Substation {
            name: "sub.zumiao".into(),
            display_name: "祖庙站".into(),
            pos: p(113.1, 23.0),
            kv_hv: 110.0,
        }],
        feeders: vec![Feeder {
            name: "feeder.zm01".into(),
            display_name: "祖庙站10kV祖01线".into(),
            substation: SubstationId(0),
            source_bus: BusId(0),
            kv: 10.5,
            unit: "禅城供电局祖庙供电所".into(),
        }],
        switches: vec![
            Switch {
                name: "breaker.zm01".into(),
                kind: SwitchKind::Breaker,
                mount: SwitchMount::Terminals { from: BusId(0), to: BusId(1) },
                normally_open: false,
                pos: Some(p(113.1, 23.0)),
            },
            Switch {
                name: "fuse.l1".into(),
                kind: SwitchKind::Fuse,
                mount: SwitchMount::OnLine(LineId(0)),
                normally_open: false,
                pos: None,
            },
        ],
        lines: vec![LineSection {
            name: "line.zm01-m01".into(),
            from: BusId(1),
            to: BusId(2),
            length_m: 234.5,
            phases: 3,
            route: vec![p(113.100_123, 23.000_456), p(113.101, 23.0005), p(113.102, 23.001)],
            in_service: true,
        }],
        transformers: vec![Transformer {
            name: "transformer.zm01-t0001".into(),
            display_name: "汾江中路12号公变".into(),
            kind: TransformerKind::Public,
            hv_bus: BusId(2),
            lv_bus: BusId(3),
            kva: 400.0,
            pos: Some(p(113.102, 23.001)),
        }],
        lv_lines: vec![LvLine {
            name: "lv.zm01-t0001-01".into(),
            from: BusId(3),
            to: BusId(2),
            length_m: 0.1,
            route: vec![],
        }],
        customers: vec![
            Customer {
                name: "cust.0600000001".into(),
                account_no: "0600000001".into(),
                display_name: "陈\"阿\"明,\n二".into(),
                phones: vec!["13800000001".into(), "15900000002".into()],
                address: StandardAddress {
                    province: "广东省".into(),
                    city: "佛山市".into(),
                    district: "禅城区".into(),
                    township: "祖庙街道".into(),
                    community: "升平社区".into(),
                    road: "汾江中路".into(),
                    house_no: "12号".into(),
                    compound: "文华花园".into(),
                    building: "3栋".into(),
                    room: "1502房".into(),
                },
                labels: Labels::IMPORTANT.with(Labels::WECHAT),
                bus: BusId(2),
                transformer: Some(TransformerId(0)),
                kw: 6.5,
                pos: p(113.102_001, 23.001_002),
            },
            Customer {
                name: "cust.0600000002".into(),
                account_no: "0600000002".into(),
                display_name: String::new(),
                phones: vec![],
                address: StandardAddress::default(),
                labels: Labels::default(),
                bus: BusId(1),
                transformer: None,
                kw: 0.0,
                pos: p(-0.5, -0.25),
            },
        ],
    }
}

fn files(model: &GridModel) -> Vec<(&'static str, String)> {
    write_tables(model).expect("writable")
}

fn read(files: &[(&'static str, String)]) -> Result<GridModel, TableError> {
    read_tables(|name| files.iter().find(|(n, _)| *n == name).map(|(_, t)| t.as_bytes()))
}

/// The files with one of them replaced.
fn with_file(name: &str, edit: impl Fn(&str) -> String) -> Vec<(&'static str, String)> {
    files(&small_model())
        .into_iter()
        .map(|(n, t)| if n == name { (n, edit(&t)) } else { (n, t) })
        .collect()
}

fn expect_error(files: &[(&'static str, String)], file: &str, line: usize, words: &str) {
    let err = read(files).expect_err("the broken table must be refused");
    assert_eq!(err.file, file, "{err}");
    assert_eq!(err.line, line, "{err}");
    assert!(err.message.contains(words), "`{err}` should mention `{words}`");
    assert!(err.to_string().starts_with(&format!("{file}:{line}: ")));
}

#[test]
fn a_model_written_and_read_back_is_equal() {
    let model = small_model();
    let back = read(&files(&model)).expect("readable");
    assert_eq!(back, model);
}

#[test]
fn a_directory_round_trips_and_names_its_files_by_path() {
    let dir = std::env::temp_dir().join(format!("gridcare-tables-{}", std::process::id()));
    let model = small_model();
    write_dir(&model, &dir).expect("written");
    assert_eq!(read_dir(&dir).expect("read"), model);
    std::fs::remove_file(dir.join("lv_lines.csv")).expect("removed");
    let err = read_dir(&dir).expect_err("missing file");
    assert!(err.file.ends_with("lv_lines.csv") && err.file.contains("gridcare-tables"), "{err}");
    assert_eq!(err.message, "file is missing");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fields_are_quoted_only_when_they_must_be() {
    let f = files(&small_model());
    let customers = &f.iter().find(|(n, _)| *n == "customers.csv").expect("customers").1;
    assert!(customers.contains(",\"陈\"\"阿\"\"明,\n二\","), "{customers}");
    assert!(customers.contains(",13800000001|15900000002,广东省,佛山市,禅城区,"));
    assert!(customers.contains(",important|wechat,2,0,6.5,113.102001,23.001002\n"));
    let lines = &f.iter().find(|(n, _)| *n == "lines.csv").expect("lines").1;
    assert!(lines.contains(",113.100123 23.000456;113.101000 23.000500;113.102000 23.001000\n"));
}

#[test]
fn a_wrong_column_count_names_file_and_line() {
    let f = with_file("buses.csv", |t| t.replace("2,b2,", "2,b2,extra,"));
    expect_error(&f, "buses.csv", 4, "5 columns, expected 4");
}

#[test]
fn a_bad_number_names_its_column() {
    let f = with_file("customers.csv", |t| t.replace(",6.5,", ",6,5x,"));
    // The quoted display name spans lines 2 and 3: the second customer starts on line 4.
    expect_error(&f, "customers.csv", 2, "22 columns");
    let f = with_file("customers.csv", |t| t.replace(",6.5,", ",6.5x,"));
    expect_error(&f, "customers.csv", 2, "column `kw`: `6.5x` is not a number");
    let f = with_file("buses.csv", |t| t.replace("113.102000", "113.1o2000"));
    expect_error(&f, "buses.csv", 4, "column `lon`");
    let f = with_file("lines.csv", |t| t.replace(";113.101000 23.000500;", ";113.101000;"));
    expect_error(&f, "lines.csv", 2, "column `route`: point 2");
}

#[test]
fn an_unknown_label_or_kind_is_named() {
    let f = with_file("customers.csv", |t| t.replace("important|wechat", "important|vip"));
    expect_error(&f, "customers.csv", 2, "column `labels`: unknown label `vip`");
    let f = with_file("switches.csv", |t| t.replace(",fuse,", ",fusible,"));
    expect_error(&f, "switches.csv", 3, "unknown switch kind `fusible`");
}

#[test]
fn a_truncated_file_is_refused() {
    // Cut inside the last row: a short row.
    let f = with_file("lines.csv", |t| t[..t.len() - 33].to_string());
    expect_error(&f, "lines.csv", 2, "column `route`");
    // Cut at a row boundary: the manifest's row count catches it.
    let f = with_file("buses.csv", |t| {
        let keep: Vec<&str> = t.lines().take(3).collect();
        keep.join("\n") + "\n"
    });
    expect_error(&f, "buses.csv", 4, "2 rows, but manifest.csv line 5 says 4");
    // Cut inside a quoted field.
    let f = with_file("customers.csv", |t| t[..t.find("二").expect("there")].to_string());
    expect_error(&f, "customers.csv", 2, "not closed");
}

#[test]
fn a_missing_file_a_newer_version_and_a_dangling_reference_are_refused() {
    let f: Vec<_> =
        files(&small_model()).into_iter().filter(|(n, _)| *n != "feeders.csv").collect();
    expect_error(&f, "feeders.csv", 0, "file is missing");
    let f = with_file("manifest.csv", |t| t.replace("version,1", "version,2"));
    expect_error(&f, "manifest.csv", 3, "newer");
    let f = with_file("feeders.csv", |t| t.replace(",0,0,10.5,", ",0,9,10.5,"));
    expect_error(&f, "feeders.csv", 2, "column `source_bus`: buses id 9 does not exist");
    let f = with_file("buses.csv", |t| t.replace("1,b1,", "7,b1,"));
    expect_error(&f, "buses.csv", 3, "column `id`: id 7 out of order");
    let f = with_file("customers.csv", |t| t.replace(",0600000002,", ",0600000001,"));
    expect_error(&f, "customers.csv", 4, "also used on line 2");
    let f = with_file("buses.csv", |t| t.replace("id,name,lon,lat", "id,name,lat,lon"));
    expect_error(&f, "buses.csv", 1, "header is `id,name,lat,lon`");
}

#[test]
fn windows_line_ends_and_a_byte_order_mark_are_accepted() {
    let model = small_model();
    let f: Vec<_> = files(&model)
        .into_iter()
        .map(|(n, t)| {
            if n == "buses.csv" {
                (n, format!("\u{feff}{}", t.replace('\n', "\r\n")))
            } else {
                (n, t)
            }
        })
        .collect();
    assert_eq!(read(&f).expect("readable"), model);
}

#[test]
fn the_fast_number_parser_agrees_with_the_standard_one() {
    let samples = [
        "0",
        "-0",
        "113.123456",
        "23.000001",
        "-179.999999",
        "1.",
        ".5",
        "123456789012345",
        "1234567890123456",
        "0.1234567890123456789",
        "1e3",
        "-2.5E-3",
        "inf",
        "NaN",
        "+7.25",
    ];
    for s in samples {
        assert_eq!(parse_f64(s).map(f64::to_bits), s.parse::<f64>().ok().map(f64::to_bits), "{s}");
    }
    let mut x: u64 = 12345;
    for _ in 0..10_000 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let v = (x >> 11) as f64 / (1u64 << 53) as f64 * 360.0 - 180.0;
        let s = format!("{v:.6}");
        assert_eq!(parse_f64(&s), s.parse::<f64>().ok(), "{s}");
    }
    for bad in ["", "-", ".", "1.2.3", "12a", " 1"] {
        assert_eq!(parse_f64(bad), bad.parse::<f64>().ok(), "{bad:?}");
    }
}
