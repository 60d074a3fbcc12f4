//! The OpenDSS importer on the real IEEE and EPRI feeders, and on broken input.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use gridcare::import::{import_opendss, GeoAnchor, ImportError, OpenDssOptions};
use gridcare::model::*;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn import(master: &Path, extra: &[PathBuf]) -> GridModel {
    let options = OpenDssOptions { extra_files: extra.to_vec(), ..OpenDssOptions::default() };
    match import_opendss(master, &options) {
        Ok(m) => m,
        Err(e) => panic!("importing {}: {e}", master.display()),
    }
}

fn find<'a, T>(items: &'a [T], name: &str, name_of: impl Fn(&T) -> &str) -> &'a T {
    match items.iter().find(|x| name_of(x) == name) {
        Some(x) => x,
        None => panic!("{name} not found"),
    }
}

fn count<T>(items: &[T], f: impl Fn(&T) -> bool) -> usize {
    items.iter().filter(|x| f(x)).count()
}

/// Buses reached from the feeder source through every branch, whatever the switch states.
fn reached_from_source(m: &GridModel) -> Vec<bool> {
    let mut adj = vec![Vec::new(); m.buses.len()];
    let mut join = |(a, b): (BusId, BusId)| {
        adj[a.index()].push(b.index());
        adj[b.index()].push(a.index());
    };
    (0..m.lines.len()).for_each(|i| join(m.terminals(ElementRef::Line(LineId(i as u32)))));
    (0..m.switches.len()).for_each(|i| join(m.terminals(ElementRef::Switch(SwitchId(i as u32)))));
    (0..m.transformers.len())
        .for_each(|i| join(m.terminals(ElementRef::Transformer(TransformerId(i as u32)))));
    (0..m.lv_lines.len()).for_each(|i| join(m.terminals(ElementRef::LvLine(LvLineId(i as u32)))));
    let mut seen = vec![false; m.buses.len()];
    let source = m.feeders[0].source_bus.index();
    seen[source] = true;
    let mut queue = VecDeque::from([source]);
    while let Some(b) = queue.pop_front() {
        for &o in &adj[b] {
            if !seen[o] {
                seen[o] = true;
                queue.push_back(o);
            }
        }
    }
    seen
}

#[test]
fn ieee13_imports_with_its_switch_regulators_and_in_line_transformer() {
    let m = import(&repo("resources/feeders/ieee13/IEEE13Nodeckt.dss"), &[]);
    assert_eq!(m.validate(), Ok(()));
    assert_eq!(m.name, "ieee13nodeckt");
    assert_eq!(m.lines.len() + m.switches.len(), 12);
    assert_eq!((m.lines.len(), m.switches.len()), (11, 1));
    let sw = find(&m.switches, "line.671692", |s| &s.name);
    assert_eq!((sw.kind, sw.normally_open), (SwitchKind::Sectionaliser, false));
    assert_eq!(m.transformers.len(), 5);
    let kinds: Vec<_> = m.transformers.iter().map(|t| t.kind).collect();
    use TransformerKind::*;
    assert_eq!(kinds, vec![Substation, Regulator, Regulator, Regulator, Public]);
    assert_eq!(m.customers.len(), 15);
    let xfm1 = m.transformers.iter().position(|t| t.name == "transformer.xfm1");
    let on_xfm1 = count(&m.customers, |c| c.transformer.map(|t| t.index()) == xfm1);
    assert_eq!(on_xfm1, 3, "loads 634a/b/c are on the 480 V side of XFM1");
    assert_eq!(count(&m.customers, |c| c.transformer.is_some()), 3);
    let kw: f32 = m.customers.iter().map(|c| c.kw).sum();
    assert!((kw - 3466.0).abs() < 0.5, "{kw}");
    assert_eq!(m.buses.len(), 16);
    assert!(m.buses.iter().all(|b| b.pos.is_some()));
    assert_eq!(m.feeders[0].kv, 4.16);
    assert_eq!(m.substations[0].kv_hv, 115.0);
    let l = find(&m.lines, "line.650632", |l| &l.name);
    assert!((l.length_m - 609.6).abs() < 0.01, "2000 ft");
    assert_eq!((l.phases, l.route.len()), (3, 2));
    assert!(reached_from_source(&m).iter().all(|&r| r));
}

