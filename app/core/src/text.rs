//! Texts with rules (card text, titles, names, notes): types that can only exist valid, so the
//! browser and the server refuse the same input with the same words.
//!
//! Every text is cleaned the same way: ASCII control characters are dropped except newline and
//! tab (a pasted `\r\n` becomes `\n`), then surrounding whitespace is trimmed. Lengths count
//! Unicode scalar values (`char`s), not bytes, so accented Italian text gets the full allowance.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// Maximum length of a card's text, in characters after cleaning; API.md requires at least 2000.
pub const MAX_CONTRIBUTION_CHARS: usize = 4000;
/// Maximum length of a cluster or meeting title, in characters after cleaning.
pub const MAX_TITLE_CHARS: usize = 200;
/// Maximum length of a name: an organisation, or the person a facilitator types for.
pub const MAX_NAME_CHARS: usize = 200;
/// Maximum length of one target group tag (destinatari) on a card.
pub const MAX_TARGET_CHARS: usize = 100;
/// Maximum number of target tags on one card: tags are for grouping, not for prose.
pub const MAX_TARGETS: usize = 20;

/// Drops ASCII control characters except `\n` and `\t`, then trims surrounding whitespace.
pub fn clean(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|character| !character.is_ascii_control() || matches!(character, '\n' | '\t'))
        .collect();
    kept.trim().to_owned()
}

/// The text of a card: not empty, at most [`MAX_CONTRIBUTION_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContributionText(String);

