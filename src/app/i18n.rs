//! Every UI string, in Chinese and English, in one table; the field's words follow
//! `GLOSSARY.md`. The language switches at runtime; its default comes from the system locale
//! (`LC_ALL`, `LC_MESSAGES`, `LANG` starting with `zh` → Chinese).

use crate::model::{Labels, SwitchKind, TransformerKind};
use crate::outage::{OutageKind, OutageStatus, ProtectionKind};
use crate::workorder::{
    Channel, ClockState, CrewStatus, FaultLevel, SlaClock, SlaStep, TicketEvent, TicketStatus,
};
use serde::{Deserialize, Serialize};

/// A UI language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    /// 中文.
    Zh,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// The language the system locale asks for.
    pub fn from_env() -> Lang {
        let var = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        Lang::from_locale(&var)
    }

    /// The language of a locale name (`zh_CN.UTF-8` → Chinese).
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

macro_rules! strings {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// A UI string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum T { $($key),* }

        /// The text of a UI string in a language.
        pub fn tr(lang: Lang, key: T) -> &'static str {
            match (key, lang) {
                $((T::$key, Lang::Zh) => $zh, (T::$key, Lang::En) => $en,)*
            }
        }

        /// Every string, for the table's own test.
        #[cfg(test)]
        const ALL: &[T] = &[$(T::$key),*];
    };
}

