//! The lexicon: categories of sensitive words with a severity, read from JSON and compiled
//! into one Aho-Corasick automaton over the normalised words.

use std::path::Path;

use aho_corasick::{AhoCorasick, Input, MatchKind};
use serde::{Deserialize, Serialize};

use super::normalise::normalise;

/// The lexicon built into the binary (`resources/channels/lexicon.json`).
pub const EMBEDDED_LEXICON: &str = include_str!("../../../resources/channels/lexicon.json");

/// What a lexicon file says it is.
const FORMAT: &str = "gridcare-lexicon";

/// How urgent a hit is; an alert takes the highest of its hits.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look.
    #[default]
    Low,
    /// An unhappy customer (insults, compensation).
    Medium,
    /// A complaint or media threat: a supervisor should call back.
    High,
    /// A hazard to life or property: act now.
    Critical,
}

impl Severity {
    /// The word used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The word in Chinese (低, 中, 高, 紧急).
    pub fn zh(self) -> &'static str {
        match self {
            Severity::Low => "低",
            Severity::Medium => "中",
            Severity::High => "高",
            Severity::Critical => "紧急",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a lexicon could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not a valid lexicon.
    #[error("{file}: {message}")]
    Invalid {
        /// The file (or `embedded lexicon.json`).
        file: String,
        /// What is wrong, naming the line, category or word.
        message: String,
    },
}

/// A category of sensitive words (投诉威胁, 媒体曝光, 安全隐患 …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Category {
    /// Its id (`complaint_threat`), as alerts record it.
    pub id: String,
    /// Its name in Chinese.
    pub zh: String,
    /// Its name in English.
    pub en: String,
    /// The severity of its words (a word may have its own).
    pub severity: Severity,
    /// Its words as written in the file.
    pub words: Vec<String>,
}

/// One sensitive word found in a text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// The lexicon word, as written in the lexicon (`投诉`).
    pub word: String,
    /// The id of its category (`complaint_threat`).
    pub category: String,
    /// Its severity.
    pub severity: Severity,
    /// Where it starts in the original text (bytes, on a character boundary).
    pub start_byte: usize,
    /// Where it ends in the original text (bytes, on a character boundary).
    pub end_byte: usize,
    /// The original text of the span (`投 * 訴`), to highlight.
    pub matched: String,
}

/// What screening a text found: its hits, the highest severity, the categories and words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Screening {
    /// The hits, in the order of the text.
    pub hits: Vec<Hit>,
    /// The highest severity of the hits (`None`: no hit).
    pub severity: Option<Severity>,
    /// The categories hit, most severe first, each once.
    pub categories: Vec<String>,
    /// The lexicon words hit, in the order of the text, each once.
    pub words: Vec<String>,
}

impl Screening {
    /// Summarises hits.
    pub fn of(hits: Vec<Hit>) -> Screening {
        let severity = hits.iter().map(|h| h.severity).max();
        let mut words: Vec<String> = Vec::new();
        let mut by_category: Vec<(Severity, String)> = Vec::new();
        for h in &hits {
            if !words.contains(&h.word) {
                words.push(h.word.clone());
            }
            match by_category.iter_mut().find(|(_, c)| *c == h.category) {
                Some((s, _)) => *s = (*s).max(h.severity),
                None => by_category.push((h.severity, h.category.clone())),
            }
        }
        // Most severe first; among equals, as they came.
        by_category.sort_by_key(|c| std::cmp::Reverse(c.0));
        let categories = by_category.into_iter().map(|(_, c)| c).collect();
        Screening { hits, severity, categories, words }
    }

