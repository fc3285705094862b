//! The gate every request passes before any handler: rate limits on sign-in and join,
//! CSRF protection for cookie-authenticated writes, the body size limit, and the security
//! headers on every answer. Refusals use Tavoli's error shape and the caller's language.

use std::{
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};

use super::{error::ApiError, extract::lang_of, session::SESSION_COOKIE};

/// Largest request body a JSON route accepts. The largest legitimate bodies (a scheda
/// intervento, a 64 KB websocket-sized command) fit with room to spare.
pub const BODY_LIMIT: usize = 256 * 1024;

/// Sign-in attempts per address: 30 at once, then one every 2 s. An office signing in on a
/// Monday is fine; guessing passwords is not.
const LOGIN_BURST: u32 = 30;
const LOGIN_PERIOD: Duration = Duration::from_secs(2);
/// Joins per address: a venue of 400 people behind one router joining within a minute is
/// never throttled (600 at once, then 10 a second); a script creating thousands is.
const JOIN_BURST: u32 = 600;
const JOIN_PER_SECOND: u32 = 10;

/// The strict policy of every answer. Pages get the same policy plus the nonce of their
/// inline hydration script (set by `page_policy` while rendering).
pub const DEFAULT_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The policy of a rendered page: its own scripts, the inline hydration script carrying
/// `nonce`, WebAssembly compilation (`'wasm-unsafe-eval'`, not `'unsafe-eval'`), and
/// nothing from other sites. No framing anywhere (`frame-ancestors 'none'`).
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Called while a page renders (the nonce is in the reactive context by then): sets the
/// page's Content-Security-Policy with the nonce its hydration script carries.
pub fn provide_page_policy() {
    use leptos::prelude::use_context;
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) = HeaderValue::from_str(&page_policy(&nonce))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The limiters of one server (each `Application` has its own).
pub struct Guard {
    login: DefaultKeyedRateLimiter<IpAddr>,
    join: DefaultKeyedRateLimiter<IpAddr>,
}

impl Guard {
    /// The documented limits, each multiplied by `scale` (at least 1).
    pub fn new(scale: u32) -> Self {
        let scaled = |n: u32| NonZeroU32::new(n.saturating_mul(scale.max(1))).expect("non-zero");
        let login = Quota::with_period(LOGIN_PERIOD / scale.max(1))
            .expect("non-zero period")
            .allow_burst(scaled(LOGIN_BURST));
        let join = Quota::per_second(scaled(JOIN_PER_SECOND)).allow_burst(scaled(JOIN_BURST));
        Guard {
            login: RateLimiter::keyed(login),
            join: RateLimiter::keyed(join),
        }
    }

    /// A guard, tidied every minute while the server runs.
    pub fn start(scale: u32) -> Arc<Guard> {
        let guard = Arc::new(Guard::new(scale));
        let weak = Arc::downgrade(&guard);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                match weak.upgrade() {
                    Some(guard) => guard.tidy(),
                    None => break,
                }
            }
        });
        guard
    }

    /// Forgets addresses whose buckets are full again, so the maps stay small.
    pub fn tidy(&self) {
        self.login.retain_recent();
        self.join.retain_recent();
    }

    fn limiter_for(&self, method: &Method, path: &str) -> Option<&DefaultKeyedRateLimiter<IpAddr>> {
        if method != Method::POST {
            return None;
        }
        match path {
            "/api/login" => Some(&self.login),
            "/api/join" => Some(&self.join),
            _ => None,
        }
    }
}

fn too_many(retry_after: Duration) -> (ApiError, u64) {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    (
        ApiError::refused(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Troppi tentativi da questo indirizzo: riprova tra {seconds} secondi."),
            format!("Too many attempts from this address: try again in {seconds} seconds."),
        ),
        seconds,
    )
}

fn csrf_refused() -> ApiError {
    ApiError::refused(
        StatusCode::FORBIDDEN,
        "csrf_refused",
        "Richiesta rifiutata: non proviene da una pagina di questo server.",
        "Request refused: it does not come from a page of this server.",
    )
}

