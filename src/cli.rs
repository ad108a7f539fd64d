//! Command-line surface: what the user typed, as plain clap structs. Nothing past
//! [`crate::commands`] sees these; they are resolved into [`crate::config::Settings`] once.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::config::{DateOrder, MaxAge, OrderIdSource, ProductIdSource};
use crate::exit::Exit;
use crate::input::Format;
use crate::map::Preset;
use crate::normalize::Field;

/// Upload e-commerce order exports to the Pinterest Conversions API.
#[derive(Debug, Parser)]
#[command(name = "pinconv", version, about, after_help = Exit::TABLE, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// `-o -` means stdout, as `-` means stdin for inputs: for `tag` and `init`, which write
    /// one text, the same as no `-o`. (`build` and `send --dry-run` stream their bodies
    /// through [`crate::output::create_or_stdout`], which knows `-`.)
    #[must_use]
    pub fn with_stdout_dash(mut self) -> Cli {
        let output = match &mut self.command {
            Command::Tag(a) => &mut a.output,
            Command::Init(a) => &mut a.output,
            _ => return self,
        };
        if output.as_deref() == Some(Path::new("-")) {
            *output = None;
        }
        self
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read, map, normalize, build and validate; send nothing. Summary on stderr.
    #[command(after_help = Exit::TABLE)]
    Check(CheckArgs),
    /// Write the exact request bodies `send` would POST, as NDJSON (one `{"data":[...]}` per line).
    #[command(after_help = Exit::TABLE)]
    Build(BuildArgs),
    /// Send the events to Pinterest, in batches, with retries; see also `--dry-run` and `--test`.
    #[command(after_help = Exit::TABLE)]
    Send(Box<SendArgs>),
    /// Print `<normalized>\t<sha256>` for values, as pinconv would hash them.
    #[command(after_help = Exit::TABLE)]
    Hash(HashArgs),
    /// Inspect or prune the delivery ledger of `send`.
    #[command(after_help = Exit::TABLE)]
    State(StateArgs),
    /// Write the browser half: the Pinterest tag for GTM, a Shopify custom pixel, WooCommerce
    /// or plain HTML, with checkout left to the server (or, with `--web-checkout`, matching ids).
    #[command(after_help = TAG_HELP)]
    Tag(TagArgs),
    /// Write a commented starter `pinconv.toml` from a sample export (to stdout or `-o FILE`).
    #[command(after_help = Exit::TABLE)]
    Init(InitArgs),
    /// Print a shell completion script, e.g. `source <(pinconv completions bash)`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `pinconv man > ~/.local/share/man/man1/pinconv.1`.
    Man,
}

const TAG_HELP: &str = "\
targets:
  gtm            a Google Tag Manager container: Admin > Import Container > Merge > Overwrite
                 conflicting; driven by the GA4 ecommerce data layer (view_item, add_to_cart,
                 purchase, ...); --web-checkout fills only {order_id} (from transaction_id)
  shopify-pixel  a custom pixel: Settings > Customer events > Add custom pixel; --web-checkout
                 fills {order_id}/{id} with the order id (never the order name or number)
  woocommerce    a PHP snippet (code-snippets plugin or mu-plugin); {order_id}/{id} =
                 get_id(), {order_number}/{order_name} = get_order_number()
  html           base code for <head> plus one commented snippet per event, with placeholders

exit codes:
  0    the code was written
  2    usage or configuration error (nothing written)";

/// `pinconv tag`.
#[derive(Debug, Args)]
pub struct TagArgs {
    /// Where the code goes: `gtm`, `shopify-pixel`, `woocommerce` or `html`.
    #[arg(long, value_parser = parse_target, value_name = "TARGET")]
    pub target: crate::tag::Target,
    /// Pinterest tag id (Ads > Conversions > Tag manager) [default: `[tag] id` in the config].
    #[arg(long, env = "PINTEREST_TAG_ID")]
    pub tag_id: Option<String>,
    /// Write to FILE instead of stdout (`-`: stdout).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Browser events, comma-separated: page_visit, view_category, search, add_to_cart,
    /// initiate_checkout, add_payment_info (not woocommerce) [default: `[tag] events`, else all
    /// the target supports].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub events: Vec<String>,
    /// Also fire `checkout` in the browser, with the `event_id` `build` gives the same order
    /// (Pinterest may not deduplicate what `send` posts more than an hour later).
    #[arg(long)]
    pub web_checkout: bool,
    /// The `event_id` template `build`/`send` use [default: the config's, else {order_id}].
    #[arg(long)]
    pub event_id_template: Option<String>,
    /// What `{order_id}` is on the server, as for `build` [default: `[order] id`, else auto].
    #[arg(long, value_enum)]
    pub order_id: Option<OrderIdSource>,
    /// TOML config file: the same one `build` and `send` read (`event_id_template`, `[order]`,
    /// `[tag]`).
    #[arg(long, env = "PINCONV_CONFIG")]
    pub config: Option<PathBuf>,
    /// Pass the customer's email to the tag where the page knows it.
    #[arg(long)]
    pub enhanced_match: bool,
}