#[test]
fn ieee123_imports_its_126_lines_8_transformers_and_91_loads() {
    let m = import(&repo("resources/feeders/ieee123/IEEE123Master.dss"), &[]);
    assert_eq!(m.validate(), Ok(()));
    assert_eq!(m.lines.len() + m.switches.len(), 126);
    assert_eq!(m.switches.len(), 8, "Sw1–Sw8 are switch=yes lines");
    assert_eq!(m.transformers.len(), 8);
    assert_eq!(count(&m.transformers, |t| t.kind == TransformerKind::Regulator), 7);
    assert_eq!(count(&m.transformers, |t| t.kind == TransformerKind::Public), 1);
    assert_eq!(m.customers.len(), 91);
    assert!(
        m.customers.iter().all(|c| c.transformer.is_none()),
        "spot loads on the 4.16 kV feeder"
    );
    assert_eq!(m.buses.len(), 132);
    assert!(m.buses.iter().all(|b| b.pos.is_none()), "the master does not load BusCoords.dat");
    assert!(reached_from_source(&m).iter().all(|&r| r));
    let regulator_like = find(&m.transformers, "transformer.reg3c", |t| &t.name);
    assert_eq!(regulator_like.kva, 2000.0, "like=reg3a copies the kVA");
}

#[test]
fn ieee123_coordinates_come_from_an_extra_script() {
    let dir = temp_dir("ieee123-coords");
    let coords = repo("resources/feeders/ieee123/BusCoords.dat");
    let script = dir.join("coords.dss");
    write(&script, &format!("Buscoords \"{}\"\n", coords.display()));
    let m = import(&repo("resources/feeders/ieee123/IEEE123Master.dss"), &[script]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(count(&m.buses, |b| b.pos.is_some()), 130, "all but 300_open and 94_open");
    assert_eq!(m.validate(), Ok(()));
}

#[test]
fn ieee123_switches_opened_by_command_are_ties() {
    let m = import(&repo("resources/feeders/ieee123/IEEE123Switches.dss"), &[]);
    let open: Vec<_> =
        m.switches.iter().filter(|s| s.normally_open).map(|s| s.name.as_str()).collect();
    assert_eq!(open, vec!["line.sw7", "line.sw8"]);
    assert!(m.switches.iter().all(|s| s.normally_open == (s.kind == SwitchKind::Tie)));
    assert_eq!(m.buses.len(), 130);
}

fn ieee8500() -> PathBuf {
    repo("../shared/data/feeders/ieee8500/Master.dss")
}

#[test]
fn ieee8500_imports_every_customer_behind_its_service_transformer() {
    let m = import(&ieee8500(), &[]);
    assert_eq!(m.validate(), Ok(()));
    assert_eq!(m.buses.len(), 4876);
    assert!(m.buses.iter().all(|b| b.pos.is_some()));
    // 2526 MV lines: 43 switch=y lines are switches (5 of them enabled=False, hence ties);
    // 2483 line sections, plus the series source reactor HVMV_Sub_HSB.
    assert_eq!(m.switches.len(), 43);
    assert_eq!(count(&m.switches, |s| s.kind == SwitchKind::Tie && s.normally_open), 5);
    assert_eq!(m.lines.len(), 2483 + 1);
    assert_eq!(count(&m.lines, |l| l.name.starts_with("reactor.")), 1);
    assert_eq!(m.lv_lines.len(), 1177);
    assert!(m.lv_lines.iter().all(|l| l.name.starts_with("line.tpx")));
    assert_eq!(m.transformers.len(), 1190);
    assert_eq!(count(&m.transformers, |t| t.kind == TransformerKind::Substation), 1);
    assert_eq!(count(&m.transformers, |t| t.kind == TransformerKind::Regulator), 12);
    assert_eq!(count(&m.transformers, |t| t.kind == TransformerKind::Public), 1177);
    assert_eq!(m.customers.len(), 1177);
    assert!(m.customers.iter().all(|c| c.transformer.is_some()));
    let kw: f32 = m.customers.iter().map(|c| c.kw).sum();
    assert!((kw - 10773.0).abs() < 1.0, "{kw}");

    let customer = find(&m.customers, "load.138236b0", |c| &c.name);
    let t = &m.transformers[customer.transformer.map_or(0, |t| t.index())];
    assert_eq!(
        (t.name.as_str(), t.kva, t.kind),
        ("transformer.t5138236b", 10.0, TransformerKind::Public)
    );
    assert_eq!(m.buses[customer.bus.index()].name, "sx2673305b");
    assert_eq!(m.buses[t.hv_bus.index()].name, "l2673305");
    let drop = find(&m.lv_lines, "line.tpx138236b0", |l| &l.name);
    assert_eq!((drop.from, drop.to), (t.lv_bus, customer.bus));
    assert!((drop.length_m - 15.24).abs() < 0.01, "50 ft");
    assert_eq!(find(&m.transformers, "transformer.hvmv_sub", |t| &t.name).kva, 27500.0);
    assert_eq!((m.feeders[0].kv, m.substations[0].kv_hv), (12.47, 115.0));

    let reached = reached_from_source(&m);
    assert!(reached.iter().all(|&r| r), "every bus is connected to the source");
    assert!(m.customers.iter().all(|c| reached[c.bus.index()]));
    let accounts: std::collections::HashSet<_> =
        m.customers.iter().map(|c| &c.account_no).collect();
    assert_eq!(accounts.len(), 1177);
    assert!(m
        .customers
        .iter()
        .all(|c| c.account_no.len() == 10 && c.account_no.bytes().all(|b| b.is_ascii_digit())));
}

#[test]
fn ieee8500_fits_the_default_six_kilometre_extent_around_foshan() {
    let m = import(&ieee8500(), &[]);
    let (mut w, mut e, mut s, mut n) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in m.buses.iter().filter_map(|b| b.pos) {
        (w, e, s, n) = (w.min(p.lon), e.max(p.lon), s.min(p.lat), n.max(p.lat));
    }
    let mid_lat = (s + n) / 2.0;
    let width = LonLat::new(w, mid_lat).haversine_dist_m(&LonLat::new(e, mid_lat));
    let height = LonLat::new(w, s).haversine_dist_m(&LonLat::new(w, n));
    assert!((width.max(height) - 6000.0).abs() < 5.0, "{width} × {height}");
    let centre = GeoAnchor::default().centre;
    assert!(((w + e) / 2.0 - centre.lon).abs() < 1e-6 && (mid_lat - centre.lat).abs() < 1e-6);
}

#[test]
fn ieee8500_fuses_from_an_extra_file_protect_their_laterals() {
    let fuses = repo("../shared/data/feeders/ieee8500/Fuses.DSS");
    let m = import(&ieee8500(), &[fuses]);
    let fuses: Vec<_> = m.switches.iter().filter(|s| s.kind == SwitchKind::Fuse).collect();
    assert_eq!(fuses.len(), 30);
    assert_eq!(m.counts().protective_devices, 30);
    let f = find(&m.switches, "fuse.ln6201670-1", |s| &s.name);
    let SwitchMount::OnLine(line) = f.mount else { panic!("{:?}", f.mount) };
    assert_eq!(m.lines[line.index()].name, "line.ln6201670-1");
    assert!(fuses.iter().all(|f| matches!(f.mount, SwitchMount::OnLine(_)) && !f.normally_open));
    assert_eq!(m.validate(), Ok(()));
}

/// EPRI feeders: (folder, master, MV+LV lines incl. switches and series reactors, transformers, loads).
const EPRI: &[(&str, &str, usize, usize, usize)] = &[
    ("epri_ckt5", "Master_ckt5.dss", 2429 + 1, 592, 1379),
    ("epri_ckt7", "Master_ckt7.dss", 1159, 161, 906),
    ("epri_ckt24", "master_ckt24.dss", 5222, 843, 3891),
    ("epri_dpv_j1", "Master_noPV.dss", 2625, 828, 1385),
    ("epri_dpv_k1", "Master_NoPV.dss", 963, 321, 321),
    ("epri_dpv_m1", "Master_NoPV.dss", 2482, 160, 1470),
];

#[test]
fn epri_feeders_import_with_their_published_counts() {
    for &(folder, master, lines, transformers, loads) in EPRI {
        let m = import(&repo(&format!("../shared/data/feeders/{folder}/{master}")), &[]);
        assert_eq!(m.validate(), Ok(()), "{folder}");
        assert_eq!(m.lines.len() + m.switches.len() + m.lv_lines.len(), lines, "{folder}");
        assert_eq!(m.transformers.len(), transformers, "{folder}");
        assert_eq!(m.customers.len(), loads, "{folder}");
    }
}

// ---- broken input -------------------------------------------------------------------------

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-import-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("{}: {e}", dir.display());
    }
    dir
}

