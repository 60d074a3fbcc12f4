//! Names for synthetic customers: people, shops, firms, institutions, compounds and villages,
//! plus account numbers and phone numbers.

use std::collections::HashSet;

use crate::rng::Rng;

/// Surnames with rough Guangdong frequencies (per mille of a weight sum; 陈 is first there).
const SURNAMES: &[(&str, u32)] = &[
    ("陈", 100),
    ("李", 70),
    ("黄", 70),
    ("张", 40),
    ("梁", 40),
    ("林", 30),
    ("刘", 30),
    ("吴", 25),
    ("罗", 20),
    ("何", 20),
    ("王", 15),
    ("郑", 15),
    ("杨", 15),
    ("谢", 15),
    ("冯", 15),
    ("邓", 15),
    ("周", 12),
    ("叶", 12),
    ("潘", 12),
    ("苏", 10),
    ("麦", 10),
    ("区", 8),
    ("关", 8),
    ("卢", 8),
    ("余", 8),
    ("钟", 8),
    ("曾", 8),
    ("郭", 8),
    ("蔡", 7),
    ("彭", 7),
    ("胡", 6),
    ("朱", 6),
    ("许", 6),
    ("徐", 6),
    ("赖", 5),
    ("江", 5),
    ("伍", 5),
    ("邱", 5),
    ("莫", 5),
    ("孙", 4),
    ("马", 4),
    ("温", 4),
    ("霍", 3),
    ("岑", 3),
    ("简", 3),
    ("庞", 3),
    ("孔", 3),
    ("欧阳", 3),
    ("招", 2),
    ("司徒", 1),
];

/// Characters of given names; common ones appear twice.
const GIVEN: &[&str] = &[
    "伟", "伟", "芳", "芳", "敏", "敏", "静", "丽", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
    "杰", "娟", "涛", "明", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "英", "华", "华", "志",
    "志", "文", "文", "辉", "健", "婷", "玲", "燕", "红", "梅", "建", "国", "永", "荣", "锦", "嘉",
    "嘉", "家", "俊", "俊", "浩", "宇", "晓", "雪", "淑", "惠", "慧", "丹", "倩", "颖", "欣", "怡",
    "婉", "玉", "凤", "金", "炳", "添", "耀", "棠", "坤", "锐", "泽", "森", "伦", "彬", "汉", "权",
    "卓", "铭", "钰", "琪", "诗", "咏", "振", "树", "满", "好", "娣", "妹", "球", "基", "昌", "发",
    "达", "培", "德", "成", "海", "东", "贤", "兴", "佩", "少", "子", "思", "雅", "梓", "轩", "晴",
    "乐", "健", "沛", "伟", "灿", "润", "洪",
];

/// A person's name: surname plus one (15 %) or two given-name characters.
pub fn person(rng: &mut Rng) -> String {
    let total: u32 = SURNAMES.iter().map(|s| s.1).sum();
    let mut k = rng.below(u64::from(total)) as u32;
    let mut surname = SURNAMES[0].0;
    for (s, w) in SURNAMES {
        if k < *w {
            surname = s;
            break;
        }
        k -= w;
    }
    let mut name = String::with_capacity(12);
    name.push_str(surname);
    for _ in 0..if rng.chance(0.15) { 1 } else { 2 } {
        let given: &&str = rng.pick(GIVEN);
        name.push_str(given);
    }
    name
}

const BRANDS: &[&str] = &[
    "鸿运", "兴隆", "金利", "华盛", "永丰", "佳美", "顺发", "联华", "恒达", "宏图", "伟业", "粤丰",
    "德信", "信达", "新力", "精工", "华美", "利豪", "南方", "创力", "嘉信", "荣昌", "盈科", "百利",
    "好运", "万福", "金鹰", "骏达", "丰年", "冠华", "建辉", "和兴", "源丰", "祥和", "宝源", "捷成",
    "恒昌", "汇景", "广和", "联邦",
];

const SHOPS: &[&str] = &[
    "便利店",
    "药房",
    "五金店",
    "理发店",
    "水果店",
    "餐厅",
    "快餐店",
    "干洗店",
    "茶餐厅",
    "烧腊店",
    "粥铺",
    "士多",
    "文具店",
    "花店",
    "面包店",
    "眼镜店",
    "诊所",
    "地产中介",
];

/// A street shop (ground floor of a compound): `陈记烧腊店`, `鸿运便利店`.
pub fn shop(rng: &mut Rng) -> String {
    let kind = rng.pick(SHOPS);
    if rng.chance(0.35) {
        let owner = person(rng);
        let surname = owner.chars().next().map(String::from).unwrap_or_default();
        format!("{surname}记{kind}")
    } else {
        format!("{}{kind}", rng.pick(BRANDS))
    }
}

const BIG_BUSINESS: &[&str] = &["酒店", "商场", "广场", "百货", "大厦", "酒楼", "写字楼", "超市"];

/// A firm on its own transformer (专变): a factory of the township's trade, a hotel, a mall.
pub fn firm(rng: &mut Rng, district_stem: &str, industries: &[&str]) -> (String, bool) {
    if industries.is_empty() || rng.chance(0.35) {
        (format!("{}{}", rng.pick(BRANDS), rng.pick(BIG_BUSINESS)), false)
    } else {
        let industry = rng.pick(industries);
        let tail = *rng.pick(&["有限公司", "有限公司", "制品厂", "厂"]);
        (format!("佛山市{district_stem}区{}{industry}{tail}", rng.pick(BRANDS)), true)
    }
}

