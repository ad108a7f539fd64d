//! `pinconv state`: look into the delivery ledger: counts, failing events (re-sendable), pruning.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{StateAction, StateArgs};
use crate::exit::Exit;
use crate::ledger::{self, Ledger, LedgerError};
use crate::printer::Printer;

fn path(a: &StateArgs) -> anyhow::Result<(PathBuf, String)> {
    let ad = a.ad_account.clone().unwrap_or_default();
    match (&a.state, ad.is_empty()) {
        (Some(p), _) => Ok((p.clone(), ad)),
        (None, false) => Ok((ledger::default_path(&ad)?, ad)),
        (None, true) => anyhow::bail!("no ledger: pass `--state FILE` or `--ad-account ID`"),
    }
}

fn fail(printer: &Printer, e: anyhow::Error) -> Exit {
    let ledger = e.downcast_ref::<LedgerError>();
    let locked = ledger.is_some_and(|l| matches!(l, LedgerError::Locked { .. }));
    printer.error(&e, ledger.and_then(LedgerError::hint).as_deref());
    if locked {
        Exit::Locked
    } else {
        Exit::Usage
    }
}

pub fn run(a: &StateArgs) -> Exit {
    let printer = Printer::new(false, usize::MAX);
    match go(a) {
        Ok(()) => Exit::Ok,
        Err(e) if super::is_broken_pipe(&e) => Exit::Ok,
        Err(e) => fail(&printer, e),
    }
}

fn open(a: &StateArgs, write: bool) -> anyhow::Result<Ledger> {
    let (p, ad) = path(a)?;
    // Without `--ad-account`, read the account the ledger itself names.
    let ad = if ad.is_empty() {
        ledger::stored_account(&p)?
    } else {
        ad
    };
    Ok(if write {
        Ledger::open(&p, &ad, None)?
    } else {
        Ledger::open_read_only(&p, &ad)?
    })
}

fn go(a: &StateArgs) -> anyhow::Result<()> {
    let mut out = crate::output::stdout();
    match &a.action {
        StateAction::Show => {
            let l = open(a, false)?;
            let s = l.summary()?;
            if a.json {
                serde_json::to_writer_pretty(&mut out, &s)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "ledger `{}` for ad account `{}`",
                    s.path.display(),
                    s.ad_account
                )?;
                writeln!(
                    out,
                    "events {}: accepted {}, failed {}",
                    s.events, s.accepted, s.failed
                )?;
                writeln!(out, "\nday         accepted  failed")?;
                for d in &s.days {
                    writeln!(out, "{:<11} {:>8} {:>7}", d.date, d.accepted, d.failed)?;
                }
                writeln!(out, "\nlast runs")?;
                for r in &s.runs {
                    let when = jiff::Timestamp::from_second(r.started_at)
                        .map(|t| t.to_string())
                        .unwrap_or_default();
                    match &r.stats {
                        Some(st) => writeln!(
                            out,
                            "  #{} {when}: read {}, accepted {}, failed {}, already sent {}",
                            r.id, st.read, st.accepted, st.failed, st.already_sent
                        )?,
                        None => writeln!(out, "  #{} {when}: did not finish", r.id)?,
                    }
                }
            }
        }
        StateAction::Failed => {
            let l = open(a, false)?;
            // One NDJSON line per event still failing, in `--failed-out` shape, so that
            // `pinconv send` takes the output back as input; `--json`: the same objects as
            // one JSON array.
            let rows: Vec<serde_json::Value> = l
                .failed()?
                .into_iter()
                .filter(|r| r.accepted_at.is_none())
                .map(|row| failed_line(&row))
                .collect::<anyhow::Result<_>>()?;
            if a.json {
                serde_json::to_writer_pretty(&mut out, &rows)?;
                writeln!(out)?;
            } else {
                for v in &rows {
                    serde_json::to_writer(&mut out, v)?;
                    writeln!(out)?;
                }
            }
        }
        StateAction::Forget { before } => {
            let cutoff = crate::time::parse(
                before,
                true,
                &crate::time::TimeOptions {
                    tz: &jiff::tz::TimeZone::UTC,
                    date_order: crate::config::DateOrder::Mdy,
                    format: None,
                },
            )
            .map_err(|e| {
                anyhow::anyhow!("`--before`: `{before}`: {e}; use a date such as `2026-01-01`")
            })?
            .unix;
            let mut l = open(a, true)?;
            let n = l.forget_before(cutoff)?;
            if a.json {
                writeln!(out, "{}", serde_json::json!({ "forgotten": n }))?;
            } else {
                writeln!(out, "forgot {n} events last active before {before}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// A failed event as a `--failed-out` line: where it came from, why it failed, the event.
fn failed_line(row: &ledger::FailedRow) -> anyhow::Result<serde_json::Value> {
    let (file, line) = row
        .source
        .rsplit_once(':')
        .map_or((row.source.as_str(), 0), |(f, l)| {
            (f, l.parse().unwrap_or(0))
        });
    let event = serde_json::value::RawValue::from_string(row.event_json.clone())?;
    Ok(serde_json::json!({
        "file": file,
        "line": line,
        "event_id": row.event_id,
        "kind": "failed",
        "reason": row.reason,
        "failed_at": row.failed_at,
        "event": event,
    }))
}
