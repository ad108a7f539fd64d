//! `pinconv tag`: merges flags, environment and the config file (the same one `build` and
//! `send` read, so the event id template and `[order] id` cannot drift), validates the
//! request for the target and writes the code to stdout or `-o FILE`.

use std::io::Write;

use anyhow::Context as _;

use super::build::AtomicFile;
use crate::cli::TagArgs;
use crate::config::{self, ConfigFile, OrderIdSource};
use crate::exit::Exit;
use crate::printer::Printer;
use crate::tag::{self, TagOptions, TagRequest};

/// Runs `pinconv tag`.
pub fn run(a: &TagArgs) -> Exit {
    let printer = Printer::new(false, 0);
    let options = match prepare(a) {
        Ok(o) => o,
        Err(e) => return super::usage_error(&printer, &e, None),
    };
    if !options.tag_id_looks_right() {
        printer.always(&format!(
            "warning: tag id `{}` does not look like a Pinterest tag id (13 digits starting with `26`, as Pinterest's own GTM template checks)\n  hint: copy it from Ads > Conversions > Tag manager",
            options.tag_id
        ));
    }
    let code = tag::generate(&options);
    match write(a, &code) {
        Ok(()) => Exit::Ok,
        Err(e) if super::is_broken_pipe(&e) => Exit::Ok,
        Err(e) => super::usage_error(&printer, &e, None),
    }
}

/// Flags > environment (clap reads `PINTEREST_TAG_ID`, `PINCONV_CONFIG`) > config > defaults.
fn prepare(a: &TagArgs) -> anyhow::Result<TagOptions> {
    let file = match &a.config {
        Some(p) => ConfigFile::load(p)?,
        None => ConfigFile::default(),
    };
    let server_event_name =
        config::event_name_setting(file.event_name.as_deref().unwrap_or("checkout"))?;
    let request = TagRequest {
        tag_id: a.tag_id.clone().or(file.tag.id.clone()),
        events: if a.events.is_empty() {
            file.tag.events.clone()
        } else {
            Some(a.events.clone())
        },
        web_checkout: a.web_checkout || file.tag.web_checkout.unwrap_or(false),
        template: a
            .event_id_template
            .clone()
            .or(file.event_id_template.clone())
            .unwrap_or_else(|| "{order_id}".into()),
        order_id: a.order_id.or(file.order.id).unwrap_or(OrderIdSource::Auto),
        server_event_name,
        enhanced_match: a.enhanced_match || file.tag.enhanced_match.unwrap_or(false),
    };
    Ok(TagOptions::new(a.target, &request)?)
}

fn write(a: &TagArgs, code: &str) -> anyhow::Result<()> {
    match &a.output {
        Some(p) => {
            let (atomic, mut f) = AtomicFile::create(p)?;
            if let Err(e) = f
                .write_all(code.as_bytes())
                .and_then(|()| f.flush())
                .with_context(|| format!("cannot write `{}`", p.display()))
            {
                atomic.abandon();
                return Err(e);
            }
            atomic.commit()
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(code.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}
