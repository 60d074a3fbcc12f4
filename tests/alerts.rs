//! Sensitive-word alerts (敏感词预警) through the `gridcare alert` commands, as a dispatcher
//! works them: screen a text, raise an alert from a customer's message, acknowledge, assign,
//! resolve with a note, read the history; and the mistakes, named.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gridcare(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gridcare"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .expect("the binary runs")
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

/// Runs a command that must fail; returns what it said on stderr.
fn refused(o: &Output) -> String {
    assert!(!o.status.success(), "should fail, printed {}", stdout(o));
    stderr(o)
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-alerts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn a_wechat_threat_is_raised_acknowledged_assigned_and_resolved_with_its_history() {
    let dir = scratch("story");
    let text = "楼下电线掉落了还在冒火花，你们再不来我就投 诉到能源局！";
    let raised = json(&gridcare(
        &dir,
        &[
            "alert",
            "raise",
            "--channel",
            "wechat",
            "--account",
            "0612000001",
            text,
            "--author",
            "channels",
            "--json",
        ],
    ));
    let a = &raised["alert"];
    assert_eq!(a["id"], 1);
    assert_eq!(a["severity"], "critical");
    assert_eq!(a["status"], "raised");
    assert_eq!(a["account"], "0612000001");
    assert_eq!(strings(&a["words"]), ["电线掉落", "冒火花", "投诉到能源局"]);
    assert_eq!(strings(&a["categories"]), ["safety_hazard", "complaint_threat"]);
    assert_eq!(a["hits"][2]["matched"], "投 诉到能源局");

    let listed = json(&gridcare(&dir, &["alert", "list", "--json"]));
    assert_eq!(listed.as_array().map(Vec::len), Some(1));

    let acked = json(&gridcare(
        &dir,
        &["alert", "ack", "1", "--author", "李坐席", "--reason", "called the customer", "--json"],
    ));
    assert_eq!(acked["alert"]["status"], "acknowledged");
    let assigned = json(&gridcare(
        &dir,
        &["alert", "assign", "1", "--to", "王班长", "--author", "李坐席", "--json"],
    ));
    assert_eq!(assigned["alert"]["status"], "assigned");
    assert_eq!(assigned["alert"]["assigned_to"], "王班长");
    let resolved = json(&gridcare(
        &dir,
        &[
            "alert",
            "resolve",
            "1",
            "--note",
            "抢修已到场，断线已处理，客户满意",
            "--author",
            "王班长",
            "--json",
        ],
    ));
    assert_eq!(resolved["alert"]["status"], "resolved");
    assert_eq!(resolved["alert"]["resolution_note"], "抢修已到场，断线已处理，客户满意");

    let shown = json(&gridcare(&dir, &["alert", "show", "1", "--json"]));
    let steps: Vec<(String, String, String)> = shown["history"]
        .as_array()
        .expect("a history")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (
                r["event"]["change"].as_str().unwrap_or_default().to_string(),
                s("author"),
                s("reason"),
            )
        })
        .collect();
    let expected = [
        ("raised", "channels", ""),
        ("acknowledged", "李坐席", "called the customer"),
        ("assigned", "李坐席", ""),
        ("resolved", "王班长", ""),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(steps, expected);
    assert!(shown["history"][0]["time_s"].as_i64().unwrap_or(0) > 1_700_000_000);

    let text_view = stdout(&gridcare(&dir, &["alert", "show", "1"]));
    assert!(
        text_view.contains("【电线掉落】") && text_view.contains("note: 抢修已到场"),
        "{text_view}"
    );
    let open = stdout(&gridcare(&dir, &["alert", "list"]));
    assert!(open.contains("no open alert"), "{open}");
    let all = json(&gridcare(&dir, &["alert", "list", "--all", "--json"]));
    assert_eq!(all.as_array().map(Vec::len), Some(1));
}

