//! Customer 360 (issue 7): one customer's outages, tickets, messages and alerts in one view and
//! one timeline, through `gridcare customer`.

mod cli_support;
use cli_support::{gridcare, ok, scratch};

#[test]
fn a_customers_outage_call_notice_and_complaint_show_in_one_timeline() {
    let dir = scratch("one");
    // 黄发乐 (0600471230, phone 15237841261) is on fuse.sw01-l06's lateral, bound to WeChat.
    ok(
        &dir,
        &[
            "outage",
            "plan",
            "--device",
            "fuse.sw01-l06",
            "--start",
            "2026-12-08T08:00",
            "--end",
            "2026-12-08T12:00",
            "--reason",
            "更换熔断器",
        ],
    );
    ok(
        &dir,
        &["ticket", "new", "--caller", "0600471230", "--text", "家里没电了", "--channel", "wechat"],
    );
    ok(
        &dir,
        &[
            "alert",
            "raise",
            "--channel",
            "wechat",
            "--account",
            "0600471230",
            "再不来电就打12398投诉",
        ],
    );
    // Someone else's ticket does not show.
    ok(&dir, &["ticket", "new", "--caller", "0600030515", "--text", "没电"]);
    let v: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["--json", "customer", "15237841261"])).expect("JSON");
    assert_eq!(v["account"], "0600471230", "found by phone");
    assert_eq!(v["covered_now"][0]["id"], 1);
    assert_eq!(v["tickets"].as_array().expect("tickets").len(), 1);
    assert_eq!(v["tickets"][0]["channel"], "wechat");
    assert_eq!(v["messages"].as_array().expect("messages").len(), 1, "the outage notice");
    assert_eq!(v["alerts"][0][3][0], "12398");
    assert_eq!(v["grid"]["transformer"], "transformer.sw01-t0056");
    let sources: Vec<&str> = v["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["source"].as_str().expect("source"))
        .collect();
    for s in ["outage", "ticket", "message", "alert"] {
        assert!(sources.contains(&s), "{s} in {sources:?}");
    }
    let times: Vec<i64> = v["timeline"]
        .as_array()
        .expect("t")
        .iter()
        .map(|e| e["time_s"].as_i64().expect("t"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let text = ok(&dir, &["customer", "0600471230"]);
    assert!(text.contains("COVERED now by planned outage 1"), "{text}");
    assert!(text.contains("敏感词预警 1"), "{text}");
    // Restored (cancelled, as it has not started): still on the customer's record.
    ok(&dir, &["outage", "cancel", "1", "--reason", "工期调整"]);
    let v: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["--json", "customer", "0600471230"])).expect("JSON");
    assert_eq!(v["covered_now"].as_array().expect("now").len(), 0);
    assert_eq!(v["outages"].as_array().expect("on record").len(), 1, "{}", v["outages"]);
    let (success, _, err) = gridcare(&dir, &["customer", "0600999999"]);
    assert!(!success && err.contains("no customer with account or phone `0600999999`"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