/// An important customer (重要客户): a school, a clinic, a pumping station, a public office.
pub fn institution(rng: &mut Rng, district_stem: &str, township_stem: &str, stem: &str) -> String {
    let u = rng.f64();
    if u < 0.30 {
        format!("佛山市{district_stem}区{stem}小学")
    } else if u < 0.40 {
        format!("佛山市{district_stem}区{stem}中学")
    } else if u < 0.55 {
        format!("{stem}幼儿园")
    } else if u < 0.70 {
        format!("{stem}社区卫生服务中心")
    } else if u < 0.75 {
        format!("佛山市{district_stem}区{township_stem}人民医院{stem}分院")
    } else if u < 0.87 {
        format!("{stem}{}", rng.pick(&["加压泵站", "自来水厂", "污水处理站"]))
    } else {
        format!("{stem}{}", rng.pick(&["派出所", "消防站", "通信机楼", "政务服务站"]))
    }
}

const COMPOUND_HEADS: &[&str] = &[
    "锦绣", "翠湖", "金色", "丽景", "华庭", "御景", "江湾", "南湖", "碧水", "绿岛", "明珠", "星光",
    "富华", "东方", "嘉和", "骏景", "天誉", "丰泽", "怡景", "君悦", "华信", "新城", "荣华", "泰安",
    "凯德", "利华", "恒福", "海逸", "锦龙", "康城", "美景", "聚龙", "万豪", "雅居", "中南", "金海",
    "珠江", "宏宇", "岭南", "半岛",
];

const COMPOUND_TAILS: &[&str] = &[
    "花园", "苑", "豪庭", "雅居", "新村", "华府", "名都", "公馆", "广场", "小区", "山庄", "家园",
    "大厦", "明苑", "轩", "嘉园",
];

const PHASES: &[&str] = &["", "二期", "三期", "四期", "五期", "六期"];

/// Hands out compound names (小区) for one township without repeats: its real names first,
/// then shuffled combinations, then the same with phases (`二期`).
#[derive(Debug)]
pub struct CompoundNamer {
    names: Vec<String>,
    next: usize,
}

impl CompoundNamer {
    /// A namer for a township with `real` names.
    pub fn new(rng: &mut Rng, real: &[&str]) -> Self {
        let mut generated: Vec<String> = COMPOUND_HEADS
            .iter()
            .flat_map(|h| COMPOUND_TAILS.iter().map(move |t| format!("{h}{t}")))
            .filter(|n| !real.contains(&n.as_str()))
            .collect();
        rng.shuffle(&mut generated);
        let mut names: Vec<String> = real.iter().map(|s| s.to_string()).collect();
        names.extend(generated);
        CompoundNamer { names, next: 0 }
    }

    /// The next unused name.
    pub fn next_name(&mut self) -> String {
        let n = self.names.len();
        let (base, phase) = (self.next % n, self.next / n);
        self.next += 1;
        let phase = PHASES.get(phase).copied().unwrap_or("新区");
        format!("{}{phase}", self.names[base])
    }
}

const VILLAGE_PARTS: &[&str] = &[
    "东坊",
    "西坊",
    "南坊",
    "北坊",
    "大街坊",
    "新村",
    "上村",
    "下村",
    "东头",
    "西头",
    "围",
    "中坊",
    "岗头",
    "涌边",
];

const VILLAGE_ROADS: &[&str] = &["大街", "北街", "南街", "东街", "西街", "新路", "中街"];

/// A natural village (自然村) of a community and its street: (`紫洞北坊`, `紫洞大街`).
pub fn village(rng: &mut Rng, stem: &str) -> (String, String) {
    (format!("{stem}{}", rng.pick(VILLAGE_PARTS)), format!("{stem}{}", rng.pick(VILLAGE_ROADS)))
}

/// Mobile prefixes of the three operators (13x, 15x, 18x).
const MOBILE_PREFIXES: &[u64] = &[
    130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159,
    180, 181, 182, 183, 185, 186, 187, 188, 189,
];

/// Issues account numbers and phone numbers, each unique in the city.
#[derive(Debug)]
pub struct Numbers {
    next_account: u64,
    phones: HashSet<u64>,
}

impl Default for Numbers {
    /// Account numbers start after `0600000000`.
    fn default() -> Self {
        Numbers { next_account: 600_000_000, phones: HashSet::new() }
    }
}

impl Numbers {
    /// The next account number: 10 digits, increasing with small gaps (closed accounts).
    pub fn account(&mut self, rng: &mut Rng) -> String {
        self.next_account += 1 + rng.below(19);
        format!("{:010}", self.next_account)
    }

    /// A mobile number (11 digits) that no one has yet.
    pub fn phone(&mut self, rng: &mut Rng) -> String {
        loop {
            let n = rng.pick(MOBILE_PREFIXES) * 100_000_000 + rng.below(100_000_000);
            if self.phones.insert(n) {
                return n.to_string();
            }
        }
    }
}
