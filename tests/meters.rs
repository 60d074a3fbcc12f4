//! Smart-meter events (issue 7, item 6) through `gridcare ticket meters`: last gasps find the
//! blown fuse before anyone calls; a bad batch is refused whole, naming the event.

mod cli_support;
use cli_support::{gridcare, scratch};

#[test]
fn last_gasps_find_the_blown_fuse_before_anyone_calls_and_a_bad_batch_stores_nothing() {
    let dir = scratch("fuse");
    let (ok, out, err) = gridcare(
        &dir,
        &[
            "--json",
            "plan",
            "impact",
            "--device",
            "fuse.sw01-l06",
            "--start",
            "2026-12-08T08:00",
            "--end",
            "2026-12-08T09:00",
        ],
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let accounts: Vec<String> = v["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a.as_str().expect("account").to_string())
        .collect();
    // Two meters in three gasp within a minute of now.
    let now = chrono_free_now();
    let events: Vec<serde_json::Value> = accounts
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 0)
        .map(|(i, a)| serde_json::json!({"account": a, "event": "last_gasp", "time": gridcare::store::format_rfc3339(now - 60 + (i as i64 % 50))}))
        .collect();
    let file = dir.join("gasps.json");
    std::fs::write(&file, serde_json::to_string(&events).expect("json")).expect("written");
    let (ok, out, err) =
        gridcare(&dir, &["--json", "ticket", "meters", "--file", file.to_str().expect("utf-8")]);
    assert!(ok, "{err}");
    let p: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(p.as_array().expect("list").len(), 1, "{p}");
    assert_eq!(p[0]["device"], "fuse.sw01-l06");
    assert_eq!(p[0]["prediction"]["last_gasps"].as_u64(), Some(events.len() as u64));
    assert_eq!(p[0]["prediction"]["callers"], 0, "nobody called yet");
    // A caller from under the fuse: the meters of the transformer say it is the grid.
    let (ok, out, err) = gridcare(&dir, &["--json", "ticket", "new", "--caller", &accounts[0]]);
    assert!(ok, "{err}");
    let t: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(t["meters"]["verdict"], "grid_fault", "{}", t["meters"]);
    // A caller far away, whose transformer's meters said nothing: unknown.
    let (ok, out, err) = gridcare(&dir, &["--json", "ticket", "new", "--caller", "0600030515"]);
    assert!(ok, "{err}");
    let t: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(t["meters"]["verdict"], "unknown", "{}", t["meters"]);

    // One unknown account spoils the batch: nothing is stored, the event is named.
    let bad = dir.join("bad.json");
    let mut events2 = vec![
        serde_json::json!({"account": accounts[0], "event": "power_restore", "time": gridcare::store::format_rfc3339(now)}),
    ];
    events2.push(serde_json::json!({"account": "0600999999", "event": "last_gasp", "time": gridcare::store::format_rfc3339(now)}));
    std::fs::write(&bad, serde_json::to_string(&events2).expect("json")).expect("written");
    let (ok, _, err) =
        gridcare(&dir, &["ticket", "meters", "--file", bad.to_str().expect("utf-8")]);
    assert!(!ok && err.contains("meter event 1: no customer with account `0600999999`"), "{err}");
    let (ok, out, _) = gridcare(&dir, &["--json", "ticket", "predict"]);
    assert!(ok);
    let p: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(p[0]["prediction"]["last_gasps"].as_u64(), Some(events.len() as u64), "unchanged");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Unix seconds now.
fn chrono_free_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[test]
fn after_a_restoration_the_meters_name_the_customers_still_off() {
    let dir = scratch("restore");
    let now = chrono_free_now();
    let (ok, out, err) = gridcare(
        &dir,
        &["--json", "outage", "fault", "--device", "fuse.sw01-l06", "--reason", "熔断器熔断"],
    );
    assert!(ok, "{err}");
    let o: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let id = o["id"].as_u64().expect("id").to_string();
    let accounts: Vec<String> = o["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a.as_str().expect("account").to_string())
        .collect();
    assert!(accounts.len() > 10);
    // Every meter gasped; after the repair all came back but the first two.
    let mut events: Vec<serde_json::Value> = accounts
        .iter()
        .map(|a| serde_json::json!({"account": a, "event": "last_gasp", "time": gridcare::store::format_rfc3339(now + 5)}))
        .collect();
    events.extend(accounts[2..].iter().map(|a| {
        serde_json::json!({"account": a, "event": "power_restore", "time": gridcare::store::format_rfc3339(now + 600)})
    }));
    let file = dir.join("meters.json");
    std::fs::write(&file, serde_json::to_string(&events).expect("json")).expect("written");
    let (ok, _, err) =
        gridcare(&dir, &["ticket", "meters", "--file", file.to_str().expect("utf-8")]);
    assert!(ok, "{err}");
    let (ok, out, err) =
        gridcare(&dir, &["--json", "outage", "restore", &id, "--reason", "更换熔丝送电"]);
    assert!(ok, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        r["meters"]["confirmed"].as_u64(),
        Some(accounts.len() as u64 - 2),
        "{}",
        r["meters"]
    );
    assert_eq!(r["meters"]["still_off"], serde_json::json!([accounts[0], accounts[1]]));
    let (ok, out, _) = gridcare(&dir, &["outage", "show", &id]);
    assert!(ok && out.contains("2 still off"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
