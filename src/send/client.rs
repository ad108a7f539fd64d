//! The HTTP client for `POST {api_base}/ad_accounts/{ad_account_id}/events`.
//!
//! One [`Client::post`] call is one HTTP attempt; retrying, splitting and reading the per-event
//! results live in [`super::deliver`]. This is the only place that sees the access token in
//! clear, and only while building the `Authorization` header.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use url::{Host as UrlHost, Url};

/// Everything needed to talk to the events endpoint.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API root, e.g. `https://api.pinterest.com/v5`.
    pub api_base: String,
    /// The ad account id (1 to 18 digits).
    pub ad_account: String,
    /// Conversion access token or OAuth token with `ads:write`.
    pub token: SecretString,
    /// Send `?test=true`: Pinterest validates but does not record the events.
    pub test: bool,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Limit for a whole request, from sending to the last byte of the answer.
    pub timeout: Duration,
}

/// Why a [`ClientConfig`] cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The ad account id is not 1 to 18 ASCII digits.
    #[error("invalid ad account id: expected 1 to 18 digits")]
    AdAccount,
    /// The API base is not a URL.
    #[error("invalid api base `{url}`: {source}")]
    Url {
        /// What was given.
        url: String,
        /// Why it did not parse.
        source: url::ParseError,
    },
    /// The API base has a scheme other than `https` / `http`.
    #[error("unsupported scheme `{scheme}` in api base: use `https`")]
    Scheme {
        /// The scheme found.
        scheme: String,
    },
    /// Plain `http` to a host that is not this machine.
    #[error("refusing to send the access token over plain http to `{host}`: use `https` (plain http is allowed only for loopback hosts)")]
    InsecureHost {
        /// The host that was not loopback.
        host: String,
    },
    /// The API base carries something that does not belong in it.
    #[error("api base must not contain {what}")]
    UrlParts {
        /// What was found (credentials, a query or a fragment).
        what: &'static str,
    },
    /// The API base has no host.
    #[error("api base `{url}` has no host")]
    NoHost {
        /// What was given.
        url: String,
    },
    /// The token is empty or not a valid header value.
    #[error("the access token is empty or contains characters not allowed in an http header")]
    Token,
    /// The HTTP client could not be built (e.g. TLS setup).
    #[error("cannot build the http client: {0}")]
    Build(#[source] reqwest::Error),
}

/// What kind of transport failure happened; all of them are worth retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// The request or the answer took longer than the timeout.
    Timeout,
    /// No connection could be established.
    Connect,
    /// The connection broke while sending or reading (reset, closed without an answer).
    Connection,
}

/// A failed HTTP attempt with no status code from the server.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {message}", match .kind {
    TransportKind::Timeout => "request timed out",
    TransportKind::Connect => "cannot connect",
    TransportKind::Connection => "connection failed",
})]
pub struct TransportError {
    /// The category.
    pub kind: TransportKind,
    /// The underlying error chain, joined with `: `.
    pub message: String,
}

impl TransportError {
    fn from_reqwest(err: &reqwest::Error) -> TransportError {
        let kind = if err.is_timeout() {
            TransportKind::Timeout
        } else if err.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Connection
        };
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            let text = s.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = s.source();
        }
        // A timeout inside hyper may surface only through the source chain.
        let kind = if kind == TransportKind::Connection && message.contains("timed out") {
            TransportKind::Timeout
        } else {
            kind
        };
        TransportError { kind, message }
    }
}

/// The most of an answer's body that is read (1 MiB): Pinterest's answers are a few KiB per
/// thousand events, and a server sending without end must not grow memory.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// The parts of an HTTP answer that delivery needs.
#[derive(Debug, Clone, Default)]
pub struct HttpReply {
    /// HTTP status code.
    pub status: u16,
    /// `Retry-After`, as seconds or an HTTP date turned into a wait from now.
    pub retry_after: Option<Duration>,
    /// `x-pinterest-rid`, Pinterest's request id for support.
    pub request_id: Option<String>,
    /// The raw body (with the token scrubbed out, should a server ever echo it), at most
    /// [`MAX_RESPONSE_BYTES`].
    pub body: Vec<u8>,
    /// Whether the body was longer than [`MAX_RESPONSE_BYTES`] and was cut there.
    pub truncated: bool,
}

