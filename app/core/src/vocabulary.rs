//! The closed lists of the domain (card kinds, phases, roles, organisation kinds, ballot units)
//! with their Italian and English labels, so every screen and export names them the same way.

use serde::{Deserialize, Serialize};

/// What a card says: a need (bisogno), a resource (risorsa) or a proposal (proposta).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    Need,
    Resource,
    Proposal,
}

impl ContributionKind {
    pub fn all() -> &'static [ContributionKind] {
        &[Self::Need, Self::Resource, Self::Proposal]
    }

    pub fn label_it(&self) -> &'static str {
        match self {
            Self::Need => "Bisogno",
            Self::Resource => "Risorsa",
            Self::Proposal => "Proposta",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Self::Need => "Need",
            Self::Resource => "Resource",
            Self::Proposal => "Proposal",
        }
    }
}

/// The live phase of a roundtable, set by the facilitator: raccolta, raggruppamento,
/// priorità, sintesi.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    #[default]
    Collect,
    Group,
    Vote,
    Synthesis,
}

impl Phase {
    pub fn all() -> &'static [Phase] {
        &[Self::Collect, Self::Group, Self::Vote, Self::Synthesis]
    }

    pub fn label_it(&self) -> &'static str {
        match self {
            Self::Collect => "Raccolta",
            Self::Group => "Raggruppamento",
            Self::Vote => "Priorità",
            Self::Synthesis => "Sintesi",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Self::Collect => "Collect",
            Self::Group => "Group",
            Self::Vote => "Prioritise",
            Self::Synthesis => "Synthesis",
        }
    }
}

/// The sender's role in one roundtable, as the server established it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Participant,
    Facilitator,
    PlanningOffice,
    Observer,
}

impl Role {
    pub fn label_it(&self) -> &'static str {
        match self {
            Self::Participant => "Partecipante",
            Self::Facilitator => "Facilitatore",
            Self::PlanningOffice => "Ufficio di Piano",
            Self::Observer => "Osservatore",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Self::Participant => "Participant",
            Self::Facilitator => "Facilitator",
            Self::PlanningOffice => "Planning office",
            Self::Observer => "Observer",
        }
    }

    /// Facilitators and the planning office run the board; the planning office may send every
    /// facilitator command (API.md).
    pub fn moderates(&self) -> bool {
        matches!(self, Self::Facilitator | Self::PlanningOffice)
    }
}

/// The kind of organisation a participant speaks for; wire names are fixed by API.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Aps,
    Odv,
    CooperativaSociale,
    Fondazione,
    Comune,
    Ats,
    Asst,
    Irccs,
    Scuola,
    Sindacato,
    Impresa,
    Cittadino,
    Altro,
}

impl OrganisationKind {
    pub fn all() -> &'static [OrganisationKind] {
        &[
            Self::Aps,
            Self::Odv,
            Self::CooperativaSociale,
            Self::Fondazione,
            Self::Comune,
            Self::Ats,
            Self::Asst,
            Self::Irccs,
            Self::Scuola,
            Self::Sindacato,
            Self::Impresa,
            Self::Cittadino,
            Self::Altro,
        ]
    }

    pub fn label_it(&self) -> &'static str {
        match self {
            Self::Aps => "APS - Associazione di promozione sociale",
            Self::Odv => "ODV - Organizzazione di volontariato",
            Self::CooperativaSociale => "Cooperativa sociale",
            Self::Fondazione => "Fondazione",
            Self::Comune => "Comune",
            Self::Ats => "ATS - Agenzia di tutela della salute",
            Self::Asst => "ASST - Azienda socio-sanitaria territoriale",
            Self::Irccs => "IRCCS - Istituto di ricovero e cura a carattere scientifico",
            Self::Scuola => "Scuola",
            Self::Sindacato => "Sindacato",
            Self::Impresa => "Impresa",
            Self::Cittadino => "Cittadina o cittadino",
            Self::Altro => "Altro",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Self::Aps => "APS - Social promotion association",
            Self::Odv => "ODV - Voluntary organisation",
            Self::CooperativaSociale => "Social cooperative",
            Self::Fondazione => "Foundation",
            Self::Comune => "Municipality",
            Self::Ats => "ATS - Health protection agency",
            Self::Asst => "ASST - Local health and social care authority",
            Self::Irccs => "IRCCS - Research hospital",
            Self::Scuola => "School",
            Self::Sindacato => "Trade union",
            Self::Impresa => "Business",
            Self::Cittadino => "Citizen",
            Self::Altro => "Other",
        }
    }
}

/// Who holds a ballot in a voting round: each person, or each organisation (members share it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BallotUnit {
    Person,
    Organisation,
}