strings! {
    AppTitle => "GridCare 营配调一张图", "GridCare · one map";
    Loading => "正在加载演示城市…", "Loading the demo city…";
    LoadFailed => "模型加载失败", "The model failed to load";
    SearchLabel => "查找来电客户", "Find a caller";
    SearchHint => "电话、户号、户名或地址 (Ctrl+F)", "Phone, account, name or address (Ctrl+F)";
    Find => "查找", "Find";
    NoMatch => "没有匹配的客户", "No matching customer";
    Matches => "匹配结果", "Matches";
    ByPhone => "电话", "phone";
    ByAccount => "户号", "account";
    ByName => "户名", "name";
    ByAddress => "地址", "address";
    Layers => "图层", "Layers";
    Legend => "图例", "Legend";
    LayerBasemap => "离线底图", "Offline basemap";
    LayerTiles => "瓦片地图", "Raster tiles";
    LayerOutageAreas => "停电区域", "Outage areas";
    LayerFeeders => "10kV 馈线", "10 kV feeders";
    LayerCustomers => "用户", "Customers";
    LayerTransformers => "配变", "Transformers";
    LayerSwitches => "开关", "Switches";
    LayerSubstations => "变电站", "Substations";
    LayerRepairPins => "抢修扎点", "Repair pins";
    LayerCrews => "抢修队伍", "Repair crews";
    LegendSupplied => "已供电用户", "Customer supplied";
    LegendOut => "停电用户", "Customer out of supply";
    LegendDensity => "低缩放级别按密度显示", "shown as density when zoomed out";
    LegendDeadLine => "停电线路", "De-energised line";
    LegendLv => "低压线路", "LV line";
    LegendClosed => "闭合开关", "Closed switch";
    LegendOpen => "断开开关", "Open switch";
    LegendTie => "联络开关 (常开)", "Tie switch (normally open)";
    LegendPublic => "公变", "Public transformer";
    LegendDedicated => "专变", "Dedicated transformer";
    LegendPath => "供电路径", "Supply path";
    LegendFault => "故障停电", "Fault outage";
    LegendPlanned => "计划停电", "Planned outage";
    LegendWhatIf => "假如断开", "If opened";
    FeederColours => "每条馈线一种颜色，线宽按电压", "one colour per feeder, width by voltage";
    Details => "详情", "Details";
    NothingSelected => "查找客户，或点击地图上的设备", "Find a caller, or click a device on the map";
    Customer => "用户", "Customer";
    AccountNo => "户号", "Account no.";
    CustomerName => "户名", "Name";
    Phones => "电话", "Phones";
    Address => "地址", "Address";
    LabelsWord => "标签", "Labels";
    Substation => "变电站", "Substation";
    Feeder => "馈线", "Feeder";
    Transformer => "配变", "Transformer";
    Supply => "供电状态", "Supply";
    Energised => "已供电", "Energised";
    OutOfSupply => "停电", "Out of supply";
    SupplyPath => "供电路径", "Supply path";
    SwitchesOnPath => "路径上的开关", "Switches on the path";
    Unit => "供电单位", "Supply unit";
    LabelImportant => "重要客户", "Important";
    LabelSensitive => "停电敏感客户", "Outage-sensitive";
    LabelLifeSupport => "生命支持", "Life support";
    LabelCommercial => "非居民", "Commercial";
    LabelWechat => "微信绑定", "WeChat";
    NoneWord => "无", "none";
    Switch => "开关", "Switch";
    Breaker => "断路器", "Breaker";
    Recloser => "重合器", "Recloser";
    Fuse => "熔断器", "Fuse";
    Sectionaliser => "分段开关", "Sectionaliser";
    Tie => "联络开关", "Tie switch";
    Disconnector => "隔离开关", "Disconnector";
    State => "状态", "State";
    Closed => "闭合", "Closed";
    Open => "断开", "Open";
    NormallyOpen => "常开", "normally open";
    PublicTransformer => "公变", "Public transformer";
    DedicatedTransformer => "专变", "Dedicated transformer";
    OtherTransformer => "变压器", "Transformer";
    Rated => "容量", "Rating";
    LineSection => "线路区段", "Line section";
    LvLine => "低压线路", "LV line";
    Length => "长度", "Length";
    Bus => "母线", "Bus";
    Voltage => "电压", "Voltage";
    FeedersOf => "出线", "Feeders";
    SelectFeeder => "查看馈线", "Show feeder";
    WhatIfOpened => "假如断开", "What if opened";
    WouldLoseSupply => "{} 户将停电", "{} customers would lose supply";
    LoopChecked => "已检查合环", "checked around a closed loop";
    Downstream => "下游开关", "Downstream switches";
    ClearSelection => "清除", "Clear";
    PinMode => "地图扎点", "Map pin";
    PinHint => "点击地图查询该点", "Click the map to locate a point";
    PinnedPoint => "扎点位置", "Pinned point";
    NearestCustomer => "最近用户", "Nearest customer";
    NearestTransformer => "最近配变", "Nearest transformer";
    NearestLine => "最近线路", "Nearest line";
    NoneWithin => "{} 米内无", "none within {} m";
    Metres => "{} 米", "{} m";
    Language => "语言", "Language";
    Wall => "大屏", "Wall screen";
    ExitWall => "退出大屏", "Exit wall screen";
    CustomersOut => "当前停电用户", "Customers out now";
    ActiveOutages => "进行中停电事件", "Active outages";
    CrewsInField => "在外抢修队伍", "Crews in the field";
    TotalCustomers => "用户总数", "Customers";
    Touring => "轮播", "Touring";
    DeEnergisedArea => "停电区域", "De-energised area";
    CorruptSettings => "设置文件损坏，已恢复默认", "The settings file was corrupt and was replaced by defaults";
    TilesFailing => "瓦片源不可用，显示离线底图", "Tile source unavailable, showing the offline basemap";
    TileSource => "瓦片源", "Tile source";
    TilesNone => "无 (离线底图)", "None (offline basemap)";
    TilesUrl => "URL 模板", "URL template";
    TilesDir => "本地目录", "Local folder";
    TilesMbtiles => "MBTiles 文件", "MBTiles file";
    Apply => "应用", "Apply";
    Settings => "设置", "Settings";
    Dismiss => "知道了", "Dismiss";
    StatusLine => "{} 户 · {} 条馈线 · {} 座变电站", "{} customers · {} feeders · {} substations";
    Zoom => "缩放", "Zoom";
    Outages => "停电信息", "Outage information";
    OutagesCount => "停电信息 ({})", "Outages ({})";
    IncludeClosed => "含已送电、已取消", "Include restored and cancelled";
    NoOpenOutages => "当前没有停电事件", "No open outages";
    NoOutages => "没有停电事件", "No outages";
    OutageNo => "编号", "No.";
    OutageKindWord => "类型", "Kind";
    OutageStatusWord => "状态", "Status";
    FeederDevices => "馈线 / 设备", "Feeder / devices";
    CustomerCount => "户数", "Customers";
    Etr => "预计送电", "ETR";
    EtrUnknown => "待定", "not yet known";
    Overdue => "已超时", "overdue";
    KindPlanned => "计划", "Planned";
    KindFault => "故障", "Fault";
    StatusActive => "停电中", "Active";
    StatusPartial => "部分送电", "Partially restored";
    StatusAnnounced => "已公告", "Announced";
    StatusRestored => "已送电", "Restored";
    StatusCancelled => "已取消", "Cancelled";
    OutageTitle => "{} 号停电", "Outage {}";
    OutageWindow => "停电时段", "Window";
    FromTime => "{} 起", "from {}";
    OutageReason => "停电原因", "Reason";
    OutageNotice => "停电通知", "Notice";
    OutageDevices => "停电设备", "Devices";
    CustomersAffected => "影响户数", "Customers affected";
    CustomerHours => "停电时户数", "Customer-hours";
    RecordedBy => "登记", "Recorded";
    Trajectory => "变更轨迹", "Change trajectory";
    ChangeCreated => "登记", "recorded";
    ChangeEtr => "预计送电时间变更", "ETR changed";
    ChangeScope => "范围变更", "scope changed";
    ChangeRescheduled => "改期", "rescheduled";
    ChangePartial => "部分送电", "partially restored";
    ChangeRestored => "送电", "restored";
    ChangeCancelled => "取消", "cancelled";
    ReasonWord => "原因", "reason";
    RecordFault => "记录故障停电", "Record a fault outage";
    FaultReason => "故障原因", "Cause of the fault";
    FaultEtr => "预计送电时间 (可空)", "ETR (may be empty)";
    TimeHint => "2026-11-24 18:00", "2026-11-24 18:00";
    Operator => "值班员", "Operator";
    ChangeOutage => "变更停电事件", "Change the outage";
    NewEtr => "新的预计送电时间", "New ETR";
    ChangeReason => "变更原因", "Reason for the change";
    ChangeEtrButton => "修改预计送电时间", "Change ETR";
    RestoreButton => "送电 (全部恢复)", "Restore supply";
    CancelButton => "取消停电", "Cancel the outage";
    ChangeFailed => "操作未完成", "Not done";
    ReasonRequired => "每项变更都要填写原因", "every change needs a reason";
    BadTime => "时间应写作 年-月-日 时:分", "write the time as YYYY-MM-DD HH:MM";
    StoreUnavailable => "停电信息库无法打开，停电功能暂不可用", "The outage store could not be opened; outage information is unavailable";
    UnresolvedAccounts => "{} 个停电户号不在当前模型中", "{} accounts of open outages are not customers of this model";
    CoveredBy => "停电情况", "Outages";
    NotCovered => "当前没有停电事件覆盖该用户", "No open outage covers this customer";
    LatestChange => "最近变更", "Latest change";
    OutageAreaCaption => "{} 号 · {} 户", "No. {} · {} customers";
    CustomersOffNote => "{} 户停电", "{} customers off";
    AnnouncedNote => "另有 {} 个计划停电已公告", "{} planned outages announced";
    Tickets => "工单队列", "Ticket queue";
    TicketsCount => "工单 ({})", "Tickets ({})";
    AllTickets => "显示全部工单", "All tickets";
    NoTicketsInQueue => "队列中没有待处理工单", "No tickets waiting";
    NoTickets => "没有工单", "No tickets";
    TicketNo => "工单号", "Ticket";
    CallerWord => "报修人 / 户号", "Caller / account";
    NextDue => "最近时限", "Next deadline";
    Duplicates => "合并报修", "Merged calls";
    TicketTitle => "{} 号工单", "Ticket {}";
    TsNew => "新建", "New";
    TsDispatched => "已派单", "Dispatched";
    TsEnRoute => "在途", "En route";
    TsOnSite => "到达现场", "On site";
    TsRestored => "已恢复送电", "Restored";
    TsClosed => "已归档", "Closed";
    TsCallback => "已回访", "Called back";
    TsMerged => "已合并", "Merged";
    TsExplained => "已答复", "Explained";
    TsCancelled => "已撤销", "Cancelled";
    SlaDispatch => "派单", "Dispatch";
    SlaArrival => "到达现场", "Arrival";
    SlaRestore => "恢复送电", "Restoration";
    SlaCallback => "回访", "Callback";
    ClockWaiting => "未开始", "not started";
    ClockLeft => "{} 剩余 {} 分钟", "{}: {} min left";
    ClockOver => "{} 超时 {} 分钟", "{}: {} min overdue";
    ClockMet => "{} 用时 {} 分钟", "{}: met in {} min";
    ClockLate => "{} 用时 {} 分钟，超时 {} 分钟", "{}: took {} min, {} min late";
    SlaClocks => "服务时限", "SLA clocks";
    Site => "报修地点", "Site";
    History => "工单记录", "History";
    MasterProgress => "主工单进度", "Master ticket progress";
    MasterTicket => "主工单", "Master ticket";
    DispatchedAt => "派单时间", "Dispatched";
    CrewWord => "抢修队伍", "Crew";
    Eta => "预计到达", "ETA";
    ArrivedAt => "到达时间", "Arrived";
    FaultType => "故障类型", "Fault type";
    FaultCause => "故障原因", "Fault cause";
    FaultLevelWord => "故障等级", "Fault level";
    LevelLv => "低压", "Low voltage";
    LevelMv => "10kV", "10 kV";
    LevelCustomer => "客户内部", "Customer side";
    ChannelWord => "渠道", "Channel";
    ChPhone => "95598 电话", "95598 phone";
    ChWechat => "微信", "WeChat";
    ChApp => "掌上电力 APP", "Mobile app";
    ChWeb => "网上营业厅", "Web";
    ChSms => "短信", "SMS";
    ChInternal => "内部上报", "Internal";
    AlertsCount => "敏感词预警 ({})", "Alerts ({})";
    AlertTitle => "敏感词预警 {}", "Sensitive-word alert {}";
    AlertListTitle => "未办结的敏感词预警", "Open sensitive-word alerts";
    AlertNone => "没有未办结的预警", "No open alert";
    AlertSeverity => "级别", "Severity";
    AlertCustomer => "客户", "Customer";
    AlertNoAccount => "未关联户号", "no account given";
    AlertUnknownAccount => "户号 {} 不在模型中", "account {} is not in the model";
    AlertCategories => "类别", "Categories";
    AlertWords => "敏感词", "Words";
    AlertMessage => "客户原话", "Message";
    AlertRaisedBy => "{}，{} 提交", "{}, raised by {}";
    AlertRaisedWord => "提交", "Raised";
    AlertStatusWord => "状态", "Status";
    AlertAckedBy => "{} 于 {} 确认", "acknowledged by {} at {}";
    AlertAssignedTo => "已指派给 {}（{}，{}）", "assigned to {} by {} at {}";
    AlertResolvedBy => "{} 于 {} 办结：{}", "resolved by {} at {}: {}";
    AlertAcknowledge => "确认收到", "Acknowledge";
    AlertAssignTo => "指派给", "Assign to";
    AlertAssign => "指派", "Assign";
    AlertNote => "处理说明", "Resolution note";
    AlertResolve => "办结", "Resolve";
    AlertLater => "稍后处理", "Later";
    AlertClose => "关闭", "Close";
    AlertNext => "下一条新预警", "Next new alert";
    AlertMoreNew => "另有 {} 条新预警", "{} more new alert(s)";
    AlertNeedNote => "办结前请填写处理说明 (做了什么)", "Say what was done: resolving needs a note";
    AlertNeedName => "请填写指派对象", "Name the person to assign it to";
    AlertRefused => "未能完成：{}", "Refused: {}";
    AlertAcked => "预警 {} 已确认", "Alert {} acknowledged";
    AlertAssignedOutcome => "预警 {} 已指派给 {}", "Alert {} assigned to {}";
    AlertResolvedOutcome => "预警 {} 已办结", "Alert {} resolved";
    AlertRaisedColumn => "时间", "Raised";
    C360Open => "客户全景", "Customer 360";
    C360Title => "客户全景 · {}", "Customer 360 · {}";
    C360Profile => "客户画像", "Profile";
    C360Kw => "合同容量", "Contracted demand";
    C360Reach => "可触达渠道", "Reachable on";
    C360GridPos => "电网位置 (站-线-变-户)", "Grid position (substation–feeder–transformer)";
    C360OnTransformer => "同一配变 {} 户", "{} customers on the transformer";
    C360NotEnergised => "常态运行方式下未供电", "not energised in the normal state";
    C360FlyTo => "在地图上定位", "Show on the map";
    C360CoveredNow => "正在影响该客户的停电", "Open outages covering the customer";
    C360NotCovered => "当前没有停电影响该客户", "No open outage covers the customer";
    C360Outages => "停电记录 ({})", "Outages on record ({})";
    C360Tickets => "报修工单 ({})", "Repair tickets ({})";
    C360Messages => "已发消息 ({})", "Messages sent ({})";
    C360Alerts => "敏感词预警记录 ({})", "Sensitive-word alerts ({})";
    C360Timeline => "全渠道时间线 ({})", "Timeline across channels ({})";
    C360Built => "生成用时 {} 毫秒", "built in {} ms";
    C360SrcTicket => "工单", "ticket";
    C360SrcOutage => "停电", "outage";
    C360SrcMessage => "消息", "message";
    C360SrcAlert => "预警", "alert";
    C360SrcInteraction => "渠道交互", "channel";
    C360Outage => "停电 {}", "Outage {}";
    C360Ticket => "工单 {}", "Ticket {}";
    C360Message => "消息 {}", "Message {}";
    C360Alert => "预警 {}", "Alert {}";
    C360Failed => "客户全景生成失败：{}", "The customer 360 view could not be built: {}";
    C360Worker => "发件箱与渠道交互 {} 毫秒 (后台线程)", "outbox and channel interactions {} ms (worker thread)";
    C360Reading => "正在读取发件箱与渠道交互…", "Reading the outbox and channel interactions…";
    Description => "报修内容", "What the caller says";
    CalledAt => "报修时间", "Called";
    SendBestCrew => "派最近空闲队伍", "Send the best crew";
    RecordOnSite => "记录到达现场", "Record on site";
    RecordDiagnosis => "记录故障诊断", "Record the diagnosis";
    RecordRestored => "记录恢复送电", "Record restored";
    RecordClosed => "归档", "Close the ticket";
    RecordCallback => "记录回访", "Record the callback";
    CancelTicket => "撤销工单", "Cancel the ticket";
    Satisfied => "客户满意", "Customer satisfied";
    StepNote => "说明", "Note";
    TenKvFault => "10kV 故障", "10 kV fault";
    NewCall => "新建报修", "New repair call";
    LookupBy => "查找方式", "Look up by";
    ByNumber => "户号或电话", "Account or phone";
    ByAddressText => "按地址", "By address";
    ByPinPoint => "按地图扎点", "By map pin";
    CallerNumber => "户号或电话号码", "Account or phone number";
    CallerAddress => "报修地址", "Caller's address";
    PinPick => "打开“地图扎点”后点击地图选点", "turn on Map pin and click the map";
    TakeCall => "受理报修", "Take the call";
    OutcomeDispatched => "{} 号工单已直派 {}", "Ticket {} dispatched to {}";
    OutcomeMerged => "{} 号工单已合并到 {} 号主工单", "Ticket {} merged into master ticket {}";
    OutcomeExplained => "{} 号工单：已有 {} 号停电信息，预计送电 {}", "Ticket {}: explained by outage {}, ETR {}";
    CrewsHeading => "抢修队伍", "Crews";
    CrewTicket => "工单", "Ticket";
    Position => "位置", "Position";
    CsAvailable => "空闲", "Available";
    CsEnRoute => "赶赴现场", "En route";
    CsOnSite => "现场作业", "Working on site";
    CsOffDuty => "休息", "Off duty";
    StormDemo => "风暴演示", "Storm demo";
    StormDemoNote => "风暴演示：{} 次故障 (1 秒 = 1 分钟)", "Storm demo: {} faults (1 s = 1 min)";
    StormDemoRemote => "连接服务器时不能运行风暴演示：演示直接写入本地库", "The storm demo does not run on a server workstation: it writes to a local store directly";
    SyncConnecting => "服务器 {} · 正在连接…", "Server {} · connecting…";
    SyncSynced => "服务器 {} · 已同步 #{}", "Server {} · synced #{}";
    SyncUnreachable => "服务器不可达：{} ({})", "Server unreachable: {} ({})";
    SyncRefused => "服务器 {} 拒绝请求：HTTP {}：{}", "Server {} refused: HTTP {}: {}";
    SyncFailed => "同步失败：{}", "Sync failed: {}";
    ServerUnreachableAtStart => "无法连接服务器 {}：{}。地图可用；停电信息和工单在连接后显示，正在后台重试", "Could not connect to the server {}: {}. The map works; outages and tickets appear once connected (retrying in the background)";
    ReplicaRefused => "连接服务器的工作站不能修改停电计划：{}", "A workstation on a server cannot change planning scenarios: {}";
    RepairStoreUnavailable => "工单库无法打开，报修功能暂不可用", "The ticket store could not be opened; repair tickets are unavailable";
    LegendOnTime => "时限内", "Within the SLA";
    LegendShort => "剩余不足 25%", "Under 25 % of the limit left";
    LegendBreached => "已超时", "SLA breached";
    LegendDone => "已恢复或归档", "Restored or closed";
    LegendMerged => "小点：合并报修", "small: a merged call";
    LegendCrewFree => "空闲队伍", "Free crew";
    LegendCrewDriving => "赶赴现场的队伍", "Crew on its way";
    LegendCrewOnSite => "现场作业的队伍", "Crew working on site";
    CrewsListNote => "在外 {} 支 / 共 {} 支", "{} in the field of {}";
    CrewsInFieldNote => "共 {} 支，{} 张工单在办", "of {} crews · {} tickets open";
    ErrNotACaller => "“{}” 不是户号或电话号码", "`{}` is not an account number or phone";
    ErrUnknownCaller => "没有用户的户号或电话是 “{}”", "no customer has the account number or phone `{}`";
    ErrEmptyAddress => "地址为空：请填写地址、户号或在地图扎点", "the address is empty: give an address, a number or a map pin";
    ErrAddressNotFound => "没有与 “{}” 足够匹配的标准地址，请询问户号或在地图扎点", "no standard address matches `{}` well enough; ask for the account number or drop a pin";
    ErrPinOffGrid => "扎点 {} 米内没有线路或配变", "no line or transformer within {} m of the pin";
    ErrNoFreeCrew => "{} 没有空闲的抢修队伍可派往 {} 号工单", "no crew of {} is free for ticket {}";
    ErrRefused => "{} 号工单当前为“{}”，不能执行该步骤", "ticket {} is {}: that step does not apply";
    ErrMergedTicket => "{} 号工单已合并或已答复，请派队伍到主工单", "ticket {} is merged or explained: send the crew to the master";
    ErrCrewBusy => "队伍 {} 不能派出：{}", "crew {} cannot be sent: {}";
    ErrOther => "工单库错误：{}", "ticket store error: {}";
    HeCreated => "受理", "call taken";
    HeDispatched => "直派", "dispatched";
    HeCrewEnRoute => "派出队伍", "crew sent";
    HeOnSite => "到达现场", "on site";
    HeDiagnosed => "故障诊断", "diagnosed";
    HeRestored => "恢复送电", "restored";
    HeClosed => "归档", "closed";
    HeCallback => "回访", "called back";
    HeCancelled => "撤销", "cancelled";
    HeJoinedOutage => "并入停电", "joined outage";
    WhyNewFault => "无已知停电或在途工单覆盖该客户：新故障", "no known outage or ticket in flight covers the caller: a new fault";
    WhyFirstOfOutage => "故障停电 {} 覆盖该客户，尚无在途工单：派单", "fault outage {} covers the caller and has no ticket in flight: dispatched";
    WhyMergedOutage => "故障停电 {} 覆盖该客户：并入其在途工单 {}", "fault outage {} covers the caller: joins its ticket {} in flight";
    WhyMergedBelow => "在途工单 {} 的设备为该客户供电：并入该工单", "ticket {} in flight is for a device that supplies the caller: joins it";
    WhyPlanned => "计划停电 {} 覆盖该客户：答复客户，不派单", "planned outage {} covers the caller: answered, nothing sent";
    WhyDirect => "直派 {}（馈线所属供电单位）", "dispatched straight to {}, the unit that owns the feeder";
    WhyCrewSent => "派出 {}", "{} sent";
    WhyJoinedMaster => "确认故障停电 {}：本工单为主工单", "fault outage {} confirmed: this ticket is its master";
    WhyJoinedMerged => "确认故障停电 {}：并入主工单 {}，队伍释放", "fault outage {} confirmed: merged into master ticket {}, crew released";
    WhyRecovered => "中断的写入在重新打开时补全（崩溃或强制结束）", "completed on reopening after an interrupted write (crash or kill)";
    LayerPredicted => "研判停电区域", "Predicted outages";
    LegendPredicted => "故障研判 (待确认)", "Predicted, not confirmed";
    Predicted => "故障研判", "Predicted outages";
    PredictedNote => "无停电信息可解释的报修，按最可能动作的保护设备归并", "calls no outage explains, grouped at the likeliest protective device";
    NoPrediction => "没有研判出的停电：尚无两个报修指向同一设备", "No outage predicted: no two open calls point to one device";
    PredDevice => "设备", "Device";
    PredRole => "设备类型", "Role";
    PredCallers => "来电户数", "Callers";
    PredCustomersOut => "停电户数", "Customers out";
    PredConfidence => "置信度", "Confidence";
    PredFirstCall => "首次来电", "First call";
    PredTickets => "工单", "Tickets";
    PredReason => "确认原因", "Reason to confirm";
    PredMoveTo => "改判到设备", "Move to device";
    PredMoveHint => "地图所选设备，或输入如 transformer.zm01-t0007", "the device selected on the map, or an id like transformer.zm01-t0007";
    PredConfirm => "确认", "Confirm";
    PredMove => "改判", "Move";
    PredNeedDevice => "改判需要设备：在地图上选择设备，或输入设备编号", "a move needs a device: select one on the map or type its id";
    PredConfirmed => "{} 号停电已记录于 {}", "Outage {} recorded at {}";
    PredMovedFrom => "由 {} 改判", "moved from {}";
    PredMerged => "已合并", "Merged";
    PredOutside => "未合并 (该设备不供电)", "Left outside (not supplied through it)";
    PredAreaCaption => "研判 {} · {} 户来电", "Predicted {} · {} callers";
    RoleBreaker => "出线断路器", "Feeder breaker";
    RoleRecloser => "重合器", "Recloser";
    RoleSectionaliser => "分段开关", "Sectionaliser";
    RoleLateralFuse => "分支熔断器", "Lateral fuse";
    RoleTransformerFuse => "配变跌落式熔断器", "Transformer fuse";
    ErrUnknownDevice => "没有名为 “{}” 的设备", "no device named `{}`";
    ErrNotOpenCall => "{} 号工单不是待研判的报修 (已有停电信息、已合并或已办结)", "ticket {} is not an open call that no outage explains";
    Dashboard => "仪表盘", "Dashboard";
    DashComputing => "正在计算…", "Computing…";
    DashFailed => "指标计算失败：{}", "The indices could not be computed: {}";
    DashLast30 => "近 30 天", "Last 30 days";
    DashLast90 => "近 90 天", "Last 90 days";
    DashLast365 => "近 365 天", "Last 365 days";
    DashWholeStore => "全部历史", "Whole store";
    DashScope => "范围", "Scope";
    DashArea => "全区域", "Whole area";
    DashDistrict => "区县 · {}", "District · {}";
    DashSubstation => "变电站 · {}", "Substation · {}";
    DashFeeder => "馈线 · {}", "Feeder · {}";
    DashSummary => "{} · {} 户 · {} 次停电 · {} 张工单", "{} · {} customers · {} outages · {} tickets";
    DashSaifi => "SAIFI 户均停电次数", "SAIFI (interruptions per customer)";
    DashSaidi => "SAIDI 户均停电时间 (分钟)", "SAIDI (minutes per customer)";
    DashCaidi => "CAIDI 平均停电持续 (分钟)", "CAIDI (minutes per interruption)";
    DashAsai => "ASAI 供电可用率", "ASAI (service availability)";
    DashMaifie => "MAIFIe 瞬时停电事件", "MAIFIe (momentary events)";
    DashMedDays => "重大事件日 (MED)", "Major Event Days";
    DashOpenTickets => "在办工单", "Open tickets";
    DashSla => "SLA 达标率", "SLA compliance";
    DashAllBasis => "含计划与非计划停电", "planned and unplanned";
    DashTmedNote => "T_MED = {} 分钟", "T_MED = {} min";
    DashNoTmed => "停电天数不足两天，无 T_MED", "fewer than two days with interruptions: no T_MED";
    DashSlaNote => "达标 {} / 已判定 {}", "{} met of {} decided";
    DashTrend => "日 SAIDI (非计划停电，分钟)", "Daily SAIDI, unplanned (min)";
    DashTmedLine => "T_MED (全区域)", "T_MED (whole area)";
    DashMedPoints => "重大事件日", "Major Event Days";
    DashWorst => "最差馈线 (SAIDI 前 10，分钟)", "Worst feeders (SAIDI, top 10, min)";
    DashWorstHint => "点击馈线在地图上显示", "click a feeder to show it on the map";
    DashChannels => "受理渠道 (工单数)", "Channel mix (tickets)";
    DashSlaSteps => "各环节 SLA 达标率 (%)", "SLA compliance per step (%)";
    DashNoData => "该时段无数据", "No data in this period";
    DashWallNote => "{} · {}", "{} · {}";
    DashWallSaidi => "SAIDI (分钟)", "SAIDI (min)";
    Planning => "停电计划", "Planning";
    PlanMotto => "先算后停", "compute before cutting";
    LayerPlanning => "停电方案", "Planning scenario";
    LegendPlanPolygon => "绘制的停电范围", "Area drawn";
    LegendPlanSwitch => "需断开的开关", "Switch to open";
    LegendPlanInside => "范围内停电用户", "Customer cut inside the area";
    LegendPlanOutside => "范围外受影响用户", "Customer cut outside the area";
    LegendPlanTie => "可转供的联络开关", "Tie that can back-feed";
    PlanTabScenario => "方案", "Scenario";
    PlanTabCustomers => "预约客户", "Appointment customers";
    PlanTabWindows => "停电窗口", "Windows";
    PlanScenarios => "已存方案", "Stored scenarios";
    PlanNew => "新建方案", "New scenario";
    PlanNoScenarios => "尚无方案：点击“新建方案”，在地图上绘制停电范围", "No scenario yet: press New scenario and draw on the map";
    PlanNoWindow => "未定窗口", "no window";
    PlanPublished => "已发布", "published";
    PlanScenarioTitle => "{} 号方案 · {}", "Scenario {} · {}";
    PlanNewTitle => "新方案 (未保存)", "New scenario (not stored)";
    PlanFrozen => "方案已发布，不能再修改；如需调整请新建方案", "Published: no more changes; draw a new scenario to change it";
    PlanArea => "停电范围", "Area";
    PlanByPolygon => "绘制多边形", "Draw a polygon";
    PlanByDevices => "选择设备", "Open devices";
    PlanAreaPolygon => "多边形 {} 个角点", "polygon of {} corners";
    PlanAreaDevices => "{} 个设备", "{} devices";
    PlanCorners => "已点 {} 个角点", "{} corners";
    PlanPolygonClosed => "多边形已闭合 ({} 个角点)", "Polygon closed ({} corners)";
    PlanPolygonHint => "在地图上依次点击角点，然后点“完成多边形”", "Click the corners on the map, then Finish polygon";
    PlanDraw => "重新绘制", "Draw again";
    PlanDrawStart => "在地图上绘制", "Draw on the map";
    PlanFinish => "完成多边形", "Finish polygon";
    PlanUndo => "撤销角点", "Undo corner";
    PlanClear => "清除范围", "Clear the area";
    PlanDevicesHint => "在地图上点击开关、线路区段或配变 (再点一次取消)，或输入设备编号", "Click switches, line sections or transformers on the map (again to drop one), or type an id";
    PlanPickOnMap => "在地图上选择设备", "Pick devices on the map";
    PlanDeviceId => "设备编号", "Device id";
    PlanAddDevice => "添加设备", "Add device";
    PlanName => "方案名称", "Scenario name";
    PlanReason => "变更原因", "Reason for the change";
    PlanSave => "保存方案", "Save scenario";
    PlanSaveChanges => "保存修改", "Save changes";
    PlanSaved => "{} 号方案“{}”已保存", "Scenario {} “{}” stored";
    PlanImpact => "停电影响 (按拓扑分析到户)", "Impact (from the topology, to the household)";
    PlanDrawFirst => "先绘制并完成停电范围", "Draw and finish an area first";
    PlanPickFirst => "先选择要断开的设备", "Pick the devices to open first";
    PlanComputedIn => "隔离计算 {} 毫秒，转供分析 {} 毫秒", "isolation {} ms, back-feed {} ms";
    PlanComputedDevices => "影响分析 {} 毫秒", "impact {} ms";
    PlanSwitchesToOpen => "需断开 {} 个开关以隔离该范围：", "Open {} switch(es) to isolate the area:";
    PlanDevicesToOpen => "断开 {} 个设备：", "Open {} device(s):";
    PlanInside => "范围内用户", "Customers inside the area";
    PlanAffected => "停电用户", "Customers that lose supply";
    PlanAffectedOutside => "{} (其中范围外 {})", "{} ({} of them outside the area)";
    PlanNotIsolatable => "无法隔离 (变电站出口前无开关)", "Not isolatable (no switch below the substation)";
    PlanAlreadyDead => "原已停电", "Already without supply";
    PlanDemand => "停电负荷", "Demand cut";
    PlanCustomerHoursOver => "{} (窗口 {} 小时)", "{} (over a {} h window)";
    PlanCustomerHoursNoWindow => "— (尚未确定窗口)", "— (no window yet)";
    PlanByLabel => "按标签统计", "By label";
    PlanBackFeed => "联络转供", "Back-feed through ties";
    PlanNoBackFeed => "没有可转供的联络开关", "No tie can back-feed part of the area";
    PlanTie => "联络开关", "Tie";
    PlanFromFeeder => "转供馈线", "From feeder";
    PlanAlsoOpen => "另需断开", "Also open";
    PlanKept => "少停户数", "Customers kept";
    PlanKeptN => "保供 {} 户", "{} kept in supply";
    PlanTieCaption => "{} 转供保 {} 户", "{} keeps {} in supply";
    PlanHistory => "方案记录", "History";
    PlanEvCreated => "新建", "created";
    PlanEvArea => "范围变更", "area changed";
    PlanEvWindow => "确定窗口", "window set";
    PlanEvRenamed => "改名", "renamed";
    PlanEvPublished => "发布", "published";
    PlanPickNothing => "点击处没有可断开的设备 (放大后点击开关、线路或配变)", "no device to open there (zoom in and click a switch, line or transformer)";
    PlanNotADevice => "“{}” 不是可断开的设备", "`{}` is not a device that can be opened";
    PlanNeedCorners => "多边形至少需要 3 个角点 (现有 {} 个)", "a polygon needs at least 3 corners ({} so far)";
    PlanNeedArea => "先绘制并完成停电范围", "draw and finish an area first";
    PlanErrName => "方案名称不能为空", "the scenario needs a name";
    PlanErrPublished => "方案已发布，不能再修改", "the scenario is published: no more changes";
    PlanErrWindowOrder => "窗口“{}”的结束时间不晚于开始时间", "window `{}`: the end is not after the start";
    PlanErrWindowTwice => "已有名为“{}”的窗口", "there is already a window named `{}`";
    PlanErrCrews => "“{}” 不是队伍数", "`{}` is not a number of crews";
    PlanErrDay => "“{}” 不是日期 (年-月-日)", "`{}` is not a day (YYYY-MM-DD)";
    PlanErrGenerate => "天数 1–60、开始时 0–23、时长 1–24 小时、队伍数为整数", "days 1–60, start hour 0–23, 1–24 hours and a whole number of crews";
    PlanErrKw => "规则 {}: “{}” 不是负荷 (kW)", "rule {}: `{}` is not a demand in kW";
    PlanPreset => "筛选预设", "Preset";
    PlanResetRules => "恢复预设规则", "Reset to the preset";
    PlanRulesNote => "满足任一条规则即选中；一条规则的各条件须同时满足", "A customer is picked when any rule matches; a rule matches when all its conditions hold";
    PlanRuleN => "规则 {}", "Rule {}";
    PlanRemoveRule => "删除规则 {}", "Remove rule {}";
    PlanAnyOf => "具有任一标签", "Any of these labels";
    PlanAllOf => "同时具有全部标签", "All of these labels";
    PlanMinKw => "规则 {} 最小负荷 (kW)", "Rule {} minimum demand (kW)";
    PlanWechat => "微信绑定", "WeChat";
    PlanWechatAny => "不限", "either";
    PlanWechatBound => "已绑定", "bound";
    PlanWechatNotBound => "未绑定", "not bound";
    PlanAddRule => "添加规则", "Add a rule";
    PlanAppointment => "预约客户 (需征询意见)", "Appointment customers (to consult)";
    PlanPickedOf => "选出 {} 户 (共 {} 户停电)", "{} of {} affected customers";
    PlanKw => "负荷 kW", "kW";
    PlanCandidates => "候选窗口", "Candidate windows";
    PlanNoCandidates => "尚无候选窗口：逐个添加或按天生成", "No candidate yet: add windows or generate them";
    PlanWindowName => "窗口", "Window";
    PlanCrewsFree => "可用队伍", "Crews free";
    PlanNewWindowName => "窗口名称 (可空)", "Name of the window (may be empty)";
    PlanNewWindowCrews => "该时段可用队伍数", "Crews free then";
    PlanAddWindowHeading => "添加窗口", "Add a window";
    PlanWindowStart => "开始时间", "Start";
    PlanWindowEnd => "结束时间", "End";
    PlanAddWindow => "添加窗口", "Add window";
    PlanGenerateHeading => "按天生成 (每天同一时段)", "Generate one a day";
    PlanFromDay => "起始日期", "From day";
    PlanDays => "天数", "Days";
    PlanHour => "开始时 (0–23)", "Start hour (0–23)";
    PlanHours => "时长 (小时)", "Hours";
    PlanGenerate => "生成窗口", "Generate windows";
    PlanCrewsNeeded => "作业需要队伍数", "Crews the work needs";
    PlanRank => "排序窗口", "Rank the windows";
    PlanNeedWindows => "先添加候选窗口", "add candidate windows first";
    PlanUseWindow => "采用窗口 {}", "Use window {}";
    PlanWindowSet => "已确定窗口 {} (方案“{}”)", "Window {} set for “{}”";
    PlanRanking => "窗口排序 (得分越低越好)", "Ranking (lower score is better)";
    PlanRankWord => "名次", "Rank";
    PlanWeighted => "加权时户数", "Weighted";
    PlanObjections => "反对", "Objections";
    PlanPreferences => "偏好", "Preferences";
    PlanConflicts => "冲突停电", "Conflicts";
    PlanScore => "得分", "Score";
    PlanObjectingWho => "反对 {} 的客户：{}", "Objecting to {}: {}";
    PlanConflictsWho => "{} 与计划停电 {} 冲突 (同馈线、时间重叠)", "{} overlaps planned outage {} on the same feeders";
    PlanWhyFacts => "{} 个反对、{} 个偏好、{} 个冲突停电、加权时户数 {}", "{} objection(s), {} preference(s), {} conflicting outage(s), {} weighted customer-hours";
    PlanWhyNone => "没有队伍充足的窗口", "no window has the crews the work needs";
    PlanWhyAgainst => "选择 {}：得分 {}，次优窗口得分 {}（{}：{}；本窗口：{}）", "{}: score {} against {} for {} ({} there; {} here)";
    PlanWhyOnly => "选择 {}：唯一队伍充足的窗口（{}）", "{}: the only window with enough crews ({})";
    PlanWhyShort => "；队伍不足：{}", "; too few crews in {}";
    PlanTabConsult => "征询意见", "Consultation";
    PlanTabCompare => "方案比较", "Compare";
    PlanNeedStored => "先保存方案 (或在“方案”页打开一个)", "Store the scenario first (or open one on the Scenario tab)";
    PlanNeedCandidates => "先在“停电窗口”页提交候选窗口", "Offer candidate windows first (Windows tab)";
    PlanOffer => "提交候选窗口", "Offer these windows";
    PlanNotOffered => "(与方案中的候选窗口不同，尚未提交)", "(differs from the scenario's: not offered yet)";
    PlanCandidatesSet => "已提交 {} 个候选窗口 (方案“{}”)", "{} candidate windows offered on “{}”";
    PlanRankStored => "按方案中的候选窗口和 {} 份客户意见排序", "ranks the scenario's windows with its {} answers";
    PlanLetterFor => "意见书预览 (户号 {})", "The letter, as customer {} gets it";
    PlanConsultButton => "发送意见书 (预设 {})", "Send consultation letters (preset {})";
    PlanConsulted => "预约客户 {} 户：微信已绑定 {} 户 (新排队 {} 封)，需电话联系 {} 户", "{} appointment customers: {} bound to WeChat ({} letters queued now), {} to phone";
    PlanToPhone => "需电话联系", "To phone";
    PlanTook => "用时 {} 毫秒", "took {} ms";
    PlanQueueing => "正在排队发送…", "Queueing the letters…";
    PlanPublishing => "正在发布：登记计划停电、排队发送通知…", "Publishing: recording the planned outage, queueing the notices…";
    PlanOutbox => "发件箱 ({} 条)", "Outbox ({} messages)";
    PlanOutboxEmpty => "尚无消息", "No message yet";
    PlanMsgKind => "类型", "Kind";
    PlanMsgState => "投递状态", "Delivery";
    PlanMsgAttempts => "尝试次数", "Attempts";
    PlanMsgQueued => "排队中", "queued";
    PlanMsgSent => "已发送", "sent";
    PlanMsgDelivered => "已送达", "delivered";
    PlanMsgFailed => "失败", "failed";
    PlanMsgLetter => "意见书", "consultation letter";
    PlanMsgNotice => "停电通知", "outage notice";
    PlanMsgChanged => "变更通知", "change notice";
    PlanMsgRestored => "复电通知", "restoration notice";
    PlanAnswers => "客户意见", "Answers";
    PlanAnswerAccount => "答复客户户号", "Account of the customer answering";
    PlanPrefers => "同意", "Prefers";
    PlanObjects => "反对", "Objects to";
    PlanAnswerReason => "客户理由", "What the customer said";
    PlanRecordAnswer => "登记意见", "Record the answer";
    PlanReply => "或按原话登记", "Or the reply as written";
    PlanReadReply => "识别并登记原话", "Read and record the reply";
    PlanAnswerRecorded => "已登记 {} 的意见", "Answer of {} recorded";
    PlanAnswerText => "{}：同意 {}，反对 {}：{} ({})", "{}: prefers {}, objects to {}: {} ({})";
    PlanAnsweredN => "已答复 {} 户", "{} answered";
    PlanNotAnsweredN => "未答复 {} 户", "{} not answered yet";
    PlanErrNotCut => "客户 {} 不在本方案的停电范围内", "customer {} is not cut by this scenario";
    PlanEvCandidates => "提交候选窗口", "windows offered";
    PlanEvCandidatesDetail => "{}；需要 {} 支队伍", "{}; {} crew(s) needed";
    PlanEvConsulted => "征询意见", "consulted";
    PlanEvConsultedDetail => "预设 {}：意见书 {} 封，电话 {} 户", "preset {}: {} letters, {} to phone";
    PlanEvAnswered => "客户意见", "answer";
    PlanCompareHint => "勾选两个或更多方案进行比较", "Tick two or more scenarios to compare them";
    PlanCompare => "比较方案", "Compare";
    PlanSensitive => "敏感客户 (重要/敏感/生命支持)", "Sensitive (important, sensitive, life support)";
    PlanConsultedN => "已征询", "Consulted";
    PlanAnsweredWord => "已答复", "Answered";
    PlanBestWindow => "最佳窗口", "Best window";
    PlanPublishedWord => "已发布", "Published";
    PlanYes => "是", "yes";
    PlanNo => "否", "no";
    PlanPublish => "发布方案…", "Publish…";
    PlanPublishNeedsWindow => "发布前先确定窗口 (“停电窗口”页)", "set a window before publishing (Windows tab)";
    PlanPublishTitle => "发布停电方案", "Publish the scenario";
    PlanPublishConfirmText => "发布 {} 号方案“{}”：将在停电信息中登记 {} 的计划停电 ({} 户停电)，并向每户停电用户排队发送停电通知。发布后方案不能再修改。", "Publish scenario {} “{}”: a planned outage {} is recorded in the outage book ({} customers lose supply) and a notice is queued for each of them. The scenario cannot be changed afterwards.";
    PlanPublishReason => "发布原因", "Reason to publish";
    PlanPublishConfirm => "确认发布", "Publish now";
    PlanPublishCancel => "取消", "Cancel";
    PlanPublishedOutcome => "已发布：{} 号计划停电，{} 户停电，已排队通知 {} 条 ({} 户无法通知)", "Published: planned outage {}, {} customers, {} notices queued ({} unreachable)";
}