pub fn body_too_large() -> ApiError {
    ApiError::refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("La richiesta è troppo grande: al massimo {BODY_LIMIT} byte."),
        format!("The request is too large: at most {BODY_LIMIT} bytes."),
    )
}

/// Whether a write carries Tavoli cookies and no Bearer token: the only kind a page of
/// another site could make the browser send on someone's behalf.
fn cookie_authenticated(headers: &HeaderMap) -> bool {
    if headers.contains_key(header::AUTHORIZATION) {
        return false;
    }
    headers.get_all(header::COOKIE).iter().any(|value| {
        value.to_str().is_ok_and(|text| {
            text.split(';').any(|pair| {
                let name = pair.trim().split('=').next().unwrap_or("");
                name == SESSION_COOKIE || name.starts_with("tavoli_p_")
            })
        })
    })
}

/// Same-origin check with the headers browsers set themselves (the Fetch Metadata
/// `Sec-Fetch-Site`, else `Origin` against `Host`). A request with neither comes from no
/// browser (a script, curl) and cannot be forged by a page, so it passes.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site.eq_ignore_ascii_case("same-origin") || site.eq_ignore_ascii_case("none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

fn unsafe_method(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The middleware. Order: throttle, CSRF, size, then the handler, then headers.
pub async fn protect(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let lang = lang_of(&parts);
    let refusal = check(&guard, &parts);
    let mut response = match refusal {
        Some(response) => response.into_response_in_lang(lang),
        None => {
            let response = next.run(Request::from_parts(parts, body)).await;
            if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json(response.headers()) {
                // axum's own limit answers in plain text: say it in our shape.
                body_too_large().into_response_in(lang)
            } else {
                response
            }
        }
    };
    security_headers(response.headers_mut());
    response
}

enum Refusal {
    Error(ApiError),
    Throttled(ApiError, u64),
}

impl Refusal {
    fn into_response_in_lang(self, lang: tavoli_core::Lang) -> Response {
        match self {
            Refusal::Error(error) => error.into_response_in(lang),
            Refusal::Throttled(error, seconds) => {
                let mut response = error.into_response_in(lang);
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_str(&seconds.to_string()).expect("digits"),
                );
                response
            }
        }
    }
}

fn check(guard: &Guard, parts: &axum::http::request::Parts) -> Option<Refusal> {
    if let Some(limiter) = guard.limiter_for(&parts.method, parts.uri.path()) {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        if let Err(not_until) = limiter.check_key(&ip) {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            let (error, seconds) = too_many(wait);
            tracing::warn!(%ip, path = parts.uri.path(), "rate limited");
            return Some(Refusal::Throttled(error, seconds));
        }
    }
    if unsafe_method(&parts.method)
        && cookie_authenticated(&parts.headers)
        && !same_origin(&parts.headers)
    {
        tracing::warn!(path = parts.uri.path(), "cross-site write refused");
        return Some(Refusal::Error(csrf_refused()));
    }
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > BODY_LIMIT as u64) {
        return Some(Refusal::Error(body_too_large()));
    }
    None
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Headers of every answer. A page already carries its nonce policy; anything else gets the
/// strictest one, since it is data, not a document.
fn security_headers(headers: &mut HeaderMap) {
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_POLICY));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=()"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many sign-ins one address gets at once before it is throttled.
    fn login_burst(guard: &Guard) -> u32 {
        let address: IpAddr = [192, 0, 2, 1].into();
        (0..100_000)
            .take_while(|_| guard.login.check_key(&address).is_ok())
            .count() as u32
    }

    #[test]
    fn the_scale_multiplies_the_limits() {
        assert_eq!(login_burst(&Guard::new(1)), LOGIN_BURST);
        assert_eq!(login_burst(&Guard::new(3)), 3 * LOGIN_BURST);
    }
}