#[test]
fn checking_a_disguised_text_shows_its_hits_and_writes_nothing() {
    let dir = scratch("check");
    let o = gridcare(&dir, &["alert", "check", "我要找記 者曝*光，还要打１２３９８"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("【找記 者】") && out.contains("【曝*光】") && out.contains("【１２３９８】"),
        "{out}"
    );
    let v = json(&gridcare(&dir, &["alert", "check", "我想投资光伏", "--json"]));
    assert_eq!(v["hits"].as_array().map(Vec::len), Some(0));
    assert!(v["severity"].is_null());
    assert!(!dir.join("store").exists(), "check must not create a store");
}

#[test]
fn a_plain_question_raises_no_alert() {
    let dir = scratch("clean");
    let v = json(&gridcare(
        &dir,
        &["alert", "raise", "--channel", "sms", "请问明天几点来电", "--json"],
    ));
    assert!(v["alert"].is_null());
    let all = json(&gridcare(&dir, &["alert", "list", "--all", "--json"]));
    assert_eq!(all.as_array().map(Vec::len), Some(0));
}

#[test]
fn open_alerts_are_listed_most_severe_first() {
    let dir = scratch("order");
    for text in ["你们这帮饭桶", "我要上热搜", "家里有制氧机，快来电"] {
        assert!(gridcare(&dir, &["alert", "raise", "--channel", "app", text]).status.success());
    }
    let listed = json(&gridcare(&dir, &["alert", "list", "--json"]));
    let order: Vec<(i64, String)> = listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| (a["id"].as_i64().unwrap_or(0), a["severity"].as_str().unwrap_or("").into()))
        .collect();
    let expected = [(3, "critical"), (2, "high"), (1, "medium")];
    assert_eq!(order, expected.map(|(i, s)| (i, s.to_string())));
}

#[test]
fn resolving_without_a_note_is_refused_naming_the_note() {
    let dir = scratch("no-note");
    assert!(gridcare(&dir, &["alert", "raise", "--channel", "web", "我要投诉"]).status.success());
    let e = refused(&gridcare(&dir, &["alert", "resolve", "1"]));
    assert!(e.contains("--note"), "{e}");
    let e = refused(&gridcare(&dir, &["alert", "resolve", "1", "--note", "  "]));
    assert!(e.contains("alert 1") && e.contains("note"), "{e}");
    let still = json(&gridcare(&dir, &["alert", "show", "1", "--json"]));
    assert_eq!(still["alert"]["status"], "raised");
}

#[test]
fn resolving_a_resolved_alert_is_refused_naming_the_alert() {
    let dir = scratch("twice");
    assert!(gridcare(&dir, &["alert", "raise", "--channel", "phone", "再不来我就曝光"])
        .status
        .success());
    assert!(gridcare(&dir, &["alert", "resolve", "1", "--note", "已回访"]).status.success());
    let e = refused(&gridcare(&dir, &["alert", "resolve", "1", "--note", "again"]));
    assert!(e.contains("alert 1") && e.contains("already resolved"), "{e}");
    let e = refused(&gridcare(&dir, &["alert", "assign", "1", "--to", "王班长"]));
    assert!(e.contains("alert 1") && e.contains("resolved"), "{e}");
}

#[test]
fn an_unknown_alert_number_is_named() {
    let dir = scratch("unknown");
    for args in [
        &["alert", "show", "9"][..],
        &["alert", "ack", "9"],
        &["alert", "assign", "9", "--to", "王班长"],
        &["alert", "resolve", "9", "--note", "done"],
    ] {
        let e = refused(&gridcare(&dir, args));
        assert!(e.contains("alert 9 does not exist"), "{args:?}: {e}");
    }
}

#[test]
fn an_edited_lexicon_file_is_used_and_a_broken_one_is_named() {
    let dir = scratch("lexicon");
    let file = dir.join("lexicon.json");
    let lexicon = r#"{"format": "gridcare-lexicon", "version": 1, "categories": [
        {"id": "billing_dispute", "zh": "电费争议", "en": "billing dispute", "severity": "medium",
         "words": ["乱收费", "多收电费"]}]}"#;
    std::fs::write(&file, lexicon).expect("write the lexicon");
    let f = file.to_string_lossy().into_owned();
    let v = json(&gridcare(&dir, &["alert", "check", "你们乱 收 費！", "--lexicon", &f, "--json"]));
    assert_eq!(strings(&v["words"]), ["乱收费"]);
    let r = json(&gridcare(
        &dir,
        &["alert", "raise", "--channel", "web", "多收電費了", "--lexicon", &f, "--json"],
    ));
    assert_eq!(r["alert"]["categories"][0], "billing_dispute");

    std::fs::write(&file, lexicon.replace("\"medium\"", "\"severe\"")).expect("write");
    let e = refused(&gridcare(&dir, &["alert", "check", "乱收费", "--lexicon", &f]));
    assert!(e.contains("lexicon.json") && e.contains("line"), "{e}");
}
