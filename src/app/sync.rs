//! A workstation on a server (`gridcare --server URL --token T`): the app reads a replica of
//! the server's store ([`crate::remote::Replica`], in `DATA/replicas/<store id>/`) with the same
//! books the embedded app opens on its own store, and sends its writes to the server
//! (`ops_run.rs`).
//!
//! * At load the replica is connected and pulled until caught up before the books open on it;
//!   a server that does not answer leaves the app running on the map alone, with a notice
//!   naming the server and the error, while the sync thread keeps trying.
//! * The sync thread long-polls the server's change feed ([`Replica::pull`] with
//!   [`POLL_WAIT_S`]) and tells the UI thread what it imported; after an error it tries again
//!   after 1 s, 2 s, 4 s, 8 s, then every 15 s.
//! * On the UI thread, a change of outages, tickets or crews re-opens the outage book and the
//!   repair desk on the replica (their in-memory caches) and invalidates what was built from
//!   them; what reads the store itself (alerts, dashboard, planning) follows the store's
//!   revision on its own. The operator's selection and forms are left as they are.
//! * The status bar says where the replica stands: "Server … · synced #1234", or "Server
//!   unreachable: …" when the last request failed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use eframe::egui;

use crate::grid::Grid;
use crate::outage::Outage;
use crate::remote::{RemoteClient, RemoteError, Replica, POLL_WAIT_S};
use crate::store::{Aggregate, Imported};
use crate::workorder::{Crew, Ticket};

use super::i18n::{tr, trf, Lang, T};
use super::GridCareApp;

/// The server the app connects to (`--server URL --token T`).
#[derive(Clone, PartialEq, Eq)]
pub struct ServerOptions {
    /// The server's address, `http://host:port`.
    pub url: String,
    /// An operator token of the server (`gridcare serve token add --channel operator`).
    pub token: String,
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // the token is a password: never in a log
        f.debug_struct("ServerOptions").field("url", &self.url).field("token", &"…").finish()
    }
}

/// The longest back-off between two failed requests, s.
pub const MAX_BACKOFF_S: u64 = 15;

/// Where the replica stands, as the status bar says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncStatus {
    /// Not connected yet (the first request is on its way).
    Connecting,
    /// The last request answered: the replica is at this feed position.
    Synced {
        /// The replica's position in the server's feed.
        position: u64,
    },
    /// The last request had no answer (refused, unreachable, timed out); the sync thread
    /// tries again.
    Unreachable {
        /// Why, as the network said it (`Connection refused (os error 111)`).
        error: String,
    },
    /// The server answered the last request with an error (a token it does not know: 401);
    /// the sync thread tries again.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The server's message.
        error: String,
    },
    /// Anything else failed (the address, the answer, the local replica).
    Failed {
        /// Why.
        error: String,
    },
}

impl SyncStatus {
    /// The status after a failed request.
    pub fn failed(e: &RemoteError) -> SyncStatus {
        match e {
            // the network's own words, without the request's URL and the client's layers
            RemoteError::Unreachable { message, .. } => SyncStatus::Unreachable {
                error: message.rsplit(": ").next().unwrap_or(message).to_string(),
            },
            RemoteError::Status { status, message, .. } => {
                SyncStatus::Refused { status: *status, error: message.clone() }
            }
            e => SyncStatus::Failed { error: e.to_string() },
        }
    }

    /// Why the last request failed, short (`None`: it did not).
    pub fn reason(&self) -> Option<String> {
        match self {
            SyncStatus::Connecting | SyncStatus::Synced { .. } => None,
            SyncStatus::Unreachable { error } | SyncStatus::Failed { error } => Some(error.clone()),
            SyncStatus::Refused { status, error } => Some(format!("HTTP {status}: {error}")),
        }
    }
}

/// What the sync thread tells the UI thread.
enum SyncMsg {
    /// It connected (the load could not): the replica, pulled until caught up.
    Connected(Arc<Replica>),
    /// It imported changes (or answered again after a failure).
    Pulled(Imported),
    /// A request failed: the status that says why.
    Failed(SyncStatus),
}

