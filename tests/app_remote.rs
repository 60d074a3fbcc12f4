//! The desktop app as a workstation on a server (`gridcare --server URL --token T`), driven
//! headless through egui_kittest against a `gridcare serve` started in this process on a
//! loopback port over the embedded demo city: an outage another workstation records appears
//! in the app's outage list by itself (the sync thread's long poll); a fault recorded in the
//! app goes to the server's store, authored by the app's operator, and a change without a
//! reason is refused on screen; a server that does not answer leaves the app on the map with
//! the "unreachable" indicator. Queries go through the AccessKit tree by label.
#![cfg(all(feature = "app", feature = "serve"))]

mod common;

/// Named `app` so that `cargo test app` runs these.
mod app {
    use std::path::PathBuf;
    use std::sync::{Arc, OnceLock};
    use std::time::{Duration, Instant};

    use super::common::*;
    use eframe::egui;
    use egui_kittest::kittest::{NodeT, Queryable};
    use egui_kittest::Harness;
    use gridcare::app::{
        AppOptions, Command, GridCareApp, Lang, PlanCommand, Selection, ServerOptions,
    };
    use gridcare::grid::{Grid, ModelSource};
    use gridcare::model::{DeviceRef, ElementRef, TransformerId};
    use gridcare::ops::Operation;
    use gridcare::outage::OutageBook;
    use gridcare::remote::{RemoteClient, Replica};
    use gridcare::server::{add_token, ServeConfig, Server};
    use gridcare::workorder::SlaPolicy;

    /// The fuse the tests trip.
    const FUSE: &str = "sect.zm02-1";

    /// The embedded demo city, loaded once for the servers.
    fn server_grid() -> Arc<Grid> {
        static GRID: OnceLock<Arc<Grid>> = OnceLock::new();
        GRID.get_or_init(|| Arc::new(Grid::load(&ModelSource::Embedded).expect("the demo city")))
            .clone()
    }

    /// The app's own copy of the same city (the app takes its grid by value).
    fn app_grid() -> Grid {
        Grid::load(&ModelSource::Embedded).expect("the demo city")
    }

    struct Centre {
        server: Server,
        base: String,
        operator: String,
        wechat: String,
        dirs: Vec<PathBuf>,
    }

    fn start(name: &str) -> Centre {
        let dir = temp_dir("remote", &format!("{name}-server"));
        let store = gridcare::open_store(&dir).expect("the store opens");
        let operator = add_token(&store, "operator", "调度台", "test").expect("a token").token;
        let wechat = add_token(&store, "wechat", "微信", "test").expect("a token").token;
        let config =
            ServeConfig { listen: "127.0.0.1:0".parse().expect("addr"), ..Default::default() };
        let server = Server::start(server_grid(), store, SlaPolicy::default(), config)
            .expect("the server starts");
        let base = format!("http://{}", server.addr());
        Centre { server, base, operator, wechat, dirs: vec![dir] }
    }

    impl Centre {
        fn client(&self) -> RemoteClient {
            RemoteClient::new(&self.base, &self.operator).expect("a client")
        }

        /// A second workstation's replica, caught up.
        fn workstation(&mut self, name: &str) -> Replica {
            let dir = temp_dir("remote", name);
            self.dirs.push(dir.clone());
            let r = Replica::connect(self.client(), &dir).expect("the replica opens");
            r.pull(0).expect("pulls");
            r
        }

        fn stop(self) {
            self.server.stop().expect("the server stops");
            for d in self.dirs {
                let _ = std::fs::remove_dir_all(d);
            }
        }
    }

    /// The app on the demo city, a workstation of the server at `url`, in English.
    fn app_on(url: &str, token: &str, dir: PathBuf) -> App {
        let server = Some(ServerOptions { url: url.into(), token: token.into() });
        let options =
            AppOptions { data_dir: Some(dir), lang: Some(Lang::En), server, ..Default::default() };
        let app = GridCareApp::new(&egui::Context::default(), app_grid(), options);
        let mut h = Harness::builder()
            .with_size(egui::vec2(1600.0, 1000.0))
            .with_max_steps(40)
            .with_context_setup(gridcare::app::install_fonts)
            .build_ui_state(|ui, app: &mut GridCareApp| app.ui(ui), app);
        h.run();
        h
    }

    /// Runs frames (with short sleeps) until `shown` holds, at most 10 s.
    fn run_until(h: &mut App, what: &str, shown: impl Fn(&App) -> bool) {
        run_within(h, 10, what, shown);
    }