fn write(path: &Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("{}: {e}", path.display());
    }
}

const HEADER: &str = "Clear\nNew Circuit.t basekv=12.47\n";

/// Imports `body` (after a two-line header) as `<tag>.dss` and returns the error text.
fn error_of(tag: &str, body: &str) -> (String, ImportError) {
    error_of_text(tag, &format!("{HEADER}{body}"))
}

fn error_of_text(tag: &str, text: &str) -> (String, ImportError) {
    let dir = temp_dir(tag);
    let master = dir.join(format!("{tag}.dss"));
    write(&master, text);
    let result = import_opendss(&master, &OpenDssOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(_) => panic!("{tag}: imported without error"),
        Err(e) => (e.to_string(), e),
    }
}

fn assert_names(tag: &str, body: &str, line: u32) -> ImportError {
    let (text, err) = error_of(tag, body);
    assert!(text.contains(&format!("{tag}.dss:{line}:")), "{tag}: {text}");
    err
}

#[test]
fn an_unknown_command_names_its_file_and_line() {
    let e = assert_names("verb", "New Line.a bus1=x bus2=y\nFrobnicate now\n", 4);
    assert!(matches!(e, ImportError::UnknownCommand { ref verb, .. } if verb == "Frobnicate"));
}

#[test]
fn an_unbalanced_parenthesis_names_its_file_and_line() {
    let e = assert_names("paren", "New Line.a bus1=x bus2=y\n~ rmatrix=(1 2 3\n", 4);
    assert!(matches!(e, ImportError::Syntax { .. }));
}

