//! The `gridcare` binary driven as an operator or a script would: real feeders, the embedded
//! demo city, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gridcare::grid::{Grid, ModelSource};
use gridcare::model::{CustomerId, DeviceRef};

fn gridcare(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gridcare")).args(args).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "gridcare failed: {}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("--json prints JSON")
}

fn repo(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p).to_string_lossy().into_owned()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const IEEE13: &str = "resources/feeders/ieee13/IEEE13Nodeckt.dss";

#[test]
fn info_counts_the_embedded_demo_city() {
    let v = json(&gridcare(&["info", "--json"]));
    let c = &v["counts"];
    assert!(c["substations"].as_u64().unwrap_or(0) >= 3);
    assert!(c["feeders"].as_u64().unwrap_or(0) >= 40);
    assert!(c["distribution_transformers"].as_u64().unwrap_or(0) >= 4000);
    assert!(c["customers"].as_u64().unwrap_or(0) >= 100_000);
}

#[test]
fn tracing_the_ieee13_switch_lists_exactly_the_loads_that_lose_supply() {
    let v = json(&gridcare(&["--model", &repo(IEEE13), "trace", "Line.671692", "--json"]));
    let mut got: Vec<String> = v["affected_customers"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|x| x.as_str().unwrap_or("").to_string())
        .collect();
    got.sort();
    // Brute force through the library: a plain search from the source without the switch.
    let grid = Grid::load(&ModelSource::Path(repo(IEEE13).into())).expect("ieee13 loads");
    let DeviceRef::Element(el) =
        grid.resolve("switch.671692").or_else(|_| grid.resolve("line.671692")).expect("the switch")
    else {
        panic!("not an element")
    };
    let e = grid.topology.network().edge_of(el).expect("an edge");
    let supplied = grid.topology.supplied_without(&[e]);
    let mut want: Vec<String> = (0..grid.model.customers.len() as u32)
        .map(CustomerId)
        .filter(|c| !supplied[grid.model.customers[c.index()].bus.index()])
        .map(|c| grid.model.customers[c.index()].name.clone())
        .collect();
    want.sort();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    // Bus 692 and 675 loads are below the switch.
    assert!(got.iter().any(|n| n == "load.692"), "{got:?}");
    assert!(got.iter().any(|n| n.starts_with("load.675")), "{got:?}");
    assert_eq!(
        v["upstream_switches"].as_array().map(|a| a.len()),
        Some(1),
        "the switch itself is the only switch above"
    );
}

#[test]
fn trace_of_a_demo_feeder_breaker_drops_the_whole_feeder() {
    let v = json(&gridcare(&["trace", "breaker.zm01", "--json"]));
    let n = v["affected_count"].as_u64().unwrap_or(0);
    assert!(n > 500, "{n}");
    assert_eq!(v["feeder"], "feeder.zm01");
    assert!(v["downstream_switches"]
        .as_array()
        .is_some_and(|a| a.iter().any(|s| s.as_str().is_some_and(|s| s.starts_with("tie.")))));
}