/// A UI string with `{}` replaced by the arguments in order.
pub fn trf(lang: Lang, key: T, args: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = tr(lang, key);
    for a in args {
        match rest.split_once("{}") {
            Some((head, tail)) => {
                out.push_str(head);
                out.push_str(a);
                rest = tail;
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// The word for a switch kind.
pub fn switch_kind(lang: Lang, k: SwitchKind) -> &'static str {
    tr(
        lang,
        match k {
            SwitchKind::Breaker => T::Breaker,
            SwitchKind::Recloser => T::Recloser,
            SwitchKind::Fuse => T::Fuse,
            SwitchKind::Sectionaliser => T::Sectionaliser,
            SwitchKind::Tie => T::Tie,
            SwitchKind::Disconnector => T::Disconnector,
        },
    )
}

/// The word for a transformer kind.
pub fn transformer_kind(lang: Lang, k: TransformerKind) -> &'static str {
    tr(
        lang,
        match k {
            TransformerKind::Public => T::PublicTransformer,
            TransformerKind::Dedicated => T::DedicatedTransformer,
            _ => T::OtherTransformer,
        },
    )
}

/// The words of a customer's labels, joined.
pub fn labels(lang: Lang, l: Labels) -> String {
    let words: Vec<&str> = [
        (Labels::IMPORTANT, T::LabelImportant),
        (Labels::OUTAGE_SENSITIVE, T::LabelSensitive),
        (Labels::LIFE_SUPPORT, T::LabelLifeSupport),
        (Labels::COMMERCIAL, T::LabelCommercial),
        (Labels::WECHAT, T::LabelWechat),
    ]
    .iter()
    .filter(|(flag, _)| l.contains(*flag))
    .map(|(_, key)| tr(lang, *key))
    .collect();
    if words.is_empty() {
        tr(lang, T::NoneWord).to_string()
    } else {
        words.join(if lang == Lang::Zh { "、" } else { ", " })
    }
}

/// The word for an outage kind (计划 / 故障).
pub fn outage_kind(lang: Lang, k: OutageKind) -> &'static str {
    tr(
        lang,
        match k {
            OutageKind::Planned => T::KindPlanned,
            OutageKind::Fault => T::KindFault,
        },
    )
}

/// The word for an outage status.
pub fn outage_status(lang: Lang, s: OutageStatus) -> &'static str {
    tr(
        lang,
        match s {
            OutageStatus::Active => T::StatusActive,
            OutageStatus::PartiallyRestored => T::StatusPartial,
            OutageStatus::Announced => T::StatusAnnounced,
            OutageStatus::Restored => T::StatusRestored,
            OutageStatus::Cancelled => T::StatusCancelled,
        },
    )
}

