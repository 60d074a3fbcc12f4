//! Workstations on a server (`gridcare --server URL --token T`): two replicas of one
//! `gridcare serve` store, kept by the change feed over loopback HTTP. What one workstation
//! writes (as an operation the server applies) and what a channel message raises reach the
//! other; the replica refuses writes of its own; bad requests are refused naming the field.
#![cfg(all(feature = "serve", feature = "remote"))]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use gridcare::channels::alert::AlertBook;
use gridcare::grid::{Grid, ModelSource};
use gridcare::ops::Operation;
use gridcare::outage::{Lifecycle, OutageBook, OutageId};
use gridcare::remote::{RemoteClient, RemoteError, Replica};
use gridcare::server::{add_token, ServeConfig, Server};
use gridcare::store::{Store, StoreError};
use gridcare::workorder::{Caller, RepairDesk, SlaPolicy};

fn grid() -> Arc<Grid> {
    static GRID: OnceLock<Arc<Grid>> = OnceLock::new();
    GRID.get_or_init(|| {
        Arc::new(Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads"))
    })
    .clone()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-remote-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The fuse the tests trip, and the server's tokens.
const FUSE: &str = "sect.zm02-1";

struct Centre {
    server: Server,
    base: String,
    operator: String,
    wechat: String,
    dirs: Vec<PathBuf>,
}

fn start(name: &str) -> Centre {
    let dir = scratch(&format!("{name}-server"));
    let store = gridcare::open_store(&dir).expect("the store opens");
    let token = |c: &str| add_token(&store, c, "调度台", "test").expect("a token").token;
    let (operator, wechat) = (token("operator"), token("wechat"));
    let config = ServeConfig { listen: "127.0.0.1:0".parse().expect("addr"), ..Default::default() };
    let server =
        Server::start(grid(), store, SlaPolicy::default(), config).expect("the server starts");
    let base = format!("http://{}", server.addr());
    Centre { server, base, operator, wechat, dirs: vec![dir] }
}

impl Centre {
    fn workstation(&mut self, name: &str) -> Replica {
        let dir = scratch(name);
        self.dirs.push(dir.clone());
        let client = RemoteClient::new(&self.base, &self.operator).expect("a client");
        let r = Replica::connect(client, &dir).expect("the replica opens");
        r.pull(0).expect("the first pull");
        r
    }

    fn stop(self) {
        self.server.stop().expect("the server stops");
        for d in self.dirs {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// An account the fuse supplies.
fn account_below_fuse() -> String {
    let g = grid();
    let device = g.resolve(FUSE).expect("the fuse");
    let trace = g.trace(device);
    let c = trace.affected_customers.first().copied().expect("the fuse supplies customers");
    g.model.customers[c.index()].account_no.clone()
}

#[test]
fn what_one_workstation_records_the_other_shows() {
    let mut c = start("share");
    let a = c.workstation("share-a");
    let b = c.workstation("share-b");
    // both copy the server's store, each in a store of its own
    let origin = |r: &Replica| r.store.replica_position().expect("reads").map(|p| p.0);
    assert!(origin(&a).is_some());
    assert_eq!(origin(&a), origin(&b));
    assert_ne!(a.store.store_id(), b.store.store_id());

    // Workstation A records a fault at the fuse, through the server.
    let op = Operation::ReportFault {
        device: FUSE.into(),
        etr_s: None,
        reason: "10kV线路跳闸，故障巡线".into(),
    };
    let done = a.client.execute("调度员张三", &op).expect("the server applies it");
    let outage = done.outcome.outage.expect("an outage was recorded");
    assert!(done.position > 0);

    // B learns of it from the feed and reads it with the same outage book.
    let got = b.pull(0).expect("pulls");
    assert!(got.position >= done.position, "{got:?} < {}", done.position);
    assert!(got.kinds().contains("outage"), "{got:?}");
    let book = OutageBook::open(b.store.clone(), &grid()).expect("the book opens on the replica");
    let o = book.get(outage).expect("B sees A's outage");
    assert_eq!(o.lifecycle, Lifecycle::Open);
    assert!(!book.affected_customers(outage).is_empty());
    let trail = book.trajectory(outage).expect("its changes");
    assert!(trail[0].author.starts_with("调度员张三 (operator#"), "{:?}", trail[0].author);

    // A caller below the fuse, taken at B: the server's duplicate-merge rule sees A's outage.
    let account = account_below_fuse();
    let call = Operation::TakeCall {
        caller: Caller::Number(account.clone()),
        channel: gridcare::workorder::Channel::Phone,
        description: "家里停电了".into(),
        phone: None,
    };
    let taken = b.client.execute("调度员李四", &call).expect("the call is taken");
    let ticket = taken.outcome.ticket.expect("a ticket");
    a.pull(0).expect("pulls");
    let desk = RepairDesk::open(a.store.clone(), SlaPolicy::default()).expect("opens");
    // a fresh server made the units' crews, as a desktop does on its first start
    assert!(desk.crews().count() >= 10, "{} crews", desk.crews().count());
    let t = desk.ticket(ticket).expect("A sees B's ticket");
    assert_eq!(t.site.account.as_deref(), Some(account.as_str()));

    // Restoring twice: the second is refused by the outage's state, 409, naming the outage.
    let restore =
        Operation::RestoreOutage { outage, reason: "故障处理完毕，恢复送电".into() };
    a.client.execute("调度员张三", &restore).expect("restored");
    let e = b.client.execute("调度员李四", &restore).expect_err("already restored");
    assert_eq!(e.status(), Some(409), "{e}");
    b.pull(0).expect("pulls");
    let book = OutageBook::open(b.store.clone(), &grid()).expect("opens");
    assert_eq!(book.get(outage).expect("there").lifecycle, Lifecycle::Restored);
    c.stop();
}

#[test]
fn a_sensitive_message_reaches_a_waiting_workstation() {
    let mut c = start("alert");
    let a = c.workstation("alert-a");
    let before = a.position().expect("a position");
    // A waits for a change at the server while WeChat sends an angry message.
    let waiting = std::thread::spawn(move || {
        let got = a.pull(20).expect("the long poll answers");
        (a, got)
    });
    std::thread::sleep(Duration::from_millis(300));
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::new();
    let body = serde_json::json!({
        "channel": "wechat",
        "customer": {"account": account_below_fuse()},
        "text": "停电三天了还不来修，我要投诉到12398！",
    });
    let r = http
        .post(format!("{}/api/v1/messages", c.base))
        .bearer_auth(&c.wechat)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .expect("sent");
    assert!(r.status().is_success(), "{}", r.status());
    let (a, got) = waiting.join().expect("the workstation thread");
    // The wait ended with the message's events (had it timed out, it would hold none).
    assert!(got.position > before, "{got:?}");
    assert!(got.kinds().contains("alert"), "{got:?}");
    let alerts = AlertBook::open(a.store.clone()).expect("the alerts of the replica");
    let open = alerts.open_alerts().expect("reads");
    assert_eq!(open.len(), 1);
    assert!(open[0].text.contains("投诉"), "{:?}", open[0].text);
    // A acknowledges it through the server.
    let ack = Operation::AcknowledgeAlert { alert: open[0].id };
    a.client.execute("班长王五", &ack).expect("acknowledged");
    a.pull(0).expect("pulls");
    let alerts = AlertBook::open(a.store.clone()).expect("reads");
    assert!(alerts.get(open[0].id).expect("reads").expect("there").acknowledged.is_some());
    c.stop();
}

#[test]
fn a_replica_refuses_its_own_writes_and_bad_requests_are_named() {
    let mut c = start("refuse");
    let a = c.workstation("refuse-a");
    // The books on a replica read, but a write is refused before anything is stored.
    let mut book = OutageBook::open(a.store.clone(), &grid()).expect("opens");
    let fault = gridcare::outage::FaultOutage {
        device: grid().resolve(FUSE).expect("the fuse"),
        source: gridcare::outage::FaultSource::Trip,
        start_s: None,
        etr_s: None,
        reason: "x".into(),
        author: "x".into(),
    };
    let e = book.report_fault(&grid(), fault).expect_err("a replica does not write");
    assert!(e.to_string().contains("goes to the server"), "{e}");

    // The tokens' records reach the replica without their hashes.
    let page = a.client.feed(0, 100, 0).expect("reads");
    let tokens: Vec<_> = page.entries.iter().filter(|e| e.kind == "channel_token").collect();
    assert_eq!(tokens.len(), 2, "the operator's and WeChat's");
    for t in tokens {
        let text = t.event.to_string();
        assert!(text.contains(r#""sha256":"""#) && !text.contains(&c.operator[..8]), "{text}");
    }

    // A channel token cannot read the feed nor write.
    let wechat = RemoteClient::new(&c.base, &c.wechat).expect("a client");
    assert_eq!(wechat.feed(0, 10, 0).expect_err("refused").status(), Some(403));
    let op = Operation::CancelOutage { outage: OutageId(1), reason: "x".into() };
    assert_eq!(wechat.execute("x", &op).expect_err("refused").status(), Some(403));
    let nobody = RemoteClient::new(&c.base, "not-a-token").expect("a client");
    assert_eq!(nobody.feed(0, 10, 0).expect_err("refused").status(), Some(401));

    // Unknown outage: 404; unknown device: 400 naming it; a bad query: 400 naming it.
    let e = a.client.execute("张三", &op).expect_err("no outage 1");
    assert_eq!(e.status(), Some(404), "{e}");
    let bad =
        Operation::ReportFault { device: "no.such.fuse".into(), etr_s: None, reason: "x".into() };
    let e = a.client.execute("张三", &bad).expect_err("no such device");
    assert_eq!(e.status(), Some(400), "{e}");
    assert!(e.to_string().contains("no.such.fuse"), "{e}");
    let e = a.client.feed(0, 9_999_999, 0).expect_err("limit too big");
    assert!(
        matches!(&e, RemoteError::Status { status: 400, message, .. } if message.starts_with("limit:")),
        "{e}"
    );

    // A malformed operation body: 400 naming the field; nothing stored.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::new();
    let head = a.client.feed(0, 1, 0).expect("reads").head;
    for (body, says) in [
        (r#"{"author":"张三"}"#, "operation: missing"),
        (r#"{"operation":{"op":"cancel_outage","outage":1,"reason":"x"}}"#, "author: missing"),
        (
            r#"{"author":"张三","operation":{"op":"cancel_outage","outage":"one","reason":"x"}}"#,
            "outage",
        ),
        (r#"{"author":"张三","operation":{"op":"blow_up"}}"#, "blow_up"),
        (
            r#"{"author":"张三","operation":{"op":"cancel_outage","outage":1,"reason":"x"},"x":1}"#,
            "x: unknown field",
        ),
        ("not json", "body: not JSON"),
    ] {
        let r = http
            .post(format!("{}/api/v1/ops", c.base))
            .bearer_auth(&c.operator)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .expect("sent");
        assert_eq!(r.status().as_u16(), 400, "{body}");
        let text = r.text().expect("a body");
        assert!(text.contains(says), "{body}: {text}");
    }
    assert_eq!(a.client.feed(0, 1, 0).expect("reads").head, head, "nothing was stored");

    // A replica of another server's store refuses this one's pages.
    let other_dir = scratch("refuse-other");
    c.dirs.push(other_dir.clone());
    let other = gridcare::open_store(&other_dir).expect("opens");
    let other_id = other.store_id().to_string();
    drop(other);
    let options =
        gridcare::store::OpenOptions { kinds: gridcare::store_kinds(), ..Default::default() };
    let wrong = Store::open_replica(&gridcare::remote::replica_dir(&other_dir, &other_id), options)
        .expect("opens");
    wrong
        .import_feed(&gridcare::store::FeedPage { store_id: other_id, head: 0, entries: vec![] })
        .expect("an empty page of its own store");
    let e = wrong.import_feed(&a.client.feed(0, 10, 0).expect("reads")).expect_err("another store");
    assert!(matches!(e, StoreError::Replica { .. }), "{e}");
    c.stop();
}

/// What a workstation does after each pull: re-read only the entities the pull changed.
#[test]
fn books_reloaded_from_a_pull_match_books_opened_afresh() {
    let mut c = start("reload");
    let a = c.workstation("reload-a");
    let b = c.workstation("reload-b");
    let mut outages = OutageBook::open(b.store.clone(), &grid()).expect("opens");
    let mut desk = RepairDesk::open(b.store.clone(), SlaPolicy::default()).expect("opens");

    let fault =
        Operation::ReportFault { device: FUSE.into(), etr_s: None, reason: "线路跳闸".into() };
    let outage = a.client.execute("张三", &fault).expect("applied").outcome.outage.expect("one");
    let call = Operation::TakeCall {
        caller: Caller::Number(account_below_fuse()),
        channel: gridcare::workorder::Channel::Wechat,
        description: "停电了".into(),
        phone: None,
    };
    let ticket = a.client.execute("张三", &call).expect("applied").outcome.ticket.expect("one");
    let send = Operation::SendCrew { ticket, crew: None };
    a.client.execute("张三", &send).expect("a crew is sent");

    let got = b.pull(0).expect("pulls");
    let ids = |kind: &str| -> Vec<u64> {
        got.entities.iter().filter(|(k, _)| k == kind).map(|(_, id)| *id).collect()
    };
    assert_eq!(ids("outage"), vec![outage.0]);
    assert!(ids("ticket").contains(&ticket.0), "{:?}", got.entities);
    assert_eq!(ids("crew").len(), 1, "the crew sent: {:?}", got.entities);
    outages.reload(&grid(), ids("outage").into_iter().map(OutageId)).expect("reloads");
    desk.reload(
        ids("ticket").into_iter().map(gridcare::workorder::TicketId),
        ids("crew").into_iter().map(gridcare::workorder::CrewId),
    )
    .expect("reloads");

    let fresh_outages = OutageBook::open(b.store.clone(), &grid()).expect("opens");
    let fresh_desk = RepairDesk::open(b.store.clone(), SlaPolicy::default()).expect("opens");
    assert_eq!(outages.list(true), fresh_outages.list(true));
    assert_eq!(outages.affected_customers(outage), fresh_outages.affected_customers(outage));
    assert_eq!(desk.tickets().collect::<Vec<_>>(), fresh_desk.tickets().collect::<Vec<_>>());
    assert_eq!(desk.crews().collect::<Vec<_>>(), fresh_desk.crews().collect::<Vec<_>>());
    assert_eq!(desk.queue(), fresh_desk.queue());
    assert!(desk.ticket(ticket).expect("there").crew.is_some());
    c.stop();
}
