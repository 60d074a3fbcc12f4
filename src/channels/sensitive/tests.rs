//! The normaliser and the matcher: each disguise undone, near misses left alone, offsets
//! back into the original text, the lexicon file's errors.

use super::traditional::{COVERED, TRADITIONAL};
use super::*;
use crate::rng::Rng;

fn lexicon() -> Lexicon {
    match Lexicon::embedded() {
        Ok(l) => l,
        Err(e) => panic!("the embedded lexicon: {e}"),
    }
}

fn words(text: &str) -> Vec<String> {
    lexicon().find(text).into_iter().map(|h| h.word).collect()
}

#[test]
fn a_complaint_threat_is_found_with_its_category_and_severity() {
    let hits = lexicon().find("三天没电了，我要去12398投诉你们");
    let found: Vec<(&str, &str, Severity)> =
        hits.iter().map(|h| (h.word.as_str(), h.category.as_str(), h.severity)).collect();
    assert_eq!(
        found,
        [
            ("12398", "complaint_threat", Severity::High),
            ("投诉你们", "complaint_threat", Severity::High)
        ]
    );
}

#[test]
fn spaces_between_the_characters_do_not_hide_a_word() {
    assert_eq!(words("我要 投 诉"), ["我要投诉"]);
    assert_eq!(words("投\u{3000}诉"), ["投诉"]);
    assert_eq!(words("投\t\n诉"), ["投诉"]);
}

#[test]
fn symbols_and_punctuation_between_the_characters_do_not_hide_a_word() {
    for disguised in [
        "投*诉",
        "投_诉",
        "投-诉",
        "投.诉",
        "投。诉",
        "投、诉",
        "投…诉",
        "投😡诉",
        "投【诉】",
        "投＊诉",
    ] {
        assert_eq!(words(disguised), ["投诉"], "{disguised}");
    }
}

#[test]
fn zero_width_characters_do_not_hide_a_word() {
    for zw in ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}'] {
        let text = format!("记{zw}者");
        assert_eq!(words(&text), ["记者"], "U+{:04X}", zw as u32);
    }
}

#[test]
fn full_width_letters_and_digits_match_the_ascii_word() {
    assert_eq!(words("打１２３９８"), ["12398"]);
    assert_eq!(words("I will ＳＵＥ you"), ["sue"]);
    assert_eq!(words("发到ＴｉｋＴｏｋ上"), ["tiktok"]);
}

#[test]
fn upper_case_english_matches_the_lexicon_word() {
    assert_eq!(words("A REPORTER is coming"), ["reporter"]);
    assert_eq!(words("Live Wire on the road!"), ["live wire"]);
}

#[test]
fn traditional_characters_match_the_simplified_word() {
    assert_eq!(words("我要投訴"), ["我要投诉"]);
    assert_eq!(words("找記者"), ["找记者"]);
    assert_eq!(words("電線掉落了"), ["电线掉落"]);
    assert_eq!(words("小孩觸電"), ["触电"]);
    assert_eq!(words("家裡有呼吸機"), ["呼吸机"]);
    assert_eq!(words("上媒體"), ["媒体"]);
    assert_eq!(words("變壓器冒煙"), ["变压器冒烟"]);
}

/// Each lexicon word written with the traditional form of every character that has one.
fn traditional_form(word: &str) -> String {
    word.chars().map(|c| TRADITIONAL.iter().find(|(_, s)| *s == c).map_or(c, |(t, _)| *t)).collect()
}

