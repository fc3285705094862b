//! What a user did wrong, typed: `DomainError`, each with a stable `code()` and an Italian and
//! English message. No HTTP status lives here; the server maps errors once, at its edge.

use serde::{Deserialize, Serialize};

/// The language of a message: Italian first, English on request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    It,
    En,
}

impl Lang {
    /// Picks Italian or English from an `Accept-Language` header: the supported language with
    /// the highest quality wins, the earlier one on a tie, Italian when neither is asked for.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(Lang, f32)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let primary = tag
                .split(['-', '_'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            let lang = match primary.as_str() {
                "it" => Lang::It,
                "en" => Lang::En,
                _ => continue,
            };
            let quality = parts
                .filter_map(|parameter| {
                    let (name, value) = parameter.split_once('=')?;
                    (name.trim().eq_ignore_ascii_case("q"))
                        .then(|| value.trim().parse::<f32>().ok())?
                })
                .next()
                .unwrap_or(1.0);
            // q=0 means "not acceptable" (RFC 9110), and NaN is no preference at all.
            if quality.is_nan() || quality <= 0.0 {
                continue;
            }
            if best.is_none_or(|(_, best_quality)| quality > best_quality) {
                best = Some((lang, quality));
            }
        }
        best.map(|(lang, _)| lang).unwrap_or_default()
    }

    /// The BCP 47 tag, for `lang` attributes.
    pub fn tag(&self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }
}

/// Every way a command can be refused. A refused command changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DomainError {
    EmptyText,
    TextTooLong { max: usize },
    EmptyTitle,
    TitleTooLong { max: usize },
    EmptyOrganisation,
    NameTooLong { max: usize },
    TargetTooLong { max: usize },
    TooManyTargets { max: usize },
    UnknownContribution,
    UnknownCluster,
    UnknownRound,
    UnknownParticipant,
    NotAllowed,
    NotAuthor,
    PhaseClosed,
    BoardLocked,
    AlreadyWithdrawn,
    AlreadyMerged,
    InOpenRound,
    MergeNeedsTwo,
    MergeKindsDiffer,
    InvalidPolicyArea,
    InvalidTimer,
    MeetingAlreadyOpen,
    NoOpenMeeting,
    VotingAlreadyOpen,
    VotingClosed,
    NotInRound,
    NoDotsLeft,
    MaxPerCardReached,
    NoDotToRetract,
    NotAParticipant,
    InvalidVotingRules,
    EmptyRound,
    DuplicateIds,
}

