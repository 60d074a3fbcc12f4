//! Sensitive-word alerts (敏感词预警) and the customer 360 window (客户全景) of the desktop
//! app, driven headless through egui_kittest: a message with a sensitive word raised in the
//! app's store pops up with its text, words and customer; the operator acknowledges, assigns
//! and resolves it with a note, and the store has each step with its author; a resolution
//! without a note is refused on screen and records nothing; the list of open alerts puts the
//! most severe first; the wall screen masks the customer and offers no buttons; the customer
//! 360 window of a customer with an outage and a ticket shows both and the timeline; the
//! Chinese UI reads in Chinese. Queries go through the AccessKit tree by label.
#![cfg(feature = "app")]

mod common;

/// Named `app` so that `cargo test app` runs these.
mod app {
    use std::sync::Arc;

    use super::common::{self, *};
    use egui_kittest::kittest::Queryable;
    use gridcare::app::{Command, Customer360Command};
    use gridcare::channels::alert::{Alert, AlertBook, AlertId, AlertStatus};
    use gridcare::channels::outbox::{Channel as OutboxChannel, MessageKind, NewMessage, Outbox};
    use gridcare::grid::Grid;
    use gridcare::model::{CustomerId, DeviceRef, ElementRef};
    use gridcare::workorder::{Caller, Channel};

    const HAZARD: &str = "楼下电线掉落了还在冒火花，你们再不来我就投诉";

    fn harness_on(grid: Grid, name: &str) -> App {
        common::harness_in(grid, common::temp_dir("alerts", name))
    }

    /// The alerts of the app's own store (the same `Arc<Store>`, not a second open).
    fn alert_book(h: &App) -> AlertBook {
        let store = h.state().repairs().expect("the store is open").store().clone();
        AlertBook::open(Arc::clone(&store)).expect("the lexicon")
    }

    /// A supplied customer with a name and a transformer: id, account, name.
    fn customer(grid: &Grid) -> (CustomerId, String, String) {
        let c = (500..grid.model.customers.len())
            .map(|i| CustomerId(i as u32))
            .find(|c| {
                let cu = &grid.model.customers[c.index()];
                cu.transformer.is_some()
                    && !cu.display_name.is_empty()
                    && grid.customer_card(*c).is_some_and(|k| k.energised)
            })
            .expect("a supplied customer");
        let cu = &grid.model.customers[c.index()];
        (c, cu.account_no.clone(), cu.display_name.clone())
    }

    fn raise(h: &mut App, text: &str, account: Option<&str>) -> Alert {
        let a = alert_book(h)
            .raise_if_sensitive(text, "wechat", account, "channels")
            .expect("raised")
            .expect("a sensitive word");
        h.run();
        a
    }

