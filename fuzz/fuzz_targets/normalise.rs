//! Any bytes (read as UTF-8, lossily) through the normaliser and the embedded lexicon's
//! matcher: no panic, every folded character maps back to a character of the original, and
//! every hit covers original bytes that normalise to its word.

#![no_main]

use std::sync::OnceLock;

use gridcare::channels::sensitive::{normalise, Lexicon};
use libfuzzer_sys::fuzz_target;

static LEXICON: OnceLock<Lexicon> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lexicon = LEXICON.get_or_init(|| match Lexicon::embedded() {
        Ok(l) => l,
        Err(e) => panic!("the embedded lexicon: {e}"),
    });
    let folded = normalise(&text);
    let mut at = 0;
    for c in folded.text().chars() {
        let span = folded.original_span(at..at + c.len_utf8());
        let Some(span) = span else { panic!("no original span for folded byte {at}") };
        assert!(span.start < span.end && span.end <= text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        at += c.len_utf8();
    }
    assert_eq!(folded.original_span(0..folded.text().len() + 1), None);
    for h in lexicon.find(&text) {
        assert!(h.start_byte < h.end_byte && h.end_byte <= text.len());
        assert_eq!(text.get(h.start_byte..h.end_byte), Some(h.matched.as_str()));
        assert_eq!(normalise(&h.matched).text(), normalise(&h.word).text());
    }
});