/// What the app holds of its server.
pub struct SyncRes {
    /// The server's address as given.
    pub url: String,
    client: Result<RemoteClient, String>,
    /// The replica, once connected.
    pub replica: Option<Arc<Replica>>,
    /// Where it stands.
    pub status: SyncStatus,
    rx: Option<mpsc::Receiver<SyncMsg>>,
    stop: Arc<AtomicBool>,
    /// Outages, tickets or crews changed: the books are re-opened as soon as they are here
    /// (not lent to the planning workspace's publication).
    stale: bool,
    /// Outages, tickets and crews (kind, id) pulled since the books last read them: re-read
    /// one by one ([`GridCareApp::refresh_books`]), not the whole store.
    changed: std::collections::BTreeSet<(String, u64)>,
    /// The notice that the server did not answer at start, taken back once it does.
    start_notice: Option<String>,
    repaint: egui::Context,
}

impl SyncRes {
    /// The server of `options`; nothing is sent yet. A bad address or token is kept as the
    /// status (the app never falls back to a local store).
    pub fn new(options: &ServerOptions, repaint: &egui::Context) -> SyncRes {
        let client = RemoteClient::new(&options.url, &options.token).map_err(|e| e.to_string());
        let status = match &client {
            Ok(_) => SyncStatus::Connecting,
            Err(e) => SyncStatus::Failed { error: e.clone() },
        };
        SyncRes {
            url: options.url.trim().trim_end_matches('/').to_string(),
            client,
            replica: None,
            status,
            rx: None,
            stop: Arc::new(AtomicBool::new(false)),
            stale: false,
            changed: std::collections::BTreeSet::new(),
            start_notice: None,
            repaint: repaint.clone(),
        }
    }

    /// The client, when the address and token are usable.
    pub fn client(&self) -> Result<&RemoteClient, String> {
        self.client.as_ref().map_err(String::clone)
    }

    /// Starts the sync thread with the replica the load connected (or `None`: the thread
    /// connects). Once only.
    fn start(&mut self, data_dir: &Path, replica: Option<Arc<Replica>>) {
        let Ok(client) = self.client.clone() else { return };
        if self.rx.is_some() {
            return;
        }
        if let Some(r) = &replica {
            self.status = match r.position() {
                Ok(position) => SyncStatus::Synced { position },
                Err(e) => SyncStatus::failed(&e),
            };
        }
        self.replica = replica.clone();
        let (tx, rx) = mpsc::channel();
        let thread = SyncThread {
            client,
            data_dir: data_dir.to_path_buf(),
            replica,
            tx,
            repaint: self.repaint.clone(),
            stop: self.stop.clone(),
        };
        let spawned =
            std::thread::Builder::new().name("gridcare-sync".into()).spawn(move || thread.run());
        match spawned {
            Ok(_) => self.rx = Some(rx),
            Err(e) => self.status = SyncStatus::Failed { error: e.to_string() },
        }
    }

    /// Asks the sync thread to end (it does after its request in flight).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// The status line: its text and whether it warns.
    pub fn status_text(&self, lang: Lang) -> (String, bool) {
        match &self.status {
            SyncStatus::Connecting => (trf(lang, T::SyncConnecting, &[&self.url]), false),
            SyncStatus::Synced { position } => {
                (trf(lang, T::SyncSynced, &[&self.url, &position.to_string()]), false)
            }
            SyncStatus::Unreachable { error } => {
                (trf(lang, T::SyncUnreachable, &[&self.url, error]), true)
            }
            SyncStatus::Refused { status, error } => {
                (trf(lang, T::SyncRefused, &[&self.url, &status.to_string(), error]), true)
            }
            SyncStatus::Failed { error } => (trf(lang, T::SyncFailed, &[error]), true),
        }
    }
}

