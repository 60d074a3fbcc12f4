//! `gridcare op`: one change as an operation, applied to the store of --data-dir, or sent
//! with --server to a running `gridcare serve`, which applies it with the same function.

mod cli_support;

use cli_support::{gridcare, json, ok, scratch};

const FAULT: &str = r#"{"op":"report_fault","device":"sect.zm02-1","reason":"10kV线路跳闸"}"#;

#[test]
fn an_operation_changes_the_store_of_the_data_directory() {
    let dir = scratch("op-local");
    let done = json(&dir, &["op", FAULT, "--author", "张三"]);
    assert_eq!(done["outage"], 1, "{done}");
    assert!(done["summary"].as_str().is_some_and(|s| s.contains("outage 1 recorded")), "{done}");
    // the outage commands read it back, authored by the operator
    let out = ok(&dir, &["outage", "show", "1"]);
    assert!(out.contains("10kV线路跳闸") && out.contains("张三"), "{out}");
    let etr = r#"{"op":"change_etr","outage":1,"etr_s":1900000000,"reason":"抢修延误"}"#;
    let out = ok(&dir, &["op", etr]);
    assert!(out.contains("outage 1: ETR"), "{out}");
    // refused by the state: said, and nothing changes
    let cancel = r#"{"op":"restore_outage","outage":1,"reason":"恢复送电"}"#;
    ok(&dir, &["op", cancel]);
    let (success, _, err) = gridcare(&dir, &["op", cancel]);
    assert!(!success);
    assert!(err.contains("restore_outage refused"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_malformed_operation_names_its_field_and_stores_nothing() {
    let dir = scratch("op-bad");
    for (op, says) in [
        (r#"{"op":"cancel_outage","outage":"one","reason":"x"}"#, "outage"),
        (r#"{"op":"blow_up"}"#, "blow_up"),
        ("not json", "operation"),
        (r#"{"op":"report_fault","device":"no.such.fuse","reason":"x"}"#, "no.such.fuse"),
    ] {
        let (success, _, err) = gridcare(&dir, &["op", op]);
        assert!(!success, "{op}");
        assert!(err.contains(says), "{op}: {err}");
    }
    let list = json(&dir, &["outage", "list", "--all"]);
    assert_eq!(list["outages"].as_array().map(Vec::len), Some(0), "{list}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(all(feature = "serve", feature = "remote"))]
#[test]
fn with_server_the_server_applies_it() {
    use gridcare::server::{add_token, ServeConfig, Server};
    let server_dir = scratch("op-server");
    let store = gridcare::open_store(&server_dir).expect("opens");
    let token = add_token(&store, "operator", "脚本", "test").expect("a token").token;
    let grid = gridcare::grid::Grid::load(&gridcare::grid::ModelSource::Embedded).expect("grid");
    let config = ServeConfig { listen: "127.0.0.1:0".parse().expect("addr"), ..Default::default() };
    let server = Server::start(std::sync::Arc::new(grid), store, Default::default(), config)
        .expect("starts");
    let url = format!("http://{}", server.addr());
    let dir = scratch("op-client");
    let done = json(&dir, &["--server", &url, "--token", &token, "op", FAULT, "--author", "王五"]);
    assert_eq!(done["outage"], 1, "{done}");
    assert!(done["position"].as_u64().is_some_and(|p| p > 0), "{done}");
    // the server has it, authored by the operator through the token
    let client = gridcare::remote::RemoteClient::new(&url, &token).expect("client");
    let page = client.feed(0, 5_000, 0).expect("reads");
    let outage = page.entries.iter().find(|e| e.kind == "outage").expect("the outage");
    let author = outage.event["author"].as_str().unwrap_or_default();
    assert!(author.starts_with("王五 (operator#"), "{author}");
    // nothing was written in the client's own data directory
    assert!(!dir.join(gridcare::STORE_DIR).exists());
    // a bad token: the server's refusal, said
    let (success, _, err) = gridcare(&dir, &["--server", &url, "--token", "nope", "op", FAULT]);
    assert!(!success);
    assert!(err.contains("401"), "{err}");
    server.stop().expect("stops");
    for d in [&server_dir, &dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}