#[test]
fn every_lexicon_word_written_in_traditional_characters_is_found() {
    let lex = lexicon();
    let mut checked = 0;
    for c in lex.categories() {
        for w in &c.words {
            let t = traditional_form(w);
            if t == *w {
                continue;
            }
            let text = format!("，{t}！");
            let found: Vec<String> = lex.find(&text).into_iter().map(|h| h.word).collect();
            assert!(found.contains(w), "`{t}` should read `{w}`, found {found:?}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} words have traditional forms");
}

#[test]
fn every_character_of_the_embedded_lexicon_was_given_its_traditional_forms() {
    // After adding a word with a new character, run resources/channels/traditional.py.
    for c in lexicon().categories() {
        for w in &c.words {
            for ch in w.chars().filter(|ch| ('\u{3400}'..='\u{9FFF}').contains(ch)) {
                assert!(
                    COVERED.contains(ch),
                    "`{ch}` of `{w}` is not in the traditional table: run \
                     resources/channels/traditional.py"
                );
            }
        }
    }
}

#[test]
fn the_traditional_table_is_sorted_and_never_maps_a_character_to_itself() {
    assert!(TRADITIONAL.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(TRADITIONAL.iter().all(|(t, s)| t != s));
    for (t, s) in TRADITIONAL {
        assert_eq!(normalise::simplified(*t), *s);
    }
}

#[test]
fn investing_is_not_complaining_and_other_near_misses_are_left_alone() {
    for clean in [
        "我想投资光伏电站",
        "投票选业主代表",
        "诉说一下情况",
        "issue with my bill",
        "tissue paper",
        "我的电话是13812398000",
        "账号0612345678",
        "usb charger",
        "the firewall at work",
        "multimedia room",
        "电线已经修好了",
        "请问什么时候来电",
    ] {
        assert_eq!(words(clean), Vec::<String>::new(), "{clean}");
    }
}

#[test]
fn a_latin_word_spelled_out_with_spaces_is_still_found() {
    assert_eq!(words("I'll s u e you"), ["sue"]);
    assert_eq!(words("i will sue"), ["sue"]);
    assert_eq!(words("12398!"), ["12398"]);
    assert_eq!(words("打12398热线"), ["12398"]);
}

#[test]
fn the_longest_word_starting_first_wins() {
    assert_eq!(words("投诉到能源局"), ["投诉到能源局"]);
    assert_eq!(words("我要投诉"), ["我要投诉"]);
    assert_eq!(words("变压器冒烟了"), ["变压器冒烟"]);
}

#[test]
fn a_hit_covers_the_original_disguised_text() {
    let text = "喂，我要投 * 訴！";
    let hits = lexicon().find(text);
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(h.word, "我要投诉");
    assert_eq!(h.matched, "我要投 * 訴");
    assert_eq!(&text[h.start_byte..h.end_byte], "我要投 * 訴");
}

#[test]
fn offsets_map_each_folded_character_back_to_its_original() {
    let text = "Ａ b\u{200B}訴!";
    let n = normalise(text);
    assert_eq!(n.text(), "ab诉");
    assert_eq!(n.original_span(0..1), Some(0..3)); // Ａ is 3 bytes
    assert_eq!(n.original_span(1..2), Some(4..5)); // b after a space
    assert_eq!(n.original_span(2..5), Some(8..11)); // 訴 after a zero-width space
    assert_eq!(n.original_span(0..5), Some(0..11));
    assert_eq!(n.original_span(3..5), None); // not on a character
    assert_eq!(n.original_span(2..2), None);
    assert_eq!(n.original_span(0..6), None);
}

#[test]
fn lower_case_beyond_ascii_is_folded() {
    assert_eq!(normalise("ΣΑΣ Straße İ").text(), "σασstraßei");
}

#[test]
fn an_empty_or_symbol_only_text_has_no_hit() {
    assert!(lexicon().find("").is_empty());
    assert!(lexicon().find("！！！   ***\u{200B}").is_empty());
}

#[test]
fn a_word_with_its_own_severity_overrides_its_category() {
    let hits = lexicon().find("你的工号是多少");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].severity, Severity::Medium);
    assert_eq!(hits[0].category, "complaint_threat");
}

#[test]
fn a_screening_takes_the_highest_severity_and_lists_categories_most_severe_first() {
    let s = lexicon().screen("你们这帮垃圾，电线掉落了也不管，我要投诉，垃圾！");
    assert_eq!(s.severity, Some(Severity::Critical));
    assert_eq!(s.categories, ["safety_hazard", "complaint_threat", "abuse"]);
    assert_eq!(s.words, ["垃圾", "电线掉落", "我要投诉"]);
    assert_eq!(s.hits.len(), 4);
    assert!(lexicon().screen("请问什么时候来电").is_clean());
}

fn lexicon_error(json: &str) -> String {
    match Lexicon::from_json(json, "test.json") {
        Ok(_) => panic!("{json} should be refused"),
        Err(e) => e.to_string(),
    }
}

fn one_category(words: &str) -> String {
    format!(
        r#"{{"format": "gridcare-lexicon", "version": 1, "categories": [
            {{"id": "a", "zh": "甲", "en": "a", "severity": "low", "words": [{words}]}},
            {{"id": "b", "zh": "乙", "en": "b", "severity": "high", "words": ["记者"]}}]}}"#
    )
}