impl Drop for SyncRes {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Connects a replica in `data_dir` and pulls it until caught up.
pub fn connect(client: &RemoteClient, data_dir: &Path) -> Result<Arc<Replica>, RemoteError> {
    let replica = Replica::connect(client.clone(), data_dir)?;
    replica.pull(0)?;
    Ok(Arc::new(replica))
}

/// At load: the replica and the books on it, or why not. `Err` of the first: the server did
/// not answer (the books are not open then).
pub(super) fn open_remote(
    client: &RemoteClient,
    data_dir: &Path,
    grid: &Grid,
) -> (Result<Arc<Replica>, SyncStatus>, super::Books) {
    match connect(client, data_dir) {
        Ok(r) => {
            let books = super::outages::open_books_on(r.store.clone(), grid);
            (Ok(r), books)
        }
        Err(e) => (Err(SyncStatus::failed(&e)), Err(e.to_string())),
    }
}

struct SyncThread {
    client: RemoteClient,
    data_dir: PathBuf,
    replica: Option<Arc<Replica>>,
    tx: mpsc::Sender<SyncMsg>,
    repaint: egui::Context,
    stop: Arc<AtomicBool>,
}

impl SyncThread {
    /// Tells the UI thread; false when the app is gone.
    fn tell(&self, msg: SyncMsg) -> bool {
        let sent = self.tx.send(msg).is_ok();
        self.repaint.request_repaint();
        sent
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Sleeps `s` seconds, or less when told to stop.
    fn back_off(&self, s: u64) {
        let until = std::time::Instant::now() + Duration::from_secs(s);
        while std::time::Instant::now() < until && !self.stopped() {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn run(mut self) {
        let mut backoff = 1;
        let mut failing = false;
        while !self.stopped() {
            let replica = match &self.replica {
                Some(r) => r.clone(),
                None => match connect(&self.client, &self.data_dir) {
                    Ok(r) => {
                        self.replica = Some(r.clone());
                        (backoff, failing) = (1, false);
                        if !self.tell(SyncMsg::Connected(r)) {
                            return;
                        }
                        continue;
                    }
                    Err(e) => {
                        if !self.tell(SyncMsg::Failed(SyncStatus::failed(&e))) {
                            return;
                        }
                        self.back_off(backoff);
                        backoff = (backoff * 2).min(MAX_BACKOFF_S);
                        continue;
                    }
                },
            };
            match replica.pull(POLL_WAIT_S) {
                Ok(got) => {
                    backoff = 1;
                    if (got.events > 0 || std::mem::take(&mut failing))
                        && !self.tell(SyncMsg::Pulled(got))
                    {
                        return;
                    }
                }
                Err(e) => {
                    failing = true;
                    if !self.tell(SyncMsg::Failed(SyncStatus::failed(&e))) {
                        return;
                    }
                    self.back_off(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF_S);
                }
            }
        }
    }
}

/// The entities of a pull that the outage book or the repair desk keep.
fn book_entities(
    entities: std::collections::BTreeSet<(String, u64)>,
) -> impl Iterator<Item = (String, u64)> {
    entities
        .into_iter()
        .filter(|(k, _)| [Outage::KIND, Ticket::KIND, Crew::KIND].contains(&k.as_str()))
}

impl GridCareApp {
    /// True when the app is a workstation on a server.
    pub fn is_remote(&self) -> bool {
        self.res.sync.is_some()
    }

    /// Where the replica stands (`None`: embedded).
    pub fn sync_status(&self) -> Option<&SyncStatus> {
        self.res.sync.as_ref().map(|s| &s.status)
    }

    /// Once the grid is installed: starts the sync thread with the replica the load
    /// connected, or says that the server did not answer (the thread keeps trying).
    pub(super) fn start_sync(&mut self, replica: super::Connected) {
        let lang = self.state.lang;
        let dir = self.res.data_dir.clone();
        let Some(sync) = self.res.sync.as_mut() else { return };
        match replica {
            Some(Ok(r)) => sync.start(&dir, Some(r)),
            Some(Err(status)) => {
                let why = status.reason().unwrap_or_default();
                let notice = trf(lang, T::ServerUnreachableAtStart, &[&sync.url, &why]);
                sync.start_notice = Some(notice.clone());
                self.session.notices.push(notice);
                sync.status = status;
                sync.start(&dir, None);
            }
            None => sync.start(&dir, None),
        }
    }

    /// Takes what the sync thread says, once a frame before anything reads the books.
    pub(super) fn poll_sync(&mut self, now_wall_s: f64) {
        let Some(sync) = self.res.sync.as_mut() else { return };
        let mut connected = false;
        if let Some(rx) = &sync.rx {
            while let Ok(msg) = rx.try_recv() {
                match msg {
                    SyncMsg::Connected(r) => {
                        sync.status = match r.position() {
                            Ok(position) => SyncStatus::Synced { position },
                            Err(e) => SyncStatus::failed(&e),
                        };
                        sync.replica = Some(r.clone());
                        sync.stale = true;
                        connected = true;
                    }
                    SyncMsg::Pulled(got) => {
                        sync.status = SyncStatus::Synced { position: got.position };
                        sync.changed.extend(book_entities(got.entities));
                    }
                    SyncMsg::Failed(status) => sync.status = status,
                }
            }
        }
        if let Some(notice) = connected.then(|| sync.start_notice.take()).flatten() {
            // the notice of the failed start is no longer true
            self.session.notices.retain(|n| *n != notice);
        }
        self.reopen_books_if_stale(now_wall_s);
    }

    fn reopen_books_if_stale(&mut self, now_wall_s: f64) {
        let Some(sync) = self.res.sync.as_ref() else { return };
        // a publication holds the outage book: read again once it is back
        if self.res.plan.publishing() {
            return;
        }
        if sync.stale || (self.res.repairs.is_none() && !sync.changed.is_empty()) {
            self.reopen_books(now_wall_s);
        } else if !sync.changed.is_empty() {
            self.refresh_books(now_wall_s);
        }
    }

    /// Re-reads the outages, tickets and crews pulled since the books last read them (one
    /// store read each, not the whole store: a storm's messages arrive every second) and
    /// rebuilds what is drawn of them.
    pub(super) fn refresh_books(&mut self, now_wall_s: f64) {
        let Some(sync) = self.res.sync.as_mut() else { return };
        let changed = std::mem::take(&mut sync.changed);
        let (Some(grid), Some(book), Some(desk)) =
            (self.res.grid.as_ref(), self.res.outages.as_mut(), self.res.repairs.as_mut())
        else {
            return;
        };
        let ids = |kind: &str| {
            changed.iter().filter(move |(k, _)| k == kind).map(|(_, id)| *id).collect::<Vec<_>>()
        };
        let outages = ids(Outage::KIND).into_iter().map(crate::outage::OutageId);
        let tickets = ids(Ticket::KIND).into_iter().map(crate::workorder::TicketId);
        let crews = ids(Crew::KIND).into_iter().map(crate::workorder::CrewId);
        let read = book.reload(grid, outages).map_err(|e| e.to_string());
        let read = read.and_then(|()| desk.reload(tickets, crews).map_err(|e| e.to_string()));
        if read.is_err() {
            // read everything again next frame
            sync.stale = true;
        }
        self.books_read(read, now_wall_s);
    }

    /// After the books were read again: what is drawn of them is rebuilt, or the operator
    /// told why they could not be read.
    fn books_read(&mut self, read: Result<(), String>, now_wall_s: f64) {
        if let Err(e) = read {
            let msg = format!("{}: {e}", tr(self.state.lang, T::StoreUnavailable));
            if !self.session.notices.contains(&msg) {
                self.session.notices.push(msg);
            }
            return;
        }
        // built from the old books at a revision the import had already moved: build again
        self.res.predicted.invalidate();
        self.res.c360.invalidate();
        self.refresh_outages();
        self.refresh_repairs(now_wall_s);
    }

    /// Re-opens the outage book and the repair desk on the replica (they cache what they
    /// read) and rebuilds what is drawn of them; the selection and the forms stay.
    pub(super) fn reopen_books(&mut self, now_wall_s: f64) {
        let Some(sync) = self.res.sync.as_mut() else { return };
        let (Some(grid), Some(replica)) = (self.res.grid.as_ref(), sync.replica.as_ref()) else {
            return;
        };
        sync.stale = false;
        sync.changed.clear();
        let read = match super::outages::open_books_on(replica.store.clone(), grid) {
            Ok((book, desk)) => {
                if self.res.repairs.is_none() {
                    self.install_books(book, desk);
                } else {
                    self.res.outages = Some(book);
                    self.res.repairs = Some(desk);
                }
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        };
        self.books_read(read, now_wall_s);
    }

    /// A workstation's write: the server applies it, the replica pulls it at once (so that
    /// the new outage or ticket is here for the caller to select), the books are re-opened.
    pub(super) fn run_remote_op(
        &mut self,
        op: &crate::ops::Operation,
        author: &str,
    ) -> Result<crate::ops::OpOutcome, crate::ops::OpError> {
        use crate::ops::OpError;
        let Some(sync) = self.res.sync.as_mut() else {
            return Err(OpError::Unavailable("not connected to a server".into()));
        };
        let Some(replica) = sync.replica.clone() else {
            let why = match sync.status.reason() {
                Some(why) => format!("server {}: {why}", sync.url),
                None => format!("server {}: not connected yet", sync.url),
            };
            return Err(OpError::Remote { status: None, message: why });
        };
        let done = replica.client.execute(author, op).map_err(op_error)?;
        // the change is on the server; until the replica has it the books do not show it
        for _ in 0..5 {
            match replica.pull(0) {
                Ok(got) => {
                    sync.status = SyncStatus::Synced { position: got.position };
                    if got.position >= done.position {
                        break;
                    }
                }
                Err(e) => {
                    sync.status = SyncStatus::failed(&e);
                    break;
                }
            }
        }
        // read the books whole: the sync thread may have imported this change first and its
        // word of it still be on its way (an operator's write is rare; the pulls between are
        // read entity by entity)
        let now = self.res.repair_built_at;
        self.reopen_books(now);
        Ok(done.outcome)
    }
}

/// A server's refusal as the app's operation error: the common refusal the app says in the
/// operator's language (a change without a reason) keeps its type, the others are the
/// server's message with its status.
fn op_error(e: RemoteError) -> crate::ops::OpError {
    use crate::ops::OpError;
    use crate::outage::OutageError;
    match e {
        RemoteError::Status { status: 400, message, .. }
            if message == OutageError::MissingReason.to_string() =>
        {
            OpError::Outage(OutageError::MissingReason)
        }
        RemoteError::Status { status, message, .. } => {
            OpError::Remote { status: Some(status), message }
        }
        e => OpError::Remote { status: None, message: e.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_not_in_the_debug_text() {
        let o = ServerOptions { url: "http://127.0.0.1:8598".into(), token: "s3cr3t".into() };
        let text = format!("{o:?}");
        assert!(text.contains("127.0.0.1:8598") && !text.contains("s3cr3t"), "{text}");
    }

    #[test]
    fn a_refusal_keeps_the_servers_status_and_message() {
        let e = op_error(RemoteError::Status {
            url: "http://h/api/v1/ops".into(),
            status: 409,
            message: "outage 3: restored".into(),
        });
        assert_eq!(e.http_status(), 409);
        assert_eq!(e.to_string(), "outage 3: restored");
        let reason = crate::outage::OutageError::MissingReason.to_string();
        let e = op_error(RemoteError::Status { url: "u".into(), status: 400, message: reason });
        assert!(matches!(
            e,
            crate::ops::OpError::Outage(crate::outage::OutageError::MissingReason)
        ));
        let e =
            op_error(RemoteError::Unreachable { url: "http://h/x".into(), message: "no".into() });
        assert_eq!(e.http_status(), 502);
        assert!(e.to_string().contains("http://h/x"), "{e}");
    }

    #[test]
    fn the_status_line_says_the_networks_words_or_the_servers_refusal() {
        let sync = |status| {
            let options = ServerOptions { url: "http://10.1.2.3:8598/".into(), token: "t".into() };
            let mut s = SyncRes::new(&options, &egui::Context::default());
            s.status = status;
            s
        };
        let refused = RemoteError::Unreachable {
            url: "http://10.1.2.3:8598/api/v1/feed?after=0".into(),
            message: "error sending request for url (http://10.1.2.3:8598/api/v1/feed?after=0): \
                      client error (Connect): tcp connect error: Connection refused (os error 111)"
                .into(),
        };
        let (text, warns) = sync(SyncStatus::failed(&refused)).status_text(Lang::En);
        assert!(warns);
        assert_eq!(
            text,
            "Server unreachable: http://10.1.2.3:8598 (Connection refused (os error 111))"
        );
        let e =
            RemoteError::Status { url: "u".into(), status: 401, message: "unknown token".into() };
        let (text, _) = sync(SyncStatus::failed(&e)).status_text(Lang::Zh);
        assert_eq!(text, "服务器 http://10.1.2.3:8598 拒绝请求：HTTP 401：unknown token");
        let (text, warns) = sync(SyncStatus::Synced { position: 1234 }).status_text(Lang::Zh);
        assert_eq!((text.as_str(), warns), ("服务器 http://10.1.2.3:8598 · 已同步 #1234", false));
    }

    #[test]
    fn outages_tickets_and_crews_move_the_books_alerts_do_not() {
        let pulled = |k: &[(&str, u64)]| k.iter().map(|(s, id)| (s.to_string(), *id)).collect();
        let kept: Vec<_> = book_entities(pulled(&[
            ("alert", 1),
            ("ticket", 7),
            ("crew", 2),
            ("outage", 3),
            ("outbox", 9),
            ("scenario", 1),
        ]))
        .collect();
        let want = [("crew", 2), ("outage", 3), ("ticket", 7)];
        assert_eq!(kept, want.map(|(k, id)| (k.to_string(), id)).to_vec());
    }
}