#[test]
fn a_missing_redirect_target_names_the_including_file_line_and_target() {
    let (text, e) = error_of("redirect", "Redirect nowhere.dss\n");
    assert!(text.contains("redirect.dss:3:") && text.contains("nowhere.dss"), "{text}");
    assert!(matches!(e, ImportError::Include { .. }));
}

#[test]
fn a_missing_buscoords_file_is_an_error_naming_it() {
    let (text, _) = error_of("coords", "New Line.a bus1=x bus2=y\nBuscoords nocoords.csv\n");
    assert!(text.contains("coords.dss:4:") && text.contains("nocoords.csv"), "{text}");
}

#[test]
fn a_line_without_bus2_names_its_file_line_and_property() {
    let (text, e) = error_of("nobus2", "New Line.a bus1=x\n");
    assert!(
        text.contains("nobus2.dss:3:") && text.contains("line.a") && text.contains("bus2"),
        "{text}"
    );
    assert!(matches!(e, ImportError::MissingProperty { property: "bus2", .. }));
}

#[test]
fn other_mistakes_name_their_file_and_line() {
    let (text, e) = error_of_text("more", "Clear\n\n~ bus1=x\n");
    assert!(text.contains("more.dss:3:"), "{text}");
    assert!(matches!(e, ImportError::NoActiveElement { .. }), "{e}");
    let (text, e) = error_of_text("nocircuit", "Clear\nNew Line.a bus1=x bus2=y\n");
    assert!(text.contains("nocircuit.dss:2:"), "{text}");
    assert!(matches!(e, ImportError::NoCircuit { .. }), "{e}");
    let e = assert_names("class", "New Widget.w\n", 3);
    assert!(matches!(e, ImportError::UnknownClass { .. }), "{e}");
    let e = assert_names("fuse", "New Line.a bus1=x bus2=y\nNew Fuse.f Line.b 1\n", 4);
    assert!(
        matches!(e, ImportError::UnknownElement { ref target, .. } if target == "line.b"),
        "{e}"
    );
    let e = assert_names("edit", "Edit Line.zz bus1=x\n", 3);
    assert!(matches!(e, ImportError::UnknownElement { .. }), "{e}");
    let e = assert_names("like", "New Line.a like=zz bus1=x bus2=y\n", 3);
    assert!(matches!(e, ImportError::UnknownElement { .. }), "{e}");
    let e = assert_names("value", "New Line.a bus1=x bus2=y length=abc\n", 3);
    assert!(matches!(e, ImportError::BadValue { ref property, .. } if property == "length"), "{e}");
    let e = assert_names("self", "Redirect self.dss\n", 3);
    assert!(matches!(e, ImportError::TooDeep { .. }), "{e}");
}

