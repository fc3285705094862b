//! Similar needs across roundtables, for suggesting cross-cutting themes. Pure and offline:
//! lower-casing, accent folding, Italian stop words, a Snowball-style stemmer, a small table of
//! welfare synonyms, then cosine similarity over TF-IDF weights of the stems. Every suggestion
//! carries the stems (and the words behind them) that made two needs match, so the planning
//! office can judge it; a suggestion never changes anything by itself.

mod stem;
mod stopwords;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use stem::stem;
pub use stopwords::is_stop_word;

/// Pairs at or above this cosine are suggested; chosen on the labelled set in
/// `tests/similarity.rs`, where it gives the best F1 (the test prints precision and recall).
pub const DEFAULT_THRESHOLD: f64 = 0.2;

/// A need as the similarity sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeedText {
    pub contribution_id: String,
    pub roundtable_id: String,
    pub text: String,
}

/// One word of a text: as written (lowercase, accents folded) and its stem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub word: String,
    pub stem: String,
}

/// A stem two needs share, the words behind it, and how much it weighed in their score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedTerm {
    pub stem: String,
    /// The words of either text that led to this stem, as written (lowercase, folded).
    pub words: Vec<String>,
    /// This stem's part of the cosine, 0..=1; the parts of one pair sum to its score.
    pub weight: f64,
}

/// Two similar needs of different roundtables, with the reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairSuggestion {
    pub contribution_ids: [String; 2],
    pub roundtable_ids: [String; 2],
    pub score: f64,
    /// Heaviest first.
    pub shared: Vec<SharedTerm>,
}

/// A candidate cross-cutting theme: needs from at least two roundtables, the pairs that tie
/// them, and keywords for a first title.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThemeSuggestion {
    /// Stable for the same set of needs, so a decision on it can be recorded.
    pub suggestion_id: String,
    pub contribution_ids: Vec<String>,
    pub roundtable_ids: Vec<String>,
    pub keywords: Vec<String>,
    pub pairs: Vec<PairSuggestion>,
}

/// Lower-case and strip accents: "Città" → "citta".
pub fn fold(text: &str) -> String {
    text.to_lowercase().chars().map(fold_char).collect()
}

fn fold_char(character: char) -> char {
    match character {
        'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
}

/// Words of a text, lower-cased, with the apostrophe read the Italian way: an elision before a
/// letter splits ("dell'anziano" → "dell", "anziano"); after a final vowel it is an accent
/// typed on a phone ("citta'" → "città").
pub fn words(text: &str) -> Vec<String> {
    let lowered = text.to_lowercase();
    let chars: Vec<char> = lowered.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (index, &character) in chars.iter().enumerate() {
        if character.is_alphanumeric() {
            current.push(character);
            continue;
        }
        let apostrophe = matches!(character, '\'' | '’' | '`');
        let next_is_letter = chars
            .get(index + 1)
            .is_some_and(|next| next.is_alphabetic());
        if apostrophe
            && !next_is_letter
            && let Some(last) = current.pop()
        {
            current.push(accented(last));
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn accented(vowel: char) -> char {
    match vowel {
        'a' => 'à',
        'e' => 'è',
        'i' => 'ì',
        'o' => 'ò',
        'u' => 'ù',
        other => other,
    }
}

/// The content words of a text with their stems: stop words, numbers and one-letter words
/// dropped; synonyms of the welfare vocabulary mapped onto one stem.
pub fn tokens(text: &str) -> Vec<Token> {
    words(text)
        .into_iter()
        .filter_map(|word| {
            let folded: String = word.chars().map(fold_char).collect();
            if folded.chars().count() < 2
                || folded.chars().all(|c| c.is_ascii_digit())
                || is_stop_word(&folded)
            {
                return None;
            }
            let stemmed: String = stem(&word).chars().map(fold_char).collect();
            let stem = concepts().get(&stemmed).cloned().unwrap_or(stemmed);
            Some(Token { word: folded, stem })
        })
        .collect()
}

/// Words the planning office reads as one topic although they share no stem. Kept short and
/// general (words of any Piano di Zona), so it does not hide what the stemmer cannot see.
const CONCEPTS: &[&[&str]] = &[
    &[
        "casa",
        "abitazione",
        "alloggio",
        "abitativo",
        "affitto",
        "housing",
        "sfratto",
    ],
    &[
        "trasporto",
        "spostamento",
        "mobilità",
        "accompagnamento",
        "navetta",
        "autobus",
    ],
    &["isolamento", "solitudine", "solo", "soli", "sole"],
    &[
        "lavoro",
        "occupazione",
        "impiego",
        "lavorativo",
        "occupazionale",
        "disoccupato",
    ],
    &[
        "digitale",
        "informatico",
        "internet",
        "online",
        "computer",
        "smartphone",
        "spid",
    ],
    &["informazione", "informare", "orientamento", "sportello"],
    &["psicologico", "mentale", "psichico", "emotivo"],
    &["caregiver", "familiare"],
    &["aggregazione", "ritrovo", "incontro"],
    &["scuola", "scolastico", "istruzione"],
    &["povertà", "povero", "indigenza"],
];

fn concepts() -> &'static BTreeMap<String, String> {
    static MAP: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = BTreeMap::new();
        for group in CONCEPTS {
            let canonical: String = stem(group[0]).chars().map(fold_char).collect();
            for word in *group {
                let stemmed: String = stem(word).chars().map(fold_char).collect();
                map.insert(stemmed, canonical.clone());
            }
        }
        map
    })
}

/// Words naming who is in need (elderly, young people, families...). Roundtables are usually
/// split by these very groups, so across roundtables they say which table a need came from,
/// not what the need is about: they count, but a quarter as much as a topic word.
const POPULATION_WORDS: &[&str] = &[
    "anziano",
    "anziani",
    "anziana",
    "anziane",
    "giovane",
    "giovani",
    "ragazzo",
    "ragazzi",
    "ragazza",
    "ragazze",
    "adolescente",
    "adolescenti",
    "bambino",
    "bambini",
    "bambina",
    "bambine",
    "minore",
    "minori",
    "famiglia",
    "famiglie",
    "genitore",
    "genitori",
    "donna",
    "donne",
    "mamma",
    "mamme",
    "madre",
    "madri",
    "padre",
    "padri",
    "migrante",
    "migranti",
    "straniero",
    "stranieri",
    "straniera",
    "straniere",
    "disabile",
    "disabili",
    "disabilità",
    "utente",
    "utenti",
    "cittadino",
    "cittadini",
    "cittadina",
    "cittadine",
];
const POPULATION_WEIGHT: f64 = 0.25;
/// Stems of the synonym table are known topic words of welfare planning: they weigh more.
const CONCEPT_WEIGHT: f64 = 1.5;

fn population_stems() -> &'static BTreeSet<String> {
    static SET: OnceLock<BTreeSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        POPULATION_WORDS
            .iter()
            .map(|word| stem(word).chars().map(fold_char).collect())
            .collect()
    })
}