/// The word for a ticket status.
pub fn ticket_status(lang: Lang, s: TicketStatus) -> &'static str {
    tr(
        lang,
        match s {
            TicketStatus::New => T::TsNew,
            TicketStatus::Dispatched => T::TsDispatched,
            TicketStatus::EnRoute => T::TsEnRoute,
            TicketStatus::OnSite => T::TsOnSite,
            TicketStatus::Restored => T::TsRestored,
            TicketStatus::Closed => T::TsClosed,
            TicketStatus::CallbackDone => T::TsCallback,
            TicketStatus::Merged => T::TsMerged,
            TicketStatus::Explained => T::TsExplained,
            TicketStatus::Cancelled => T::TsCancelled,
        },
    )
}

/// The word for an SLA step.
pub fn sla_step(lang: Lang, s: SlaStep) -> &'static str {
    tr(
        lang,
        match s {
            SlaStep::Dispatch => T::SlaDispatch,
            SlaStep::Arrival => T::SlaArrival,
            SlaStep::Restore => T::SlaRestore,
            SlaStep::Callback => T::SlaCallback,
        },
    )
}

/// An SLA clock as an operator reads it: `Arrival: 12 min left`.
pub fn clock_text(lang: Lang, c: &SlaClock) -> String {
    let step = sla_step(lang, c.step);
    let min = |s: i64| (s / 60).to_string();
    match c.state {
        ClockState::Waiting => format!("{step}: {}", tr(lang, T::ClockWaiting)),
        ClockState::Running { left_s } => trf(lang, T::ClockLeft, &[step, &min(left_s)]),
        ClockState::Overdue { over_s } => trf(lang, T::ClockOver, &[step, &min(over_s)]),
        ClockState::Met { took_s } => trf(lang, T::ClockMet, &[step, &min(took_s)]),
        ClockState::Late { took_s, over_s } => {
            trf(lang, T::ClockLate, &[step, &min(took_s), &min(over_s)])
        }
    }
}