/// A configured client for one ad account. Cheap to share across threads.
pub struct Client {
    http: reqwest::blocking::Client,
    endpoint: Url,
    token: SecretString,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint.as_str())
            .field("token", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.endpoint)
    }
}

/// Whether `host` is this machine: `127.0.0.0/8`, `::1` or `localhost`.
fn is_loopback(host: &UrlHost<&str>) -> bool {
    match host {
        UrlHost::Domain(d) => {
            let d = d.trim_end_matches('.');
            d.eq_ignore_ascii_case("localhost")
        }
        UrlHost::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        UrlHost::Ipv6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Builds `Bearer <token>`; the only place the token is exposed.
fn bearer(token: &SecretString) -> Result<HeaderValue, ConfigError> {
    let secret = token.expose_secret();
    if secret.trim().is_empty() {
        return Err(ConfigError::Token);
    }
    let mut value =
        HeaderValue::from_str(&format!("Bearer {secret}")).map_err(|_| ConfigError::Token)?;
    value.set_sensitive(true);
    Ok(value)
}

/// Whether an `x-pinterest-rid` value looks like a request id (1 to 64 letters, digits and
/// dashes); anything else a server puts there is dropped rather than stored in the report and
/// the ledger.
fn request_id_shaped(v: &str) -> bool {
    (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Replaces every occurrence of `needle` in `body` with `[REDACTED]`.
fn scrub(body: Vec<u8>, needle: &[u8]) -> Vec<u8> {
    // Very short tokens (only ever seen in tests) would mangle ordinary text.
    if needle.len() < 8 || body.len() < needle.len() {
        return body;
    }
    // memmem: one vectorised pass over the (up to 1 MiB) answer instead of a compare per byte.
    let finder = memchr::memmem::Finder::new(needle);
    if finder.find(&body).is_none() {
        return body;
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    // Non-overlapping, left to right.
    for at in finder.find_iter(&body) {
        out.extend_from_slice(&body[i..at]);
        out.extend_from_slice(b"[REDACTED]");
        i = at + needle.len();
    }
    out.extend_from_slice(&body[i..]);
    out
}

/// Reads at most `limit` bytes of the body; the rest is never read (dropping the response
/// closes the connection). Returns the bytes and whether there was more.
fn read_capped(
    resp: reqwest::blocking::Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), TransportError> {
    use std::io::Read as _;
    let mut body = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    resp.take(cap).read_to_end(&mut body).map_err(|e| {
        match e.get_ref().and_then(|r| r.downcast_ref::<reqwest::Error>()) {
            Some(re) => TransportError::from_reqwest(re),
            None => TransportError {
                kind: if e.kind() == std::io::ErrorKind::TimedOut {
                    TransportKind::Timeout
                } else {
                    TransportKind::Connection
                },
                message: e.to_string(),
            },
        }
    })?;
    let truncated = body.len() > limit;
    body.truncate(limit);
    Ok((body, truncated))
}

impl Client {
    /// Validates the configuration and builds the HTTP client.
    ///
    /// The ad account must be 1 to 18 digits; the API base must be an `https` URL, or `http`
    /// only when the host is a loopback address (`127.0.0.0/8`, `::1`, `localhost`), so the
    /// token never crosses a network in clear.
    pub fn new(cfg: ClientConfig) -> Result<Client, ConfigError> {
        let id = cfg.ad_account.as_str();
        if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConfigError::AdAccount);
        }
        let base = Url::parse(cfg.api_base.trim()).map_err(|source| ConfigError::Url {
            url: cfg.api_base.clone(),
            source,
        })?;
        if !base.username().is_empty() || base.password().is_some() {
            return Err(ConfigError::UrlParts {
                what: "credentials",
            });
        }
        if base.query().is_some() {
            return Err(ConfigError::UrlParts { what: "a query" });
        }
        if base.fragment().is_some() {
            return Err(ConfigError::UrlParts { what: "a fragment" });
        }
        let Some(host) = base.host() else {
            return Err(ConfigError::NoHost {
                url: cfg.api_base.clone(),
            });
        };
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(ConfigError::InsecureHost {
                    host: host.to_string(),
                })
            }
            other => {
                return Err(ConfigError::Scheme {
                    scheme: other.to_string(),
                })
            }
        }
        bearer(&cfg.token)?;

        let mut endpoint = base.clone();
        let path = format!(
            "{}/ad_accounts/{}/events",
            base.path().trim_end_matches('/'),
            cfg.ad_account
        );
        endpoint.set_path(&path);
        if cfg.test {
            endpoint.set_query(Some("test=true"));
        }

        let mut builder = reqwest::blocking::Client::builder();
        if base.scheme() == "http" {
            // Plain http is only ever loopback: never hand the token to a proxy in clear text.
            builder = builder.no_proxy();
        }
        let http = builder
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            // A redirect would turn the POST into a GET or carry the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("pinconv/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ConfigError::Build)?;
        Ok(Client {
            http,
            endpoint,
            token: cfg.token,
        })
    }

    /// Server text made safe to print and store: the token (should a server echo it, in any
    /// JSON escaping: this runs on decoded text) becomes `[REDACTED]`, emails `[email]` and
    /// phone numbers `[phone]`.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        let token = self.token.expose_secret();
        let text = if token.len() >= 8 && text.contains(token) {
            text.replace(token, "[REDACTED]")
        } else {
            text.to_owned()
        };
        super::redact::pii(&text).into_owned()
    }

    /// The full endpoint URL, query included.
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    /// Makes one HTTP attempt with this request body (shared, so a retry copies nothing).
    pub fn post(&self, body: &bytes::Bytes) -> Result<HttpReply, TransportError> {
        let auth = bearer(&self.token).map_err(|e| TransportError {
            kind: TransportKind::Connection,
            message: e.to_string(),
        })?;
        let resp = self
            .http
            .post(self.endpoint.clone())
            .header(AUTHORIZATION, auth)
            .header(CONTENT_TYPE, "application/json")
            .body(body.clone())
            .send()
            .map_err(|e| TransportError::from_reqwest(&e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers();
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| super::retry::parse_retry_after(v, jiff::Timestamp::now()));
        let request_id = headers
            .get("x-pinterest-rid")
            .and_then(|v| v.to_str().ok())
            .filter(|v| request_id_shaped(v) && !v.contains(self.token.expose_secret()))
            .map(str::to_string);
        let (bytes, truncated) = read_capped(resp, MAX_RESPONSE_BYTES)?;
        let body = scrub(bytes, self.token.expose_secret().as_bytes());
        Ok(HttpReply {
            status,
            retry_after,
            request_id,
            body,
            truncated,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "pina_SECRETTOKEN123456";

    fn cfg(base: &str) -> ClientConfig {
        ClientConfig {
            api_base: base.to_string(),
            ad_account: "549755885175".to_string(),
            token: SecretString::from(TOKEN),
            test: false,
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
        }
    }

    #[test]
    fn https_and_loopback_http_accepted() {
        for base in [
            "https://api.pinterest.com/v5",
            "https://api.pinterest.com/v5/",
            "http://127.0.0.1:8080/v5",
            "http://127.9.9.9/v5",
            "http://localhost:1/v5",
            "http://LOCALHOST./v5",
            "http://[::1]:9/v5",
        ] {
            let c = Client::new(cfg(base)).unwrap_or_else(|e| panic!("{base}: {e}"));
            assert!(
                c.endpoint()
                    .ends_with("/v5/ad_accounts/549755885175/events"),
                "{c}"
            );
        }
    }

    #[test]
    fn plain_http_to_remote_host_refused() {
        for base in [
            "http://api.pinterest.com/v5",
            "http://10.0.0.1/v5",
            "http://localhost.example.com/v5",
            "http://[::2]/v5",
        ] {
            let err = Client::new(cfg(base)).unwrap_err();
            assert!(
                matches!(err, ConfigError::InsecureHost { .. }),
                "{base}: {err}"
            );
            assert!(err.to_string().contains("use `https`"), "{err}");
        }
        assert!(matches!(
            Client::new(cfg("ftp://x/v5")),
            Err(ConfigError::Scheme { .. })
        ));
        assert!(matches!(
            Client::new(cfg("not a url")),
            Err(ConfigError::Url { .. })
        ));
        assert!(matches!(
            Client::new(cfg("https://u:p@api.pinterest.com/v5")),
            Err(ConfigError::UrlParts { .. })
        ));
    }

    #[test]
    fn ad_account_must_be_1_to_18_digits() {
        for bad in ["", "12a", "1234567890123456789", " 12", "-1", "١٢"] {
            let mut c = cfg("https://api.pinterest.com/v5");
            c.ad_account = bad.to_string();
            assert!(
                matches!(Client::new(c), Err(ConfigError::AdAccount)),
                "{bad:?}"
            );
        }
        let mut c = cfg("https://api.pinterest.com/v5");
        c.ad_account = "123456789012345678".to_string();
        assert!(Client::new(c).is_ok());
    }

    #[test]
    fn test_flag_adds_query() {
        let mut c = cfg("https://api.pinterest.com/v5");
        assert!(!Client::new(c.clone()).unwrap().endpoint().contains('?'));
        c.test = true;
        assert!(Client::new(c)
            .unwrap()
            .endpoint()
            .ends_with("/events?test=true"));
    }

    #[test]
    fn bad_tokens_refused() {
        for bad in ["", "  ", "a\nb"] {
            let mut c = cfg("https://api.pinterest.com/v5");
            c.token = SecretString::from(bad);
            assert!(matches!(Client::new(c), Err(ConfigError::Token)), "{bad:?}");
        }
    }

    #[test]
    fn debug_and_display_never_show_the_token() {
        let config = cfg("http://127.0.0.1:1/v5");
        let client = Client::new(config.clone()).unwrap();
        let texts = [
            format!("{config:?}"),
            format!("{client:?}"),
            format!("{client}"),
            format!(
                "{:?}",
                Client::new(cfg("http://example.com/v5")).unwrap_err()
            ),
            Client::new(cfg("http://example.com/v5"))
                .unwrap_err()
                .to_string(),
        ];
        for t in texts {
            assert!(!t.contains(TOKEN), "{t}");
            assert!(!t.contains("SECRET"), "{t}");
        }
    }

    #[test]
    fn request_ids_must_look_like_request_ids() {
        for good in ["mock-12", "0a1b2c3d4e5f", "A-1"] {
            assert!(request_id_shaped(good), "{good}");
        }
        for bad in [
            "",
            "pina_SECRETTOKEN123456",
            "a b",
            "x@example.com",
            &"a".repeat(65),
        ] {
            assert!(!request_id_shaped(bad), "{bad}");
        }
    }

    #[test]
    fn redact_removes_token_and_pii_from_decoded_text() {
        let client = Client::new(cfg("http://127.0.0.1:1/v5")).unwrap();
        let decoded: String = serde_json::from_str(&format!(
            "\"{}\"",
            format!("token {TOKEN} of jane@example.com, +1 555 555 0199")
                .chars()
                .map(|c| format!("\\u{:04x}", c as u32))
                .collect::<String>()
        ))
        .unwrap();
        assert_eq!(
            client.redact(&decoded),
            "token [REDACTED] of [email], [phone]"
        );
    }

    #[test]
    fn scrub_removes_token() {
        let out = scrub(
            format!("x {TOKEN} y {TOKEN}").into_bytes(),
            TOKEN.as_bytes(),
        );
        assert_eq!(String::from_utf8(out).unwrap(), "x [REDACTED] y [REDACTED]");
        assert_eq!(scrub(b"abc".to_vec(), b"short"), b"abc");
        // Overlapping occurrences: the leftmost is replaced, what is left of the next stays.
        assert_eq!(scrub(b"aaaaaaaaaa".to_vec(), b"aaaaaaaa"), b"[REDACTED]aa");
        assert_eq!(
            scrub(b"no token here".to_vec(), TOKEN.as_bytes()),
            b"no token here"
        );
    }
}