fn parse_target(s: &str) -> Result<crate::tag::Target, String> {
    crate::tag::Target::parse(s).ok_or_else(|| {
        format!(
            "unknown target `{s}`; use one of {}",
            crate::tag::Target::ALL
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// `pinconv init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// A sample export to detect the settings from [default: none: a template of the common
    /// settings, all commented out].
    #[arg(value_name = "SAMPLE")]
    pub sample: Option<PathBuf>,
    /// Write to FILE instead of stdout (`-`: stdout).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `pinconv completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Shells `completions` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    /// bash (`source <(pinconv completions bash)`).
    Bash,
    /// zsh (a `_pinconv` file on `$fpath`).
    Zsh,
    /// fish (`~/.config/fish/completions/pinconv.fish`).
    Fish,
    /// PowerShell (`pinconv completions powershell | Out-String | Invoke-Expression`).
    Powershell,
}

/// Writes the completion script for `shell`, generated from this very definition.
pub fn write_completions(shell: Shell, out: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    use clap_complete::Shell as S;
    let shell = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    clap_complete::generate(shell, &mut Cli::command(), "pinconv", out);
}

/// Writes the man page (roff), generated from this very definition: one page, the
/// subcommands each a section with their synopsis and options, before the exit codes.
pub fn write_man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    cmd.build();
    let top = clap_mangen::Man::new(cmd.clone());
    let mut text = Vec::new();
    top.render_title(&mut text)?;
    top.render_name_section(&mut text)?;
    top.render_synopsis_section(&mut text)?;
    top.render_description_section(&mut text)?;
    top.render_options_section(&mut text)?;
    top.render_subcommands_section(&mut text)?;
    let mut text = String::from_utf8_lossy(&text).into_owned();
    for sub in cmd.get_subcommands() {
        // The subcommands live in this page, not in `pinconv-check(1)` pages of their own.
        text = text.replace(
            &format!("pinconv\\-{}(1)", sub.get_name().replace('-', "\\-")),
            &format!("\\fBpinconv {}\\fR", sub.get_name()),
        );
        if sub.get_name() == "help" {
            continue;
        }
        let name = format!("pinconv {}", sub.get_name());
        let page = clap_mangen::Man::new(
            sub.clone()
                .display_name(name.clone())
                .bin_name(name.clone()),
        );
        let mut part = Vec::new();
        page.render_synopsis_section(&mut part)?;
        page.render_description_section(&mut part)?;
        page.render_options_section(&mut part)?;
        if sub.has_subcommands() {
            page.render_subcommands_section(&mut part)?;
        }
        // Each subcommand is a section, its parts subsections.
        let heading = format!(".SH \"{}\"", name.to_uppercase());
        let part = String::from_utf8_lossy(&part)
            .replace(".SH ", ".SS ")
            .replacen(".SS SYNOPSIS", &heading, 1);
        text.push_str(&part);
    }
    let mut tail = Vec::new();
    top.render_extra_section(&mut tail)?;
    top.render_version_section(&mut tail)?;
    text.push_str(&String::from_utf8_lossy(&tail));
    out.write_all(text.as_bytes())
}

/// Options shared by `check`, `build` and `send`.
#[derive(Debug, Args, Clone)]
#[allow(clippy::struct_excessive_bools)]
pub struct InputArgs {
    /// Order exports to read (`-` for stdin); `.gz` files are decompressed.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Input format [default: from the extension, else sniffed].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// CSV delimiter, e.g. `;` or `\t` [default: detected from the header].
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Input encoding, e.g. `windows-1252`, `latin1`, `utf-16le` [default: UTF-8; UTF-16 by BOM;
    /// an input that is not UTF-8 at all in the encoding detected, with a note].
    #[arg(long)]
    pub encoding: Option<String>,
    /// Column preset [default: detected from the header or the first order, and reported].
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
    /// TOML config file (column mapping and shop settings).
    #[arg(long, env = "PINCONV_CONFIG")]
    pub config: Option<PathBuf>,
    /// Read FIELD from the column HEADER, as a `[columns]` line of the config does, e.g.
    /// `email=Kontakt-Mail` (repeatable; a field given here replaces the config's).
    #[arg(long = "column", value_name = "FIELD=HEADER")]
    pub columns: Vec<String>,
    /// Event name for orders without one: Pinterest's form (`checkout`) or a tag/other name
    /// (`Purchase`) [default: checkout].
    #[arg(long)]
    pub event_name: Option<String>,
    /// Force `action_source` (`web`, `offline`, `app_android`, `app_ios`) [default: `web`; POS orders `offline`].
    #[arg(long)]
    pub action_source: Option<String>,
    /// Country for phone numbers without a country code when the order has no country (e.g. `US`).
    #[arg(long)]
    pub default_country: Option<String>,
    /// IANA time zone for timestamps without an offset [default: UTC].
    #[arg(long)]
    pub timezone: Option<String>,
    /// Skip orders older than DAYS (Pinterest rejects old events), or `off` [default: 7].
    #[arg(long, value_name = "DAYS|off")]
    pub max_age: Option<MaxAge>,
    /// Only orders at or after this date or timestamp.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only orders before this timestamp; a date alone includes that whole day.
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Template for `event_id`: {order_id}, {id}, {order_number}, {order_name}, {event_name} [default: {order_id}].
    #[arg(long)]
    pub event_id_template: Option<String>,
    /// Which identifier becomes `order_id` [default: auto = id, else number, else name].
    #[arg(long, value_enum)]
    pub order_id: Option<OrderIdSource>,
    /// Which product identifier becomes `contents[].id` [default: auto = sku, else variant, else
    /// product]; `product_id` and `variant_id`, as in the config file, work too.
    #[arg(long, value_enum)]
    pub product_id: Option<ProductIdSource>,
    /// Skip orders from this sales channel (repeatable): `pos`, `draft`, `recharge` or a raw source value.
    #[arg(long, value_name = "SOURCE")]
    pub exclude_source: Vec<String>,
    /// Statuses to skip (repeatable; replaces the default `test,voided,cancelled,failed,draft`; `none` skips none).
    #[arg(long, value_name = "STATUS", value_delimiter = ',')]
    pub skip_status: Vec<String>,
    /// Subtract taxes from the value.
    #[arg(long)]
    pub exclude_tax: bool,
    /// Subtract shipping from the value.
    #[arg(long)]
    pub exclude_shipping: bool,
    /// Add discounts back to the value (value before discounts).
    #[arg(long)]
    pub keep_discounts: bool,
    /// `partner_name` for every event (lowercase `ss-<partner>`).
    #[arg(long)]
    pub partner_name: Option<String>,
    /// Numbers use a decimal comma (`1.234,50`).
    #[arg(long)]
    pub decimal_comma: bool,
    /// strftime format for timestamps, e.g. `%d.%m.%Y %H:%M` (one that reads no date is refused).
    #[arg(long)]
    pub date_format: Option<String>,
    /// Order of day and month in slash dates [default: what the input's own dates show,
    /// else mdy, and a date that reads both ways warns `ambiguous_date`].
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrder>,
    /// Pin "now" (for `--max-age` and reproducible runs), e.g. `2026-11-22T00:00:00Z`.
    #[arg(long, env = "PINCONV_NOW", value_name = "WHEN")]
    pub now: Option<String>,
    /// How many problems to list (stderr and the JSON report); all are counted.
    #[arg(long, default_value_t = 100)]
    pub max_problems: usize,
    /// Exit 1 when there are warnings too (for CI).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Rejected orders do not make the exit code 1: they are still listed and counted (for
    /// cron jobs where some orders can never be sent, e.g. phone-only ones).
    #[arg(long, conflicts_with = "deny_warnings")]
    pub rejected_ok: bool,
    /// Print no progress, warnings or skips: only rejected orders, errors and the summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `pinconv check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Inputs and settings.
    #[command(flatten)]
    pub input: InputArgs,
    /// Print a machine-readable report on stdout.
    #[arg(long)]
    pub json: bool,
    /// Write a self-contained HTML report to FILE (mode 0600), to open in a browser or forward.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// `pinconv build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Inputs and settings.
    #[command(flatten)]
    pub input: InputArgs,
    /// Write to FILE instead of stdout (`-`: stdout).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Events per request body (1..=1000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub batch_size: u16,
}

/// `pinconv send`.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)]
pub struct SendArgs {
    /// Inputs and settings.
    #[command(flatten)]
    pub input: InputArgs,
    /// Pinterest ad account id (digits).
    #[arg(long, env = "PINTEREST_AD_ACCOUNT_ID")]
    pub ad_account: Option<String>,
    /// File holding only the access token, at most 64 KiB, best mode 0600 [default: the
    /// `PINTEREST_ACCESS_TOKEN` environment variable].
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Add `test=true`: Pinterest validates the events but does not record them.
    #[arg(long)]
    pub test: bool,
    /// Do everything except the network: build, validate, batch and summarize.
    #[arg(long)]
    pub dry_run: bool,
    /// With `--dry-run`: write the bodies that would be sent, as `build` does (`-`: to
    /// stdout).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// API base URL; `http://` only to loopback addresses.
    #[arg(long, default_value = "https://api.pinterest.com/v5")]
    pub api_base: String,
    /// Events per request (1..=1000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub batch_size: u16,
    /// Requests in flight (1..=64).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Maximum requests per second (0..=10000), 0 for no limit (Pinterest documents 5,000 per
    /// minute per ad account; `--test` is held to 10 per second, Pinterest's limit for test
    /// requests).
    #[arg(long, default_value_t = 50.0, value_parser = parse_rate)]
    pub rate: f64,
    /// Attempts per request before giving up on 429/5xx/network errors (1..=20).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// First retry's backoff ceiling in milliseconds, 1..=60000 (doubles per attempt, capped at
    /// 60 s).
    #[arg(long, default_value_t = 1000, hide = true, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub retry_base_ms: u64,
    /// Seconds per HTTP request before it counts as timed out (1..=3600).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Write every event not accepted to FILE (NDJSON, re-sendable with `send`); no file is
    /// left when every event was accepted.
    #[arg(long, value_name = "FILE")]
    pub failed_out: Option<PathBuf>,
    /// Write a JSON run report to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write the same report as a self-contained HTML page to FILE (mode 0600).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Ledger file [default: $XDG_STATE_HOME/pinconv/ledger-<ad account>.sqlite].
    #[arg(long, value_name = "FILE", env = "PINCONV_STATE")]
    pub state: Option<PathBuf>,
    /// Do not use the ledger: send everything, remember nothing.
    #[arg(long)]
    pub no_state: bool,
    /// Send events the ledger says were already accepted, or whose orders were accepted under
    /// another `event_id`.
    #[arg(long)]
    pub resend: bool,
    /// Send events whose payload changed since they were accepted (under the same `event_id`,
    /// which Pinterest deduplicates by: it may keep the version it received first).
    #[arg(long)]
    pub resend_changed: bool,
}

/// `pinconv hash`.
#[derive(Debug, Args)]
pub struct HashArgs {
    /// The field whose rules apply: `em` (email), `ph` (phone), `fn` (first name), `ln` (last
    /// name), `ge` (gender), `db` (date of birth), `ct` (city), `st` (state), `zp` (zip code),
    /// `country`, `external_id`, `hashed_maids` (mobile ad id); long names such as `email`,
    /// `phone` or `zip` work too.
    #[arg(long, value_parser = parse_field, value_name = "FIELD")]
    pub field: Field,
    /// The order's country, for phone numbers and states.
    #[arg(long)]
    pub country: Option<String>,
    /// Values to hash; none reads one value per line from stdin.
    pub values: Vec<String>,
}

/// `--rate`: a finite number of requests per second from 0 (no limit) to 10,000.
fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=10_000.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "`{s}` is not a rate from 0 to 10000 requests per second (0 means no limit)"
        )),
    }
}

fn parse_field(s: &str) -> Result<Field, String> {
    Field::parse(s).ok_or_else(|| {
        format!(
            "unknown field `{s}`; use one of {}",
            Field::ALL
                .iter()
                .map(|f| f.key())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// `pinconv state`.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// Ledger file [default: from `--ad-account`].
    #[arg(long, value_name = "FILE", env = "PINCONV_STATE", global = true)]
    pub state: Option<PathBuf>,
    /// Ad account whose default ledger to open.
    #[arg(long, env = "PINTEREST_AD_ACCOUNT_ID", global = true)]
    pub ad_account: Option<String>,
    /// Print JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub action: StateAction,
}

/// `pinconv state ...`.
#[derive(Debug, Subcommand)]
pub enum StateAction {
    /// Counts per day and status, and the last runs.
    Show,
    /// The events still failing, as NDJSON re-sendable by `send`.
    Failed,
    /// Delete entries whose last activity is before DATE.
    Forget {
        /// A date or timestamp.
        #[arg(long, value_name = "DATE")]
        before: String,
    },
}