/// The word for a protective device's role.
pub fn protection_kind(lang: Lang, k: ProtectionKind) -> &'static str {
    tr(
        lang,
        match k {
            ProtectionKind::FeederBreaker => T::RoleBreaker,
            ProtectionKind::Recloser => T::RoleRecloser,
            ProtectionKind::Sectionaliser => T::RoleSectionaliser,
            ProtectionKind::LateralFuse => T::RoleLateralFuse,
            ProtectionKind::TransformerFuse => T::RoleTransformerFuse,
        },
    )
}

/// The word for a call channel.
pub fn channel_word(lang: Lang, c: Channel) -> &'static str {
    tr(
        lang,
        match c {
            Channel::Phone => T::ChPhone,
            Channel::Wechat => T::ChWechat,
            Channel::App => T::ChApp,
            Channel::Web => T::ChWeb,
            Channel::Sms => T::ChSms,
            Channel::Internal => T::ChInternal,
        },
    )
}

/// The word for a fault level.
pub fn fault_level(lang: Lang, l: FaultLevel) -> &'static str {
    tr(
        lang,
        match l {
            FaultLevel::LowVoltage => T::LevelLv,
            FaultLevel::MediumVoltage => T::LevelMv,
            FaultLevel::CustomerSide => T::LevelCustomer,
        },
    )
}

