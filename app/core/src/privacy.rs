//! The privacy notice a participant accepts when joining, in Italian and English. It lives in
//! the core so the join page, the API (`GET /api/privacy`) and the data download quote the very
//! same text and version.

use crate::error::Lang;

/// Bumped whenever the text changes in substance; stored with each participant's consent.
pub const PRIVACY_NOTICE_VERSION: &str = "2025-1";

/// The notice, short enough to read on a phone before joining.
pub fn privacy_notice(lang: Lang) -> &'static str {
    match lang {
        Lang::It => {
            "Informativa sulla privacy. L'ente titolare del percorso tratta il tuo nome e la tua \
             organizzazione solo per organizzare questo tavolo e attribuire i contributi. Il nome \
             non compare nei documenti esportati: i contributi sono attribuiti all'organizzazione, \
             e nei tavoli anonimi e nelle votazioni segrete a nessuno. Puoi scaricare i tuoi dati \
             e chiederne la cancellazione in ogni momento: i tuoi contributi restano, attribuiti \
             alla tua organizzazione o ad «anonimo». Registriamo la data e l'ora del tuo consenso."
        }
        Lang::En => {
            "Privacy notice. The body running this process uses your name and organisation only to \
             run this roundtable and attribute contributions. Your name does not appear in exported \
             documents: contributions are attributed to your organisation, and at anonymous \
             roundtables and in secret ballots to nobody. You can download your data and ask for \
             it to be erased at any time: your contributions stay, attributed to your organisation \
             or to \"anonymous\". We record the date and time of your consent."
        }
    }
}