    /// Runs frames until the customer 360 window's worker has answered.
    fn settle_360(h: &mut App) {
        for _ in 0..500 {
            h.run();
            if h.state().customer_360_view().is_some() && !h.state().customer_360_reading() {
                h.run();
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the customer 360 view was not built in 5 s");
    }

    fn stored(h: &App, id: AlertId) -> Alert {
        alert_book(h).get(id).expect("read").expect("the alert")
    }

    #[test]
    fn a_raised_alert_pops_up_and_is_acknowledged_assigned_and_resolved_step_by_step() {
        let grid = small_city();
        let (_, acc, name) = customer(&grid);
        let mut h = harness_on(grid, "steps");
        assert!(has_label(&h, "Alerts (0)"));
        assert!(!has_label(&h, "Sensitive-word alert 1"), "a pop-up before any alert");

        let a = raise(&mut h, HAZARD, Some(&acc));
        // the pop-up: the message, the words found, the customer, channel, severity, categories
        assert!(has_label(&h, "Sensitive-word alert 1"), "no pop-up: {:?}", all_labels(&h));
        assert_eq!(h.state().alert_popup(), Some(a.id));
        assert!(has_label(&h, HAZARD), "the message is not shown");
        assert!(has_label(&h, "电线掉落, 冒火花, 投诉"), "the words are not shown");
        assert!(has_label(&h, &format!("{acc} {name}")), "the customer is not shown");
        assert!(has_label(&h, "WeChat"));
        assert!(has_label_containing(&h, "critical"));
        assert!(has_label(&h, "safety hazard, complaint threat"), "no categories");
        assert!(has_label(&h, "Alerts (1)"), "the top bar does not count the alert");

        let me = gridcare::store::default_author();
        click(&mut h, "Acknowledge");
        assert!(has_label(&h, "Alert 1 acknowledged"), "{:?}", all_labels(&h));
        assert!(has_label_containing(&h, &format!("acknowledged by {me} at ")));
        let s = stored(&h, a.id);
        assert_eq!(
            (s.status, s.acknowledged.map(|x| x.by)),
            (AlertStatus::Acknowledged, Some(me.clone()))
        );

        type_into(&mut h, "Assign to", "王班长");
        click(&mut h, "Assign");
        assert!(has_label(&h, "Alert 1 assigned to 王班长"), "{:?}", all_labels(&h));
        assert!(has_label_containing(&h, &format!("assigned to 王班长 by {me} at ")));
        assert_eq!(stored(&h, a.id).assigned_to.as_deref(), Some("王班长"));

        type_into(&mut h, "Resolution note", "回访客户，已说明抢修进度");
        click(&mut h, "Resolve");
        assert!(has_label(&h, "Alert 1 resolved"), "{:?}", all_labels(&h));
        assert!(has_label_containing(&h, "回访客户，已说明抢修进度"));
        assert!(has_label(&h, "Alerts (0)"), "a resolved alert is still counted open");
        let s = stored(&h, a.id);
        assert_eq!(s.status, AlertStatus::Resolved);
        assert_eq!(s.resolution_note.as_deref(), Some("回访客户，已说明抢修进度"));
        let steps: Vec<(String, String)> = alert_book(&h)
            .history(a.id)
            .expect("history")
            .iter()
            .map(|r| (r.event.as_str().to_string(), r.author.clone()))
            .collect();
        let want =
            [("raised", "channels"), ("acknowledged", &me), ("assigned", &me), ("resolved", &me)];
        let want: Vec<(String, String)> =
            want.iter().map(|(e, a)| (e.to_string(), a.to_string())).collect();
        assert_eq!(steps, want);
        // closing the resolved alert's window leaves nothing popped up
        click(&mut h, "Close");
        assert!(!has_label(&h, "Sensitive-word alert 1"));
    }

    #[test]
    fn a_resolution_without_a_note_is_refused_on_screen_and_records_nothing() {
        let grid = small_city();
        let (_, acc, _) = customer(&grid);
        let mut h = harness_on(grid, "no-note");
        let a = raise(&mut h, "我要找记者曝光你们", Some(&acc));
        click(&mut h, "Resolve");
        let refusal = "Say what was done: resolving needs a note";
        assert!(has_label(&h, refusal), "no refusal shown: {:?}", all_labels(&h));
        type_into(&mut h, "Resolution note", "   ");
        click(&mut h, "Resolve");
        assert!(has_label(&h, refusal));
        assert!(!has_label(&h, "Alert 1 resolved"));
        assert_eq!(stored(&h, a.id).status, AlertStatus::Raised);
        assert_eq!(alert_book(&h).history(a.id).expect("history").len(), 1, "a step was recorded");
        // and an assignment needs a name
        click(&mut h, "Assign");
        assert!(has_label(&h, "Name the person to assign it to"));
        assert_eq!(stored(&h, a.id).status, AlertStatus::Raised);
    }

    #[test]
    fn the_most_severe_new_alert_pops_up_first_and_the_list_orders_them_by_severity() {
        let grid = small_city();
        let mut h = harness_on(grid, "order");
        let abuse = raise(&mut h, "你们这帮饭桶", None);
        assert!(has_label(&h, "Sensitive-word alert 1"));
        click(&mut h, "Later");
        assert!(!has_label(&h, "Sensitive-word alert 1"), "put off, but still shown");
        let hazard = raise(&mut h, "变压器冒烟了", None);
        assert_eq!(h.state().alert_popup(), Some(hazard.id), "the new alert does not pop up");
        assert!(has_label(&h, "Sensitive-word alert 2"));
        assert!(has_label(&h, "no account given"));
        // the list: both open, the critical one first; a row opens its alert
        click(&mut h, "Alerts (2)");
        assert!(has_label(&h, "Open sensitive-word alerts"));
        let labels = all_labels(&h);
        let row = |id: AlertId| {
            labels.iter().position(|l| l.starts_with(&format!("#{id} "))).expect("a row")
        };
        assert!(row(hazard.id) < row(abuse.id), "the critical alert is not first: {labels:?}");
        let abuse_row = labels[row(abuse.id)].clone();
        click(&mut h, &abuse_row);
        assert_eq!(h.state().alert_popup(), Some(abuse.id));
        assert!(has_label(&h, "Sensitive-word alert 1"));
        assert!(has_label(&h, "饭桶"));
    }

    #[test]
    fn on_the_wall_screen_the_alert_masks_the_customer_and_offers_no_buttons() {
        let grid = small_city();
        let (_, acc, name) = customer(&grid);
        let mut h = harness_on(grid, "wall");
        h.state_mut().send(Command::SetWall(true));
        h.run();
        raise(&mut h, HAZARD, Some(&acc));
        assert!(has_label(&h, "Sensitive-word alert 1"), "{:?}", all_labels(&h));
        assert!(has_label(&h, HAZARD));
        let masked = gridcare::app::mask_name(&name);
        assert_ne!(masked, name);
        assert!(has_label(&h, &format!("{acc} {masked}")), "{:?}", all_labels(&h));
        assert!(!has_label_containing(&h, &name), "the name is shown on the wall");
        assert!(!has_label(&h, "Acknowledge") && !has_label(&h, "Resolve"));
    }

    /// A fault at the customer's transformer, then a call from the customer.
    fn outage_and_call(h: &mut App, c: CustomerId, account: &str) {
        let xf = h.state().grid().expect("grid").model.customers[c.index()].transformer;
        let device = DeviceRef::Element(ElementRef::Transformer(xf.expect("a transformer")));
        let author = "李坐席".to_string();
        h.state_mut().send(Command::ReportFault {
            device,
            etr_s: None,
            reason: "配变跌落式熔断器熔断".into(),
            author: author.clone(),
        });
        h.run();
        h.state_mut().send(Command::TakeCall {
            caller: Caller::Number(account.to_string()),
            channel: Channel::Phone,
            description: "家里没电了".into(),
            author,
        });
        h.run();
        assert_eq!(h.state().repairs().expect("desk").tickets().count(), 1, "no ticket");
    }

    #[test]
    fn customer_360_shows_the_outage_covering_the_customer_their_ticket_and_the_timeline() {
        let grid = small_city();
        let (c, acc, name) = customer(&grid);
        let mut h = harness_on(grid, "c360");
        outage_and_call(&mut h, c, &acc);
        raise(&mut h, "再不来电我就找记者曝光", Some(&acc));
        click(&mut h, "Later");
        // a notice queued for the customer (the window reads the outbox on a worker thread)
        let store = h.state().repairs().expect("desk").store().clone();
        let notice = NewMessage {
            channel: OutboxChannel::Wechat,
            account: acc.clone(),
            kind: MessageKind::OutageChanged,
            subject: "outage:1".into(),
            key: "etr:1".into(),
            text: "【佛山供电局】停电信息变更：预计送电时间待定".into(),
        };
        Outbox::open(store).queue(vec![notice], "gridcare", "").expect("queued");
        // opened from the customer's details, as after a search
        h.state_mut().send(Command::PickCustomer(c));
        h.run();
        click(&mut h, "Customer 360");
        settle_360(&mut h);
        assert!(has_label(&h, &format!("Customer 360 · {acc} {name}")), "{:?}", all_labels(&h));
        let v = h.state().customer_360_view().expect("the view");
        assert_eq!((v.covered_now.len(), v.tickets.len(), v.alerts.len()), (1, 1, 1));
        // the open outage, the outage on record, the ticket, the alert, the timeline
        assert!(has_label(&h, "Open outages covering the customer"));
        assert!(
            has_label_containing(&h, "Outage 1 · Fault · Active · ETR"),
            "{:?}",
            all_labels(&h)
        );
        assert!(has_label(&h, "Outages on record (1)"));
        assert!(has_label(&h, "Repair tickets (1)"));
        assert!(has_label_containing(&h, "Ticket 1 · "), "no ticket row");
        assert!(has_label_containing(&h, "家里没电了"));
        assert!(has_label(&h, "Sensitive-word alerts (1)"));
        // The fault report itself queued the customer's notice when they are bound to WeChat
        // (the same rule as `gridcare outage`), then the change notice above.
        let bound = h.state().grid().expect("grid").model.customers[c.index()]
            .labels
            .contains(gridcare::model::Labels::WECHAT);
        let sent = 1 + usize::from(bound);
        assert!(has_label(&h, &format!("Messages sent ({sent})")), "{:?}", all_labels(&h));
        if bound {
            assert!(has_label_containing(&h, " · outage notice · WeChat · queued · "));
        }
        assert!(has_label_containing(&h, " · change notice · WeChat · queued · "));
        assert!(has_label_containing(&h, "outage_changed sent (queued): 【佛山供电局】"));
        assert!(has_label_containing(&h, "Alert 1 · high · raised · 找记者, 曝光"));
        let n = v.timeline.len();
        assert!(n >= 3, "the timeline has {n} entries");
        assert!(has_label(&h, &format!("Timeline across channels ({n})")));
        // every entry, in the library's order (newest first), in English
        let labels = all_labels(&h);
        let shown: Vec<usize> = v
            .timeline
            .iter()
            .map(|e| labels.iter().position(|l| *l == e.summary).expect("an entry not shown"))
            .collect();
        assert!(shown.windows(2).all(|w| w[0] < w[1]), "not in order: {labels:?}");
        assert!(v.timeline.windows(2).all(|w| w[0].time_s >= w[1].time_s), "not newest first");
        for p in ["alert 1 (找记者, 曝光): ", "ticket 1: created (", "outage 1: fault outage"]
        {
            assert!(has_label_containing(&h, p), "no `{p}` in the timeline");
        }
        assert!(has_label(&h, "Energised") || has_label(&h, "not energised in the normal state"));
        let feeder = v.grid.feeder.clone().expect("a feeder");
        assert!(has_label(&h, &format!("{} ({})", feeder.1, feeder.0)), "no feeder");
        // the map flies to the customer and selects them
        h.state_mut().send(Command::ClearSelection);
        h.run();
        click(&mut h, "Show on the map");
        assert_eq!(h.state().selected_customer(), Some(c));
        // closing
        h.state_mut().send(Command::Customer360(Customer360Command::Close));
        h.run();
        assert!(!has_label_containing(&h, "Customer 360 · "));
    }

    #[test]
    fn the_alert_and_customer_360_read_in_chinese() {
        let grid = small_city();
        let (c, acc, _) = customer(&grid);
        let mut h = harness_on(grid, "zh");
        h.get_by_label("中文").click();
        h.run();
        outage_and_call(&mut h, c, &acc);
        h.state_mut().send(Command::ClearSelection);
        raise(&mut h, HAZARD, Some(&acc));
        assert!(has_label(&h, "敏感词预警 1"), "{:?}", all_labels(&h));
        assert!(has_label(&h, "电线掉落、冒火花、投诉"));
        assert!(has_label(&h, "安全隐患、投诉威胁"));
        assert!(has_label(&h, "微信"));
        assert!(has_label_containing(&h, "紧急"));
        assert!(has_label(&h, "敏感词预警 (1)"));
        for b in ["确认收到", "指派", "办结", "稍后处理", "客户全景"] {
            assert!(has_label(&h, b), "no `{b}` button");
        }
        click(&mut h, "办结");
        assert!(has_label(&h, "办结前请填写处理说明 (做了什么)"));
        click(&mut h, "客户全景");
        settle_360(&mut h);
        assert!(has_label_containing(&h, "客户全景 · "));
        assert!(has_label(&h, "正在影响该客户的停电"));
        assert!(has_label_containing(&h, "停电 1 · 故障 · 停电中"));
        assert!(has_label(&h, "报修工单 (1)"));
        assert!(has_label_containing(&h, "全渠道时间线 ("));
        assert!(has_label_containing(&h, "工单 1：受理"), "{:?}", all_labels(&h));
        assert!(has_label_containing(&h, "敏感词预警 1（电线掉落、冒火花、投诉）"));
        assert!(
            !has_label_containing(&h, "ticket 1: created"),
            "English timeline in the Chinese UI"
        );
    }
}