impl DomainError {
    /// The stable snake_case code scripts and the browser match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyText => "empty_text",
            Self::TextTooLong { .. } => "text_too_long",
            Self::EmptyTitle => "empty_title",
            Self::TitleTooLong { .. } => "title_too_long",
            Self::EmptyOrganisation => "empty_organisation",
            Self::NameTooLong { .. } => "name_too_long",
            Self::TargetTooLong { .. } => "target_too_long",
            Self::TooManyTargets { .. } => "too_many_targets",
            Self::UnknownContribution => "unknown_contribution",
            Self::UnknownCluster => "unknown_cluster",
            Self::UnknownRound => "unknown_round",
            Self::UnknownParticipant => "unknown_participant",
            Self::NotAllowed => "not_allowed",
            Self::NotAuthor => "not_author",
            Self::PhaseClosed => "phase_closed",
            Self::BoardLocked => "board_locked",
            Self::AlreadyWithdrawn => "already_withdrawn",
            Self::AlreadyMerged => "already_merged",
            Self::InOpenRound => "in_open_round",
            Self::MergeNeedsTwo => "merge_needs_two",
            Self::MergeKindsDiffer => "merge_kinds_differ",
            Self::InvalidPolicyArea => "invalid_policy_area",
            Self::InvalidTimer => "invalid_timer",
            Self::MeetingAlreadyOpen => "meeting_already_open",
            Self::NoOpenMeeting => "no_open_meeting",
            Self::VotingAlreadyOpen => "voting_already_open",
            Self::VotingClosed => "voting_closed",
            Self::NotInRound => "not_in_round",
            Self::NoDotsLeft => "no_dots_left",
            Self::MaxPerCardReached => "max_per_card_reached",
            Self::NoDotToRetract => "no_dot_to_retract",
            Self::NotAParticipant => "not_a_participant",
            Self::InvalidVotingRules => "invalid_voting_rules",
            Self::EmptyRound => "empty_round",
            Self::DuplicateIds => "duplicate_ids",
        }
    }

    /// A sentence the user can act on, in their language.
    pub fn message(&self, lang: Lang) -> String {
        let (italian, english): (String, String) = match self {
            Self::EmptyText => (
                "Il testo è vuoto: scrivi qualcosa prima di inviare.".into(),
                "The text is empty: write something before sending.".into(),
            ),
            Self::TextTooLong { max } => (
                format!("Il testo è troppo lungo: al massimo {max} caratteri."),
                format!("The text is too long: at most {max} characters."),
            ),
            Self::EmptyTitle => (
                "Il titolo è vuoto.".into(),
                "The title is empty.".into(),
            ),
            Self::TitleTooLong { max } => (
                format!("Il titolo è troppo lungo: al massimo {max} caratteri."),
                format!("The title is too long: at most {max} characters."),
            ),
            Self::EmptyOrganisation => (
                "Indica l'ente o l'organizzazione che rappresenti.".into(),
                "Name the organisation you represent.".into(),
            ),
            Self::NameTooLong { max } => (
                format!("Il nome è troppo lungo: al massimo {max} caratteri."),
                format!("The name is too long: at most {max} characters."),
            ),
            Self::TargetTooLong { max } => (
                format!("Un destinatario è troppo lungo: al massimo {max} caratteri."),
                format!("A target group is too long: at most {max} characters."),
            ),
            Self::TooManyTargets { max } => (
                format!("Troppi destinatari: al massimo {max} per contributo."),
                format!("Too many target groups: at most {max} per contribution."),
            ),
            Self::UnknownContribution => (
                "Questo contributo non esiste su questo tavolo.".into(),
                "This contribution does not exist on this roundtable.".into(),
            ),
            Self::UnknownCluster => (
                "Questo raggruppamento non esiste (forse è stato eliminato).".into(),
                "This cluster does not exist (it may have been deleted).".into(),
            ),
            Self::UnknownRound => (
                "Questa votazione non esiste.".into(),
                "This voting round does not exist.".into(),
            ),
            Self::UnknownParticipant => (
                "Questo partecipante non è iscritto al tavolo.".into(),
                "This participant has not joined the roundtable.".into(),
            ),
            Self::NotAllowed => (
                "Il tuo ruolo non permette questa azione.".into(),
                "Your role does not allow this action.".into(),
            ),
            Self::NotAuthor => (
                "Puoi modificare o ritirare solo i tuoi contributi.".into(),
                "You can only edit or withdraw your own contributions.".into(),
            ),
            Self::PhaseClosed => (
                "Questa azione non è possibile nella fase attuale del tavolo.".into(),
                "This action is not possible in the roundtable's current phase.".into(),
            ),
            Self::BoardLocked => (
                "La bacheca è bloccata dal facilitatore.".into(),
                "The board has been locked by the facilitator.".into(),
            ),
            Self::AlreadyWithdrawn => (
                "Questo contributo è stato ritirato.".into(),
                "This contribution has been withdrawn.".into(),
            ),
            Self::AlreadyMerged => (
                "Questo contributo è stato unito a un altro.".into(),
                "This contribution has been merged into another one.".into(),
            ),
            Self::InOpenRound => (
                "Questo contributo è in una votazione aperta: chiudi prima la votazione.".into(),
                "This contribution is in an open voting round: close the round first.".into(),
            ),
            Self::MergeNeedsTwo => (
                "Per unire servono almeno due contributi diversi.".into(),
                "Merging needs at least two different contributions.".into(),
            ),
            Self::MergeKindsDiffer => (
                "Si possono unire solo contributi dello stesso tipo.".into(),
                "Only contributions of the same kind can be merged.".into(),
            ),
            Self::InvalidPolicyArea => (
                "La macroarea deve essere una lettera dalla A alla K.".into(),
                "The policy area must be a letter from A to K.".into(),
            ),
            Self::InvalidTimer => (
                "La durata deve essere tra 1 secondo e 2 ore.".into(),
                "The duration must be between 1 second and 2 hours.".into(),
            ),
            Self::MeetingAlreadyOpen => (
                "C'è già un incontro aperto: chiudilo prima di aprirne un altro.".into(),
                "A meeting is already open: close it before opening another.".into(),
            ),
            Self::NoOpenMeeting => (
                "Non c'è nessun incontro aperto.".into(),
                "There is no open meeting.".into(),
            ),
            Self::VotingAlreadyOpen => (
                "C'è già una votazione aperta: chiudila prima di aprirne un'altra.".into(),
                "A voting round is already open: close it before opening another.".into(),
            ),
            Self::VotingClosed => (
                "La votazione è chiusa.".into(),
                "Voting is closed.".into(),
            ),
            Self::NotInRound => (
                "Questo contributo non fa parte della votazione.".into(),
                "This contribution is not part of the voting round.".into(),
            ),
            Self::NoDotsLeft => (
                "Hai già usato tutti i tuoi punti.".into(),
                "You have used all your dots.".into(),
            ),
            Self::MaxPerCardReached => (
                "Hai già dato a questo contributo il numero massimo di punti.".into(),
                "You have already given this contribution the most dots allowed.".into(),
            ),
            Self::NoDotToRetract => (
                "Non hai punti da togliere su questo contributo.".into(),
                "You have no dot to take back on this contribution.".into(),
            ),
            Self::NotAParticipant => (
                "Per questa azione devi partecipare al tavolo.".into(),
                "You must be a participant of the roundtable to do this.".into(),
            ),
            Self::InvalidVotingRules => (
                "Regole di voto non valide: da 1 a 20 punti a testa, e per contributo non più dei punti a testa.".into(),
                "Invalid voting rules: 1 to 20 dots per voter, and no more per contribution than per voter.".into(),
            ),
            Self::EmptyRound => (
                "Scegli almeno un contributo da votare.".into(),
                "Choose at least one contribution to vote on.".into(),
            ),
            Self::DuplicateIds => (
                "Lo stesso contributo compare più di una volta.".into(),
                "The same contribution appears more than once.".into(),
            ),
        };
        match lang {
            Lang::It => italian,
            Lang::En => english,
        }
    }
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for DomainError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_is_the_default_language() {
        assert_eq!(Lang::from_accept_language(""), Lang::It);
        assert_eq!(Lang::from_accept_language("de-DE,fr;q=0.8"), Lang::It);
        assert_eq!(Lang::default(), Lang::It);
    }

    #[test]
    fn the_preferred_supported_language_wins() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,it;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("it-IT,it;q=0.9,en;q=0.8"),
            Lang::It
        );
        assert_eq!(
            Lang::from_accept_language("de, en;q=0.5, it;q=0.7"),
            Lang::It
        );
        assert_eq!(Lang::from_accept_language("fr, EN-gb"), Lang::En);
        assert_eq!(Lang::from_accept_language("en;q=0, it;q=0.1"), Lang::It);
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::It);
    }

    #[test]
    fn every_error_has_a_snake_case_code_and_two_messages() {
        for error in all_errors() {
            let code = error.code();
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
            assert!(!error.message(Lang::It).is_empty());
            assert_ne!(error.message(Lang::It), error.message(Lang::En), "{code}");
        }
        let codes: std::collections::BTreeSet<_> = all_errors().iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all_errors().len(), "codes are unique");
    }

    #[test]
    fn length_errors_name_the_limit() {
        let error = DomainError::TextTooLong { max: 4000 };
        assert!(error.message(Lang::It).contains("4000"));
        assert!(error.message(Lang::En).contains("4000"));
    }

    fn all_errors() -> Vec<DomainError> {
        use DomainError::*;
        vec![
            EmptyText,
            TextTooLong { max: 1 },
            EmptyTitle,
            TitleTooLong { max: 1 },
            EmptyOrganisation,
            NameTooLong { max: 1 },
            TargetTooLong { max: 1 },
            TooManyTargets { max: 1 },
            UnknownContribution,
            UnknownCluster,
            UnknownRound,
            UnknownParticipant,
            NotAllowed,
            NotAuthor,
            PhaseClosed,
            BoardLocked,
            AlreadyWithdrawn,
            AlreadyMerged,
            InOpenRound,
            MergeNeedsTwo,
            MergeKindsDiffer,
            InvalidPolicyArea,
            InvalidTimer,
            MeetingAlreadyOpen,
            NoOpenMeeting,
            VotingAlreadyOpen,
            VotingClosed,
            NotInRound,
            NoDotsLeft,
            MaxPerCardReached,
            NoDotToRetract,
            NotAParticipant,
            InvalidVotingRules,
            EmptyRound,
            DuplicateIds,
        ]
    }
}
