//! Italian first, English on request. The choice lives in a cookie (`tavoli_lang`) so the
//! server renders the right language before any script runs.

use leptos::prelude::*;
pub use tavoli_core::Lang;

pub const COOKIE: &str = "tavoli_lang";

/// The two renderings of one text; the Italian one is the default.
pub fn tr(lang: Lang, it: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

/// The language of the current request (server) or document (browser).
pub fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        if let Some(parts) = use_context::<http::request::Parts>() {
            let cookies = parts.headers.get_all(http::header::COOKIE);
            for header in cookies {
                if let Some(lang) = header.to_str().ok().and_then(lang_from_cookies) {
                    return lang;
                }
            }
            if let Some(accept) = parts
                .headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
            {
                return Lang::from_accept_language(accept);
            }
        }
        Lang::It
    }
    #[cfg(not(feature = "ssr"))]
    {
        document_lang()
    }
}

#[cfg(not(feature = "ssr"))]
fn document_lang() -> Lang {
    #[cfg(feature = "hydrate")]
    {
        let lang = leptos::prelude::document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"));
        if lang.as_deref() == Some("en") {
            return Lang::En;
        }
    }
    Lang::It
}

/// Reads `tavoli_lang=it|en` out of a Cookie header.
pub fn lang_from_cookies(header: &str) -> Option<Lang> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE).then(|| if value == "en" { Lang::En } else { Lang::It })
    })
}

/// Puts the language signal in context for every component below.
pub fn provide_lang() -> RwSignal<Lang> {
    let lang = RwSignal::new(request_lang());
    provide_context(lang);
    lang
}

pub fn use_lang() -> RwSignal<Lang> {
    use_context::<RwSignal<Lang>>().unwrap_or_else(|| RwSignal::new(Lang::It))
}

/// Switches language: remembers it in the cookie and reloads, so the server renders every
/// text in the new language. Texts are static in the page (no reactive closure per text),
/// which keeps the WebAssembly small; a language switch is rare enough to afford a reload.
pub fn set_lang(signal: RwSignal<Lang>, lang: Lang) {
    signal.set(lang);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let code = code(lang);
        if let Ok(document) = leptos::prelude::document().dyn_into::<web_sys::HtmlDocument>() {
            let _ = document.set_cookie(&format!(
                "{COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax"
            ));
        }
        if let Some(root) = leptos::prelude::document().document_element() {
            let _ = root.set_attribute("lang", code);
        }
        let _ = leptos::prelude::window().location().reload();
    }
}

/// The BCP 47 code of a language, for `<html lang>` and the cookie.
pub fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::It => "it",
        Lang::En => "en",
    }
}
