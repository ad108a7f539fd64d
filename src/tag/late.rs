//! The `send` side of `[tag] web_checkout = true`: when the browser tag also fires
//! `checkout`, Pinterest deduplicates the two only for events it receives in time. Its API
//! description says events that took place offline cannot be deduplicated, and its help
//! counts events received more than about an hour after they happened as offline. So `send`
//! warns, once per run, when it is about to post such a checkout.

use crate::config::Settings;
use crate::event::Built;
use crate::pipeline::Sink;
use crate::report::{InputSummary, Problem, Severity};

/// How old a checkout may be and still count as a web event (Pinterest's "about an hour").
pub const WEB_WINDOW_SECS: i64 = 3600;

/// A [`Sink`] in front of `send`'s own: passes everything through, and the first time a
/// `checkout` older than [`WEB_WINDOW_SECS`] goes by while the config says the browser fires
/// checkout, adds one warning for it.
pub struct LateCheckoutWarning<'a> {
    inner: &'a mut dyn Sink,
    armed: bool,
    now: i64,
}

impl<'a> LateCheckoutWarning<'a> {
    /// Wraps `inner`; armed only when the settings say the browser fires checkout too
    /// (`[tag] web_checkout = true`). The run's "now" (`--now`) is the settings' too.
    pub fn wrap(settings: &Settings, inner: &'a mut dyn Sink) -> LateCheckoutWarning<'a> {
        LateCheckoutWarning {
            inner,
            armed: settings.web_checkout,
            now: settings.now,
        }
    }
}

impl Sink for LateCheckoutWarning<'_> {
    fn input(&mut self, summary: &InputSummary) {
        self.inner.input(summary);
    }
    fn problem(&mut self, problem: &Problem) {
        self.inner.problem(problem);
    }
    fn event(&mut self, e: Built) -> anyhow::Result<()> {
        if self.armed && e.event_name == "checkout" && self.now - e.event_time > WEB_WINDOW_SECS {
            self.armed = false;
            let hours = (self.now - e.event_time) / 3600;
            self.inner.problem(&Problem {
                file: e.file.clone(),
                line: e.line,
                column: None,
                severity: Severity::Warning,
                code: "late_checkout_with_web_tag",
                reason: format!(
                    "`[tag] web_checkout = true` says the browser tag fires checkout too, but this checkout is {hours} hour{} old (and it may not be the only one): Pinterest counts events received more than about an hour late as offline and may not deduplicate them against the tag, so the order could count twice",
                    if hours == 1 { "" } else { "s" }
                ),
                hint: Some("send within the hour of each order (run `send` more often), or switch to server-only checkout: regenerate the tag without `--web-checkout` (`pinconv tag`) and set `web_checkout = false`".into()),
                order: Some(e.event_id.clone()),
            });
        }
        self.inner.event(e)
    }
}