#[test]
fn a_lexicon_file_with_a_mistake_is_refused_naming_it() {
    let e = lexicon_error(&one_category(r#""投诉", "記 者""#));
    assert!(e.contains("test.json") && e.contains("`記 者`") && e.contains("`b`"), "{e}");
    let e = lexicon_error(&one_category(r#""***""#));
    assert!(e.contains("category `a`") && e.contains("`***`"), "{e}");
    let e = lexicon_error(&one_category(r#"{"word": "投诉", "severity": "urgent"}"#));
    assert!(e.contains("test.json") && e.contains("line"), "{e}");
    let e = lexicon_error(r#"{"format": "other", "version": 1, "categories": []}"#);
    assert!(e.contains("format"), "{e}");
    let e = lexicon_error(r#"{"format": "gridcare-lexicon", "version": 2, "categories": []}"#);
    assert!(e.contains("version 2"), "{e}");
    let e = lexicon_error(r#"{"format": "gridcare-lexicon", "version": 1, "categories": []}"#);
    assert!(e.contains("categories"), "{e}");
    let e = lexicon_error(&one_category(r#""投诉""#).replace(r#""id": "a""#, r#""id": "A b""#));
    assert!(e.contains("`A b`"), "{e}");
    let e = lexicon_error(&one_category(r#""投诉""#).replace(r#""id": "a""#, r#""id": "b""#));
    assert!(e.contains("`b` appears twice"), "{e}");
    let e = lexicon_error("{");
    assert!(e.contains("test.json"), "{e}");
}

#[test]
fn a_lexicon_file_is_read_from_a_path() {
    let dir = std::env::temp_dir().join(format!("gridcare-lexicon-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("lexicon.json");
    let written = std::fs::write(&path, one_category(r#""停电""#));
    assert!(written.is_ok());
    let lex = match Lexicon::from_path(&path) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(lex.word_count(), 2);
    assert_eq!(lex.find("又停電了")[0].category, "a");
    let missing = Lexicon::from_path(&dir.join("missing.json"));
    assert!(missing.is_err_and(|e| e.to_string().contains("missing.json")));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Characters a customer's message can hold, weighted toward the tricky ones.
fn random_text(rng: &mut Rng, words: &[String]) -> String {
    const ODD: &[char] = &[
        ' ',
        '*',
        '_',
        '\u{200B}',
        '\u{FEFF}',
        '\u{0301}',
        '\u{3000}',
        'İ',
        'ß',
        'Σ',
        'Ａ',
        '１',
        '訴',
        '電',
        '記',
        '😡',
        '\u{1F1E8}',
        '\0',
        '\u{10FFFF}',
        'ﬁ',
        '\u{FFFD}',
        '。',
        'a',
        '9',
    ];
    let len = rng.below(60) as usize;
    let mut s = String::new();
    for _ in 0..len {
        match rng.below(5) {
            0 => s.push(ODD[rng.index(ODD.len())]),
            1 => s.push_str(&words[rng.index(words.len())]),
            2 => s.push(char::from_u32(0x4E00 + rng.below(0x5200) as u32).unwrap_or('电')),
            3 => s.push(char::from_u32(rng.below(0x80) as u32).unwrap_or('a')),
            _ => {
                let c = rng.below(0x11_0000) as u32;
                s.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
        }
    }
    s
}

#[test]
fn the_normaliser_never_panics_and_every_hit_maps_back_inside_the_original() {
    let lex = lexicon();
    let words: Vec<String> = lex.categories().iter().flat_map(|c| c.words.clone()).collect();
    let mut rng = Rng::new(95598);
    let mut hits = 0;
    for _ in 0..3000 {
        let text = random_text(&mut rng, &words);
        let n = normalise(&text);
        let mut at = 0;
        for c in n.text().chars() {
            let span = n.original_span(at..at + c.len_utf8());
            let Some(span) = span else { panic!("{text:?}: no span for folded byte {at}") };
            assert!(span.start < span.end && span.end <= text.len(), "{text:?}: {span:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            at += c.len_utf8();
        }
        for h in lex.find(&text) {
            assert!(h.start_byte < h.end_byte && h.end_byte <= text.len(), "{text:?}: {h:?}");
            assert_eq!(text.get(h.start_byte..h.end_byte), Some(h.matched.as_str()));
            assert_eq!(normalise(&h.matched).text(), normalise(&h.word).text(), "{text:?}");
            hits += 1;
        }
    }
    assert!(hits > 1000, "only {hits} hits in the random texts");
}

#[test]
fn sample_messages_are_forty_characters_and_some_are_sensitive() {
    let m = sample_messages(300, 7);
    assert!(m.iter().all(|s| s.chars().count() == 40));
    let lex = lexicon();
    let flagged = m.iter().filter(|s| !lex.find(s).is_empty()).count();
    assert!((50..200).contains(&flagged), "{flagged} of 300 flagged");
    assert_eq!(m, sample_messages(300, 7));
}