#[test]
fn a_missing_master_is_an_io_error_naming_it() {
    let dir = temp_dir("io");
    let path = dir.join("absent.dss");
    let err = import_opendss(&path, &OpenDssOptions::default()).err();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(err, Some(ImportError::Io { .. })));
    assert!(err.is_some_and(|e| e.to_string().contains("absent.dss")));
}

#[test]
fn a_small_script_with_positional_like_and_continuations_imports() {
    let dir = temp_dir("small");
    write(&dir.join("XY.CSV"), "src, 0, 0\nb1, 100, 0\nb2, 200, 0\n// c\nsx, 200, 10\n");
    write(
        &dir.join("lines.dss"),
        "New Line.L1 src b1 ! positional bus1 bus2\n~ length=1 units=mi\n\
         New Line.L2 like=L1 bus1=b1\nMore bus2=b2.1.2 length=(2 1000 *) units=ft\n\
         Line.L2.enabled=no\n/* block\nNew Line.gone\n*/\n",
    );
    write(
        &dir.join("master.dss"),
        "clear\nnew object=circuit.Small basekv=10\nredirect LINES.DSS\nNew Vsource.Source bus1=SRC\n\
         New XfmrCode.c windings=3 kvs=[10 0.23 0.23] kVAs=[50 50 50]\n\
         New Transformer.T xfmrcode=c buses=(b2, x.1.0, x.0.2)\n\
         New Line.S1 bus1=x bus2=sx length=30 units=m\n\
         New Load.Home bus1=sx.1.2 kW=2.5\nNew Load.Mv bus=b1 kva=100 pf=0.9\n\
         New Fuse.F1 MonitoredObj=Line.L1\nset voltagebases=[10 .4]\ncalcv\nBusCoords xy.csv\n",
    );
    let m = import(&dir.join("master.dss"), &[]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(m.validate(), Ok(()));
    assert_eq!(m.name, "small");
    assert_eq!(m.lines.len(), 2);
    assert!((m.lines[0].length_m - 1609.344).abs() < 1e-3);
    assert!((m.lines[1].length_m - 609.6).abs() < 1e-3 && !m.lines[1].in_service);
    assert_eq!(m.transformers[0].kind, TransformerKind::Public);
    assert_eq!(m.transformers[0].kva, 50.0);
    assert_eq!(m.lv_lines.len(), 1);
    assert_eq!(m.customers[0].transformer, Some(TransformerId(0)));
    assert_eq!(m.customers[1].transformer, None);
    assert!((m.customers[1].kw - 90.0).abs() < 1e-3);
    assert_eq!(m.customers[0].account_no, "0600000001");
    assert_eq!(m.switches[0].mount, SwitchMount::OnLine(LineId(0)));
    assert_eq!(m.feeders[0].source_bus, BusId(0));
    assert_eq!(m.buses[0].name, "src");
    let x = m.buses.iter().find(|b| b.name == "x").and_then(|b| b.pos);
    assert!(x.is_none(), "bus x has no coordinates");
    assert_eq!(m.transformers[0].pos, m.buses[m.transformers[0].hv_bus.index()].pos);
}

#[test]
fn random_bytes_never_panic() {
    let dir = temp_dir("fuzz");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"New Line.Transformer.Load.Fuse.~=()[]{}\"',! //\n\t.bus1bus2buses=kv=like=xfmrcode=Redirect Buscoords 123.5e";
    for round in 0..200 {
        let len = (next() % 400) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if r % 3 == 0 {
                    (r >> 8) as u8
                } else {
                    alphabet[(r >> 8) as usize % alphabet.len()]
                }
            })
            .collect();
        let master = dir.join(format!("r{round}.dss"));
        let mut text = HEADER.as_bytes().to_vec();
        text.extend(bytes);
        if let Err(e) = std::fs::write(&master, &text) {
            panic!("{e}");
        }
        let _ = import_opendss(&master, &OpenDssOptions::default());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
