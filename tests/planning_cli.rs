//! The appointment-outage flow from the terminal (issue 6): `gridcare plan scenario …` draws,
//! offers windows, consults through the outbox, records answers, ranks, compares and
//! publishes; `gridcare outbox …` hands the letters and notices to a channel gateway.

mod cli_support;
use cli_support::{gridcare, json, ok, scratch};

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const AREA: &str = "113.098,23.0109;113.102,23.0109;113.102,23.0149;113.098,23.0149";

/// A channel gateway on a loopback port: answers each request with the next status of
/// `statuses` (the last one repeats) and keeps the bodies it got.
fn gateway(statuses: Vec<&'static str>) -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().expect("bound");
    let got = Arc::new(Mutex::new(Vec::new()));
    let bodies = got.clone();
    std::thread::spawn(move || {
        let mut n = 0;
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { return };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            let body = loop {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break None,
                    Ok(k) => req.extend_from_slice(&buf[..k]),
                }
                let text = String::from_utf8_lossy(&req).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        break Some(body.to_string());
                    }
                }
            };
            if let Some(b) = body {
                if let Ok(v) = serde_json::from_str(&b) {
                    bodies.lock().expect("lock").push(v);
                }
            }
            let status = statuses[n.min(statuses.len() - 1)];
            n += 1;
            let reply = if status.starts_with('2') {
                format!("{{\"ref\":\"wx-{n}\",\"delivered\":true}}")
            } else {
                "{\"error\":\"busy\"}".to_string()
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (format!("http://{addr}/wechat/template-send"), got)
}

