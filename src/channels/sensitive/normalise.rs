//! The normaliser: the text a customer typed, folded so that the tricks used to slip a word
//! past a filter do not change it, with a map back to the original bytes.

use std::ops::Range;

use super::traditional::TRADITIONAL;

/// A text after [`normalise`]: the folded text, and for each of its characters the
/// original character it came from.
///
/// The folding, character by character:
/// 1. full-width forms (`Ａ`, `１`, `＊`, the ideographic space) become their ASCII forms;
/// 2. traditional characters become simplified ones (訴 → 诉, 電 → 电, 記 → 记; the
///    table covers every traditional form of the lexicon's characters);
/// 3. letters are lower-cased (Unicode lower case, so `Σ` → `σ`);
/// 4. everything that is not a letter or a digit is dropped: spaces, punctuation (ASCII and
///    CJK), symbols, emoji, zero-width characters, combining marks, control characters.
///    So `投 诉`, `投*诉`, `投_诉`, `投\u{200B}诉` all read `投诉`.
///
/// A dropped run leaves a *gap* before the next character kept: the matcher uses it as a
/// word boundary for Latin words (`I will sue` → `iwillsue`, with gaps before `w` and `s`).
///
/// # Examples
///
/// ```
/// use gridcare::channels::sensitive::normalise;
///
/// let n = normalise("我要 投*訴！ＳＵＥ");
/// assert_eq!(n.text(), "我要投诉sue");
/// // `诉` came from bytes 11..14 of the original: `訴`, after `我要 投*`.
/// let at = n.text().find('诉').unwrap_or(0);
/// assert_eq!(n.original_span(at..at + '诉'.len_utf8()), Some(11..14));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalised {
    text: String,
    chars: Vec<FoldedChar>,
}

/// One character of the normalised text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FoldedChar {
    /// Where it starts in the normalised text (bytes).
    at_byte: usize,
    /// The original character it came from (bytes of the original text).
    from_byte: usize,
    to_byte: usize,
    /// Something was dropped between it and the character before it (or it is the first).
    gap_before: bool,
}

impl Normalised {
    /// The folded text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The number of characters of the folded text.
    pub fn char_count(&self) -> usize {
        self.chars.len()
    }

    /// Index of the folded character starting at byte `at` of the folded text.
    fn char_at(&self, at: usize) -> Option<usize> {
        self.chars.binary_search_by_key(&at, |c| c.at_byte).ok()
    }

    /// The bytes of the original text a span of the folded text came from: from the start
    /// of the original character of its first character to the end of that of its last.
    /// `None` when the span is empty or does not start and end on folded characters.
    pub fn original_span(&self, span: Range<usize>) -> Option<Range<usize>> {
        if span.start >= span.end || span.end > self.text.len() {
            return None;
        }
        let first = self.char_at(span.start)?;
        let last = match self.char_at(span.end) {
            Some(next) => next.checked_sub(1)?,
            None if span.end == self.text.len() => self.chars.len().checked_sub(1)?,
            None => return None,
        };
        let (a, b) = (self.chars.get(first)?, self.chars.get(last)?);
        Some(a.from_byte..b.to_byte)
    }

    /// Whether a span of the folded text stands apart as a word: a Latin letter or digit
    /// at its start has nothing but a gap or a non-alphanumeric-ASCII before it, and one at
    /// its end the same after it. CJK ends need no boundary.
    pub(super) fn is_word(&self, span: Range<usize>) -> bool {
        let bytes = self.text.as_bytes();
        let ascii_word = |b: u8| b.is_ascii_alphanumeric();
        let start_ok = match (bytes.get(span.start), span.start.checked_sub(1)) {
            (Some(&b), Some(prev)) if ascii_word(b) => {
                !bytes.get(prev).is_some_and(|&p| ascii_word(p))
                    || self.char_at(span.start).is_some_and(|i| self.chars[i].gap_before)
            }
            _ => true,
        };
        let end_ok = match (span.end.checked_sub(1).and_then(|i| bytes.get(i)), bytes.get(span.end))
        {
            (Some(&b), Some(&next)) if ascii_word(b) && ascii_word(next) => {
                self.char_at(span.end).is_some_and(|i| self.chars[i].gap_before)
            }
            _ => true,
        };
        start_ok && end_ok
    }
}

/// A full-width form (U+FF01–U+FF5E) as ASCII, the ideographic space as a space.
pub fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// A traditional character as its simplified form (itself when the table lacks it).
pub(super) fn simplified(c: char) -> char {
    if (c as u32) < 0x3400 {
        return c;
    }
    match TRADITIONAL.binary_search_by_key(&c, |&(t, _)| t) {
        Ok(i) => TRADITIONAL[i].1,
        Err(_) => c,
    }
}

/// Folds a text (see [`Normalised`]).
pub fn normalise(text: &str) -> Normalised {
    let mut out = Normalised {
        text: String::with_capacity(text.len()),
        chars: Vec::with_capacity(text.len() / 2),
    };
    let mut gap = true;
    for (from, c) in text.char_indices() {
        let to = from + c.len_utf8();
        match c {
            // Fast paths for what most messages are made of: ASCII, and CJK ideographs
            // (letters without case).
            'A'..='Z' | 'a'..='z' | '0'..='9' => {
                out.push(c.to_ascii_lowercase(), from..to, &mut gap);
            }
            '\u{0}'..='\u{7F}' => gap = true,
            '\u{4E00}'..='\u{9FFF}' => out.push(simplified(c), from..to, &mut gap),
            _ => {
                // Lower case may be longer than the character (`İ` → `i̇`): each part keeps
                // the original character's span.
                for l in simplified(half_width(c)).to_lowercase() {
                    if l.is_alphanumeric() {
                        out.push(l, from..to, &mut gap);
                    } else {
                        gap = true;
                    }
                }
            }
        }
    }
    out
}

impl Normalised {
    /// Appends a folded character that came from the original bytes `from`.
    fn push(&mut self, c: char, from: Range<usize>, gap: &mut bool) {
        self.chars.push(FoldedChar {
            at_byte: self.text.len(),
            from_byte: from.start,
            to_byte: from.end,
            gap_before: *gap,
        });
        self.text.push(c);
        *gap = false;
    }
}