fn stem_weight(stem: &str) -> f64 {
    if population_stems().contains(stem) {
        POPULATION_WEIGHT
    } else if concepts().values().any(|canonical| canonical == stem) {
        CONCEPT_WEIGHT
    } else {
        1.0
    }
}

/// The weighted stems of each need, for cosines.
struct Vectors {
    /// Per need: stem → TF-IDF weight, normalised to length 1.
    weights: Vec<BTreeMap<String, f64>>,
    /// Per need: stem → the words that gave it.
    words: Vec<BTreeMap<String, BTreeSet<String>>>,
}

fn vectors(needs: &[NeedText]) -> Vectors {
    let tokenised: Vec<Vec<Token>> = needs.iter().map(|need| tokens(&need.text)).collect();
    let mut document_frequency: BTreeMap<&str, usize> = BTreeMap::new();
    for tokens in &tokenised {
        let distinct: BTreeSet<&str> = tokens.iter().map(|token| token.stem.as_str()).collect();
        for stem in distinct {
            *document_frequency.entry(stem).or_insert(0) += 1;
        }
    }
    let count = needs.len() as f64;
    let mut weights = Vec::with_capacity(needs.len());
    let mut words = Vec::with_capacity(needs.len());
    for tokens in &tokenised {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut sources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for token in tokens {
            *counts.entry(token.stem.clone()).or_insert(0) += 1;
            sources
                .entry(token.stem.clone())
                .or_default()
                .insert(token.word.clone());
        }
        let mut vector: BTreeMap<String, f64> = counts
            .into_iter()
            .map(|(stem, n)| {
                let df = document_frequency.get(stem.as_str()).copied().unwrap_or(1) as f64;
                // Smoothed IDF: a stem in every need still weighs a little, never negative.
                let idf = ((count + 1.0) / (df + 1.0)).ln() + 1.0;
                let tf = 1.0 + (n as f64).ln();
                let weight = tf * idf * stem_weight(&stem);
                (stem, weight)
            })
            .collect();
        let norm = vector.values().map(|w| w * w).sum::<f64>().sqrt();
        if norm > 0.0 {
            for weight in vector.values_mut() {
                *weight /= norm;
            }
        }
        weights.push(vector);
        words.push(sources);
    }
    Vectors { weights, words }
}

