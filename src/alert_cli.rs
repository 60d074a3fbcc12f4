//! `gridcare alert …`: sensitive-word alerts (敏感词预警) from the terminal — screen a text,
//! raise an alert from a customer's message, and work the alerts of the store of --data-dir:
//! list, show with history, acknowledge, assign, resolve with a note.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Result};
use clap::Subcommand;
use gridcare::channels::alert::{Alert, AlertBook, AlertEvent, AlertId};
use gridcare::channels::sensitive::{screening_figures, Hit, Lexicon, Screening};
use gridcare::store::format_time;
use serde_json::json;

use crate::print_json;

/// What `gridcare alert` does.
#[derive(Subcommand)]
pub enum AlertCommand {
    /// Screen a text: the sensitive words it holds, highlighted; nothing is written.
    Check {
        /// The text (quote it).
        text: String,
        /// A lexicon file instead of the embedded one (resources/channels/lexicon.json).
        #[arg(long, value_name = "FILE")]
        lexicon: Option<PathBuf>,
    },
    /// Screen a customer's message and raise an alert when it holds a sensitive word.
    Raise {
        /// The channel it came by: phone, wechat, app, web, sms.
        #[arg(long)]
        channel: String,
        /// The customer's account number (户号), when known.
        #[arg(long)]
        account: Option<String>,
        /// The message (quote it).
        text: String,
        /// A lexicon file instead of the embedded one.
        #[arg(long, value_name = "FILE")]
        lexicon: Option<PathBuf>,
        /// Why (recorded with the step).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The open alerts, most severe first; --all for every alert by number.
    List {
        /// Resolved alerts too.
        #[arg(long)]
        all: bool,
    },
    /// One alert with its history.
    Show {
        /// The alert number.
        id: u64,
    },
    /// Acknowledge an alert (seen).
    Ack {
        /// The alert number.
        id: u64,
        /// Why (recorded with the step).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Assign an alert to someone (again, to someone else, while it is open).
    Assign {
        /// The alert number.
        id: u64,
        /// Who deals with it.
        #[arg(long)]
        to: String,
        /// Why (recorded with the step).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Resolve an alert, saying what was done.
    Resolve {
        /// The alert number.
        id: u64,
        /// What was done (required).
        #[arg(long)]
        note: String,
        /// Why (recorded with the step).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The lexicon's categories, severities and word counts.
    Lexicon {
        /// A lexicon file instead of the embedded one.
        #[arg(long, value_name = "FILE")]
        lexicon: Option<PathBuf>,
    },
    /// Measure screening on this machine: typical 40-character messages per second.
    Bench {
        /// How many messages to screen.
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        /// Seed of the generated messages.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// A lexicon file instead of the embedded one.
        #[arg(long, value_name = "FILE")]
        lexicon: Option<PathBuf>,
    },
}

fn lexicon(path: &Option<PathBuf>) -> Result<Lexicon> {
    Ok(match path {
        Some(p) => Lexicon::from_path(p)?,
        None => Lexicon::embedded()?,
    })
}

/// The text with each hit in 【】.
fn highlighted(text: &str, hits: &[Hit]) -> String {
    let mut out = String::with_capacity(text.len() + hits.len() * 6);
    let mut at = 0;
    for h in hits {
        let (Some(before), Some(word)) =
            (text.get(at..h.start_byte), text.get(h.start_byte..h.end_byte))
        else {
            continue;
        };
        out.push_str(before);
        out.push('【');
        out.push_str(word);
        out.push('】');
        at = h.end_byte;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

/// `安全隐患 safety_hazard` for a category id, when the lexicon knows it.
fn category_name(lex: &Lexicon, id: &str) -> String {
    lex.category(id).map_or_else(|| id.to_string(), |c| format!("{} {}", c.zh, c.en))
}

fn print_screening(lex: &Lexicon, text: &str, s: &Screening) {
    let Some(severity) = s.severity else {
        println!("no sensitive word");
        return;
    };
    println!(
        "{} sensitive word(s), severity {severity} ({}): {}",
        s.hits.len(),
        severity.zh(),
        highlighted(text, &s.hits)
    );
    for h in &s.hits {
        println!(
            "  {} {} {:<8} bytes {}..{}  `{}`",
            pad(&h.word, 14),
            pad(&category_name(lex, &h.category), 26),
            h.severity.as_str(),
            h.start_byte,
            h.end_byte,
            h.matched
        );
    }
}

/// At most `n` characters of a text, on one line.
fn excerpt(text: &str, n: usize) -> String {
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if one_line.chars().count() <= n {
        one_line
    } else {
        one_line.chars().take(n).chain(std::iter::once('…')).collect()
    }
}

fn alert_line(a: &Alert) -> String {
    let status = match (&a.assigned_to, a.status) {
        (Some(to), gridcare::channels::alert::AlertStatus::Assigned) => format!("assigned → {to}"),
        (_, s) => s.as_str().to_string(),
    };
    format!(
        "#{:<3} {:<8} {}  {}  {} {}  {}  {}",
        a.id.0,
        a.severity.as_str(),
        pad(&status, 18),
        format_time(a.raised.at_s),
        a.channel,
        a.account.as_deref().unwrap_or("-"),
        a.words.join(", "),
        excerpt(&a.text, 24)
    )
}

/// The columns a text takes in a terminal: two for CJK and full-width characters.
fn columns(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
            0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// The text padded with spaces to `cols` terminal columns.
fn pad(text: &str, cols: usize) -> String {
    let n = columns(text);
    format!("{text}{}", " ".repeat(cols.saturating_sub(n)))
}

fn event_details(e: &AlertEvent) -> String {
    match e {
        AlertEvent::Raised { channel, account, hits, .. } => format!(
            "by {channel}{}: {} word(s)",
            account.as_ref().map_or_else(String::new, |a| format!(", account {a}")),
            hits.len()
        ),
        AlertEvent::Acknowledged => String::new(),
        AlertEvent::Assigned { to } => format!("to {to}"),
        AlertEvent::Resolved { note } => format!("note: {note}"),
    }
}

/// The alerts of the store of --data-dir, screened with the embedded lexicon.
fn open_book(data_dir: Option<&Path>) -> Result<AlertBook> {
    let data = gridcare::store::data_dir(data_dir);
    Ok(AlertBook::open(Arc::new(gridcare::open_store(&data)?))?)
}

fn print_changed(a: &Alert, json_out: bool) -> Result<ExitCode> {
    if json_out {
        print_json(&json!({"alert": a}))?;
    } else {
        println!("{}", alert_line(a));
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a `gridcare alert` command.
pub fn run(
    _model: &Option<PathBuf>,
    data_dir: Option<&Path>,
    json_out: bool,
    author: &str,
    action: AlertCommand,
) -> Result<ExitCode> {
    match action {
        AlertCommand::Check { text, lexicon: file } => {
            let lex = lexicon(&file)?;
            let s = lex.screen(&text);
            if json_out {
                print_json(&serde_json::to_value(&s)?)?;
            } else {
                print_screening(&lex, &text, &s);
            }
            Ok(ExitCode::SUCCESS)
        }
        AlertCommand::Lexicon { lexicon: file } => print_lexicon(&lexicon(&file)?, json_out),
        AlertCommand::Bench { messages, seed, lexicon: file } => {
            bench(&lexicon(&file)?, messages, seed, json_out)
        }
        AlertCommand::Raise { channel, account, text, lexicon: file, reason } => {
            let data = gridcare::store::data_dir(data_dir);
            let lex = Arc::new(lexicon(&file)?);
            let book = AlertBook::with_lexicon(Arc::new(gridcare::open_store(&data)?), lex.clone());
            let s = book.check(&text);
            if s.is_clean() {
                if json_out {
                    print_json(&json!({"alert": null, "screening": s}))?;
                } else {
                    println!("no sensitive word: no alert raised");
                }
                return Ok(ExitCode::SUCCESS);
            }
            let a = book.raise(&text, &channel, account.as_deref(), s.hits, author, &reason)?;
            if json_out {
                print_json(&json!({"alert": a}))?;
            } else {
                let cats: Vec<String> =
                    a.categories.iter().map(|c| category_name(&lex, c)).collect();
                println!(
                    "alert #{} raised, severity {} ({}): {}",
                    a.id,
                    a.severity,
                    a.severity.zh(),
                    cats.join(", ")
                );
                println!("  {}", highlighted(&a.text, &a.hits));
            }
            Ok(ExitCode::SUCCESS)
        }
        AlertCommand::List { all } => {
            let book = open_book(data_dir)?;
            let alerts = if all { book.all()? } else { book.open_alerts()? };
            if json_out {
                print_json(&serde_json::to_value(&alerts)?)?;
            } else if alerts.is_empty() {
                println!("{}", if all { "no alert" } else { "no open alert" });
            } else {
                for a in &alerts {
                    println!("{}", alert_line(a));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AlertCommand::Show { id } => show(&open_book(data_dir)?, AlertId(id), json_out),
        AlertCommand::Ack { id, reason } => print_changed(
            &open_book(data_dir)?.acknowledge(AlertId(id), author, &reason)?,
            json_out,
        ),
        AlertCommand::Assign { id, to, reason } => print_changed(
            &open_book(data_dir)?.assign(AlertId(id), &to, author, &reason)?,
            json_out,
        ),
        AlertCommand::Resolve { id, note, reason } => print_changed(
            &open_book(data_dir)?.resolve(AlertId(id), &note, author, &reason)?,
            json_out,
        ),
    }
}

fn show(book: &AlertBook, id: AlertId, json_out: bool) -> Result<ExitCode> {
    let Some(a) = book.get(id)? else {
        bail!("alert {id} does not exist");
    };
    let history = book.history(id)?;
    if json_out {
        print_json(&json!({"alert": a, "history": history}))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", alert_line(&a));
    println!("  text: {}", highlighted(&a.text, &a.hits));
    let cats: Vec<String> = a.categories.iter().map(|c| category_name(book.lexicon(), c)).collect();
    println!("  categories: {}", cats.join(", "));
    if let Some(note) = &a.resolution_note {
        println!("  resolution: {note}");
    }
    for r in &history {
        let why = if r.reason.is_empty() { String::new() } else { format!(" ({})", r.reason) };
        println!(
            "  {}  {:<12} {} {}{why}",
            format_time(r.time_s),
            r.event.as_str(),
            pad(&r.author, 10),
            event_details(&r.event)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_lexicon(lex: &Lexicon, json_out: bool) -> Result<ExitCode> {
    if json_out {
        print_json(&json!({"source": lex.source(), "categories": lex.categories()}))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}: {} words", lex.source(), lex.word_count());
    for c in lex.categories() {
        println!(
            "  {:<18} {:<8} {:>3} words  {} / {}",
            c.id,
            c.severity.as_str(),
            c.words.len(),
            c.zh,
            c.en
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn bench(lex: &Lexicon, messages: usize, seed: u64, json_out: bool) -> Result<ExitCode> {
    let figures = screening_figures(lex, messages, seed);
    if json_out {
        let rows: Vec<_> = figures
            .iter()
            .map(|f| {
                json!({"what": f.what, "median_ns": f.median_ns, "samples": f.samples,
                       "per_s": 1e9 / f.median_ns})
            })
            .collect();
        print_json(&json!(rows))?;
        return Ok(ExitCode::SUCCESS);
    }
    for f in &figures {
        println!(
            "{}: median {} = {:.0} messages/s on one core ({} messages)",
            f.what,
            gridcare::bench::human_ns(f.median_ns),
            1e9 / f.median_ns,
            f.samples
        );
    }
    Ok(ExitCode::SUCCESS)
}
