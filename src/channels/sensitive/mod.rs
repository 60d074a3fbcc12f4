//! Sensitive words (敏感词): the lexicon of words a 95598 centre watches for in customers'
//! messages — complaint threats, media exposure, safety hazards, life support, extreme
//! statements, abuse — and the matcher that finds them however they were disguised.
//!
//! * [`normalise`]: full-width → ASCII, traditional → simplified, lower case, spaces,
//!   symbols and zero-width characters between characters dropped; with a map back to the
//!   original bytes ([`Normalised::original_span`]).
//! * [`Lexicon`]: categories with a severity, read from `resources/channels/lexicon.json`
//!   (embedded) or a file, compiled into one Aho-Corasick automaton; [`Lexicon::find`] gives
//!   the [`Hit`]s of a text, [`Lexicon::screen`] their [`Screening`].
//!
//! Alerts raised from the hits live in [`super::alert`].

mod lexicon;
mod normalise;
mod traditional;

#[cfg(test)]
mod tests;

use std::time::Instant;

pub use lexicon::{Category, Hit, Lexicon, LexiconError, Screening, Severity, EMBEDDED_LEXICON};
pub use normalise::{half_width, normalise, Normalised};

use crate::bench::{median_ns, Figure};
use crate::rng::Rng;

/// What customers write when nothing is wrong (pieces of messages for the benchmark).
const EVERYDAY: &[&str] = &[
    "您好，我家停电了，请问什么时候来电？",
    "户号0612345678，这个月电费怎么这么高",
    "小区3栋今天下午一直没电，麻烦尽快安排抢修",
    "请问明天计划停电是几点到几点",
    "我想办理过户，需要带什么材料",
    "家里空调跳闸了，总开关合不上",
    "电表显示欠费但是我昨天已经缴过了",
    "光伏并网申请的进度在哪里查询",
    "Hi, the power is out at Building 5 since 9am",
];

/// What customers write when something is (pieces of messages for the benchmark).
const SENSITIVE: &[&str] = &[
    "再不来电我就投诉到能源局",
    "门口电线掉落了还在冒火花",
    "家里有呼吸机，停电太危险了",
    "你们这服务太垃圾了",
    "我要发抖音曝光你们",
    "电线杆倒了压在车上",
    "老人中暑了快来人",
    "I will call a reporter",
];

/// A disguise a customer might use: symbols between the characters, full width.
fn disguise(rng: &mut Rng, text: &str) -> String {
    match rng.below(4) {
        0 => text.chars().map(|c| format!("{c} ")).collect(),
        1 => text.chars().map(|c| format!("{c}*")).collect(),
        2 => text
            .chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .collect(),
        _ => text.to_string(),
    }
}

/// `n` typical customer messages of 40 characters, about one in three with a sensitive
/// word (some disguised), deterministic for a seed.
pub fn sample_messages(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let mut m = String::new();
            if rng.below(3) == 0 {
                let s = SENSITIVE[rng.index(SENSITIVE.len())];
                m.push_str(&disguise(&mut rng, s));
            }
            while m.chars().count() < 40 {
                m.push_str(EVERYDAY[rng.index(EVERYDAY.len())]);
            }
            m.chars().take(40).collect()
        })
        .collect()
}

/// The time to screen one typical 40-character message (median over batches of 16, after
/// a warm-up), for `gridcare bench` and the README. Messages per second = 1e9 / median_ns.
pub fn screening_figures(lexicon: &Lexicon, messages: usize, seed: u64) -> Vec<Figure> {
    let inputs = sample_messages(messages.max(16), seed);
    let mut sink = 0usize;
    for m in inputs.iter().take(256) {
        sink = sink.wrapping_add(lexicon.find(m).len());
    }
    let mut samples = Vec::with_capacity(inputs.len() / 16 + 1);
    for chunk in inputs.chunks(16) {
        let t = Instant::now();
        for m in chunk {
            sink = sink.wrapping_add(lexicon.find(m).len());
        }
        samples.push(t.elapsed().as_nanos() as f64 / chunk.len() as f64);
    }
    std::hint::black_box(sink);
    let mut normalise_samples = Vec::with_capacity(inputs.len() / 16 + 1);
    for chunk in inputs.chunks(16) {
        let t = Instant::now();
        for m in chunk {
            sink = sink.wrapping_add(normalise(m).char_count());
        }
        normalise_samples.push(t.elapsed().as_nanos() as f64 / chunk.len() as f64);
    }
    std::hint::black_box(sink);
    vec![
        Figure {
            what: "sensitive words: screen a 40-character message (normalise + match)".into(),
            median_ns: median_ns(samples),
            samples: inputs.len(),
        },
        Figure {
            what: "sensitive words: normalise a 40-character message".into(),
            median_ns: median_ns(normalise_samples),
            samples: inputs.len(),
        },
    ]
}
