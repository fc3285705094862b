//! A light Italian stemmer after the Snowball Italian algorithm (M. Porter): attached pronouns,
//! standard suffixes, verb endings, final vowels. It conflates "abitazione", "abitare" and
//! "abitativo" into one stem; it knows nothing of meaning, which is `concepts`' job.
//!
//! One deliberate change: see [`VERB`]. Works on lowercase words; acute accents are read as grave ones, as the algorithm asks.

const VOWELS: &[char] = &['a', 'e', 'i', 'o', 'u', 'à', 'è', 'ì', 'ò', 'ù'];

fn is_vowel(character: char) -> bool {
    VOWELS.contains(&character)
}

/// The Snowball stem of one lowercase word (accents kept; fold them afterwards if needed).
pub fn stem(word: &str) -> String {
    let mut chars: Vec<char> = word
        .chars()
        .map(|character| match character {
            'á' => 'à',
            'é' => 'è',
            'í' => 'ì',
            'ó' => 'ò',
            'ú' => 'ù',
            other => other,
        })
        .collect();
    if chars.len() < 3 {
        return chars.into_iter().collect();
    }
    prelude(&mut chars);
    let regions = Regions::of(&chars);
    attached_pronoun(&mut chars, &regions);
    let regions = Regions::of(&chars);
    if !standard_suffix(&mut chars, &regions) {
        verb_suffix(&mut chars, &regions);
    }
    let regions = Regions::of(&chars);
    vowel_suffix(&mut chars, &regions);
    // Postlude: the markers of the prelude become plain letters again.
    chars
        .into_iter()
        .map(|character| match character {
            'I' => 'i',
            'U' => 'u',
            other => other,
        })
        .collect()
}

/// `qu` keeps its u, and i/u between vowels act as consonants (marked upper-case).
fn prelude(chars: &mut [char]) {
    for index in 1..chars.len() {
        if chars[index] == 'u' && chars[index - 1] == 'q' {
            chars[index] = 'U';
        }
    }
    for index in 1..chars.len().saturating_sub(1) {
        let between_vowels = is_vowel(chars[index - 1]) && is_vowel(chars[index + 1]);
        if between_vowels && chars[index] == 'i' {
            chars[index] = 'I';
        } else if between_vowels && chars[index] == 'u' {
            chars[index] = 'U';
        }
    }
}

/// Start positions of the regions RV, R1 and R2 (the word's length when empty).
struct Regions {
    rv: usize,
    r1: usize,
    r2: usize,
}

impl Regions {
    fn of(chars: &[char]) -> Regions {
        let length = chars.len();
        let after_vowel_consonant = |from: usize| -> usize {
            (from.max(1)..length)
                .find(|&index| !is_vowel(chars[index]) && is_vowel(chars[index - 1]))
                .map_or(length, |index| index + 1)
        };
        let r1 = after_vowel_consonant(1);
        let r2 = if r1 < length {
            after_vowel_consonant(r1 + 1)
        } else {
            length
        };
        let rv = if length < 2 {
            length
        } else if !is_vowel(chars[1]) {
            // Second letter a consonant: after the next vowel.
            (2..length)
                .find(|&index| is_vowel(chars[index]))
                .map_or(length, |index| index + 1)
        } else if is_vowel(chars[0]) {
            // Two vowels first: after the next consonant.
            (2..length)
                .find(|&index| !is_vowel(chars[index]))
                .map_or(length, |index| index + 1)
        } else {
            // Consonant then vowel: after the third letter.
            3.min(length)
        };
        Regions { rv, r1, r2 }
    }
}

fn ends_with(chars: &[char], suffix: &str) -> bool {
    let suffix: Vec<char> = suffix.chars().collect();
    chars.len() >= suffix.len() && chars[chars.len() - suffix.len()..] == suffix[..]
}

