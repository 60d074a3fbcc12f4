//! Any bytes as a lexicon file: refused with an error or compiled, never a panic; a lexicon
//! that compiles screens its own text and a customer's message without panicking, and each
//! hit lies inside the text.

#![no_main]

use gridcare::channels::sensitive::Lexicon;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(lexicon) = Lexicon::from_json(&text, "fuzz.json") else { return };
    assert!(lexicon.word_count() > 0);
    for sample in [text.as_ref(), "停电三天了，我要投 诉到能源局，还要找記者曝光！I will sue"]
    {
        for h in lexicon.find(sample) {
            assert_eq!(sample.get(h.start_byte..h.end_byte), Some(h.matched.as_str()));
            assert!(lexicon.category(&h.category).is_some());
        }
    }
});
