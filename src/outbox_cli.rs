//! `gridcare outbox …`: the channel outbox (消息发件箱) in the store of --data-dir —
//! consultation letters and outage notices per customer and channel, their delivery state,
//! and delivery through a channel gateway.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Subcommand;
use gridcare::channels::outbox::{Channel, DeliveryState, MessageId, Outbox, OutboxMessage};
use gridcare::store::format_time;
use serde_json::json;

use crate::print_json;

/// What `gridcare outbox` does.
#[derive(Subcommand)]
pub enum OutboxCommand {
    /// The messages, newest last; with counts by state.
    List {
        /// Only those about this subject: `scenario:3`, `outage:12`.
        #[arg(long)]
        subject: Option<String>,
        /// Only those in this state: queued, sent, delivered, failed.
        #[arg(long)]
        state: Option<String>,
        /// Only those on this channel: wechat, sms, app, web.
        #[arg(long)]
        channel: Option<String>,
    },
    /// One message: its text and every delivery step.
    Show {
        /// The message number.
        id: u64,
    },
    /// Hands the messages that are due to a channel gateway over HTTP (POST JSON, bearer
    /// token); failures are retried after 1, 4, 16 and 64 minutes, then given up.
    #[cfg(feature = "avl")]
    Deliver {
        /// The gateway's URL.
        #[arg(long)]
        gateway: String,
        /// The gateway's bearer token.
        #[arg(long)]
        token: Option<String>,
        /// At most this many messages.
        #[arg(long, default_value_t = 10_000)]
        limit: usize,
    },
    /// Records the gateway's delivery receipt for a sent message.
    Receipt {
        /// The message number.
        id: u64,
    },
}

fn state_of(word: &str) -> Result<DeliveryState> {
    [DeliveryState::Queued, DeliveryState::Sent, DeliveryState::Delivered, DeliveryState::Failed]
        .into_iter()
        .find(|s| s.as_str() == word.trim())
        .with_context(|| format!("--state `{word}`: one of queued, sent, delivered, failed"))
}

fn line(m: &OutboxMessage) -> String {
    let first = m.message.text.lines().nth(1).or_else(|| m.message.text.lines().next());
    format!(
        "#{:<5} {:<9} {:<7} {:<14} {:<12} {:<16} {}  {}",
        m.id.0,
        m.state.as_str(),
        m.message.channel.as_str(),
        m.message.account,
        m.message.subject,
        m.message.kind.as_str(),
        format_time(m.updated_s),
        first.unwrap_or("").chars().take(40).collect::<String>()
    )
}

/// Runs a `gridcare outbox` command.
pub fn run(
    _model: &Option<PathBuf>,
    data_dir: Option<&Path>,
    json_out: bool,
    author: &str,
    action: OutboxCommand,
) -> Result<ExitCode> {
    let data = gridcare::store::data_dir(data_dir);
    let store = Arc::new(gridcare::open_store(&data)?);
    let outbox = Outbox::open(store.clone());
    match action {
        OutboxCommand::List { subject, state, channel } => {
            let state = state.as_deref().map(state_of).transpose()?;
            let channel =
                match channel.as_deref() {
                    Some(c) => Some(Channel::parse(c).with_context(|| {
                        format!("--channel `{c}`: one of wechat, sms, app, web")
                    })?),
                    None => None,
                };
            let all: Vec<OutboxMessage> = outbox
                .all()?
                .into_iter()
                .filter(|m| subject.as_ref().is_none_or(|s| &m.message.subject == s))
                .filter(|m| state.is_none_or(|s| m.state == s))
                .filter(|m| channel.is_none_or(|c| m.message.channel == c))
                .collect();
            let count = |s: DeliveryState| all.iter().filter(|m| m.state == s).count();
            if json_out {
                print_json(&serde_json::to_value(&all)?)?;
            } else {
                for m in &all {
                    println!("{}", line(m));
                }
                println!(
                    "{} message(s): {} queued, {} sent, {} delivered, {} failed",
                    all.len(),
                    count(DeliveryState::Queued),
                    count(DeliveryState::Sent),
                    count(DeliveryState::Delivered),
                    count(DeliveryState::Failed)
                );
            }
        }
        OutboxCommand::Show { id } => {
            let m = outbox.get(MessageId(id))?;
            let history = outbox.history(MessageId(id))?;
            if json_out {
                print_json(&json!({"message": m, "history": history}))?;
            } else {
                println!("{}", line(&m));
                for l in m.message.text.lines() {
                    println!("  | {l}");
                }
                if let Some(e) = &m.last_error {
                    println!("  last error: {e}");
                }
                for r in &history {
                    println!(
                        "  {}  {:<15} {:<10} {}",
                        format_time(r.time_s),
                        serde_json::to_value(&r.event)?["change"].as_str().unwrap_or(""),
                        r.author,
                        r.reason
                    );
                }
            }
        }
        #[cfg(feature = "avl")]
        OutboxCommand::Deliver { gateway, token, limit } => {
            let gw = gridcare::channels::outbox::HttpGateway::new(&gateway, token)?;
            let r = outbox.deliver_due(&gw, store.now_s(), limit, author)?;
            if json_out {
                print_json(&serde_json::to_value(&r)?)?;
            } else {
                println!(
                    "{} sent ({} delivered at once), {} to retry, {} given up",
                    r.sent, r.delivered, r.retrying, r.failed
                );
            }
        }
        OutboxCommand::Receipt { id } => {
            let m = outbox.mark_delivered(MessageId(id), author)?;
            if json_out {
                print_json(&serde_json::to_value(&m)?)?;
            } else {
                println!("{}", line(&m));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
