//! The command layer: one module per subcommand. Flags and the config file are merged here,
//! once, into [`Settings`] and a [`Plan`]; errors become exit codes here.

mod build;
mod check;
mod hash;
mod init;
mod meta;
mod send;
mod state;
mod tag;

use std::sync::Arc;

use crate::cli::{Cli, Command, InputArgs};
use crate::config::{
    self, ConfigError, ConfigFile, MaxAge, OrderIdSource, ProductIdSource, Settings,
};
use crate::exit::Exit;
use crate::input::{self, ReadOptions};
use crate::pipeline::Plan;
use crate::printer::Printer;
use crate::report::Totals;
use crate::send::session::Settled;
use crate::send::Fatal;
use crate::template::Template;
use crate::time::{self, TimeOptions};

/// Runs a parsed command line.
#[must_use]
pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Check(a) => check::run(&a),
        Command::Build(a) => build::run(&a),
        Command::Send(a) => send::run(&a),
        Command::Hash(a) => hash::run(&a),
        Command::State(a) => state::run(&a),
        Command::Tag(a) => tag::run(&a),
        Command::Init(a) => init::run(&a),
        Command::Completions(a) => meta::completions(&a),
        Command::Man => meta::man(),
    }
}

/// How a command ended: what [`exit_code`] turns into the process exit status.
pub enum Ending<'a> {
    /// A usage, configuration or input error stopped it.
    Usage,
    /// The delivery ledger is held by another run.
    Locked,
    /// An offline run (`check`, `build`) with its accounting.
    Offline {
        /// What was read, built, skipped and rejected.
        totals: &'a Totals,
        /// `--deny-warnings`.
        deny_warnings: bool,
        /// `--rejected-ok`.
        rejected_ok: bool,
    },
    /// A `send` session with its accounting.
    Send {
        /// What the session did.
        settled: &'a Settled,
        /// `--deny-warnings`.
        deny_warnings: bool,
        /// `--rejected-ok`.
        rejected_ok: bool,
    },
}

/// The one place a run's outcome becomes its exit code (the table in [`Exit::TABLE`]).
#[must_use]
pub fn exit_code(ending: &Ending<'_>) -> Exit {
    let offline = |t: &Totals, deny_warnings: bool, rejected_ok: bool| {
        if (t.rejected > 0 && !rejected_ok) || (deny_warnings && t.warnings > 0) {
            Exit::Rejected
        } else {
            Exit::Ok
        }
    };
    match ending {
        Ending::Usage => Exit::Usage,
        Ending::Locked => Exit::Locked,
        Ending::Offline {
            totals,
            deny_warnings,
            rejected_ok,
        } => offline(totals, *deny_warnings, *rejected_ok),
        Ending::Send {
            settled,
            deny_warnings,
            rejected_ok,
        } => {
            let s = &settled.stats;
            if !settled.errors.is_empty() {
                Exit::Usage
            } else if s.interrupted {
                Exit::Interrupted
            } else if let Some(fatal) = &settled.fatal {
                match fatal {
                    Fatal::Auth { .. } | Fatal::NotFound { .. } => Exit::Auth,
                    Fatal::Crashed { .. } => Exit::Usage,
                }
            } else if s.failed_by_kind.contains_key("gave_up") {
                Exit::Temporary
            } else if s.failed > 0 {
                Exit::PartialFailure
            } else {
                let send_warnings =
                    s.changed_not_sent + s.same_order_not_sent + s.pinterest_warnings > 0;
                let denied = if *deny_warnings && send_warnings {
                    Exit::Rejected
                } else {
                    Exit::Ok
                };
                offline(&settled.totals, *deny_warnings, *rejected_ok).worst(denied)
            }
        }
    }
}

/// The exit code of an offline run from its accounting.
#[must_use]
pub fn offline_exit(t: &Totals, deny_warnings: bool, rejected_ok: bool) -> Exit {
    exit_code(&Ending::Offline {
        totals: t,
        deny_warnings,
        rejected_ok,
    })
}

/// Prints a usage/config error and returns exit 2.
pub fn usage_error(printer: &Printer, err: &anyhow::Error, hint: Option<&str>) -> Exit {
    printer.error(err, hint);
    exit_code(&Ending::Usage)
}

/// Writes the HTML rendering of `report` to `path`, readable by its owner only (the page
/// names the inputs and the shop's figures), as `--report` is.
pub fn write_html(path: &std::path::Path, report: &crate::report::Report) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::io::Write as _;
    let page = crate::report::html::render(report);
    let mut f = crate::output::create_private(path)?;
    // A file that existed keeps its mode on open: narrow it too.
    #[cfg(unix)]
    if f.metadata().is_ok_and(|m| m.is_file()) {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = f.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    f.write_all(page.as_bytes())
        .and_then(|()| f.flush())
        .with_context(|| format!("cannot write the HTML report `{}`", path.display()))
}