/// The word for what a crew is doing.
pub fn crew_status(lang: Lang, s: CrewStatus) -> &'static str {
    tr(
        lang,
        match s {
            CrewStatus::Available => T::CsAvailable,
            CrewStatus::EnRoute => T::CsEnRoute,
            CrewStatus::OnSite => T::CsOnSite,
            CrewStatus::OffDuty => T::CsOffDuty,
        },
    )
}

/// The word for a ticket event in its history.
pub fn ticket_event(lang: Lang, e: &TicketEvent) -> &'static str {
    tr(
        lang,
        match e {
            TicketEvent::Created { .. } => T::HeCreated,
            TicketEvent::Dispatched { .. } => T::HeDispatched,
            TicketEvent::CrewEnRoute { .. } => T::HeCrewEnRoute,
            TicketEvent::OnSite => T::HeOnSite,
            TicketEvent::Diagnosed { .. } => T::HeDiagnosed,
            TicketEvent::Restored => T::HeRestored,
            TicketEvent::Closed => T::HeClosed,
            TicketEvent::CallbackDone { .. } => T::HeCallback,
            TicketEvent::Cancelled => T::HeCancelled,
            TicketEvent::JoinedOutage { .. } => T::HeJoinedOutage,
        },
    )
}

/// The word for a change of an outage ([`crate::outage::OutageEvent::word`]); an unknown
/// word is shown as it is.
pub fn change_word(lang: Lang, word: &str) -> String {
    let key = match word {
        "created" => T::ChangeCreated,
        "etr_changed" => T::ChangeEtr,
        "scope_changed" => T::ChangeScope,
        "rescheduled" => T::ChangeRescheduled,
        "partially_restored" => T::ChangePartial,
        "restored" => T::ChangeRestored,
        "cancelled" => T::ChangeCancelled,
        other => return other.to_string(),
    };
    tr(lang, key).to_string()
}

