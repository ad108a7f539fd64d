//! The HTML report: one self-contained page rendered from the same [`Report`] that is
//! serialized as the JSON report, so a marketer can open and forward it.
//!
//! The page loads nothing: inline CSS and inline SVG only, no script, no font, no image, and
//! a Content-Security-Policy that forbids the browser any other request. Every text put into
//! it goes through [`esc`]. It carries no plaintext PII: problems are the same messages as on
//! stderr, which never hold a value that looks like personal data, and identity fields appear
//! only as counts.

use std::fmt::Write as _;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::coverage::{self, percent};
use super::{Delivery, Report, Severity, Totals};

/// Problems listed one by one (all are counted in the table by code).
const LISTED_PROBLEMS: usize = 50;
/// Request ids shown (the JSON report has up to 1000).
const LISTED_REQUEST_IDS: usize = 20;

/// Escapes text for HTML element content and attribute values.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An RFC 3339 timestamp of the report as `2026-11-22 14:03:27 UTC`.
fn when(s: &str) -> String {
    s.parse::<jiff::Timestamp>().map_or_else(
        |_| s.to_owned(),
        |t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

/// `1234567` as `1,234,567`.
fn num(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const STYLE: &str = r"
:root{--ink:#1d1d1f;--mute:#5f6368;--line:#dadce0;--built:#2e7d32;--skip:#9aa0a6;--rej:#c62828;--bar:#bd081c;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.2rem 0}
h2{font-size:1.1rem;margin:0 0 .6rem}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem;margin:0 0 1rem;break-inside:avoid}
.sub{color:var(--mute);margin:0 0 1rem}
.banner{border:2px solid #e37400;background:#fff4e5;color:#7a3e00;border-radius:8px;padding:.8rem 1rem;margin:0 0 1rem;font-weight:600}
.warn{border-left:4px solid #e37400;background:#fff8ef;padding:.5rem .8rem;margin:.6rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--mute);font-size:.85rem}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.big{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:.2rem 0 .8rem}
.big div{min-width:6rem}
.big b{display:block;font-size:1.5rem}
.big span{color:var(--mute);font-size:.85rem}
svg{display:block}
.legend span{display:inline-block;margin-right:1rem;font-size:.85rem}
.sw{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
.hint{color:var(--mute);font-size:.9rem}
.cov td{border-bottom:0;padding:.15rem .5rem}
td.file{border-bottom:0;padding-bottom:0}
.cov td.bar{width:45%}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.axis{display:flex;justify-content:space-between;color:var(--mute);font-size:.8rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}
footer{color:var(--mute);font-size:.8rem;text-align:center;padding:.5rem}
@media (max-width:40rem){main{padding:.5rem}section{padding:.7rem}.cov td.bar{width:30%}}
@media print{body{background:#fff;font-size:11pt}main{max-width:none;padding:0}section{border-color:#999}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}details{display:block}details>summary{display:none}}
";

/// Renders the report as one self-contained HTML page.
#[must_use]
pub fn render(r: &Report) -> String {
    let t = r.offline;
    let mut h = String::with_capacity(32 * 1024);
    let title = match t.inputs.first() {
        Some(i) if t.inputs.len() == 1 => format!("pinconv {}: {}", r.command, i.file),
        _ => format!("pinconv {}: {} inputs", r.command, t.inputs.len()),
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<meta name=\"referrer\" content=\"no-referrer\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body><main>\n",
        esc(&title)
    );
    let _ = writeln!(
        h,
        "<header><h1>pinconv report</h1><p class=\"sub\">{} · {} · pinconv {}</p></header>",
        esc(r.command),
        esc(&when(&r.started_at)),
        esc(r.pinconv_version)
    );
    banner(&mut h, r);
    read(&mut h, r);
    accounting(&mut h, t);
    coverage_section(&mut h, t);
    days(&mut h, t);
    problems(&mut h, t);
    if let Some(d) = r.send {
        delivery(&mut h, r, d);
    }
    let _ = write!(
        h,
        "<footer>made by pinconv {} · the same numbers as the JSON report · exit code <span data-k=\"exit_code\">{}</span></footer>\n</main></body></html>\n",
        esc(r.pinconv_version),
        r.exit_code
    );
    h
}

fn banner(h: &mut String, r: &Report) {
    let text = if r.command == "check" {
        Some("check only: nothing was sent to Pinterest")
    } else if r.dry_run {
        Some("dry run (--dry-run): nothing was sent to Pinterest and nothing was recorded")
    } else if r.test {
        Some("test run (--test): Pinterest validated the events but recorded nothing")
    } else {
        None
    };
    if let Some(text) = text {
        let _ = writeln!(h, "<div class=\"banner\" id=\"banner\">{}</div>", esc(text));
    }
    if let Some(e) = r.error {
        let _ = write!(
            h,
            "<div class=\"banner\" data-error=\"{}\">the run stopped: {}",
            esc(e.code),
            esc(&e.message)
        );
        if let Some(hint) = &e.hint {
            let _ = write!(h, "<br>hint: {}", esc(hint));
        }
        h.push_str("</div>\n");
    }
    if r.offline.stopped_early {
        let _ = writeln!(
            h,
            "<div class=\"banner\">the run stopped before the end of the input: orders after those counted here were not read</div>"
        );
    }
}

fn read(h: &mut String, r: &Report) {
    let t = r.offline;
    h.push_str("<section id=\"read\"><h2>What was read</h2>\n<div class=\"scroll\"><table><tr><th>format</th><th>preset</th><th>encoding</th></tr>\n");
    for i in &t.inputs {
        let mut format = match &i.delimiter {
            Some(d) => format!("{} (delimiter {d})", i.format),
            None => i.format.to_owned(),
        };
        // The date order the run read slash dates in, as the JSON report's `date_order`.
        if let Some(d) = &i.date_order {
            let _ = match d.line {
                Some(l) => write!(format, ", dates {} ({} from line {l})", d.order, d.source),
                None => write!(format, ", dates {} ({})", d.order, d.source),
            };
        }
        let _ = writeln!(
            h,
            "<tr><td colspan=\"3\" class=\"file\"><code>{}</code></td></tr><tr><td>{}</td><td>{}<br><span class=\"hint\">{}</span></td><td>{}</td></tr>",
            esc(&i.file),
            esc(&format),
            esc(i.preset),
            esc(&i.preset_reason),
            esc(i.encoding.as_deref().unwrap_or("UTF-8"))
        );
    }
    h.push_str("</table></div>\n<table>");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(h, "<tr><th>{}</th><td>{v}</td></tr>", esc(k));
    };
    row("started", esc(&when(&r.started_at)));
    row("finished", esc(&when(&r.finished_at)));
    row(
        "duration",
        format!(
            "<span data-k=\"duration_ms\">{}</span> ms",
            num(u64::try_from(r.duration_ms).unwrap_or(u64::MAX))
        ),
    );
    row("pinconv version", esc(r.pinconv_version));
    let args: Vec<String> = r.arguments.iter().map(|a| esc(a)).collect();
    row(
        "command line",
        format!(
            "<code>pinconv {}</code>",
            if args.is_empty() {
                esc(r.command)
            } else {
                args.join(" ")
            }
        ),
    );
    if let Some(a) = r.ad_account {
        row("ad account", esc(a));
    }
    if let Some(l) = &r.ledger {
        row("ledger", format!("<code>{}</code>", esc(l)));
    }
    h.push_str("</table></section>\n");
}

/// A horizontal stacked bar of `(share, colour, label)` parts.
fn stacked(h: &mut String, parts: &[(u64, &str, &str)], label: &str) {
    let total: u64 = parts.iter().map(|p| p.0).sum();
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 1000 28\" width=\"100%\" height=\"28\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\">",
        esc(label)
    );
    let mut x = 0u64;
    for (n, colour, what) in parts {
        if *n == 0 || total == 0 {
            continue;
        }
        let w = n * 1000 / total;
        let _ = write!(
            h,
            "<rect x=\"{x}\" y=\"0\" width=\"{}\" height=\"28\" fill=\"{colour}\"><title>{}: {}</title></rect>",
            w.max(1),
            esc(what),
            num(*n)
        );
        x += w;
    }
    if total == 0 {
        h.push_str("<rect x=\"0\" y=\"0\" width=\"1000\" height=\"28\" fill=\"#eee\"/>");
    }
    h.push_str("</svg>\n");
}

fn accounting(h: &mut String, t: &Totals) {
    let _ = write!(
        h,
        "<section id=\"orders\"><h2>Every order</h2>\n<p><span data-k=\"orders\">{}</span> orders from <span data-k=\"records\">{}</span> records in {} input{}; each ends in exactly one of these:</p>\n<div class=\"big\">\
<div><b data-k=\"events\">{}</b><span><i class=\"sw\" style=\"background:var(--built)\"></i>built</span></div>\
<div><b data-k=\"skipped\">{}</b><span><i class=\"sw\" style=\"background:var(--skip)\"></i>skipped</span></div>\
<div><b data-k=\"rejected\">{}</b><span><i class=\"sw\" style=\"background:var(--rej)\"></i>rejected</span></div>\
<div><b data-k=\"warnings\">{}</b><span>warnings</span></div></div>\n",
        num(t.orders),
        num(t.records),
        t.inputs.len(),
        if t.inputs.len() == 1 { "" } else { "s" },
        num(t.events),
        num(t.skipped),
        num(t.rejected),
        num(t.warnings)
    );
    stacked(
        h,
        &[
            (t.events, "#2e7d32", "built"),
            (t.skipped, "#9aa0a6", "skipped"),
            (t.rejected, "#c62828", "rejected"),
        ],
        "orders built, skipped and rejected",
    );
    let reasons: Vec<(&str, &String, &u64)> = t
        .skipped_by_reason
        .iter()
        .map(|(k, v)| ("skipped", k, v))
        .chain(t.rejected_by_reason.iter().map(|(k, v)| ("rejected", k, v)))
        .collect();
    if !reasons.is_empty() {
        h.push_str("<table><tr><th>outcome</th><th>reason</th><th class=\"n\">orders</th></tr>\n");
        for (what, code, n) in reasons {
            let _ = writeln!(
                h,
                "<tr><td>{what}</td><td><code>{}</code></td><td class=\"n\" data-reason=\"{what}:{}\">{}</td></tr>",
                esc(code),
                esc(code),
                num(*n)
            );
        }
        h.push_str("</table>\n");
    }
    if t.batches > 0 {
        let _ = writeln!(
            h,
            "<p class=\"hint\">{} event{} in <span data-k=\"batches\">{}</span> request bod{}</p>",
            num(t.events),
            if t.events == 1 { "" } else { "s" },
            num(t.batches),
            if t.batches == 1 { "y" } else { "ies" }
        );
    }
    h.push_str("</section>\n");
}

/// A one-value bar: `share` of the width filled.
fn bar(h: &mut String, share: f64, colour: &str) {
    // Geometry only: the number shown beside the bar is the report's.
    let w = (share.clamp(0.0, 1.0) * 1000.0).round();
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 1000 14\" width=\"100%\" height=\"14\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect x=\"0\" y=\"0\" width=\"1000\" height=\"14\" fill=\"#eceff1\"/><rect x=\"0\" y=\"0\" width=\"{w}\" height=\"14\" fill=\"{colour}\"/></svg>"
    );
}

fn coverage_section(h: &mut String, t: &Totals) {
    let _ = writeln!(
        h,
        "<section id=\"coverage\"><h2>Match keys</h2>\n<p>The share of the {} built events that carry each key Pinterest matches on. Distinct emails: <b data-k=\"distinct_emails\">{}</b>{}.</p>",
        num(t.events),
        if t.distinct_emails.exact {
            num(t.distinct_emails.count)
        } else {
            format!("at least {}", num(t.distinct_emails.count))
        },
        if t.distinct_emails.exact {
            ""
        } else {
            " (past two million, counted with a Bloom filter: a lower bound)"
        }
    );
    for w in &t.coverage_warnings {
        let _ = write!(
            h,
            "<div class=\"warn\" data-warn=\"{}\">warning: {}",
            esc(w.key),
            esc(&w.message(t.events))
        );
        if let Some(hint) = &w.hint {
            let _ = write!(h, "<br><span class=\"hint\">hint: {}</span>", esc(hint));
        }
        h.push_str("</div>\n");
    }
    h.push_str("<div class=\"scroll\"><table class=\"cov\">\n");
    for k in &t.coverage.0 {
        let _ = write!(
            h,
            "<tr><td><code>{}</code> <span class=\"hint\">{}</span></td><td class=\"bar\">",
            esc(k.key),
            esc(coverage::label(k.key))
        );
        bar(h, k.share, "#bd081c");
        let _ = writeln!(
            h,
            "</td><td class=\"n\" data-cov=\"{}\">{}</td><td class=\"n\" data-share=\"{}\">{}</td></tr>",
            esc(k.key),
            num(k.count),
            esc(k.key),
            percent(k.share)
        );
    }
    h.push_str("</table></div></section>\n");
}

/// A small column chart of `values` (already scaled to 0..=1), one column per day.
fn columns(h: &mut String, values: &[(String, f64, String)], colour: &str, label: &str) {
    let n = values.len().max(1);
    let width = n * 10;
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 {width} 60\" width=\"100%\" height=\"90\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\">",
        esc(label)
    );
    for (i, (day, v, shown)) in values.iter().enumerate() {
        let bh = (v.clamp(0.0, 1.0) * 58.0).max(if *v > 0.0 { 1.0 } else { 0.0 });
        let _ = write!(
            h,
            "<rect x=\"{}\" y=\"{:.2}\" width=\"8\" height=\"{bh:.2}\" fill=\"{colour}\"><title>{}: {}</title></rect>",
            i * 10 + 1,
            60.0 - bh,
            esc(day),
            esc(shown)
        );
    }
    h.push_str("</svg>");
    if let (Some(first), Some(last)) = (values.first(), values.last()) {
        let _ = write!(
            h,
            "<div class=\"axis\"><span>{}</span><span>{}</span></div>",
            esc(&first.0),
            esc(&last.0)
        );
    }
}

#[allow(clippy::cast_precision_loss)]
fn days(h: &mut String, t: &Totals) {
    h.push_str("<section id=\"days\"><h2>Per day</h2>\n");
    if t.days.is_empty() {
        h.push_str("<p>No event was built.</p></section>\n");
        return;
    }
    let first = &t.days[0].date;
    let last = &t.days[t.days.len() - 1].date;
    let _ = writeln!(
        h,
        "<p>{} to {}, by the day of each event's time in the shop's time zone.</p><div class=\"charts\">",
        esc(first),
        esc(last)
    );
    let all = calendar(&t.days);
    let max_events = t.days.iter().map(|d| d.events).max().unwrap_or(1).max(1);
    let events: Vec<(String, f64, String)> = all
        .iter()
        .map(|d| {
            (
                d.date.clone(),
                d.events as f64 / max_events as f64,
                format!("{} events", d.events),
            )
        })
        .collect();
    h.push_str("<div><h3 class=\"hint\">events per day</h3>");
    columns(h, &events, "#2e7d32", "events per day");
    h.push_str("</div>\n");
    let mut currencies: Vec<&String> = t.days.iter().flat_map(|d| d.value.keys()).collect();
    currencies.sort();
    currencies.dedup();
    for cur in &currencies {
        let value = |d: &coverage::Day| d.value.get(*cur).copied().unwrap_or(Decimal::ZERO);
        let max = t
            .days
            .iter()
            .map(value)
            .max()
            .filter(|m| *m > Decimal::ZERO)
            .unwrap_or(Decimal::ONE);
        // Only the column heights are floats; the amounts shown are the decimals themselves.
        let max_f = max.to_f64().unwrap_or(1.0);
        let values: Vec<(String, f64, String)> = all
            .iter()
            .map(|d| {
                let v = value(d);
                (
                    d.date.clone(),
                    v.to_f64().unwrap_or(0.0) / max_f,
                    format!("{v} {cur}"),
                )
            })
            .collect();
        let _ = write!(
            h,
            "<div><h3 class=\"hint\">value per day, {}</h3>",
            esc(cur)
        );
        columns(h, &values, "#bd081c", &format!("value per day in {cur}"));
        h.push_str("</div>\n");
    }
    h.push_str("</div>\n<details><summary>the numbers</summary><div class=\"scroll\"><table><tr><th>day</th><th class=\"n\">events</th>");
    for cur in &currencies {
        let _ = write!(h, "<th class=\"n\">value {}</th>", esc(cur));
    }
    h.push_str("</tr>\n");
    for d in &t.days {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\" data-day=\"{}\">{}</td>",
            esc(&d.date),
            esc(&d.date),
            num(d.events)
        );
        for cur in &currencies {
            let v = d
                .value
                .get(*cur)
                .map_or_else(String::new, ToString::to_string);
            let _ = write!(h, "<td class=\"n\">{}</td>", esc(&v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div></details></section>\n");
}

/// Days past which the charts show only the days that have events, not every calendar day.
const MAX_CHART_DAYS: usize = 400;

/// Every calendar day from the first to the last of `days`, the days without events empty,
/// so the charts show the period as it was; only the days themselves for a longer period.
fn calendar(days: &[coverage::Day]) -> Vec<coverage::Day> {
    let parse = |d: &coverage::Day| d.date.parse::<jiff::civil::Date>().ok();
    let (Some(first), Some(last)) = (days.first().and_then(parse), days.last().and_then(parse))
    else {
        return days.to_vec();
    };
    let span = usize::try_from((last - first).get_days()).unwrap_or(usize::MAX);
    if span >= MAX_CHART_DAYS {
        return days.to_vec();
    }
    let mut out = Vec::with_capacity(span + 1);
    let mut known = days.iter().peekable();
    let mut day = first;
    while day <= last {
        let date = day.to_string();
        match known.peek() {
            Some(d) if d.date == date => {
                out.push((*d).clone());
                known.next();
            }
            _ => out.push(coverage::Day {
                date,
                events: 0,
                value: std::collections::BTreeMap::new(),
            }),
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out
}

fn problems(h: &mut String, t: &Totals) {
    h.push_str("<section id=\"problems\"><h2>Top problems</h2>\n");
    let mut by_code: Vec<(&str, &String, u64)> = t
        .rejected_by_reason
        .iter()
        .map(|(k, v)| ("error", k, *v))
        .chain(t.warnings_by_code.iter().map(|(k, v)| ("warning", k, *v)))
        .chain(t.skipped_by_reason.iter().map(|(k, v)| ("skipped", k, *v)))
        .collect();
    if by_code.is_empty() {
        h.push_str("<p>None: every order was built without a warning.</p></section>\n");
        return;
    }
    by_code.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(b.1)));
    h.push_str("<table><tr><th>kind</th><th>code</th><th class=\"n\">count</th></tr>\n");
    for (kind, code, n) in &by_code {
        let _ = writeln!(
            h,
            "<tr><td>{kind}</td><td><code>{}</code></td><td class=\"n\">{}</td></tr>",
            esc(code),
            num(*n)
        );
    }
    h.push_str("</table>\n");
    let mut listed: Vec<&super::Problem> = t.problems.iter().collect();
    // Errors first, then warnings, then skips; in input order within each.
    listed.sort_by_key(|p| match p.severity {
        Severity::Rejected => 0,
        Severity::Warning => 1,
        Severity::Skipped => 2,
    });
    let _ = writeln!(
        h,
        "<h3 class=\"hint\">the first {} of {} listed</h3><div class=\"scroll\"><table><tr><th>where</th><th>problem</th></tr>",
        listed.len().min(LISTED_PROBLEMS),
        num(t.problems.len() as u64 + t.problems_not_listed)
    );
    for p in listed.into_iter().take(LISTED_PROBLEMS) {
        let _ = write!(
            h,
            "<tr><td><code>{}:{}</code>{}</td><td>{}: <code>{}</code> {}",
            esc(&p.file),
            p.line,
            p.column.as_ref().map_or_else(String::new, |c| format!(
                "<br>column <code>{}</code>",
                esc(c)
            )),
            p.severity.label(),
            esc(p.code),
            esc(&p.reason)
        );
        if let Some(o) = &p.order {
            let _ = write!(h, " (order <code>{}</code>)", esc(o));
        }
        if let Some(hint) = &p.hint {
            let _ = write!(h, "<br><span class=\"hint\">hint: {}</span>", esc(hint));
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</table></div></section>\n");
}

fn delivery(h: &mut String, r: &Report, d: &Delivery) {
    h.push_str("<section id=\"delivery\"><h2>Delivery</h2>\n");
    if r.dry_run {
        let _ = writeln!(
            h,
            "<p><b data-k=\"would_send\">{}</b> events would be sent in {} requests; nothing was sent.</p>",
            num(d.would_send),
            num(d.batches)
        );
    } else {
        let _ = writeln!(
            h,
            "<div class=\"big\">\
<div><b data-k=\"accepted\">{}</b><span><i class=\"sw\" style=\"background:var(--built)\"></i>accepted{}</span></div>\
<div><b data-k=\"failed\">{}</b><span><i class=\"sw\" style=\"background:var(--rej)\"></i>failed</span></div>\
<div><b data-k=\"already_sent\">{}</b><span><i class=\"sw\" style=\"background:var(--skip)\"></i>already sent</span></div>\
<div><b data-k=\"retried_from_ledger\">{}</b><span>failed before, sent again</span></div></div>",
            num(d.accepted),
            if r.test { " (test: not recorded)" } else { "" },
            num(d.failed),
            num(d.already_sent),
            num(d.retried_from_ledger)
        );
        stacked(
            h,
            &[
                (d.accepted, "#2e7d32", "accepted"),
                (d.failed, "#c62828", "failed"),
                (
                    d.already_sent + d.changed_not_sent + d.same_order_not_sent,
                    "#9aa0a6",
                    "held back by the ledger",
                ),
            ],
            "events accepted, failed and held back",
        );
        let _ = writeln!(
            h,
            "<p><span data-k=\"requests\">{}</span> requests, <span data-k=\"retries\">{}</span> of them retries; <span data-k=\"changed_not_sent\">{}</span> changed since accepted and held back; <span data-k=\"same_order_not_sent\">{}</span> held back as orders accepted before under another event id; {} accepted with a Pinterest warning; duration {} ms.</p>",
            num(d.requests),
            num(d.retries),
            num(d.changed_not_sent),
            num(d.same_order_not_sent),
            num(d.pinterest_warnings),
            num(u64::try_from(r.duration_ms).unwrap_or(u64::MAX))
        );
    }
    if let Some(f) = &d.fatal {
        let _ = writeln!(h, "<div class=\"warn\">stopped: {}</div>", esc(f));
    }
    if d.interrupted {
        h.push_str("<div class=\"warn\">interrupted: events not sent are in the failed-out file (kind <code>aborted</code>)</div>\n");
    }
    if !d.failed_by_reason.is_empty() || !d.failed_by_kind.is_empty() {
        h.push_str("<table><tr><th>failed by</th><th></th><th class=\"n\">events</th></tr>\n");
        for (k, n) in &d.failed_by_kind {
            let _ = writeln!(
                h,
                "<tr><td>kind</td><td><code>{}</code></td><td class=\"n\">{}</td></tr>",
                esc(k),
                num(*n)
            );
        }
        let mut reasons: Vec<(&String, &u64)> = d.failed_by_reason.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (k, n) in reasons {
            let _ = writeln!(
                h,
                "<tr><td>Pinterest's reason</td><td>{}</td><td class=\"n\">{}</td></tr>",
                esc(k),
                num(*n)
            );
        }
        h.push_str("</table>\n");
    }
    if !d.request_ids.is_empty() {
        let ids: Vec<String> = d
            .request_ids
            .iter()
            .take(LISTED_REQUEST_IDS)
            .map(|id| format!("<code>{}</code>", esc(id)))
            .collect();
        let _ = writeln!(
            h,
            "<p class=\"hint\">Pinterest request ids (<code>x-pinterest-rid</code>, {} of <span data-k=\"request_ids\">{}</span>; all in the JSON report): {}</p>",
            ids.len(),
            d.request_ids.len(),
            ids.join(" ")
        );
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<img src="x" onerror='y'>&"#),
            "&lt;img src=&quot;x&quot; onerror=&#39;y&#39;&gt;&amp;"
        );
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(1_234_567), "1,234,567");
    }

    #[test]
    fn the_charts_show_every_day_of_the_period() {
        let day = |date: &str, events| coverage::Day {
            date: date.into(),
            events,
            value: std::collections::BTreeMap::new(),
        };
        let all = calendar(&[day("2026-02-27", 2), day("2026-03-02", 1)]);
        let got: Vec<(&str, u64)> = all.iter().map(|d| (d.date.as_str(), d.events)).collect();
        assert_eq!(
            got,
            [
                ("2026-02-27", 2),
                ("2026-02-28", 0),
                ("2026-03-01", 0),
                ("2026-03-02", 1)
            ]
        );
        // A long period keeps only its days with events.
        assert_eq!(
            calendar(&[day("2020-01-01", 1), day("2026-01-01", 1)]).len(),
            2
        );
    }

    #[test]
    fn a_hostile_input_name_stays_text_and_nothing_is_loaded() {
        let totals = Totals {
            inputs: vec![super::super::InputSummary {
                file: "<script>alert(1)</script>.csv".into(),
                format: "csv",
                preset: "generic",
                preset_reason: "x".into(),
                delimiter: None,
                encoding: None,
                ignored_columns: vec![],
                duplicate_columns: vec![],
                mapping: vec![],
                date_order: Some(crate::report::DateOrderNote {
                    order: "dmy",
                    source: "inferred",
                    line: Some(3),
                }),
            }],
            ..Totals::default()
        };
        let r = Report {
            pinconv_version: "0.1.0",
            command: "check",
            started_at: "2026-11-22T00:00:00Z".into(),
            finished_at: "2026-11-22T00:00:01Z".into(),
            duration_ms: 1000,
            arguments: vec!["check".into(), "\"><b>".into()],
            ad_account: None,
            test: false,
            dry_run: true,
            ledger: None,
            exit_code: 0,
            offline: &totals,
            send: None,
            error: None,
        };
        let page = render(&r);
        let error = super::super::RunError {
            code: "input_unreadable",
            message: "`<b>.csv`: cannot read".into(),
            hint: Some("check the file".into()),
            file: None,
        };
        let stopped = render(&Report {
            error: Some(&error),
            ..r
        });
        assert!(stopped.contains(
            "data-error=\"input_unreadable\">the run stopped: `&lt;b&gt;.csv`: cannot read<br>hint: check the file"
        ));
        assert!(!page.contains("the run stopped"));
        assert!(!page.contains("<script"));
        assert!(!page.contains("\"><b>"));
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("dates dmy (inferred from line 3)"));
        assert!(page.contains("default-src 'none'"));
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(page.contains("check only: nothing was sent"));
    }
}