/// True when the error is a closed stdout (e.g. `| head`): exit quietly.
#[must_use]
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    crate::output::is_broken_pipe(err)
}

/// Refuses, before anything is opened for writing, an output (`outputs`: flag and path, if
/// given) that is the same file as an input of `a` (the exports, `--config`), one of `extra`
/// inputs (`--token-file`) or another output: prints the error and returns exit 2.
#[must_use]
pub fn refuse_clashes(
    printer: &Printer,
    a: &InputArgs,
    extra: &[(&str, Option<&std::path::Path>)],
    outputs: &[(&str, Option<&std::path::Path>)],
) -> Option<Exit> {
    use crate::output::Role;
    let mut inputs: Vec<Role<'_>> = a
        .inputs
        .iter()
        .map(|p| Role {
            name: "an input",
            path: p,
        })
        .collect();
    let named = |list: &[(&str, Option<&std::path::Path>)]| -> Vec<(String, std::path::PathBuf)> {
        list.iter()
            .filter_map(|(n, p)| Some((format!("`{n}`"), (*p)?.to_owned())))
            .collect()
    };
    let mut extra = named(extra);
    if let Some(c) = &a.config {
        extra.push(("`--config`".into(), c.clone()));
    }
    inputs.extend(extra.iter().map(|(name, path)| Role { name, path }));
    let outputs = named(outputs);
    let outputs: Vec<Role<'_>> = outputs
        .iter()
        .map(|(name, path)| Role { name, path })
        .collect();
    let err = crate::output::check_distinct(&inputs, &outputs).err()?;
    let hint = err.hint();
    printer.error(&err.into(), Some(&hint));
    Some(Exit::Usage)
}

fn delimiter(raw: &str) -> Result<u8, ConfigError> {
    match raw {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        s if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        s => Err(ConfigError::Invalid(format!(
            "delimiter `{s}` must be one ASCII character (or `\\t` for tab)"
        ))),
    }
}

fn moment(raw: &str, tz: &jiff::tz::TimeZone, what: &str) -> Result<time::Moment, ConfigError> {
    let opts = TimeOptions {
        tz,
        date_order: config::DateOrder::Mdy,
        format: None,
    };
    time::parse(raw, false, &opts).map_err(|e| {
        ConfigError::Invalid(format!(
            "{what}: `{raw}`: {e}; use a date such as `2026-11-20` or a timestamp such as `2026-11-20T14:05:00Z`"
        ))
    })
}