    /// True when nothing was found.
    pub fn is_clean(&self) -> bool {
        self.hits.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    format: String,
    version: u32,
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
    categories: Vec<CategoryFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFile {
    id: String,
    zh: String,
    en: String,
    severity: Severity,
    words: Vec<WordFile>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum WordFile {
    Plain(String),
    Rated { word: String, severity: Severity },
}

/// One pattern of the automaton.
#[derive(Clone, Debug)]
struct Entry {
    word: String,
    category: usize,
    severity: Severity,
}

/// A compiled lexicon: finds its words in a text, whatever was done to hide them.
///
/// Matching: every word is [normalised](super::normalise) and the set compiled into one
/// Aho-Corasick automaton with leftmost-longest semantics, so that of overlapping words the
/// one starting first wins and, among those, the longest (`投诉到能源局` over `投诉`). The
/// text is normalised the same way and searched once, in time linear in its length. A word
/// that begins (ends) with a Latin letter or digit only counts when it begins (ends) at a
/// word boundary of the text: `sue` is not found in `issue`, `12398` not in `13812398000`.
/// Hits are reported with the original bytes they cover.
#[derive(Clone)]
pub struct Lexicon {
    source: String,
    categories: Vec<Category>,
    entries: Vec<Entry>,
    automaton: AhoCorasick,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("source", &self.source)
            .field("categories", &self.categories.len())
            .field("words", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl Lexicon {
    /// The lexicon built into the binary.
    pub fn embedded() -> Result<Lexicon, LexiconError> {
        Lexicon::from_json(EMBEDDED_LEXICON, "embedded lexicon.json")
    }

    /// A lexicon file.
    pub fn from_path(path: &Path) -> Result<Lexicon, LexiconError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| LexiconError::Io { path: path.to_path_buf(), source })?;
        Lexicon::from_json(&text, &path.display().to_string())
    }

    /// A lexicon from its JSON text; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Lexicon, LexiconError> {
        let invalid = |message: String| LexiconError::Invalid { file: file.to_string(), message };
        let parsed: LexiconFile = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if parsed.format != FORMAT {
            return Err(invalid(format!("format: `{}`, expected `{FORMAT}`", parsed.format)));
        }
        if parsed.version != 1 {
            return Err(invalid(format!(
                "version {}: this gridcare reads version 1",
                parsed.version
            )));
        }
        if parsed.categories.is_empty() {
            return Err(invalid("categories: none".into()));
        }
        let mut categories: Vec<Category> = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        for (ci, c) in parsed.categories.into_iter().enumerate() {
            let id_ok = !c.id.is_empty()
                && c.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !id_ok {
                return Err(invalid(format!(
                    "category {}: id `{}` is not lower-case letters, digits and _",
                    ci + 1,
                    c.id
                )));
            }
            if categories.iter().any(|k| k.id == c.id) {
                return Err(invalid(format!("category `{}` appears twice", c.id)));
            }
            if c.words.is_empty() {
                return Err(invalid(format!("category `{}`: no words", c.id)));
            }
            let mut words = Vec::with_capacity(c.words.len());
            for w in c.words {
                let (word, severity) = match w {
                    WordFile::Plain(word) => (word, c.severity),
                    WordFile::Rated { word, severity } => (word, severity),
                };
                let pattern = normalise(&word).text().to_string();
                if pattern.is_empty() {
                    return Err(invalid(format!(
                        "category `{}`: word `{word}` has no letter or digit",
                        c.id
                    )));
                }
                if let Some(i) = patterns.iter().position(|p| *p == pattern) {
                    let other = &entries[i];
                    let other_category =
                        categories.get(other.category).map_or(c.id.as_str(), |k| k.id.as_str());
                    return Err(invalid(format!(
                        "category `{}`: word `{word}` reads the same as `{}` of `{other_category}` \
                         (both `{pattern}` once normalised)",
                        c.id, other.word
                    )));
                }
                patterns.push(pattern);
                entries.push(Entry { word: word.clone(), category: categories.len(), severity });
                words.push(word);
            }
            categories.push(Category { id: c.id, zh: c.zh, en: c.en, severity: c.severity, words });
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| invalid(format!("the words do not compile: {e}")))?;
        Ok(Lexicon { source: file.to_string(), categories, entries, automaton })
    }

    /// Where it was read from (`embedded lexicon.json` or the file's path).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Its categories, in the file's order.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// A category by id.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// How many words it has.
    pub fn word_count(&self) -> usize {
        self.entries.len()
    }

    /// The sensitive words in a text, in the order of the text, with the original bytes
    /// each covers (see [`Lexicon`] for the rule).
    ///
    /// # Examples
    ///
    /// ```
    /// use gridcare::channels::sensitive::{Lexicon, Severity};
    ///
    /// let lexicon = Lexicon::embedded()?;
    /// let text = "停电三天了，再不来人我就投 诉到能源局，还要叫記者来曝光！";
    /// let hits = lexicon.find(text);
    /// let words: Vec<&str> = hits.iter().map(|h| h.word.as_str()).collect();
    /// assert_eq!(words, ["投诉到能源局", "记者", "曝光"]);
    /// assert_eq!(hits[0].category, "complaint_threat");
    /// assert_eq!(hits[1].matched, "記者");
    /// assert_eq!(&text[hits[1].start_byte..hits[1].end_byte], "記者");
    /// assert_eq!(hits[2].severity, Severity::High);
    /// // 投资 (invest) is not 投诉 (complain); sue is not in issue.
    /// assert!(lexicon.find("投资电费的issue").is_empty());
    /// # Ok::<(), gridcare::channels::sensitive::LexiconError>(())
    /// ```
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let folded = normalise(text);
        let hay = folded.text();
        let mut hits = Vec::new();
        let mut at = 0;
        while at < hay.len() {
            let Some(m) = self.automaton.find(Input::new(hay).span(at..hay.len())) else {
                break;
            };
            let span = m.start()..m.end();
            let original = folded.original_span(span.clone());
            match (folded.is_word(span), original, self.entries.get(m.pattern().as_usize())) {
                (true, Some(orig), Some(entry)) => {
                    let category = self
                        .categories
                        .get(entry.category)
                        .map(|c| c.id.clone())
                        .unwrap_or_default();
                    hits.push(Hit {
                        word: entry.word.clone(),
                        category,
                        severity: entry.severity,
                        matched: text.get(orig.clone()).unwrap_or_default().to_string(),
                        start_byte: orig.start,
                        end_byte: orig.end,
                    });
                    at = m.end();
                }
                // Not at a word boundary: look again from the next character.
                _ => {
                    let step = hay.get(m.start()..).and_then(|r| r.chars().next());
                    at = m.start() + step.map_or(1, char::len_utf8);
                }
            }
        }
        hits
    }

    /// The hits of a text summarised ([`Screening::of`]).
    pub fn screen(&self, text: &str) -> Screening {
        Screening::of(self.find(text))
    }
}
