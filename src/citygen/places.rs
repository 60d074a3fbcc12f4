//! Real places of 禅城区 and 南海区: substation sites, township seats, communities and roads.
//!
//! Township names and codes are the NBS 2023 statistical divisions (`shared/data/addresses`).
//! Substation sites are real neighbourhoods at approximate WGS84 positions, each checked to lie
//! in its district polygon. Community, road and compound names are real where known and
//! plausible otherwise; their positions in the demo city are synthetic (a road name does not
//! sit where the real road is).

/// A substation site: a real neighbourhood with a 110 kV substation named after it.
#[derive(Debug)]
pub struct Site {
    /// External id stem (`zumiao` → `sub.zumiao`).
    pub key: &'static str,
    /// Two or three letters for device names (`zm` → `feeder.zm01`).
    pub abbr: &'static str,
    /// Chinese place name (`祖庙` → `祖庙站`).
    pub name: &'static str,
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
    /// The district it lies in.
    pub district: &'static str,
    /// Relative share of customers (urban core heavier).
    pub weight: f64,
}

const fn site(
    key: &'static str,
    abbr: &'static str,
    name: &'static str,
    lon: f64,
    lat: f64,
    district: &'static str,
    weight: f64,
) -> Site {
    Site { key, abbr, name, lon, lat, district, weight }
}

/// Sites in the order they are used: a city of `n` substations uses the first `n`.
pub const SITES: &[Site] = &[
    site("zumiao", "zm", "祖庙", 113.108, 23.035, "禅城区", 1.2),
    site("guicheng", "gc", "桂城", 113.150, 23.038, "南海区", 1.2),
    site("shiwan", "sw", "石湾", 113.090, 23.003, "禅城区", 1.1),
    site("zhangcha", "zc", "张槎", 113.065, 23.048, "禅城区", 0.9),
    site("nanzhuang", "nz", "南庄", 113.015, 22.993, "禅城区", 0.7),
    site("pingzhou", "pz", "平洲", 113.190, 23.010, "南海区", 1.0),
    site("lanshi", "ls", "澜石", 113.125, 22.998, "禅城区", 1.0),
    site("diejiao", "dj", "叠滘", 113.140, 23.070, "南海区", 0.9),
    site("dali", "dl", "大沥", 113.110, 23.105, "南海区", 1.0),
    site("luocun", "lc", "罗村", 113.050, 23.080, "南海区", 0.8),
    site("yanbu", "yb", "盐步", 113.195, 23.090, "南海区", 0.9),
    site("sanshan", "ssh", "三山", 113.215, 23.045, "南海区", 0.7),
    site("huangqi", "hq", "黄岐", 113.188, 23.112, "南海区", 0.9),
    site("shishan", "shs", "狮山", 113.000, 23.140, "南海区", 0.8),
    site("songgang", "sg", "松岗", 113.090, 23.170, "南海区", 0.7),
    site("lishui", "lsh", "里水", 113.150, 23.200, "南海区", 0.7),
    site("xiaotang", "xt", "小塘", 112.960, 23.120, "南海区", 0.6),
    site("heshun", "hs", "和顺", 113.170, 23.215, "南海区", 0.6),
    site("guanyao", "gy", "官窑", 113.050, 23.230, "南海区", 0.6),
    site("danzao", "dz", "丹灶", 112.910, 23.040, "南海区", 0.6),
    site("xiqiao", "xq", "西樵", 112.960, 22.930, "南海区", 0.6),
    site("jiujiang", "jj", "九江", 112.990, 22.840, "南海区", 0.6),
];

/// A township-level division (乡镇街道) with the names used in its addresses.
#[derive(Debug)]
pub struct Township {
    /// NBS name (`石湾镇街道`).
    pub name: &'static str,
    /// Its district.
    pub district: &'static str,
    /// Short name for units and institutions (`石湾`).
    pub stem: &'static str,
    /// Seats (lon, lat): a point lies in the township of the nearest seat of its district.
    pub seats: &'static [(f64, f64)],
    /// Share of transformer areas that are apartment compounds (the rest: village houses).
    pub urban: f64,
    /// 社区居委会 / 村委会.
    pub communities: &'static [&'static str],
    /// Main roads, for feeder trunks.
    pub main_roads: &'static [&'static str],
    /// Streets, for laterals.
    pub streets: &'static [&'static str],
    /// Compound names used before generated ones.
    pub compounds: &'static [&'static str],
    /// Typical industries of the township's factories.
    pub industries: &'static [&'static str],
}