impl ContributionText {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let cleaned = clean(text);
        if cleaned.is_empty() {
            return Err(DomainError::EmptyText);
        }
        if cleaned.chars().count() > MAX_CONTRIBUTION_CHARS {
            return Err(DomainError::TextTooLong {
                max: MAX_CONTRIBUTION_CHARS,
            });
        }
        Ok(Self(cleaned))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for ContributionText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A cluster or meeting title: not empty, at most [`MAX_TITLE_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Title(String);

impl Title {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let cleaned = clean(text);
        if cleaned.is_empty() {
            return Err(DomainError::EmptyTitle);
        }
        if cleaned.chars().count() > MAX_TITLE_CHARS {
            return Err(DomainError::TitleTooLong {
                max: MAX_TITLE_CHARS,
            });
        }
        Ok(Self(cleaned))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for Title {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The roundtable's synthesis notes: may be empty, at most [`MAX_CONTRIBUTION_CHARS`] characters.
pub fn parse_notes(text: &str) -> Result<String, DomainError> {
    let cleaned = clean(text);
    if cleaned.chars().count() > MAX_CONTRIBUTION_CHARS {
        return Err(DomainError::TextTooLong {
            max: MAX_CONTRIBUTION_CHARS,
        });
    }
    Ok(cleaned)
}

/// An optional title: blank means none.
pub fn parse_optional_title(text: Option<&str>) -> Result<Option<String>, DomainError> {
    match text.map(clean) {
        None => Ok(None),
        Some(cleaned) if cleaned.is_empty() => Ok(None),
        Some(cleaned) => Title::parse(&cleaned).map(|title| Some(title.into_string())),
    }
}

/// An optional name (the person a facilitator types for): blank means none.
pub fn parse_optional_name(text: Option<&str>) -> Result<Option<String>, DomainError> {
    match text.map(clean) {
        None => Ok(None),
        Some(cleaned) if cleaned.is_empty() => Ok(None),
        Some(cleaned) if cleaned.chars().count() > MAX_NAME_CHARS => {
            Err(DomainError::NameTooLong {
                max: MAX_NAME_CHARS,
            })
        }
        Some(cleaned) => Ok(Some(cleaned)),
    }
}

/// An organisation name. A citizen speaks for nobody else, so theirs may be blank; everybody
/// else must name the organisation, because organisation ballots are keyed by that name.
pub fn parse_organisation(text: &str, may_be_blank: bool) -> Result<String, DomainError> {
    let cleaned = clean(text);
    if cleaned.is_empty() && !may_be_blank {
        return Err(DomainError::EmptyOrganisation);
    }
    if cleaned.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::NameTooLong {
            max: MAX_NAME_CHARS,
        });
    }
    Ok(cleaned)
}

/// Target tags: cleaned, blanks dropped, duplicates (ignoring case) dropped, first spelling kept.
pub fn parse_targets(targets: &[String]) -> Result<Vec<String>, DomainError> {
    let mut kept: Vec<String> = Vec::new();
    for target in targets {
        let cleaned = clean(target);
        if cleaned.is_empty() {
            continue;
        }
        if cleaned.chars().count() > MAX_TARGET_CHARS {
            return Err(DomainError::TargetTooLong {
                max: MAX_TARGET_CHARS,
            });
        }
        let lowered = cleaned.to_lowercase();
        if !kept
            .iter()
            .any(|existing| existing.to_lowercase() == lowered)
        {
            kept.push(cleaned);
        }
    }
    if kept.len() > MAX_TARGETS {
        return Err(DomainError::TooManyTargets { max: MAX_TARGETS });
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_text_is_trimmed() {
        let text = ContributionText::parse("  Mancano spazi per i giovani \n").unwrap();
        assert_eq!(text.as_str(), "Mancano spazi per i giovani");
    }

    #[test]
    fn control_characters_are_dropped_but_newlines_and_tabs_stay() {
        let text = ContributionText::parse("riga uno\r\nriga\u{7}\tdue\u{0}").unwrap();
        assert_eq!(text.as_str(), "riga uno\nriga\tdue");
    }

    #[test]
    fn blank_texts_are_refused_as_empty() {
        for blank in ["", "   ", "\n\t", "\u{1}\u{2}"] {
            assert_eq!(
                ContributionText::parse(blank),
                Err(DomainError::EmptyText),
                "{blank:?}"
            );
            assert_eq!(
                Title::parse(blank),
                Err(DomainError::EmptyTitle),
                "{blank:?}"
            );
        }
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        let at_limit = "è".repeat(MAX_CONTRIBUTION_CHARS);
        assert!(ContributionText::parse(&at_limit).is_ok());
        let over = "a".repeat(MAX_CONTRIBUTION_CHARS + 1);
        assert_eq!(
            ContributionText::parse(&over),
            Err(DomainError::TextTooLong {
                max: MAX_CONTRIBUTION_CHARS
            })
        );
        // API.md: a contribution may be at least 2,000 characters long.
        assert!(ContributionText::parse(&"x".repeat(2000)).is_ok());
    }

    #[test]
    fn the_limit_applies_after_trimming() {
        let padded = format!("   {}   ", "a".repeat(MAX_TITLE_CHARS));
        assert!(Title::parse(&padded).is_ok());
        assert_eq!(
            Title::parse(&"a".repeat(MAX_TITLE_CHARS + 1)),
            Err(DomainError::TitleTooLong {
                max: MAX_TITLE_CHARS
            })
        );
    }

    #[test]
    fn notes_may_be_empty_but_not_too_long() {
        assert_eq!(parse_notes("  ").unwrap(), "");
        assert!(parse_notes(&"a".repeat(MAX_CONTRIBUTION_CHARS + 1)).is_err());
    }

    #[test]
    fn organisations_must_be_named_unless_the_person_is_a_citizen() {
        assert_eq!(
            parse_organisation(" ", false),
            Err(DomainError::EmptyOrganisation)
        );
        assert_eq!(parse_organisation(" ", true).unwrap(), "");
        assert_eq!(parse_organisation(" Auser ", false).unwrap(), "Auser");
    }

    #[test]
    fn targets_drop_blanks_and_case_insensitive_duplicates() {
        let targets = vec![
            "Giovani".to_owned(),
            " ".to_owned(),
            "giovani ".to_owned(),
            "Caregiver".to_owned(),
        ];
        assert_eq!(
            parse_targets(&targets).unwrap(),
            vec!["Giovani", "Caregiver"]
        );
        let too_many: Vec<String> = (0..=MAX_TARGETS).map(|n| format!("t{n}")).collect();
        assert_eq!(
            parse_targets(&too_many),
            Err(DomainError::TooManyTargets { max: MAX_TARGETS })
        );
    }
}
