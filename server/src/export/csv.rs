//! `export.csv`: one row per card, UTF-8, a header row, RFC 4180 (comma separator, CRLF line
//! ends, a field quoted when it holds a comma, a quote or a line break, quotes doubled).
//! Text is exported exactly as written; spreadsheet users are warned in docs/EXPORTS.md that
//! a cell starting with `=` is data, not a formula.

use crate::pdf::{
    DocModel,
    dates::{iso_utc, local},
};

pub const HEADER: [&str; 11] = [
    "contribution_id",
    "roundtable",
    "meeting",
    "meeting_date",
    "kind",
    "cluster",
    "text",
    "policy_areas",
    "votes",
    "author_organisation",
    "created_at",
];

/// Quotes a field when RFC 4180 asks for it.
pub fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

fn record(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

pub fn to_csv(model: &DocModel) -> String {
    let mut out = String::new();
    record(
        &mut out,
        &HEADER.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
    );
    for roundtable in &model.roundtables {
        for card in &roundtable.cards {
            let meeting = card
                .meeting
                .and_then(|index| roundtable.meetings.get(index).map(|m| (index, m)));
            let areas: Vec<String> = card.policy_areas.iter().map(|a| a.to_string()).collect();
            record(
                &mut out,
                &[
                    card.id.clone(),
                    roundtable.title.clone(),
                    meeting.map_or(String::new(), |(index, m)| {
                        m.title
                            .clone()
                            .unwrap_or_else(|| format!("Incontro {}", index + 1))
                    }),
                    meeting.map_or(String::new(), |(_, m)| {
                        // The day in Italy: a meeting at 00:30 belongs to that day, not the one before.
                        let (y, mo, d, _, _) = local(m.opened_at);
                        format!("{y:04}-{mo:02}-{d:02}")
                    }),
                    serde_json::to_value(card.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    card.cluster
                        .and_then(|index| roundtable.clusters.get(index))
                        .map_or(String::new(), |c| c.title.clone()),
                    card.text.clone(),
                    areas.join(";"),
                    card.votes.to_string(),
                    card.organisation.clone().unwrap_or_default(),
                    iso_utc(card.created_at),
                ],
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(field("semplice"), "semplice");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("il \"nodo\""), "\"il \"\"nodo\"\"\"");
        assert_eq!(field("riga\nriga"), "\"riga\nriga\"");
        assert_eq!(field("città €"), "città €");
    }
}