    /// Runs frames (with short sleeps) until `shown` holds, at most `s` seconds.
    fn run_within(h: &mut App, s: u64, what: &str, shown: impl Fn(&App) -> bool) {
        let until = Instant::now() + Duration::from_secs(s);
        while Instant::now() < until {
            h.run();
            if shown(h) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{what} was not shown within {s} s: {:?}", all_labels(h));
    }

    #[test]
    fn an_outage_recorded_at_another_workstation_appears_in_the_list_by_itself() {
        let mut c = start("see");
        let app_dir = temp_dir("remote", "see-app");
        c.dirs.push(app_dir.clone());
        let mut h = app_on(&c.base, &c.operator, app_dir);
        assert!(h.state().notices().is_empty(), "{:?}", h.state().notices());
        assert!(h.state().is_remote());
        let synced = format!("Server {} · synced #", c.base);
        assert!(has_label_containing(&h, &synced), "no status line: {:?}", all_labels(&h));
        assert!(has_label(&h, "No open outages"), "{:?}", all_labels(&h));
        assert!(!has_label_containing(&h, FUSE));
        // the storm demo writes a local store: off on a server, and it says why
        let demo = h.get_by_label("Storm demo");
        assert!(demo.accesskit_node().is_disabled(), "the storm demo runs on a replica");
        // the operator is half-way through a fault of their own at a transformer
        let grid = h.state().grid().expect("the grid");
        let mine = (0..grid.model.transformers.len() as u32)
            .map(|t| DeviceRef::Element(ElementRef::Transformer(TransformerId(t))))
            .find(|d| !grid.trace(*d).affected_customers.is_empty())
            .expect("a transformer with customers");
        h.state_mut().send(Command::SelectDevice(mine));
        h.run();
        type_into(&mut h, "Cause of the fault", "half-typed cause");

        // Another workstation records a fault at the fuse, through the server.
        let reason = "10kV线路跳闸，故障巡线";
        let op = Operation::ReportFault { device: FUSE.into(), etr_s: None, reason: reason.into() };
        let done = c.client().execute("调度员李四", &op).expect("the server applies it");
        let outage = done.outcome.outage.expect("an outage");

        // The app shows it without anyone touching it: the row names the fuse.
        run_until(&mut h, "the other workstation's outage", |h| has_label_containing(h, FUSE));
        // the books were re-opened; the operator's selection and form were not touched
        assert!(
            matches!(h.state().selection(), Selection::Device { device, .. } if *device == mine)
        );
        assert!(
            all_labels(&h).iter().any(|l| l == "half-typed cause"),
            "the form was reset: {:?}",
            all_labels(&h)
        );
        assert!(has_label(&h, &format!("#{outage}")), "{:?}", all_labels(&h));
        assert!(has_label(&h, "Outages (1)"), "the top bar does not count it");
        let at = format!("synced #{}", done.position);
        run_until(&mut h, "the new position", |h| has_label_containing(h, &at));
        // its details read the replica's trajectory, with the other operator's reason
        h.get_by_label(&format!("#{outage}")).click();
        h.run();
        assert!(has_label(&h, &format!("reason: {reason}")), "{:?}", all_labels(&h));

        // A call taken at the other workstation: the app's ticket queue has it.
        assert!(has_label(&h, "Tickets (0)"), "{:?}", all_labels(&h));
        let account = {
            let g = server_grid();
            let trace = g.trace(g.resolve(FUSE).expect("the fuse"));
            let first = trace.affected_customers.first().copied().expect("customers");
            g.model.customers[first.index()].account_no.clone()
        };
        let call = Operation::TakeCall {
            caller: gridcare::workorder::Caller::Number(account.clone()),
            channel: gridcare::workorder::Channel::Phone,
            description: "家里停电了".into(),
            phone: None,
        };
        c.client().execute("调度员李四", &call).expect("the call is taken");
        run_until(&mut h, "the other workstation's ticket", |h| has_label(h, "Tickets (1)"));

        // An angry WeChat message at the server: the alert pops up in the app.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let body = serde_json::json!({
            "channel": "wechat",
            "customer": {"account": account},
            "text": "停电三天了还不来修，我要投诉到12398！",
        });
        let sent = reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/messages", c.base))
            .bearer_auth(&c.wechat)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .expect("sent");
        assert!(sent.status().is_success(), "{}", sent.status());
        run_until(&mut h, "the alert", |h| has_label(h, "Alerts (1)"));
        assert!(has_label(&h, "Sensitive-word alert 1"), "no pop-up: {:?}", all_labels(&h));
        drop(h);
        c.stop();
    }

    #[test]
    fn a_fault_recorded_in_the_app_is_recorded_by_the_server_for_its_operator() {
        let mut c = start("write");
        let app_dir = temp_dir("remote", "write-app");
        c.dirs.push(app_dir.clone());
        let mut h = app_on(&c.base, &c.operator, app_dir);
        let fuse = h.state().grid().expect("the grid").resolve(FUSE).expect("the fuse");
        h.state_mut().send(Command::SelectDevice(fuse));
        h.run();
        type_into(&mut h, "Cause of the fault", "tree on the line");
        h.get_by_label("Record a fault outage").click();
        h.run();
        // the app selects the new outage at once: the replica pulled it after the write
        let id = h.state().selected_outage().expect("the new outage is selected");
        assert!(has_label(&h, &format!("#{id}")), "{:?}", all_labels(&h));
        assert!(has_label(&h, "Outages (1)"));

        // The server's store has it, authored by the app's operator.
        let other = c.workstation("write-other");
        let book = OutageBook::open(other.store.clone(), &server_grid()).expect("opens");
        let o = book.get(id).expect("the server has the app's outage");
        assert_eq!(o.reason, "tree on the line");
        let trail = book.trajectory(id).expect("its changes");
        let me = format!("{} (operator#", gridcare::store::default_author());
        assert!(trail[0].author.starts_with(&me), "{:?} is not {me}…", trail[0].author);

        // A change without a reason: the server refuses it and the app says so.
        h.get_by_label("Cancel the outage").click();
        h.run();
        assert!(h.query_by_label_contains("needs a reason").is_some(), "{:?}", all_labels(&h));
        // restored with a reason: the app shows the server's answer
        type_into(&mut h, "Reason for the change", "line cleared");
        h.get_by_label("Restore supply").click();
        h.run();
        assert!(has_label(&h, "No open outages"), "{:?}", all_labels(&h));
        other.pull(0).expect("pulls");
        let book = OutageBook::open(other.store.clone(), &server_grid()).expect("opens");
        let o = book.get(id).expect("there");
        assert_eq!(o.lifecycle, gridcare::outage::Lifecycle::Restored);

        // Planning writes are the replica's to refuse, and the planner reads why.
        click(&mut h, "Planning");
        for cmd in [PlanCommand::New, PlanCommand::AddDevice("sect.sw01-2".into())] {
            h.state_mut().send(Command::Plan(cmd));
            h.run();
        }
        let save = PlanCommand::Save {
            name: "sw01 检修".into(),
            reason: "杆塔更换".into(),
            author: "planner".into(),
        };
        h.state_mut().send(Command::Plan(save));
        h.run();
        let refused = "A workstation on a server cannot change planning scenarios: ";
        assert!(has_label_containing(&h, refused), "{:?}", all_labels(&h));
        assert!(has_label_containing(&h, "the scenario change goes to the server"));
        assert!(h.state().scenarios().is_empty());
        drop(h);
        c.stop();
    }

    #[test]
    fn a_server_that_does_not_answer_leaves_the_map_says_so_and_is_connected_once_up() {
        // a port just bound and released: nothing listens there yet
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let url = format!("http://127.0.0.1:{port}");
        // the server's store and the operator's token exist; the server is not started
        let server_dir = temp_dir("remote", "down-server");
        let store = gridcare::open_store(&server_dir).expect("the store opens");
        let token = add_token(&store, "operator", "调度台", "test").expect("a token").token;
        let dir = temp_dir("remote", "down-app");
        let mut h = app_on(&url, &token, dir.clone());
        // the map works
        assert!(h.state().grid().is_some());
        assert!(has_label_containing(&h, "customers"), "{:?}", all_labels(&h));
        // the indicator and the notice name the server
        run_until(&mut h, "the unreachable indicator", |h| {
            has_label_containing(h, "Server unreachable: ")
        });
        assert!(has_label_containing(&h, &format!("127.0.0.1:{port}")));
        let notices = h.state().notices().join(" | ");
        assert!(notices.contains(&format!("Could not connect to the server {url}: ")), "{notices}");
        // nothing is opened instead: no local store in place of the server's
        assert!(h.state().outages().is_none());
        assert!(!dir.join(gridcare::app::STORE_DIR).exists(), "a local store was opened");
        // in Chinese
        h.get_by_label("中文").click();
        h.run();
        assert!(has_label_containing(&h, "服务器不可达："), "{:?}", all_labels(&h));

        // The server comes up on that port: the app connects by itself (it kept trying) and
        // opens the books on the replica.
        let config = ServeConfig {
            listen: format!("127.0.0.1:{port}").parse().expect("addr"),
            ..Default::default()
        };
        let server = Server::start(server_grid(), store, SlaPolicy::default(), config)
            .expect("the server starts");
        run_within(&mut h, 40, "the connection", |h| has_label_containing(h, "已同步 #"));
        assert!(h.state().outages().is_some(), "the books are not open");
        assert!(h.state().notices().iter().all(|n| !n.contains(&url)), "{:?}", h.state().notices());
        drop(h);
        server.stop().expect("the server stops");
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::remove_dir_all(server_dir);
    }
}
