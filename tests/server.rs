//! `gridcare serve` driven over loopback HTTP as the channel gateways would: WeChat, the app
//! and SMS send messages and ask for a customer's status with their own tokens; bad tokens,
//! oversized and malformed bodies are refused and leave nothing behind; a fault report from
//! a customer inside an open outage joins it. Most tests run the server in-process on an
//! ephemeral port; one runs the `gridcare` binary and kills it.
#![cfg(feature = "serve")]

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use gridcare::grid::{Grid, ModelSource};
use gridcare::outage::{FaultOutage, FaultSource, OutageBook, OutageId};
use gridcare::planning::{CandidateWindow, ScenarioArea, ScenarioBook};
use gridcare::server::{
    add_token, load_test, route_list, Interaction, LoadSpec, RateLimit, ServeConfig, Server,
};
use gridcare::workorder::{SlaPolicy, Ticket};
use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};

fn grid() -> Arc<Grid> {
    static GRID: OnceLock<Arc<Grid>> = OnceLock::new();
    GRID.get_or_init(|| {
        Arc::new(Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads"))
    })
    .clone()
}

/// A blocking HTTP client. The default features build reqwest with rustls and no crypto
/// provider (the app and the AVL feed choose ring), so ring is installed first.
fn client() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder().timeout(Duration::from_secs(20)).build().expect("a client")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-server-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The fuse every test's fault outage is at, and a customer below it.
const FUSE: &str = "sect.zm02-1";

/// A running server over a scratch store holding a fault outage at [`FUSE`], with a token per
/// channel.
struct Centre {
    dir: PathBuf,
    server: Option<Server>,
    base: String,
    http: Client,
    wechat: String,
    app: String,
    sms: String,
    operator: String,
    admin: String,
    ami: String,
    outage: OutageId,
    /// Two accounts inside the outage.
    affected: [String; 2],
}

fn start(name: &str, config: ServeConfig) -> Centre {
    let dir = scratch(name);
    let store = gridcare::open_store(&dir).expect("the store opens");
    let token = |c: &str| add_token(&store, c, "test", "test").expect("a token").token;
    let (wechat, app, sms) = (token("wechat"), token("app"), token("sms"));
    let (operator, admin, ami) = (token("operator"), token("admin"), token("ami"));
    let store = Arc::new(store);
    let mut book = OutageBook::open(store.clone(), &grid()).expect("the book opens");
    let fault = FaultOutage {
        device: grid().resolve(FUSE).expect("the fuse"),
        source: FaultSource::Trip,
        start_s: None,
        etr_s: Some(store.now_s() + 3 * 3600),
        reason: "开关跳闸".into(),
        author: "调度".into(),
    };
    let o = book.report_fault(&grid(), fault).expect("a fault outage");
    let accounts = &o.impact.accounts;
    assert!(accounts.len() >= 2, "the fuse cuts more than one customer");
    let affected = [accounts[0].clone(), accounts[accounts.len() - 1].clone()];
    drop(book);
    // Scenario 1: work behind the same fuse, consulted on windows A and B.
    let scenarios = ScenarioBook::open(store.clone());
    let area = ScenarioArea::Devices { devices: vec![FUSE.to_string()] };
    let s = scenarios.create(&grid(), "桂城线路改造", area, "李工", "drawn").expect("a scenario");
    let day = 86_400;
    let windows = ["A", "B"]
        .iter()
        .enumerate()
        .map(|(i, name)| CandidateWindow {
            name: name.to_string(),
            start_s: store.now_s() + (2 + i as i64) * day,
            end_s: store.now_s() + (2 + i as i64) * day + 4 * 3600,
            crews_available: 2,
        })
        .collect();
    scenarios.set_candidates(s.id, windows, 1, "李工", "offered").expect("candidates");
    drop(scenarios);
    let store = Arc::try_unwrap(store).expect("the only handle");
    let config = ServeConfig { listen: "127.0.0.1:0".parse().expect("addr"), ..config };
    let server =
        Server::start(grid(), store, SlaPolicy::default(), config).expect("the server starts");
    let base = format!("http://{}", server.addr());
    let http = client();
    Centre {
        dir,
        server: Some(server),
        base,
        http,
        wechat,
        app,
        sms,
        operator,
        admin,
        ami,
        outage: o.id,
        affected,
    }
}

impl Centre {
    fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: impl Into<reqwest::blocking::Body>,
    ) -> Response {
        let mut r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().expect("the server answers")
    }

    fn send(&self, token: &str, message: &Value) -> Response {
        self.post("/api/v1/messages", Some(token), message.to_string())
    }

    fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut r = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().expect("the server answers")
    }

    fn delete(&self, path: &str, token: &str) -> Response {
        self.http
            .delete(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .expect("the server answers")
    }

    /// Stops the server and opens its store again, as the next `gridcare` would.
    fn stop_and_reopen(mut self) -> Reopened {
        if let Some(s) = self.server.take() {
            s.stop().expect("the server stops cleanly");
        }
        let dir = std::mem::take(&mut self.dir);
        let store = gridcare::open_store(&dir).expect("the store reopens");
        Reopened { store: Some(store), dir }
    }
}