/// The townships of 禅城区 and 南海区 (all 11 NBS units).
pub const TOWNSHIPS: &[Township] = &[
    Township {
        name: "祖庙街道",
        district: "禅城区",
        stem: "祖庙",
        seats: &[(113.110, 23.035), (113.120, 23.020)],
        urban: 0.95,
        communities: &[
            "升平社区", "福贤社区", "普君北社区", "普君南社区", "建新社区", "兆祥社区",
            "永安社区", "新风社区", "卫国社区", "城门头社区", "中山社区", "同济社区",
            "嘉禾社区", "朝安社区", "先锋社区", "莲花社区", "锦华社区", "祖庙社区",
            "亲仁社区", "丰宁社区", "文华社区", "东华社区",
        ],
        main_roads: &[
            "汾江中路", "汾江北路", "祖庙路", "人民路", "岭南大道北", "建新路", "城门头路",
            "卫国路", "佛山大道中", "文华北路", "季华四路", "朝安北路", "同济西路", "亲仁路",
        ],
        streets: &[
            "升平路", "福贤路", "普君北路", "锦华路", "公正路", "松风路", "莲花路", "燎原路",
            "快子路", "市东下路", "永安路", "福宁路", "白燕路", "朝安南路", "丰宁路",
            "大福南路", "兆祥路", "铁军路",
        ],
        compounds: &["文华花园", "岭南天地", "保利花园", "金色家园", "同济花园", "锦华花园"],
        industries: &["服装", "电器", "印刷"],
    },
    Township {
        name: "石湾镇街道",
        district: "禅城区",
        stem: "石湾",
        seats: &[(113.095, 23.000), (113.130, 22.995), (113.075, 22.985)],
        urban: 0.85,
        communities: &[
            "和平社区", "东风社区", "跃进社区", "太平社区", "澜石社区", "石头社区",
            "深村社区", "沙岗社区", "雾岗社区", "绿景社区", "湾华社区", "鄱阳社区",
            "东鄱社区", "河宕社区", "奇槎社区", "江湾社区", "季华社区",
        ],
        main_roads: &[
            "季华五路", "季华六路", "魁奇一路", "魁奇二路", "佛山大道南", "江湾一路",
            "绿景一路", "文华南路", "岭南大道南", "华远东路",
        ],
        streets: &[
            "和平路", "东风路", "跃进路", "太平路", "高庙路", "雾岗路", "镇中路", "河宕路",
            "奇槎路", "东鄱路", "绿景二路", "绿景三路", "湾华路", "南风路",
        ],
        compounds: &["东建世纪城", "绿景花园", "季华花园", "中海万锦豪园", "南风花园"],
        industries: &["陶瓷", "陶瓷", "建材", "五金"],
    },
    Township {
        name: "张槎街道",
        district: "禅城区",
        stem: "张槎",
        seats: &[(113.065, 23.050), (113.045, 23.035)],
        urban: 0.65,
        communities: &[
            "大富社区", "莲塘社区", "上朗社区", "下朗社区", "古灶社区", "村头社区",
            "海口社区", "大江社区", "大沙社区", "弼塘社区", "张槎社区", "朗沙社区",
        ],
        main_roads: &[
            "张槎路", "张槎一路", "张槎二路", "禅西大道", "季华西路", "古新路", "江湾三路",
            "汾江西路", "轻工三路",
        ],
        streets: &[
            "大富路", "莲塘路", "上朗路", "古灶路", "海口路", "大江路", "村头路", "弼塘路",
            "朗沙路", "大沙路", "张槎三路",
        ],
        compounds: &["莲塘花园", "海口新村", "大富花园"],
        industries: &["针织", "纺织", "印染", "五金"],
    },
    Township {
        name: "南庄镇",
        district: "禅城区",
        stem: "南庄",
        seats: &[(113.010, 22.995), (112.990, 22.960), (113.030, 22.975)],
        urban: 0.35,
        communities: &[
            "南庄社区", "吉利村", "紫洞村", "杏头村", "罗格村", "罗南村", "梧村村", "溶洲村",
            "龙津村", "贤僚村", "堤田村", "大涌村", "上元村",
        ],
        main_roads: &["南庄大道", "季华西路", "禅港路", "紫洞路", "吉利大道", "罗南大道"],
        streets: &["南庄一路", "南庄二路", "吉利路", "杏头路", "溶洲路", "龙津路", "堤田路"],
        compounds: &["南庄花园", "绿岛湖花园"],
        industries: &["陶瓷", "建材", "物流"],
    },
    Township {
        name: "桂城街道",
        district: "南海区",
        stem: "桂城",
        seats: &[(113.150, 23.040), (113.190, 23.010), (113.140, 23.070), (113.215, 23.045)],
        urban: 0.9,
        communities: &[
            "桂园社区", "海三社区", "东约社区", "怡海社区", "翠湖社区", "灯湖社区",
            "叠北社区", "叠南社区", "石肯社区", "林岳社区", "平东社区", "平西社区",
            "夏北社区", "夏东社区", "夏西社区", "三山社区", "映月社区", "宝翠社区",
        ],
        main_roads: &[
            "南海大道北", "桂澜北路", "桂澜中路", "桂澜南路", "海八路", "南桂东路",
            "南桂西路", "灯湖东路", "灯湖西路", "季华东路", "佛平路", "夏平路", "天佑四路",
        ],
        streets: &[
            "海三路", "海四路", "海五路", "海六路", "海七路", "桂园路", "怡翠路", "东约路",
            "华翠路", "宝石东路", "天佑三路", "天佑六路", "南七路", "叠北路", "石肯路",
            "林岳路", "夏北路",
        ],
        compounds: &["海逸桃花园", "怡翠玫瑰园", "南海万科广场", "千灯湖一号", "保利水城"],
        industries: &["电子", "物流", "服装"],
    },
    Township {
        name: "大沥镇",
        district: "南海区",
        stem: "大沥",
        seats: &[(113.110, 23.105), (113.195, 23.090), (113.188, 23.115)],
        urban: 0.6,
        communities: &[
            "大沥社区", "沥东社区", "沥西社区", "盐步社区", "黄岐社区", "凤池社区",
            "钟边社区", "太平村", "河东村", "联滘村", "颜峰村", "平地村", "东秀社区",
            "水头社区", "曹边村", "雅瑶村",
        ],
        main_roads: &[
            "广佛路", "建设大道", "大沥大道", "沥东路", "兴沥路", "穗盐路", "黄岐大道",
            "广云路", "钟边路",
        ],
        streets: &[
            "凤池路", "沥中路", "颜峰路", "曹边路", "钟边大街", "河东路", "联滘路",
            "东秀路", "水头路", "雅瑶路",
        ],
        compounds: &["凤池花园", "盐步花园"],
        industries: &["铝材", "有色金属", "五金", "内衣"],
    },
    Township {
        name: "里水镇",
        district: "南海区",
        stem: "里水",
        seats: &[(113.150, 23.200), (113.170, 23.215)],
        urban: 0.45,
        communities: &[
            "里水社区", "和顺社区", "大冲村", "草场村", "麻奢村", "河村村", "沙涌村",
            "鹤峰社区", "逢涌村", "新联村", "甘蕉村",
        ],
        main_roads: &["里广路", "和顺大道", "里水大道", "沿江路", "振兴路"],
        streets: &["草场路", "大冲路", "麻奢路", "河村路", "沙涌路", "鹤峰路", "甘蕉路"],
        compounds: &["梦里水乡花园"],
        industries: &["袜业", "五金", "食品"],
    },
    Township {
        name: "狮山镇",
        district: "南海区",
        stem: "狮山",
        seats: &[
            (113.000, 23.140),
            (113.050, 23.080),
            (113.090, 23.170),
            (113.050, 23.230),
            (112.960, 23.120),
        ],
        urban: 0.45,
        communities: &[
            "狮山社区", "罗村社区", "松岗社区", "官窑社区", "小塘社区", "塘头村", "石碣村",
            "横岗村", "南浦村", "沙坑村", "联表村", "大榄村",
        ],
        main_roads: &[
            "狮山大道", "广云路", "罗村大道", "桃园东路", "桃园西路", "兴业北路", "博爱路",
            "官窑大道", "小塘大道", "松岗大道",
        ],
        streets: &["塘头路", "石碣路", "横岗路", "南浦路", "沙坑路", "联表路", "大榄路"],
        compounds: &["狮山花园"],
        industries: &["汽车配件", "电器", "家具", "照明"],
    },
    Township {
        name: "丹灶镇",
        district: "南海区",
        stem: "丹灶",
        seats: &[(112.910, 23.040)],
        urban: 0.3,
        communities: &["丹灶社区", "金沙社区", "仙岗村", "石联村", "沙滘村"],
        main_roads: &["金沙大道", "丹灶大道", "樵金路"],
        streets: &["仙岗路", "石联路", "沙滘路"],
        compounds: &[],
        industries: &["五金", "日用品"],
    },
    Township {
        name: "西樵镇",
        district: "南海区",
        stem: "西樵",
        seats: &[(112.960, 22.930)],
        urban: 0.3,
        communities: &["西樵社区", "官山社区", "百西村", "民乐村", "简村村"],
        main_roads: &["西樵大道", "樵高路", "樵金路"],
        streets: &["百西路", "民乐路", "简村路"],
        compounds: &[],
        industries: &["纺织", "面料"],
    },
    Township {
        name: "九江镇",
        district: "南海区",
        stem: "九江",
        seats: &[(112.990, 22.840)],
        urban: 0.3,
        communities: &["九江社区", "沙口社区", "儒林社区", "烟南村", "下西村", "南金村"],
        main_roads: &["九江大道", "沙口路", "儒林路"],
        streets: &["烟南路", "下西路", "南金路"],
        compounds: &[],
        industries: &["食品", "酒业", "水产"],
    },
];

/// The power supply bureau (供电局) of a district: `禅城区` → `禅城`.
pub fn district_stem(district: &str) -> &str {
    district.strip_suffix('区').unwrap_or(district)
}

/// The stem of a community name: `升平社区` → `升平`, `紫洞村` → `紫洞`.
pub fn community_stem(community: &str) -> &str {
    community
        .strip_suffix("社区")
        .or_else(|| community.strip_suffix('村'))
        .unwrap_or(community)
}

/// True for a village committee (村委会) rather than a residents' community.
pub fn is_village(community: &str) -> bool {
    community.ends_with('村')
}
