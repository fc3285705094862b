//! Lombardy's policy areas (macroaree A-K of the Piani di Zona 2025-2027 guidelines), a value
//! that can only exist valid and travels as a one-letter string.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DomainError;

/// One macroarea, `'A'..='K'`; build it with [`PolicyArea::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyArea(char);

const LABELS: [(&str, &str); 11] = [
    (
        "Contrasto alla povertà e all'emarginazione sociale e promozione dell'inclusione attiva",
        "Fighting poverty and social exclusion, promoting active inclusion",
    ),
    ("Politiche abitative", "Housing policies"),
    (
        "Promozione dell'inclusione attiva",
        "Promoting active inclusion (employment)",
    ),
    ("Domiciliarità", "Home care"),
    ("Anziani", "Older people"),
    ("Digitalizzazione dei servizi", "Digital services"),
    (
        "Politiche giovanili e per i minori",
        "Youth and child policies",
    ),
    (
        "Interventi connessi alle politiche per il lavoro",
        "Measures linked to employment policies",
    ),
    (
        "Interventi a favore delle famiglie",
        "Support for families (work-life balance)",
    ),
    (
        "Interventi a favore di persone con disabilità",
        "Support for people with disabilities",
    ),
    (
        "Interventi di sistema per il potenziamento dell'Ufficio di Piano e il rafforzamento della gestione associata",
        "System measures: strengthening the Planning Office and joint management",
    ),
];

impl PolicyArea {
    /// Accepts one letter A-K, either case, surrounding spaces ignored.
    pub fn parse(text: &str) -> Result<PolicyArea, DomainError> {
        let mut chars = text.trim().chars();
        match (chars.next(), chars.next()) {
            (Some(letter), None) if letter.is_ascii_alphabetic() => {
                let upper = letter.to_ascii_uppercase();
                if ('A'..='K').contains(&upper) {
                    Ok(PolicyArea(upper))
                } else {
                    Err(DomainError::InvalidPolicyArea)
                }
            }
            _ => Err(DomainError::InvalidPolicyArea),
        }
    }

    pub fn all() -> Vec<PolicyArea> {
        ('A'..='K').map(PolicyArea).collect()
    }

    pub fn letter(&self) -> char {
        self.0
    }

    pub fn label_it(&self) -> &'static str {
        LABELS[self.index()].0
    }

    pub fn label_en(&self) -> &'static str {
        LABELS[self.index()].1
    }

    fn index(&self) -> usize {
        // The constructor guarantees 'A'..='K'; the min keeps this total even so.
        ((self.0 as usize).saturating_sub('A' as usize)).min(LABELS.len() - 1)
    }
}

impl std::fmt::Display for PolicyArea {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

impl Serialize for PolicyArea {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buffer = [0u8; 4];
        serializer.serialize_str(self.0.encode_utf8(&mut buffer))
    }
}

impl<'de> Deserialize<'de> for PolicyArea {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PolicyArea::parse(&text)
            .map_err(|_| serde::de::Error::custom("expected a policy area letter A-K"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_a_to_k_parse_in_either_case() {
        assert_eq!(PolicyArea::parse("a").unwrap().letter(), 'A');
        assert_eq!(PolicyArea::parse(" K ").unwrap().letter(), 'K');
        assert_eq!(PolicyArea::all().len(), 11);
    }

    #[test]
    fn anything_else_is_an_invalid_policy_area() {
        for bad in ["", "L", "Z", "AB", "1", "à", " "] {
            assert_eq!(
                PolicyArea::parse(bad),
                Err(DomainError::InvalidPolicyArea),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_policy_area_travels_as_a_one_letter_string() {
        let area = PolicyArea::parse("e").unwrap();
        assert_eq!(serde_json::to_string(&area).unwrap(), "\"E\"");
        assert_eq!(serde_json::from_str::<PolicyArea>("\"E\"").unwrap(), area);
        assert!(serde_json::from_str::<PolicyArea>("\"Q\"").is_err());
        assert_eq!(area.label_it(), "Anziani");
        assert_eq!(
            PolicyArea::parse("B").unwrap().label_en(),
            "Housing policies"
        );
    }
}