fn cosine(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> f64 {
    a.iter()
        .filter_map(|(stem, weight)| b.get(stem).map(|other| weight * other))
        .sum()
}

/// Every pair of needs from different roundtables whose cosine is at least `threshold`,
/// most similar first.
pub fn similar_pairs(needs: &[NeedText], threshold: f64) -> Vec<PairSuggestion> {
    let vectors = vectors(needs);
    let mut pairs = Vec::new();
    for i in 0..needs.len() {
        for j in (i + 1)..needs.len() {
            if needs[i].roundtable_id == needs[j].roundtable_id {
                continue;
            }
            let score = cosine(&vectors.weights[i], &vectors.weights[j]);
            if score + 1e-12 < threshold {
                continue;
            }
            pairs.push(explain(needs, &vectors, i, j, score));
        }
    }
    pairs.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.contribution_ids.cmp(&b.contribution_ids))
    });
    pairs
}

fn explain(
    needs: &[NeedText],
    vectors: &Vectors,
    i: usize,
    j: usize,
    score: f64,
) -> PairSuggestion {
    let mut shared: Vec<SharedTerm> = vectors.weights[i]
        .iter()
        .filter_map(|(stem, weight)| {
            let other = vectors.weights[j].get(stem)?;
            let mut words: BTreeSet<String> =
                vectors.words[i].get(stem).cloned().unwrap_or_default();
            words.extend(vectors.words[j].get(stem).cloned().unwrap_or_default());
            Some(SharedTerm {
                stem: stem.clone(),
                words: words.into_iter().collect(),
                weight: weight * other,
            })
        })
        .collect();
    shared.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.stem.cmp(&b.stem))
    });
    // Ids in a fixed order, so a pair has one key whichever way it was found.
    let (first, second) = if needs[i].contribution_id <= needs[j].contribution_id {
        (i, j)
    } else {
        (j, i)
    };
    PairSuggestion {
        contribution_ids: [
            needs[first].contribution_id.clone(),
            needs[second].contribution_id.clone(),
        ],
        roundtable_ids: [
            needs[first].roundtable_id.clone(),
            needs[second].roundtable_id.clone(),
        ],
        score,
        shared,
    }
}

/// The key of an unordered pair of contribution ids: the two ids sorted, joined by `|`.
pub fn pair_key(a: &str, b: &str) -> String {
    if a <= b {
        format!("{a}|{b}")
    } else {
        format!("{b}|{a}")
    }
}