#[test]
fn a_planner_consults_ranks_and_publishes_from_the_terminal_and_the_gateway_gets_the_letters() {
    let dir = scratch("flow");
    let s = json(&dir, &["plan", "scenario", "new", "--name", "祖庙路线路迁改", "--polygon", AREA]);
    let id = s["id"].as_u64().expect("an id").to_string();
    ok(
        &dir,
        &[
            "plan",
            "scenario",
            "candidates",
            &id,
            "--window",
            "Tue=2026-12-08T08:00/2026-12-08T12:00",
            "--window",
            "Wed=2026-12-09T08:00/2026-12-09T12:00@3",
            "--crews-needed",
            "1",
        ],
    );
    let c = json(&dir, &["plan", "scenario", "consult", &id, "--preset", "appointment"]);
    let sent: Vec<String> = c["sent"]
        .as_array()
        .expect("sent")
        .iter()
        .map(|a| a.as_str().expect("account").to_string())
        .collect();
    assert!(!sent.is_empty(), "{c}");
    assert_eq!(c["queued"].as_u64(), Some(sent.len() as u64));
    let text = ok(&dir, &["plan", "scenario", "consult", &id]);
    assert!(text.contains("(0 queued now)"), "consulting again writes no second letter: {text}");
    assert!(text.contains("B. 2026-12-09 08:00–12:00"), "the letter lists the windows: {text}");

    // Two customers answer against Tuesday, one over WeChat and one by phone.
    ok(
        &dir,
        &["plan", "scenario", "reply", &id, "--account", &sent[0], "--text", "不方便A，同意B"],
    );
    ok(
        &dir,
        &[
            "plan",
            "scenario",
            "answer",
            &id,
            "--account",
            &sent[sent.len() - 1],
            "--object",
            "Tue",
            "--says",
            "周二上午要透析",
        ],
    );
    let r = json(&dir, &["plan", "scenario", "rank", &id]);
    assert_eq!(r["chosen"], "Wed", "{r}");
    let show = ok(&dir, &["plan", "scenario", "show", &id]);
    assert!(show.contains("2 answered"), "{show}");
    assert!(show.contains("「周二上午要透析」"), "{show}");

    // A second draft to compare with.
    let s2 =
        json(&dir, &["plan", "scenario", "new", "--name", "只断首段", "--device", "sect.sw01-3"]);
    let id2 = s2["id"].as_u64().expect("an id").to_string();
    let rows = json(&dir, &["plan", "scenario", "compare", &id, &id2]);
    assert_eq!(rows[0]["answered"], 2);
    assert_eq!(rows[0]["best_window"], "Wed");
    assert!(rows[1]["affected"].as_u64().expect("n") > 0);
    let e = gridcare(&dir, &["plan", "scenario", "compare", &id]);
    assert!(!e.0, "compare needs two scenarios");

    // Publishing needs the window; then the planned outage and its notices exist.
    let (success, _, err) = gridcare(&dir, &["plan", "scenario", "publish", &id]);
    assert!(!success && err.contains("choose a window before publishing"), "{err}");
    ok(
        &dir,
        &[
            "plan",
            "scenario",
            "window",
            &id,
            "--start",
            "2026-12-09T08:00",
            "--end",
            "2026-12-09T12:00",
        ],
    );
    let p = json(&dir, &["plan", "scenario", "publish", &id, "--reason", "祖庙路线路迁改"]);
    let outage = p["outage"].as_u64().expect("outage id");
    let notices = p["notices_queued"].as_u64().expect("n");
    assert!(notices > 0, "{p}");
    let outages = ok(&dir, &["outage", "list"]);
    let row = outages
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{outage} ")))
        .expect("listed");
    assert!(row.contains("planned") && row.contains("（预约停电方案 1）"), "{outages}");
    let listed = json(&dir, &["outbox", "list", "--subject", &format!("outage:{outage}")]);
    assert_eq!(listed.as_array().expect("list").len() as u64, notices);

    // The gateway: the first attempt gets a 503 and is retried later; the rest go through.
    let (url, got) = gateway(vec!["503 Service Unavailable", "200 OK"]);
    let d = json(
        &dir,
        &["outbox", "deliver", "--gateway", &url, "--token", "t0ken", "--limit", "5000"],
    );
    let total = sent.len() as u64 + notices;
    assert_eq!(d["retrying"], 1, "{d}");
    assert_eq!(d["sent"].as_u64(), Some(total - 1), "{d}");
    let delivered = json(&dir, &["outbox", "list", "--state", "delivered"]);
    assert_eq!(delivered.as_array().expect("list").len() as u64, total - 1);
    let bodies = got.lock().expect("lock").clone();
    assert_eq!(bodies.len() as u64, total);
    let letter = bodies.iter().find(|b| b["kind"] == "consultation").expect("a letter");
    assert!(letter["text"].as_str().expect("text").contains("意见征询"), "{letter}");
    // Not due again before its retry time.
    let again = json(&dir, &["outbox", "deliver", "--gateway", &url]);
    assert_eq!(again["sent"], 0, "{again}");
    let queued = ok(&dir, &["outbox", "list", "--state", "queued"]);
    assert!(queued.contains("1 message(s): 1 queued"), "{queued}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_planning_input_is_named_and_nothing_is_stored() {
    let dir = scratch("bad");
    let s = json(&dir, &["plan", "scenario", "new", "--name", "季华路检修", "--polygon", AREA]);
    let id = s["id"].as_u64().expect("an id").to_string();
    let (success, _, err) = gridcare(&dir, &["plan", "scenario", "consult", &id]);
    assert!(!success && err.contains("set the candidate windows before consulting"), "{err}");
    let (success, _, err) = gridcare(
        &dir,
        &[
            "plan",
            "scenario",
            "candidates",
            &id,
            "--window",
            "Tue=2026-12-08T12:00/2026-12-08T08:00",
        ],
    );
    assert!(!success && err.contains("the end is not after the start"), "{err}");
    let (success, _, err) = gridcare(&dir, &["outbox", "list", "--state", "lost"]);
    assert!(!success && err.contains("--state `lost`"), "{err}");
    let (success, _, err) = gridcare(&dir, &["outbox", "show", "42"]);
    assert!(!success && err.contains("no message 42"), "{err}");
    let history = json(&dir, &["plan", "scenario", "show", &id]);
    assert_eq!(history["history"].as_array().expect("history").len(), 1, "only `created`");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn each_change_of_an_outage_queues_one_notice_per_wechat_bound_customer() {
    let dir = scratch("notices");
    let o = json(
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
    let first = o["notices_queued"].as_u64().expect("count");
    assert!(first > 0, "{o}");
    let id = o["id"].as_u64().expect("id").to_string();
    let again =
        json(&dir, &["outage", "etr", &id, "--etr", "2026-12-08T14:00", "--reason", "延时"]);
    assert_eq!(again["notices_queued"].as_u64(), Some(first), "the delay, once each");
    let shown = json(&dir, &["outage", "show", &id]);
    assert_eq!(shown["notices_queued"], 0, "nothing new to announce");
    let all = json(&dir, &["outbox", "list", "--subject", &format!("outage:{id}")]);
    let all = all.as_array().expect("list");
    assert_eq!(all.len() as u64, 2 * first);
    assert!(all.iter().all(|m| m["message"]["channel"] == "wechat"));
    let delay = all.iter().find(|m| m["message"]["kind"] == "outage_changed").expect("delay");
    assert!(delay["message"]["text"].as_str().expect("text").contains("推迟 2 小时"), "{delay}");
    let _ = std::fs::remove_dir_all(&dir);
}