/// The `[columns]` mapping with the `--column FIELD=HEADER` flags over it: a field named on
/// the command line takes only the flags' columns (several flags for one field make a list).
fn columns(
    flags: &[String],
    mut merged: Vec<(crate::map::Key, Vec<String>)>,
) -> Result<Vec<(crate::map::Key, Vec<String>)>, ConfigError> {
    let mut given: Vec<(crate::map::Key, Vec<String>)> = Vec::new();
    for raw in flags {
        let (field, header) = raw
            .split_once('=')
            .filter(|(f, h)| !f.trim().is_empty() && !h.trim().is_empty())
            .ok_or_else(|| {
                ConfigError::Invalid(format!(
                    "`--column {raw}` must be FIELD=HEADER, e.g. `--column email=Kontakt-Mail`"
                ))
            })?;
        let key = crate::map::Key::parse(field).ok_or_else(|| {
            ConfigError::Invalid(format!(
                "unknown field `{}` in `--column {raw}`; known fields: {}",
                field.trim(),
                crate::map::Key::ALL
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        match given.iter_mut().find(|(k, _)| *k == key) {
            Some((_, cols)) => cols.push(header.to_owned()),
            None => given.push((key, vec![header.to_owned()])),
        }
    }
    merged.retain(|(k, _)| !given.iter().any(|(g, _)| g == k));
    merged.extend(given);
    Ok(merged)
}

/// Merges flags, environment and the config file into settings and a read plan.
pub fn resolve(a: &InputArgs) -> Result<(Arc<Settings>, Plan), ConfigError> {
    let file = match &a.config {
        Some(p) => ConfigFile::load(p)?,
        None => ConfigFile::default(),
    };
    let timezone_name = a
        .timezone
        .clone()
        .or(file.timezone.clone())
        .unwrap_or_else(|| "UTC".into());
    let timezone = config::timezone_setting(&timezone_name)?;
    let now = match &a.now {
        Some(n) => moment(n, &jiff::tz::TimeZone::UTC, "`--now`")?.unix,
        None => jiff::Timestamp::now().as_second(),
    };
    let since = a
        .since
        .as_deref()
        .map(|s| moment(s, &timezone, "`--since`").map(|m| m.unix))
        .transpose()?;
    let until = a
        .until
        .as_deref()
        .map(|s| {
            moment(s, &timezone, "`--until`").map(|m| {
                if m.has_time {
                    m.unix
                } else {
                    // A bare date includes its whole day: the next local midnight, which is
                    // 23 or 25 hours away on DST days.
                    jiff::Timestamp::from_second(m.unix)
                        .ok()
                        .map(|t| t.to_zoned(timezone.clone()))
                        .and_then(|z| z.checked_add(jiff::Span::new().days(1)).ok())
                        .map_or(m.unix + 86_400, |z| z.timestamp().as_second())
                }
            })
        })
        .transpose()?;
    let exclude_sources: Vec<String> = if a.exclude_source.is_empty() {
        file.order.exclude_sources.clone().unwrap_or_default()
    } else {
        a.exclude_source.clone()
    }
    .iter()
    .flat_map(|s| config::source_aliases(s))
    .collect();
    let skip_statuses_chosen = !a.skip_status.is_empty() || file.order.skip_statuses.is_some();
    let skip_statuses = if a.skip_status.is_empty() {
        match &file.order.skip_statuses {
            Some(list) => config::statuses_setting(list)?,
            None => config::DEFAULT_SKIP_STATUSES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    } else if a.skip_status.iter().all(|s| s.eq_ignore_ascii_case("none")) {
        Vec::new()
    } else {
        config::statuses_setting(&a.skip_status)?
    };
    let template_text = a
        .event_id_template
        .clone()
        .or(file.event_id_template.clone())
        .unwrap_or_else(|| "{order_id}".into());
    let settings = Settings {
        preset: a.preset.or(file.preset),
        columns: columns(&a.columns, config::columns_setting(&file.columns)?)?,
        event_name: config::event_name_setting(
            a.event_name
                .as_deref()
                .or(file.event_name.as_deref())
                .unwrap_or("checkout"),
        )?,
        action_source: a
            .action_source
            .as_deref()
            .or(file.action_source.as_deref())
            .map(config::action_source_setting)
            .transpose()?,
        default_country: a
            .default_country
            .as_deref()
            .or(file.default_country.as_deref())
            .map(config::country_setting)
            .transpose()?,
        timezone_set: a.timezone.is_some() || file.timezone.is_some(),
        timezone,
        timezone_name,
        max_age: a.max_age.or(file.max_age_days).unwrap_or(MaxAge::Days(7)),
        since,
        until,
        event_id_template: Template::parse(&template_text).map_err(ConfigError::Invalid)?,
        partner_name: a.partner_name.clone().or(file.partner_name.clone()),
        order_id: a.order_id.or(file.order.id).unwrap_or(OrderIdSource::Auto),
        product_id: a
            .product_id
            .or(file.order.product_id)
            .unwrap_or(ProductIdSource::Auto),
        exclude_sources,
        skip_statuses,
        skip_statuses_chosen,
        exclude_tax: a.exclude_tax || file.order.exclude_tax.unwrap_or(false),
        exclude_shipping: a.exclude_shipping || file.order.exclude_shipping.unwrap_or(false),
        deduct_discounts: !a.keep_discounts && file.order.deduct_discounts.unwrap_or(true),
        decimal_comma: a.decimal_comma || file.decimal_comma.unwrap_or(false),
        date_format: a
            .date_format
            .clone()
            .or(file.date_format.clone())
            .map(|f| time::check_format(&f).map(|()| f))
            .transpose()
            .map_err(ConfigError::Invalid)?,
        date_order: a.date_order.or(file.date_order).unwrap_or_default(),
        date_order_set: a.date_order.is_some() || file.date_order.is_some(),
        now,
        id_fallback: true,
        web_checkout: file.tag.web_checkout.unwrap_or(false),
    };
    let encoding = match a.encoding.as_deref().or(file.encoding.as_deref()) {
        Some(label) => Some(input::encoding_for_label(label).ok_or_else(|| {
            ConfigError::Invalid(format!(
                "unknown encoding `{label}`; use e.g. `utf-8`, `windows-1252`, `latin1` or `utf-16le`"
            ))
        })?),
        None => None,
    };
    let plan = Plan {
        inputs: a.inputs.clone(),
        read: ReadOptions {
            format: a.format,
            delimiter: a
                .delimiter
                .as_deref()
                .or(file.delimiter.as_deref())
                .map(delimiter)
                .transpose()?,
            encoding,
        },
        max_problems: a.max_problems,
        event_id: crate::map::suggest::event_id_needs(&template_text, settings.order_id),
    };
    Ok((Arc::new(settings), plan))
}