/// Groups similar pairs into candidate themes. A pair for which `skip` answers true (already
/// rejected, or both needs already in one theme) is left out. Groups grow by average linkage:
/// two groups join only if their needs are, on average, at least `threshold / 2` alike, so one
/// shared word does not chain unrelated needs together.
pub fn suggest_themes(
    needs: &[NeedText],
    threshold: f64,
    skip: impl Fn(&str, &str) -> bool,
) -> Vec<ThemeSuggestion> {
    let vectors = vectors(needs);
    let index: BTreeMap<&str, usize> = needs
        .iter()
        .enumerate()
        .map(|(position, need)| (need.contribution_id.as_str(), position))
        .collect();
    let pairs: Vec<PairSuggestion> = similar_pairs(needs, threshold)
        .into_iter()
        .filter(|pair| !skip(&pair.contribution_ids[0], &pair.contribution_ids[1]))
        .collect();
    // group[i]: the group need i belongs to; members[g]: the needs of group g.
    let mut group: Vec<usize> = (0..needs.len()).collect();
    let mut members: Vec<Vec<usize>> = (0..needs.len()).map(|i| vec![i]).collect();
    for pair in &pairs {
        let (Some(&a), Some(&b)) = (
            index.get(pair.contribution_ids[0].as_str()),
            index.get(pair.contribution_ids[1].as_str()),
        ) else {
            continue;
        };
        let (group_a, group_b) = (group[a], group[b]);
        if group_a == group_b {
            continue;
        }
        let mut total = 0.0;
        let mut links = 0usize;
        for &x in &members[group_a] {
            for &y in &members[group_b] {
                total += cosine(&vectors.weights[x], &vectors.weights[y]);
                links += 1;
            }
        }
        if links == 0 || total / (links as f64) < threshold / 2.0 {
            continue;
        }
        let moved = std::mem::take(&mut members[group_b]);
        for &need in &moved {
            group[need] = group_a;
        }
        members[group_a].extend(moved);
    }
    let mut themes: Vec<ThemeSuggestion> = Vec::new();
    for (group_id, group_members) in members.iter().enumerate() {
        if group_members.len() < 2 {
            continue;
        }
        let mut contribution_ids: Vec<String> = group_members
            .iter()
            .map(|&i| needs[i].contribution_id.clone())
            .collect();
        contribution_ids.sort();
        let roundtable_ids: Vec<String> = group_members
            .iter()
            .map(|&i| needs[i].roundtable_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let group_pairs: Vec<PairSuggestion> = pairs
            .iter()
            .filter(|pair| {
                pair.contribution_ids.iter().all(|id| {
                    index
                        .get(id.as_str())
                        .is_some_and(|&i| group[i] == group_id)
                })
            })
            .cloned()
            .collect();
        themes.push(ThemeSuggestion {
            suggestion_id: suggestion_id(&contribution_ids),
            keywords: keywords(&group_pairs),
            contribution_ids,
            roundtable_ids,
            pairs: group_pairs,
        });
    }
    // Strongest evidence first: the best pair of each theme.
    themes.sort_by(|a, b| {
        let best = |theme: &ThemeSuggestion| theme.pairs.first().map_or(0.0, |pair| pair.score);
        best(b)
            .total_cmp(&best(a))
            .then_with(|| a.suggestion_id.cmp(&b.suggestion_id))
    });
    themes
}

/// The words that tie a group, heaviest first (at most five), one per stem.
fn keywords(pairs: &[PairSuggestion]) -> Vec<String> {
    let mut weight: BTreeMap<&str, (f64, &str)> = BTreeMap::new();
    for pair in pairs {
        for term in &pair.shared {
            let entry = weight
                .entry(term.stem.as_str())
                .or_insert((0.0, term.words.first().map_or("", String::as_str)));
            entry.0 += term.weight;
        }
    }
    let mut ranked: Vec<(f64, &str)> = weight.into_values().collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    ranked
        .into_iter()
        .filter(|(_, word)| !word.is_empty())
        .take(5)
        .map(|(_, word)| word.to_owned())
        .collect()
}

/// FNV-1a over the sorted ids: the same needs always give the same suggestion id.
fn suggestion_id(sorted_ids: &[String]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for id in sorted_ids {
        for byte in id.bytes().chain(std::iter::once(b'|')) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("s{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(id: &str, roundtable: &str, text: &str) -> NeedText {
        NeedText {
            contribution_id: id.into(),
            roundtable_id: roundtable.into(),
            text: text.into(),
        }
    }

    #[test]
    fn words_read_apostrophes_the_italian_way() {
        assert_eq!(
            words("Dell'anziano in città"),
            ["dell", "anziano", "in", "città"]
        );
        assert_eq!(words("la citta' e' grande"), ["la", "città", "è", "grande"]);
    }

    #[test]
    fn tokens_drop_stop_words_and_fold_accents() {
        let stems: Vec<String> = tokens("Mancano servizi per la CITTÀ e per i giovani")
            .into_iter()
            .map(|token| token.stem)
            .collect();
        assert_eq!(stems, ["serviz", "citt", "giovan"]);
    }

    #[test]
    fn synonyms_of_the_welfare_vocabulary_share_a_stem() {
        let stem_of = |word: &str| tokens(word).remove(0).stem;
        assert_eq!(stem_of("alloggi"), stem_of("casa"));
        assert_eq!(stem_of("solitudine"), stem_of("isolamento"));
    }

    #[test]
    fn pairs_come_only_from_different_roundtables_and_explain_themselves() {
        let needs = [
            need("a", "t1", "Affitti troppo cari per le famiglie giovani"),
            need("b", "t1", "Gli affitti delle case sono cari"),
            need("c", "t2", "Anziani soli con affitti cari e pensioni basse"),
        ];
        let pairs = similar_pairs(&needs, 0.1);
        assert!(
            pairs
                .iter()
                .all(|pair| pair.roundtable_ids[0] != pair.roundtable_ids[1])
        );
        let ac = pairs
            .iter()
            .find(|pair| pair.contribution_ids == ["a".to_string(), "c".to_string()])
            .expect("a and c match");
        let shared: Vec<&str> = ac.shared.iter().map(|term| term.stem.as_str()).collect();
        assert!(shared.contains(&"car"), "{shared:?}");
        let total: f64 = ac.shared.iter().map(|term| term.weight).sum();
        assert!(
            (total - ac.score).abs() < 1e-9,
            "the parts sum to the score"
        );
        assert!(
            ac.shared
                .iter()
                .any(|term| term.words.contains(&"affitti".to_string()))
        );
    }

    #[test]
    fn a_skipped_pair_is_not_suggested_and_ids_are_stable() {
        let needs = [
            need("a", "t1", "Trasporto per le visite mediche degli anziani"),
            need(
                "b",
                "t2",
                "Manca il trasporto verso le visite mediche per i disabili",
            ),
        ];
        let themes = suggest_themes(&needs, 0.2, |_, _| false);
        assert_eq!(themes.len(), 1);
        assert_eq!(themes[0].contribution_ids, ["a", "b"]);
        assert_eq!(themes, suggest_themes(&needs, 0.2, |_, _| false));
        assert!(suggest_themes(&needs, 0.2, |a, b| pair_key(a, b) == "a|b").is_empty());
    }
}