impl Drop for Centre {
    fn drop(&mut self) {
        drop(self.server.take());
        if !self.dir.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A store reopened after its server stopped; removed with its directory when dropped.
struct Reopened {
    store: Option<gridcare::store::Store>,
    dir: PathBuf,
}

impl std::ops::Deref for Reopened {
    type Target = gridcare::store::Store;
    fn deref(&self) -> &gridcare::store::Store {
        self.store.as_ref().expect("open until dropped")
    }
}

impl Drop for Reopened {
    fn drop(&mut self) {
        drop(self.store.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The status and the JSON body of a response.
fn read(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn error_of(r: Response) -> (u16, String) {
    let (status, body) = read(r);
    (status, body["error"].as_str().unwrap_or_default().to_string())
}

fn message(channel: &str, account: &str, text: &str) -> Value {
    json!({"channel": channel, "customer": {"account": account}, "text": text})
}

fn count<A: gridcare::store::Aggregate>(store: &gridcare::store::Store) -> usize {
    store.all::<A>().expect("readable").len()
}

#[test]
fn a_channel_without_a_token_or_with_a_wrong_one_gets_401() {
    let c = start("401", ServeConfig::default());
    let m = message("app", &c.affected[0], "请问什么时候来电");
    let (status, error) = error_of(c.post("/api/v1/messages", None, m.to_string()));
    assert_eq!((status, error.starts_with("authorization: missing")), (401, true), "{error}");
    let wrong = format!("{}0", c.app);
    let (status, error) = error_of(c.send(&wrong, &m));
    assert_eq!((status, error.as_str()), (401, "authorization: unknown token"));
    let basic = c
        .http
        .get(format!("{}/api/v1/customers/{}/status", c.base, c.affected[0]))
        .header("authorization", "Basic dXNlcjpwdw==")
        .send()
        .expect("answers");
    assert_eq!(basic.headers().get("www-authenticate").map(|v| v.as_bytes()), Some(&b"Bearer"[..]));
    assert_eq!(error_of(basic), (401, "authorization: not a bearer token".into()));
    let store = c.stop_and_reopen();
    assert_eq!(count::<Interaction>(&store), 0, "nothing stored");
}

#[test]
fn a_revoked_token_or_one_of_another_channel_gets_403() {
    let c = start("403", ServeConfig::default());
    let m = message("app", &c.affected[0], "请问什么时候来电");
    let (status, error) = error_of(c.send(&c.wechat, &m));
    assert_eq!(status, 403);
    assert_eq!(error, "channel: the token is for wechat, the message says app");
    let (status, _) = error_of(c.send(&c.admin, &m));
    assert_eq!(status, 403, "an admin token sends no messages");

    // The app's token works, is revoked over HTTP by the admin, then gets 403.
    assert_eq!(c.send(&c.app, &m).status().as_u16(), 201);
    let (_, tokens) = read(c.get("/api/v1/tokens", Some(&c.admin)));
    let app_id = tokens
        .as_array()
        .expect("a list")
        .iter()
        .find(|t| t["channel"] == "app")
        .and_then(|t| t["id"].as_u64())
        .expect("the app token is listed");
    assert!(!tokens.to_string().contains(&c.app[7..]), "the list shows no token");
    let (status, _) = error_of(c.delete(&format!("/api/v1/tokens/{app_id}"), &c.app));
    assert_eq!(status, 403, "a channel token manages no tokens");
    let (status, revoked) = read(c.delete(&format!("/api/v1/tokens/{app_id}"), &c.admin));
    assert_eq!(status, 200);
    assert!(revoked["revoked_s"].is_i64());
    let (status, error) = error_of(c.send(&c.app, &m));
    assert_eq!((status, error), (403, format!("authorization: token {app_id} is revoked")));
    let path = format!("/api/v1/customers/{}/status", c.affected[0]);
    assert_eq!(c.get(&path, Some(&c.app)).status().as_u16(), 403);

    // A new token made over HTTP works at once.
    let (status, made) =
        read(c.post("/api/v1/tokens", Some(&c.admin), json!({"channel": "app"}).to_string()));
    assert_eq!(status, 201);
    let fresh = made["token"].as_str().expect("the token, once");
    assert_eq!(c.send(fresh, &m).status().as_u16(), 201);
    let store = c.stop_and_reopen();
    assert_eq!(count::<Interaction>(&store), 2, "only the two accepted messages");
}

#[test]
fn an_oversized_body_gets_413_naming_the_limit_and_nothing_is_stored() {
    let c = start("413", ServeConfig { max_body_bytes: 4096, ..ServeConfig::default() });
    let big = message("sms", &c.affected[0], &"停电".repeat(2000));
    let (status, error) = error_of(c.send(&c.sms, &big));
    assert_eq!((status, error.as_str()), (413, "body: larger than the limit of 4096 bytes"));
    let store = c.stop_and_reopen();
    assert_eq!(count::<Interaction>(&store), 0);
    assert_eq!(count::<Ticket>(&store), 0, "no ticket from a refused fault report");
}

#[test]
fn a_malformed_message_gets_400_naming_the_field_and_nothing_is_stored() {
    let c = start("400", ServeConfig::default());
    let account = c.affected[0].clone();
    let cases = [
        ("{", "body: not JSON"),
        ("", "body: empty; send a JSON object"),
        (r#"{"channel":"sms","customer":{"account":"A"}}"#, "text: missing"),
        (r#"{"channel":"sms","text":"停电了"}"#, "customer: missing"),
        (r#"{"channel":"fax","customer":{"account":"A"},"text":"x"}"#, "channel: `fax`"),
        (r#"{"channel":"sms","customer":{"account":"A"},"text":"x","lat":99,"lon":1}"#, "lat: 99"),
        (
            r#"{"channel":"sms","customer":{"account":"A"},"text":"x","colour":"red"}"#,
            "colour: unknown",
        ),
    ];
    for (body, expected) in cases {
        let body = body.replace("\"A\"", &format!("\"{account}\""));
        let (status, error) = error_of(c.post("/api/v1/messages", Some(&c.sms), body.clone()));
        assert_eq!(status, 400, "{body}");
        assert!(error.starts_with(expected), "{body}: {error}");
    }
    let unknown = message("sms", "0199999999", "停电了");
    let (status, error) = error_of(c.send(&c.sms, &unknown));
    assert_eq!(status, 404);
    assert!(error.starts_with("customer.account:"), "{error}");
    let store = c.stop_and_reopen();
    assert_eq!(count::<Interaction>(&store), 0, "nothing stored");
    assert_eq!(count::<Ticket>(&store), 0, "no ticket");
}

#[test]
fn a_repair_message_from_an_affected_customer_joins_the_open_outage() {
    let c = start("join", ServeConfig::default());
    let [first, second] = c.affected.clone();
    let (status, a) = read(c.send(&c.wechat, &message("wechat", &first, "家里停电了")));
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["intent"], "repair");
    assert_eq!(a["answer"]["disposition"], "dispatch", "the outage's first call is dispatched");
    assert_eq!(a["answer"]["outages"], json!([c.outage.0]));
    assert!(a["answer"]["etr_s"].is_i64(), "the outage's ETR is given: {a}");
    let master = a["answer"]["ticket"].as_u64().expect("a ticket");

    let (status, b) = read(c.send(&c.app, &message("app", &second, "我们这边也没电了")));
    assert_eq!(status, 201, "{b}");
    assert_eq!(b["answer"]["disposition"], "merged");
    assert_eq!(b["answer"]["master"], master);
    assert_eq!(b["answer"]["outages"], json!([c.outage.0]));
    assert!(b["answer"]["etr_s"].is_i64(), "the outage's ETR is given");
    let text = b["answer"]["text"].as_str().expect("text");
    assert!(text.contains(&format!("主工单 {master}")), "{text}");

    let store = c.stop_and_reopen();
    let tickets = store.all::<Ticket>().expect("tickets");
    assert_eq!(tickets.len(), 2, "one master, one merged call: no second dispatch");
    assert_eq!(tickets[1].state.master().map(|m| m.0), Some(master));
}

#[test]
fn the_status_endpoint_answers_what_the_operator_would_say() {
    let c = start("status", ServeConfig::default());
    let [first, second] = c.affected.clone();
    read(c.send(&c.wechat, &message("wechat", &first, "停电了，快来修")));
    let (status, s) = read(c.get(&format!("/api/v1/customers/{second}/status"), Some(&c.sms)));
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["account"], second.as_str());
    assert_eq!(s["outages"][0]["id"], c.outage.0);
    assert_eq!(s["outages"][0]["kind"], "fault");
    assert_eq!(s["outages"][0]["status"], "active");
    assert!(s["outages"][0]["etr"].is_string());
    assert!(s["outages"][0]["latest_change"].is_string());
    assert!(s["answer"].as_str().expect("words").contains("故障停电"), "{s}");
    assert!(s["interaction"].is_u64());

    // The first caller's own ticket is part of their status.
    let (_, f) = read(c.get(&format!("/api/v1/customers/{first}/status"), Some(&c.app)));
    assert_eq!(f["tickets"][0]["status"], "dispatched", "{f}");

    // By phone: every account with that phone.
    let g = grid();
    let cu = g.model.customers.iter().find(|x| x.account_no == second).expect("the customer");
    let phone = cu.phones.first().expect("a phone").clone();
    let (status, p) = read(c.get(&format!("/api/v1/customers/status?phone={phone}"), Some(&c.sms)));
    assert_eq!(status, 200, "{p}");
    let accounts: Vec<&str> = p["customers"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|x| x["account"].as_str())
        .collect();
    assert!(accounts.contains(&second.as_str()), "{p}");
    let (status, error) = error_of(c.get("/api/v1/customers/status", Some(&c.sms)));
    assert_eq!((status, error.starts_with("phone: missing")), (400, true));
    let (status, _) = read(c.get("/api/v1/customers/0199999999/status", Some(&c.sms)));
    assert_eq!(status, 404);
}

#[test]
fn a_wechat_openid_sent_once_with_the_account_names_the_customer_later() {
    let c = start("openid", ServeConfig::default());
    let account = c.affected[0].clone();
    let openid = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M";
    let alone = json!({"channel": "wechat", "customer": {"openid": openid}, "text": "来电了吗"});
    let (status, error) = error_of(c.send(&c.wechat, &alone));
    assert_eq!(status, 404);
    assert!(error.starts_with("customer.openid:"), "{error}");
    let both = json!({"channel": "wechat", "customer": {"openid": openid, "account": account},
                      "text": "来电了吗"});
    assert_eq!(c.send(&c.wechat, &both).status().as_u16(), 201);
    let (status, later) = read(c.send(&c.wechat, &alone));
    assert_eq!((status, later["account"].as_str()), (201, Some(account.as_str())));
    let (status, s) =
        read(c.get(&format!("/api/v1/customers/status?openid={openid}"), Some(&c.wechat)));
    assert_eq!((status, s["customers"][0]["account"].as_str()), (200, Some(account.as_str())));
}

#[test]
fn a_customer_subscribes_to_outage_notices_and_cancels() {
    let c = start("subscribe", ServeConfig::default());
    let account = c.affected[0].clone();
    let sub = json!({"channel": "sms", "customer": {"account": account}, "address": "13800138000"});
    let (status, s) = read(c.post("/api/v1/subscriptions", Some(&c.sms), sub.to_string()));
    assert_eq!(status, 201, "{s}");
    assert_eq!(s["subscription"]["active"], true);
    let id = s["subscription"]["id"].as_u64().expect("an id");
    let (status, again) = read(c.post("/api/v1/subscriptions", Some(&c.sms), sub.to_string()));
    assert_eq!((status, again["changed"].as_bool()), (200, Some(false)));
    let (status, _) = read(c.post("/api/v1/subscriptions", Some(&c.wechat), sub.to_string()));
    assert_eq!(status, 403, "a WeChat token subscribes nobody to SMS");
    let (status, _) = read(c.delete(&format!("/api/v1/subscriptions/{id}"), &c.wechat));
    assert_eq!(status, 403);
    let (status, off) = read(c.delete(&format!("/api/v1/subscriptions/{id}"), &c.sms));
    assert_eq!((status, off["subscription"]["active"].as_bool()), (200, Some(false)));
    let (status, _) = read(c.delete("/api/v1/subscriptions/999", &c.sms));
    assert_eq!(status, 404);
    let store = c.stop_and_reopen();
    let subs = store.all::<gridcare::server::Subscription>().expect("subscriptions");
    assert_eq!(subs.len(), 1);
    assert!(!subs[0].state.active);
    assert_eq!(subs[0].state.address, "13800138000");
}

#[test]
fn a_token_over_its_rate_gets_429_with_retry_after() {
    let c = start(
        "429",
        ServeConfig { rate: RateLimit { per_s: 0.5, burst: 2.0 }, ..ServeConfig::default() },
    );
    let m = message("app", &c.affected[0], "请问什么时候来电");
    assert_eq!(c.send(&c.app, &m).status().as_u16(), 201);
    assert_eq!(c.send(&c.app, &m).status().as_u16(), 201);
    let r = c.send(&c.app, &m);
    assert_eq!(r.status().as_u16(), 429);
    let wait: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=2).contains(&wait), "{wait}");
    assert_eq!(
        c.send(&c.sms, &message("sms", &c.affected[0], "x")).status().as_u16(),
        201,
        "per token"
    );
}

#[test]
fn a_retried_message_is_answered_again_not_recorded_twice() {
    let c = start("retry", ServeConfig::default());
    let m = json!({"channel": "app", "customer": {"account": c.affected[0]}, "text": "停电了",
                   "message_id": "app-42"});
    let (status, first) = read(c.send(&c.app, &m));
    assert_eq!(status, 201);
    let (status, again) = read(c.send(&c.app, &m));
    assert_eq!(status, 200);
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["answer"], first["answer"]);
    assert_eq!(again["interaction"], first["interaction"]);
    let store = c.stop_and_reopen();
    assert_eq!(count::<Interaction>(&store), 1);
    assert_eq!(count::<Ticket>(&store), 1);
}

#[test]
fn every_interaction_is_recorded_per_customer_across_channels() {
    let c = start("timeline", ServeConfig::default());
    let account = c.affected[0].clone();
    read(c.send(&c.wechat, &message("wechat", &account, "家里没电了")));
    read(c.send(&c.sms, &message("sms", &account, "什么时候来电？")));
    read(c.get(&format!("/api/v1/customers/{account}/status"), Some(&c.app)));
    let reply = json!({"channel": "app", "customer": {"account": account}, "text": "同意A",
                       "reply_to": "scenario:1"});
    let (status, r) = read(c.send(&c.app, &reply));
    assert_eq!((status, r["intent"].as_str()), (201, Some("consultation_reply")));
    // The operators read the same timeline over HTTP, newest first.
    let path = format!("/api/v1/customers/{account}/interactions");
    let (status, over_http) = read(c.get(&path, Some(&c.operator)));
    assert_eq!(status, 200, "{over_http}");
    let newest_first: Vec<&str> = over_http
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|i| i["channel"].as_str())
        .collect();
    assert_eq!(newest_first, ["app", "app", "sms", "wechat"]);
    assert_eq!(c.get(&path, Some(&c.sms)).status().as_u16(), 403, "not for a channel token");
    let store = c.stop_and_reopen();
    let timeline: Vec<Interaction> = store
        .all::<Interaction>()
        .expect("interactions")
        .into_iter()
        .map(|e| e.state)
        .filter(|i| i.account == account)
        .collect();
    let channels: Vec<&str> = timeline.iter().map(|i| i.channel.as_str()).collect();
    assert_eq!(channels, ["wechat", "sms", "app", "app"]);
    assert_eq!(timeline[0].text, "家里没电了");
    assert!(timeline[0].answer.ticket.is_some());
    assert!(!timeline[1].answer.text.is_empty());
    assert_eq!(timeline[3].reply_to.as_deref(), Some("scenario:1"));
}

#[test]
fn a_sensitive_message_raises_an_alert_visible_to_a_second_client() {
    let c = start("alert", ServeConfig::default());
    let account = c.affected[0].clone();
    let angry =
        message("wechat", &account, "停电三个小时还不来电，再不修我就投 诉到12398，找媒体曝光！");
    let (status, r) = read(c.send(&c.wechat, &angry));
    assert_eq!(status, 201, "{r}");
    let alert = r["alert"].as_u64().expect("an alert is raised");
    assert_eq!(r["intent"], "repair", "it is still a fault report");

    // The operators' console, a second client with its own token, sees it.
    let (status, alerts) = read(c.get("/api/v1/alerts", Some(&c.operator)));
    assert_eq!(status, 200, "{alerts}");
    let a = &alerts[0];
    assert_eq!(a["id"].as_u64(), Some(alert));
    assert_eq!(a["account"], account.as_str());
    assert_eq!(a["channel"], "wechat");
    let categories = a["categories"].to_string();
    assert!(categories.contains("complaint_threat") && categories.contains("media_exposure"));
    let (status, _) = read(c.get("/api/v1/alerts", Some(&c.wechat)));
    assert_eq!(status, 403, "a channel token reads no alerts");

    // A calm message raises nothing; a refused one neither.
    let (_, calm) = read(c.send(&c.sms, &message("sms", &account, "请问几点来电")));
    assert!(calm.get("alert").is_none(), "{calm}");
    let refused = json!({"channel": "sms", "customer": {"account": "0199999999"}, "text": "投诉"});
    assert_eq!(c.send(&c.sms, &refused).status().as_u16(), 404);
    let (_, alerts) = read(c.get("/api/v1/alerts?all=true", Some(&c.admin)));
    assert_eq!(alerts.as_array().map(Vec::len), Some(1));
}

#[test]
fn a_reply_to_a_consultation_letter_is_recorded_on_its_scenario() {
    let c = start("consult", ServeConfig::default());
    let account = c.affected[1].clone();
    let reply = json!({"channel": "wechat", "customer": {"account": account},
                       "text": "同意A，B不行，那天家里办酒", "reply_to": "scenario:1"});
    let (status, r) = read(c.send(&c.wechat, &reply));
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["intent"], "consultation_reply");
    assert!(r["answer"]["text"].as_str().expect("text").contains("桂城线路改造"));
    let nowhere = json!({"channel": "wechat", "customer": {"account": account},
                         "text": "同意A", "reply_to": "scenario:9"});
    let (status, error) = error_of(c.send(&c.wechat, &nowhere));
    assert_eq!(status, 422);
    assert!(error.starts_with("reply_to:"), "{error}");
    let store = c.stop_and_reopen();
    let s = store.get::<gridcare::planning::Scenario>(1).expect("readable").expect("scenario 1");
    let answer = s.state.answers.iter().find(|a| a.account == account).expect("the answer");
    assert_eq!(answer.preferred, ["A"]);
    assert_eq!(answer.objections, ["B"]);
    assert_eq!(answer.via, "wechat");
    assert_eq!(count::<Interaction>(&store), 1, "the refused reply is not recorded");
}

#[test]
fn the_metering_head_end_posts_last_gasps_checked_whole() {
    let c = start("meters", ServeConfig::default());
    let gasp = |account: &str| {
        json!({"account": account, "event": "last_gasp",
                                       "time": "2026-12-07T00:50:12+08:00"})
    };
    let batch = json!([gasp(&c.affected[0]), gasp(&c.affected[1])]).to_string();
    let (status, r) = read(c.post("/api/v1/meter-events", Some(&c.ami), batch.clone()));
    assert_eq!((status, r["recorded"].as_u64()), (201, Some(2)), "{r}");
    let (status, _) = read(c.post("/api/v1/meter-events", Some(&c.app), batch));
    assert_eq!(status, 403, "a channel token posts no meter events");
    let one_unknown = json!([gasp(&c.affected[0]), gasp("0199999999")]).to_string();
    let (status, error) = error_of(c.post("/api/v1/meter-events", Some(&c.ami), one_unknown));
    assert_eq!(status, 404);
    assert!(error.starts_with("[1].account: no customer"), "{error}");
    let (status, error) =
        error_of(c.post("/api/v1/meter-events", Some(&c.ami), r#"[{"account":"1"}]"#));
    assert_eq!((status, error.as_str()), (400, "[0].event: missing"));
    let (status, _) = read(c.post("/api/v1/messages", Some(&c.ami), "{}"));
    assert_eq!(status, 403, "an ami token speaks for no customer channel");
    let store = c.stop_and_reopen();
    assert_eq!(count::<gridcare::outage::meter::MeterRecord>(&store), 2, "only the good batch");
}

#[test]
fn the_openapi_document_is_served_and_every_route_is_answered() {
    let c = start("openapi", ServeConfig::default());
    let (status, doc) = read(c.get("/api/v1/openapi.json", None));
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    for (method, path) in route_list() {
        assert!(doc["paths"][&path][method.to_lowercase()].is_object(), "{method} {path}");
        let url =
            format!("{}{}", c.base, path.replace("{account}", "0100000001").replace("{id}", "1"));
        let r = c
            .http
            .request(method.parse().expect("a method"), url)
            .bearer_auth(&c.admin)
            .send()
            .expect("answers");
        let (status, error) = error_of(r);
        assert!(!error.starts_with("route:"), "{method} {path} is not routed: {status} {error}");
    }
    let (status, error) = error_of(c.get("/api/v1/nothing", Some(&c.app)));
    assert_eq!((status, error.as_str()), (404, "route: there is no GET /api/v1/nothing"));
}

#[test]
fn a_small_loopback_load_test_reports_rates_and_latencies() {
    let c = start(
        "load",
        ServeConfig { rate: RateLimit { per_s: 1e9, burst: 1e9 }, ..ServeConfig::default() },
    );
    let g = grid();
    let accounts: Vec<String> =
        g.model.customers.iter().step_by(997).map(|x| x.account_no.clone()).collect();
    let spec = LoadSpec {
        addr: c.server.as_ref().expect("running").addr(),
        token: c.app.clone(),
        channel: "app".into(),
        messages: 300,
        concurrency: 8,
        accounts,
        repair_every: 10,
        timeout: Duration::from_secs(20),
    };
    let report = load_test(spec).expect("the load test runs");
    assert_eq!(report.ok, 300, "{report:?}");
    assert!(report.failed.is_empty());
    assert!(report.p50_ms <= report.p99_ms && report.p99_ms <= report.max_ms);
    let store = c.stop_and_reopen();
    assert_eq!(count::<Interaction>(&store), 300, "every acknowledged message is stored");
}

fn gridcare(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gridcare"));
    cmd.arg("--data-dir").arg(dir);
    cmd
}

/// Starts `gridcare serve` on an ephemeral port; returns the child and its base URL.
fn serve_binary(dir: &Path) -> (std::process::Child, String) {
    let mut child = gridcare(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("gridcare serve starts");
    let out = child.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufReader::new(out).read_line(&mut line).expect("a line");
    let base = line
        .trim()
        .strip_prefix("gridcare serve: listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, base)
}

#[test]
fn gridcare_serve_acknowledges_only_what_survives_a_kill_and_honours_a_revoke() {
    let dir = scratch("binary");
    let add = gridcare(&dir)
        .args(["serve", "token", "add", "--channel", "sms", "--label", "短信网关"])
        .output()
        .expect("token add runs");
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let token = String::from_utf8_lossy(&add.stdout).trim().to_string();
    assert!(token.starts_with("gc_sms_"), "{token}");

    let (mut child, base) = serve_binary(&dir);
    let http = client();
    let account = grid().model.customers[7].account_no.clone();
    let m = message("sms", &account, "请问今天停电吗");
    let r = http
        .post(format!("{base}/api/v1/messages"))
        .bearer_auth(&token)
        .body(m.to_string())
        .send()
        .expect("answers");
    let (status, reply) = read(r);
    assert_eq!(status, 201, "{reply}");
    child.kill().expect("kill -9");
    let _ = child.wait();

    // What was acknowledged is on disk after the kill.
    let store = gridcare::open_store(&dir).expect("the store reopens after a kill");
    let kept = store.all::<Interaction>().expect("interactions");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].state.account, account);
    assert_eq!(Some(kept[0].id), reply["interaction"].as_u64());
    drop(store);

    let list = gridcare(&dir).args(["serve", "token", "list"]).output().expect("list runs");
    let listed = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(listed.contains("sms") && listed.contains("短信网关"), "{listed}");
    assert!(!listed.contains(&token[7..]), "the list never shows the token");
    let revoke = gridcare(&dir).args(["serve", "token", "revoke", "1"]).output().expect("revoke");
    assert!(revoke.status.success(), "{}", String::from_utf8_lossy(&revoke.stderr));

    let (mut child, base) = serve_binary(&dir);
    let r = http
        .post(format!("{base}/api/v1/messages"))
        .bearer_auth(&token)
        .body(m.to_string())
        .send()
        .expect("answers");
    assert_eq!(error_of(r), (403, "authorization: token 1 is revoked".to_string()));
    let term = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    assert!(term.is_ok_and(|s| s.success()));
    let stopped = child.wait().expect("it stops");
    assert!(stopped.success(), "SIGTERM stops it cleanly: {stopped:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