/// The word for a customer label by its name in [`Labels::ALL`] (`important`, …).
pub fn label_word(lang: Lang, name: &str) -> String {
    let key = match name {
        "important" => T::LabelImportant,
        "outage_sensitive" => T::LabelSensitive,
        "life_support" => T::LabelLifeSupport,
        "commercial" => T::LabelCommercial,
        "wechat" => T::LabelWechat,
        other => return other.to_string(),
    };
    tr(lang, key).to_string()
}

/// English names of the places the basemap labels (`None`: not in the table).
pub fn place_name(zh: &str) -> Option<&'static str> {
    Some(match zh {
        "禅城区" => "Chancheng",
        "南海区" => "Nanhai",
        "顺德区" => "Shunde",
        "三水区" => "Sanshui",
        "高明区" => "Gaoming",
        "佛山" | "佛山市" => "Foshan",
        "广州" | "廣州" => "Guangzhou",
        "江门" => "Jiangmen",
        "肇庆" => "Zhaoqing",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_has_both_languages_and_the_same_placeholders() {
        for key in ALL {
            let (zh, en) = (tr(Lang::Zh, *key), tr(Lang::En, *key));
            assert!(!zh.is_empty() && !en.is_empty(), "{key:?}");
            assert_eq!(zh.matches("{}").count(), en.matches("{}").count(), "{key:?}");
        }
    }

    #[test]
    fn a_chinese_locale_picks_chinese() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_locale("zh_TW"), Lang::Zh);
        assert_eq!(Lang::from_locale("en_GB.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }

    #[test]
    fn placeholders_are_filled_in_order() {
        assert_eq!(trf(Lang::En, T::WouldLoseSupply, &["42"]), "42 customers would lose supply");
        assert_eq!(trf(Lang::Zh, T::WouldLoseSupply, &["42"]), "42 户将停电");
    }
}
