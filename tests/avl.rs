//! Crew positions from an AVL feed: a feed served on a loopback port is read with reqwest,
//! the crews that moved are recorded, unknown vehicles reported, bad feeds named — through
//! the library and through `gridcare ticket avl`.
#![cfg(feature = "avl")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use gridcare::grid::{Grid, ModelSource};
use gridcare::workorder::{
    default_crews, fetch_avl, parse_avl, AvlCrew, AvlError, RepairDesk, SlaPolicy,
};

/// Serves `responses` (status line, body) one per connection on a loopback port, then stops.
fn serve(responses: Vec<(&'static str, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().expect("bound");
    std::thread::spawn(move || {
        for (status, body) in responses {
            let Ok((mut s, _)) = listener.accept() else { return };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/avl/positions")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-avl-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_feed_moves_the_crews_it_knows_and_names_the_vehicles_it_does_not() {
    let grid = Grid::load(&ModelSource::Embedded).expect("the demo city");
    let dir = scratch("lib");
    let store = Arc::new(gridcare::open_store(&dir).expect("store"));
    let mut desk = RepairDesk::open(store, SlaPolicy::default()).expect("desk");
    for spec in default_crews(&grid) {
        desk.register_crew(spec, "班长").expect("crew");
    }
    let first = desk.crews().next().expect("a crew").clone();
    let body = format!(
        r#"{{"vehicles": [
            {{"crew": "{}", "lon": 113.1204, "lat": 23.0215}},
            {{"crew": 2, "lon": {}, "lat": {}}},
            {{"crew": "粤E·12345", "lon": 113.13, "lat": 23.03}}]}}"#,
        first.spec.name,
        desk.crew(gridcare::workorder::CrewId(2)).expect("crew 2").pos.lon,
        desk.crew(gridcare::workorder::CrewId(2)).expect("crew 2").pos.lat,
    );
    let url = serve(vec![("200 OK", body)]);
    let text = fetch_avl(&url, Duration::from_secs(5)).expect("fetched");
    let fixes = parse_avl(&url, &text).expect("parsed");
    let report = desk.apply_avl(&fixes, "avl").expect("applied");
    assert_eq!(report.fixes, 3);
    assert_eq!(report.moved, vec![first.id], "the first crew moved");
    assert_eq!(report.unchanged, 1, "crew 2 is parked where it was");
    assert_eq!(report.unknown, vec![AvlCrew::Name("粤E·12345".into())]);
    let moved = desk.crew(first.id).expect("crew");
    assert!((moved.pos.lon - 113.1204).abs() < 1e-9 && (moved.pos.lat - 23.0215).abs() < 1e-9);
    let last = desk.store().events::<gridcare::workorder::Crew>(first.id.0).expect("log");
    assert_eq!(last.last().map(|e| e.author.as_str()), Some("avl"));
}

#[test]
fn a_feed_that_fails_or_is_not_json_is_named() {
    let url = serve(vec![
        ("404 Not Found", "{}".into()),
        ("200 OK", "{\"vehicles\": [".into()),
        ("200 OK", r#"[{"crew": 1, "lon": "east", "lat": 23.0}]"#.into()),
    ]);
    let e = fetch_avl(&url, Duration::from_secs(5)).expect_err("404");
    assert!(e.to_string().contains("404") && e.to_string().contains(&url), "{e}");
    let text = fetch_avl(&url, Duration::from_secs(5)).expect("fetched");
    let e = parse_avl(&url, &text).expect_err("cut JSON");
    assert!(matches!(e, AvlError::NotJson { .. }), "{e}");
    let text = fetch_avl(&url, Duration::from_secs(5)).expect("fetched");
    let e = parse_avl(&url, &text).expect_err("a word for a longitude");
    assert!(e.to_string().ends_with("[0].lon: missing or not a number"), "{e}");
    // Nobody listening.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr")
    };
    let e = fetch_avl(&format!("http://{closed}/avl"), Duration::from_secs(5)).expect_err("down");
    assert!(e.to_string().starts_with(&format!("AVL feed http://{closed}/avl: ")), "{e}");
}

#[test]
fn the_cli_reads_the_feed_and_records_the_crews_that_moved() {
    let dir = scratch("cli");
    let gridcare = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gridcare"))
            .arg("--data-dir")
            .arg(&dir)
            .args(args)
            .output()
            .expect("the binary runs")
    };
    let crews = gridcare(&["ticket", "crews"]);
    assert!(crews.status.success(), "{}", String::from_utf8_lossy(&crews.stderr));
    let url = serve(vec![(
        "200 OK",
        r#"[{"crew": "祖庙抢修一班", "lon": 113.1101, "lat": 23.0302},
            {"crew": "桂城抢修二班", "lon": 113.1502, "lat": 23.0401}]"#
            .into(),
    )]);
    let out = gridcare(&["ticket", "avl", "--url", &url]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("2 fixes, 2 crews moved, 0 unchanged, 0 unknown"), "{stdout}");
    let list = gridcare(&["ticket", "crews", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    let zumiao = v
        .as_array()
        .and_then(|a| a.iter().find(|c| c["spec"]["name"] == "祖庙抢修一班"))
        .expect("the crew");
    assert_eq!(zumiao["pos"]["lon"].as_f64(), Some(113.1101));
    // A feed that is down is an error naming the URL, exit 1.
    let down = gridcare(&["ticket", "avl", "--url", "http://127.0.0.1:9/avl"]);
    assert_eq!(down.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&down.stderr).contains("AVL feed http://127.0.0.1:9/avl"));
}