/// The longest suffix of `chars` among `suffixes`, with its start position.
fn longest(chars: &[char], suffixes: &[&'static str]) -> Option<(&'static str, usize)> {
    suffixes
        .iter()
        .filter(|suffix| ends_with(chars, suffix))
        .max_by_key(|suffix| suffix.chars().count())
        .map(|suffix| (*suffix, chars.len() - suffix.chars().count()))
}

fn replace_tail(chars: &mut Vec<char>, start: usize, with: &str) {
    chars.truncate(start);
    chars.extend(with.chars());
}

const PRONOUNS: &[&str] = &[
    "ci", "gli", "la", "le", "li", "lo", "mi", "ne", "si", "ti", "vi", "sene", "gliela", "gliele",
    "glieli", "glielo", "gliene", "mela", "mele", "meli", "melo", "mene", "tela", "tele", "teli",
    "telo", "tene", "cela", "cele", "celi", "celo", "cene", "vela", "vele", "veli", "velo", "vene",
];

/// "accompagnandoli" → "accompagnando", "aiutarli" → "aiutare".
fn attached_pronoun(chars: &mut Vec<char>, regions: &Regions) {
    let Some((_, start)) = longest(chars, PRONOUNS) else {
        return;
    };
    if start < regions.rv {
        return;
    }
    let before = &chars[..start];
    if ends_with(before, "ando") || ends_with(before, "endo") {
        chars.truncate(start);
    } else if ["ar", "er", "ir"]
        .iter()
        .any(|ending| ends_with(before, ending))
    {
        replace_tail(chars, start, "e");
    }
}

const STANDARD: &[&str] = &[
    "anza", "anze", "ico", "ici", "ica", "ice", "iche", "ichi", "ismo", "ismi", "abile", "abili",
    "ibile", "ibili", "ista", "iste", "isti", "istà", "istè", "istì", "oso", "osi", "osa", "ose",
    "mente", "atrice", "atrici", "ante", "anti", "azione", "azioni", "atore", "atori", "logia",
    "logie", "uzione", "uzioni", "usione", "usioni", "enza", "enze", "amento", "amenti", "imento",
    "imenti", "amente", "ità", "ivo", "ivi", "iva", "ive",
];

/// Step 1; true if it removed or replaced something.
fn standard_suffix(chars: &mut Vec<char>, regions: &Regions) -> bool {
    let Some((suffix, start)) = longest(chars, STANDARD) else {
        return false;
    };
    let in_r2 = start >= regions.r2;
    match suffix {
        "azione" | "azioni" | "atore" | "atori" => {
            if !in_r2 {
                return false;
            }
            chars.truncate(start);
            if ends_with(chars, "ic") && chars.len() - 2 >= regions.r2 {
                chars.truncate(chars.len() - 2);
            }
        }
        "logia" | "logie" => {
            if !in_r2 {
                return false;
            }
            replace_tail(chars, start, "log");
        }
        "uzione" | "uzioni" | "usione" | "usioni" => {
            if !in_r2 {
                return false;
            }
            replace_tail(chars, start, "u");
        }
        "enza" | "enze" => {
            if !in_r2 {
                return false;
            }
            replace_tail(chars, start, "ente");
        }
        "amento" | "amenti" | "imento" | "imenti" => {
            if start < regions.rv {
                return false;
            }
            chars.truncate(start);
        }
        "amente" => {
            if start < regions.r1 {
                return false;
            }
            chars.truncate(start);
            if ends_with(chars, "iv") && chars.len() - 2 >= regions.r2 {
                chars.truncate(chars.len() - 2);
                if ends_with(chars, "at") && chars.len() - 2 >= regions.r2 {
                    chars.truncate(chars.len() - 2);
                }
            } else if let Some((_, at)) = longest(chars, &["os", "ic", "abil"])
                && at >= regions.r2
            {
                chars.truncate(at);
            }
        }
        "ità" => {
            if !in_r2 {
                return false;
            }
            chars.truncate(start);
            if let Some((_, at)) = longest(chars, &["abil", "ic", "iv"])
                && at >= regions.r2
            {
                chars.truncate(at);
            }
        }
        "ivo" | "ivi" | "iva" | "ive" => {
            if !in_r2 {
                return false;
            }
            chars.truncate(start);
            if ends_with(chars, "at") && chars.len() - 2 >= regions.r2 {
                chars.truncate(chars.len() - 2);
                if ends_with(chars, "ic") && chars.len() - 2 >= regions.r2 {
                    chars.truncate(chars.len() - 2);
                }
            }
        }
        _ => {
            if !in_r2 {
                return false;
            }
            chars.truncate(start);
        }
    }
    true
}

/// Snowball's verb endings less "ano" and "ono": stripping them turns "anziano" into "anzi"
/// but "anziani" into "anzian", and nouns in -ano/-ono are far commoner on need cards than
/// third-person plural verbs.
const VERB: &[&str] = &[
    "ammo", "ando", "are", "arono", "asse", "assero", "assi", "assimo", "ata", "ate", "ati", "ato",
    "ava", "avamo", "avano", "avate", "avi", "avo", "emmo", "enda", "ende", "endi", "endo", "erà",
    "erai", "eranno", "ere", "erebbe", "erebbero", "erei", "eremmo", "eremo", "ereste", "eresti",
    "erete", "erò", "erono", "essero", "ete", "eva", "evamo", "evano", "evate", "evi", "evo",
    "iamo", "immo", "irà", "irai", "iranno", "ire", "irebbe", "irebbero", "irei", "iremmo",
    "iremo", "ireste", "iresti", "irete", "irò", "irono", "isca", "iscano", "isce", "isci", "isco",
    "iscono", "issero", "ita", "ite", "iti", "ito", "iva", "ivamo", "ivano", "ivate", "ivi", "ivo",
    "uta", "ute", "uti", "uto", "ar", "ir",
];

/// Step 2: verb endings inside RV.
fn verb_suffix(chars: &mut Vec<char>, regions: &Regions) {
    // The search is limited to RV: only suffixes that lie wholly inside it count.
    let tail = &chars[regions.rv.min(chars.len())..];
    if let Some((suffix, _)) = longest(tail, VERB) {
        let start = chars.len() - suffix.chars().count();
        chars.truncate(start);
    }
}

/// Step 3: a final vowel (and an i before it) inside RV; "ch"/"gh" lose the h.
fn vowel_suffix(chars: &mut Vec<char>, regions: &Regions) {
    if let Some(&last) = chars.last()
        && ['a', 'e', 'i', 'o', 'à', 'è', 'ì', 'ò'].contains(&last)
        && chars.len() > regions.rv
    {
        chars.pop();
        if chars.last() == Some(&'i') && chars.len() > regions.rv {
            chars.pop();
        }
    }
    if (ends_with(chars, "ch") || ends_with(chars, "gh")) && chars.len() - 2 >= regions.rv {
        chars.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn inflections_of_one_word_share_a_stem() {
        for group in [
            &[
                "abitazione",
                "abitazioni",
                "abitare",
                "abitativo",
                "abitative",
            ][..],
            &["anziano", "anziani", "anziana", "anziane"],
            &["giovane", "giovani"],
            &["famiglia", "famiglie"],
            &["trasporto", "trasporti", "trasportare"],
            &["isolamento", "isolati", "isolato"],
            &["lavoro", "lavorare", "lavorativo", "lavorativa"],
            &["città", "citta"],
        ] {
            let stems: Vec<String> = group.iter().map(|word| stem(word)).collect();
            assert!(
                stems.windows(2).all(|pair| pair[0] == pair[1]),
                "{group:?} gave {stems:?}"
            );
        }
    }

    #[test]
    fn expected_stems() {
        for (word, expected) in [
            ("abbandonata", "abbandon"),
            ("abbandonate", "abbandon"),
            ("accompagnamento", "accompagn"),
            ("programmazione", "programm"),
            ("solitudine", "solitudin"),
            ("psicologico", "psicolog"),
            ("domiciliare", "domicil"),
            ("pronto", "pront"),
            ("amiche", "amic"),
            ("accompagnandoli", "accompagn"),
        ] {
            assert_eq!(stem(word), expected, "{word}");
        }
    }

    #[test]
    fn short_words_are_left_alone() {
        assert_eq!(stem("io"), "io");
        assert_eq!(stem(""), "");
    }
}