#[test]
fn a_malformed_dss_file_is_an_error_naming_file_and_line() {
    let dir = scratch("malformed");
    let f = dir.join("Broken.dss");
    std::fs::write(&f, "Clear\nNew Circuit.foshan basekv=10\nNew Line.l1 bus1=a bus2=(b\n")
        .expect("write");
    let o = gridcare(&["--model", &f.to_string_lossy(), "info"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("Broken.dss:3"), "{err}");
    std::fs::write(&f, "Clear\nNew Circuit.foshan basekv=10\nFrobnicate everything\n")
        .expect("write");
    let err = stderr(&gridcare(&["--model", &f.to_string_lossy(), "info"]));
    assert!(err.contains("Broken.dss:3"), "{err}");
}

#[test]
fn a_missing_buscoords_file_is_named() {
    let dir = scratch("nocoords");
    let f = dir.join("Master.dss");
    std::fs::write(&f, "New Circuit.c1 bus1=src basekv=10\nNew Line.l1 bus1=src bus2=b\nBuscoords nowhere_xy.csv\n").expect("write");
    let o = gridcare(&["--model", &f.to_string_lossy(), "info"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nowhere_xy.csv"), "{}", stderr(&o));
}

#[test]
fn closing_a_tie_between_live_feeders_is_reported_and_exits_non_zero() {
    let ok = gridcare(&["check"]);
    assert!(ok.status.success(), "{}", stdout(&ok));
    let o = gridcare(&["check", "--close", "tie.zm01-zm02"]);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(out.contains("LOOP") && out.contains("tie.zm01-zm02"), "{out}");
}

#[test]
fn an_unknown_device_or_switch_is_a_clear_error() {
    let o = gridcare(&["trace", "switch.nowhere"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no device named `switch.nowhere`"), "{}", stderr(&o));
    let o = gridcare(&["trace", "breaker.zm01", "--open", "feeder.zm02"]);
    assert!(stderr(&o).contains("is a feeder, not a switch"), "{}", stderr(&o));
}

#[test]
fn find_by_phone_and_by_garbled_address_returns_the_account_and_feeder() {
    let grid = Grid::load(&ModelSource::Embedded).expect("demo city");
    let c = grid
        .model
        .customers
        .iter()
        .find(|c| !c.phones.is_empty())
        .expect("a customer with a phone");
    let v = json(&gridcare(&["find", &c.phones[0], "--json"]));
    assert_eq!(v["matches"][0]["account_no"], c.account_no.as_str());
    assert!(v["matches"][0]["feeder"].as_str().is_some_and(|f| f.starts_with("feeder.")));
    let garbled = format!(
        "{}{}{}{}",
        c.address.road,
        c.address.house_no,
        c.address.compound.replace("花园", "花圆"),
        c.address.building.replace('栋', "幢")
    );
    let v = json(&gridcare(&["find", &format!("{garbled}{}", c.address.room), "--json"]));
    assert_eq!(v["matches"][0]["account_no"], c.account_no.as_str(), "{garbled}");
    let o = gridcare(&["find", "19999999999"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stdout(&o).contains("no customer matches"));
}

#[test]
fn locate_at_a_meter_finds_that_customer_and_a_feeder() {
    let grid = Grid::load(&ModelSource::Embedded).expect("demo city");
    let c = &grid.model.customers[12_345];
    let v = json(&gridcare(&[
        "locate",
        "--lon",
        &c.pos.lon.to_string(),
        "--lat",
        &c.pos.lat.to_string(),
        "--json",
    ]));
    assert!(v["customer"]["dist_m"].as_f64().is_some_and(|d| d < 0.5));
    assert!(v["feeder"].as_str().is_some_and(|f| f.starts_with("feeder.")));
    let o = gridcare(&["locate", "--lon", "200", "--lat", "23"]);
    assert!(!o.status.success() && stderr(&o).contains("not a WGS84 position"));
}

#[test]
fn import_then_reload_keeps_the_counts_and_export_writes_geojson_layers() {
    let dir = scratch("import");
    let out = dir.join("ieee13");
    let v = json(&gridcare(&[
        "import",
        "opendss",
        &repo(IEEE13),
        "--out",
        &out.to_string_lossy(),
        "--json",
    ]));
    let counts = v["counts"].clone();
    let again = json(&gridcare(&["--model", &out.to_string_lossy(), "info", "--json"]));
    assert_eq!(again["counts"], counts);
    let geo = dir.join("geojson");
    json(&gridcare(&[
        "--model",
        &out.to_string_lossy(),
        "export",
        "geojson",
        "--out",
        &geo.to_string_lossy(),
        "--json",
    ]));
    for layer in gridcare::export::LAYERS {
        let text =
            std::fs::read_to_string(geo.join(format!("{layer}.geojson"))).expect("layer written");
        let fc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(fc["type"], "FeatureCollection");
    }
    let customers: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(geo.join("customers.geojson")).expect("read"),
    )
    .expect("json");
    assert_eq!(
        customers["features"].as_array().map(|a| a.len()),
        counts["customers"].as_u64().map(|n| n as usize)
    );
}

#[test]
fn gen_city_makes_a_city_of_the_asked_size() {
    let dir = scratch("gencity");
    let out = dir.join("city");
    json(&gridcare(&[
        "gen-city",
        "--customers",
        "3000",
        "--seed",
        "5",
        "--out",
        &out.to_string_lossy(),
        "--json",
    ]));
    let v = json(&gridcare(&["--model", &out.to_string_lossy(), "info", "--json"]));
    assert_eq!(v["counts"]["customers"], 3000);
    let o = gridcare(&["--model", &dir.join("nothing-here").to_string_lossy(), "info"]);
    assert!(!o.status.success());
}

/// Account numbers of customers below `device`, one per distinct transformer.
fn one_per_transformer(grid: &Grid, device: &str) -> Vec<String> {
    gridcare::workorder::testing::one_per_transformer(grid, device).expect("device")
}

#[test]
fn a_repair_call_goes_through_its_lifecycle_from_the_terminal() {
    let dir = scratch("ticket");
    let d = dir.to_string_lossy().into_owned();
    let grid = Grid::load(&ModelSource::Embedded).expect("demo city");
    let callers = one_per_transformer(&grid, "fuse.zm01-l01");
    let neighbour = grid
        .model
        .customers
        .iter()
        .find(|c| {
            c.account_no != callers[0]
                && Some(c.transformer)
                    == grid
                        .model
                        .customers
                        .iter()
                        .find(|x| x.account_no == callers[0])
                        .map(|x| x.transformer)
        })
        .expect("a neighbour")
        .account_no
        .clone();
    let t = |args: &[&str]| {
        let mut all = vec!["--data-dir", d.as_str(), "ticket", "--author", "话务员小陈"];
        all.extend_from_slice(args);
        gridcare(&all)
    };
    let crews = json(&t(&["crews", "--json"]));
    assert_eq!(crews.as_array().map(Vec::len), Some(15), "3 crews for each of 5 units");

    let first =
        json(&t(&["new", "--caller", &callers[0], "--text", "家里没电了", "--send", "--json"]));
    let id = first["outcome"]["ticket"]["id"].as_u64().expect("an id");
    assert_eq!(first["outcome"]["decision"]["disposition"]["disposition"], "dispatch");
    assert_eq!(first["outcome"]["ticket"]["site"]["unit"], "禅城供电局祖庙供电所");
    assert!(first["sent"]["crew"]["spec"]["name"].as_str().is_some_and(|n| n.starts_with("祖庙")));

    let dup = t(&["new", "--caller", &neighbour]);
    let text = stdout(&dup);
    assert!(dup.status.success(), "{}", stderr(&dup));
    assert!(text.contains("merged") && text.contains(&format!("master ticket {id}")), "{text}");

    let queue = stdout(&t(&["list"]));
    assert_eq!(queue.lines().count(), 1, "one master in the queue: {queue}");
    for step in ["on-site", "restored", "closed"] {
        let o = t(&["step", &id.to_string(), step]);
        assert!(o.status.success(), "{step}: {}", stderr(&o));
    }
    let o = t(&["step", &id.to_string(), "callback", "--satisfied", "--reason", "客户满意"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown = json(&t(&["show", &id.to_string(), "--json"]));
    assert_eq!(shown["ticket"]["status"], "callback_done");
    let words: Vec<&str> = shown["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["event"]["change"].as_str())
        .collect();
    assert_eq!(
        words,
        [
            "created",
            "dispatched",
            "crew_en_route",
            "on_site",
            "restored",
            "closed",
            "callback_done"
        ]
    );
    assert!(stdout(&t(&["list"])).trim().is_empty(), "nothing left in the queue");

    // Bad input: named, exit 1, nothing written.
    for (args, says) in [
        (vec!["new", "--caller", "0000000000"], "0000000000"),
        (vec!["new", "--caller", "138-bad"], "138-bad"),
        (vec!["new", "--pin", "east,north"], "--pin `east,north` is not LON,LAT"),
        (vec!["step", "99999", "on-site"], "there is no ticket 99999"),
        (vec!["step", &id.to_string(), "flying"], "step `flying`"),
        (vec!["step", &id.to_string(), "restored"], &*format!("ticket {id}")),
    ] {
        let o = t(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    let all = json(&t(&["list", "--all", "--json"]));
    assert_eq!(all.as_array().map(Vec::len), Some(2), "the two calls, nothing from the bad input");
}

#[test]
fn calls_from_one_lateral_are_predicted_at_its_fuse_and_confirmed_from_the_terminal() {
    let dir = scratch("predict");
    let d = dir.to_string_lossy().into_owned();
    let grid = Grid::load(&ModelSource::Embedded).expect("demo city");
    let callers = one_per_transformer(&grid, "fuse.zm01-l01");
    let t = |args: &[&str]| {
        let mut all = vec!["--data-dir", d.as_str(), "ticket"];
        all.extend_from_slice(args);
        gridcare(&all)
    };
    for a in &callers[..3] {
        assert!(t(&["new", "--caller", a]).status.success());
    }
    let predicted = stdout(&t(&["predict"]));
    assert!(
        predicted.starts_with("fuse.zm01-l01") && predicted.contains("tickets 1,2,3"),
        "{predicted}"
    );
    let confirmed = stdout(&t(&["confirm", "fuse.zm01-l01"]));
    assert!(confirmed.contains("master ticket 1"), "{confirmed}");
    assert!(confirmed.contains("merged into it (crews released): 2,3"), "{confirmed}");
    let queue = stdout(&t(&["list"]));
    assert_eq!(queue.lines().count(), 1, "{queue}");
    // The outage is on the outage side too, as predicted.
    let outages = gridcare(&["--data-dir", d.as_str(), "outage", "list", "--json"]);
    let v = json(&outages);
    let list = v["outages"].as_array().expect("outages");
    assert_eq!(list.len(), 1, "{v}");
    assert_eq!(list[0]["source"], "predicted");
    assert_eq!(list[0]["devices"][0], "fuse.zm01-l01");
}
