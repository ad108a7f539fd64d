//! What every target's JavaScript shares: the Pinterest tag's base code as Ads Manager
//! generates it, the `<noscript>` pixel, and string literals safe inside `<script>`, an HTML
//! comment and a PHP single-quoted string.

use super::Ident;

/// The queue stub and loader of Pinterest's base code: `pintrk` queues calls until
/// `core.js` arrives, so `load`, `page` and `track` may be called at once.
pub const BASE_LOADER: &str = "!function(e){if(!window.pintrk){window.pintrk=function(){window.pintrk.queue.push(Array.prototype.slice.call(arguments))};var n=window.pintrk;n.queue=[],n.version=\"3.0\";var t=document.createElement(\"script\");t.async=!0,t.src=e;var r=document.getElementsByTagName(\"script\")[0];r.parentNode.insertBefore(t,r)}}(\"https://s.pinimg.com/ct/core.js\");";

/// The `<noscript>` pixel of the base code, for browsers without JavaScript.
#[must_use]
pub fn noscript(tag_id: &str) -> String {
    format!(
        "<noscript><img height=\"1\" width=\"1\" style=\"display:none;\" alt=\"\" src=\"https://ct.pinterest.com/v3/?event=init&amp;tid={tag_id}&amp;noscript=1\" /></noscript>"
    )
}

/// A JavaScript string literal for `s`: JSON's escapes, plus `<`, `>`, `&`, `'` and a
/// second `-` of `--` as `\uXXXX`, so the literal can close no `<script>`, no HTML comment
/// and no PHP single-quoted string it is written into.
#[must_use]
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '-' if prev == '-' => out.push_str("\\u002d"),
            '<' | '>' | '&' | '\'' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
        prev = c;
    }
    out.push('"');
    out
}

/// The event id as a JavaScript expression, with `ident` naming the variable that holds
/// each (already trimmed) identifier.
#[must_use]
pub fn event_id_expr(
    o: &super::TagOptions,
    t: &super::IdTemplate,
    ident: impl Fn(Ident) -> String,
) -> String {
    t.expression(o.order_id, string, ident, " + ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_close_nothing() {
        assert_eq!(string("order-1"), "\"order-1\"");
        assert_eq!(string("a--b"), "\"a-\\u002db\"");
        assert_eq!(string("</script>"), "\"\\u003c/script\\u003e\"");
        assert_eq!(string("it's \"x\"\\"), "\"it\\u0027s \\\"x\\\"\\\\\"");
        // The escapes are JSON too: what the browser reads back is the text itself.
        let back: String = serde_json::from_str(&string("#1001 -- <ü>'")).unwrap();
        assert_eq!(back, "#1001 -- <ü>'");
    }
}
