//! The three faces every document uses (DejaVu Sans Condensed regular, bold and oblique, shipped
//! inside the `dejavu` crate, so a build needs no network and no system fonts), their metrics for
//! line breaking, and the per-document subset that is embedded.
//!
//! DejaVu covers Italian accents, curly quotes, dashes and the euro sign. A character it lacks
//! (most emoji) is drawn as U+FFFD, a visible "�", never dropped silently; control characters
//! are dropped because they have no picture at all.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::OnceLock,
};

use allsorts::{
    binary::read::ReadScope,
    font_data::FontData,
    subset::{CmapTarget, SubsetProfile, subset},
};
use printpdf::ParsedFont;

/// Which face a piece of text is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

impl Style {
    pub const ALL: [Style; 3] = [Style::Regular, Style::Bold, Style::Italic];

    /// The PDF resource name of the face: fixed, so the same data gives the same bytes.
    pub fn resource(self) -> &'static str {
        match self {
            Style::Regular => "F1",
            Style::Bold => "F2",
            Style::Italic => "F3",
        }
    }
}

/// What a missing glyph becomes.
pub const REPLACEMENT: char = '\u{FFFD}';

/// A face's metrics: what the line breaker needs, read once from the font file.
pub struct Face {
    pub postscript_name: &'static str,
    bytes: &'static [u8],
    /// Advance widths of the Basic Multilingual Plane by code point, in font units;
    /// `MISSING` where the font has no glyph. A flat table: measuring is the hot loop.
    bmp_advances: Vec<u16>,
    /// Code point to glyph id, for subsetting.
    glyphs: BTreeMap<u32, u16>,
    /// Advances of the few glyphs beyond the BMP.
    astral_advances: BTreeMap<u32, u16>,
    units_per_em: f32,
    /// Ascender, in units of the font size (0.93 for DejaVu).
    pub ascent: f32,
}

const MISSING: u16 = u16::MAX;

impl Face {
    fn load(postscript_name: &'static str, bytes: &'static [u8]) -> Face {
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
            .expect("the DejaVu font shipped in the dejavu crate parses");
        let mut bmp_advances = vec![MISSING; 0x1_0000];
        let mut astral_advances = BTreeMap::new();
        for (&code_point, &glyph) in &parsed.codepoint_to_glyph {
            if glyph == 0 {
                continue;
            }
            let advance = parsed.glyph_widths.get(&glyph).copied().unwrap_or(0);
            match usize::try_from(code_point) {
                Ok(index) if index < bmp_advances.len() => {
                    bmp_advances[index] = advance.min(MISSING - 1)
                }
                _ => {
                    astral_advances.insert(code_point, advance);
                }
            }
        }
        let units_per_em = f32::from(parsed.units_per_em.max(1));
        Face {
            postscript_name,
            bytes,
            bmp_advances,
            glyphs: parsed.codepoint_to_glyph,
            astral_advances,
            units_per_em,
            ascent: f32::from(parsed.font_metrics.ascent) / units_per_em,
        }
    }

    fn advance(&self, character: char) -> Option<u16> {
        let code_point = character as u32;
        if code_point < 0x1_0000 {
            let advance = self.bmp_advances[code_point as usize];
            (advance != MISSING).then_some(advance)
        } else {
            self.astral_advances.get(&code_point).copied()
        }
    }

    pub fn has_glyph(&self, character: char) -> bool {
        self.advance(character).is_some()
    }

    /// Width of one character at `size` points (a missing one measures as its replacement).
    pub fn char_width(&self, character: char, size: f32) -> f32 {
        let advance = self
            .advance(character)
            .or_else(|| self.advance(REPLACEMENT))
            .unwrap_or(0);
        f32::from(advance) * size / self.units_per_em
    }

    /// Width of a text at `size` points. The text should come from [`Face::printable`].
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|character| {
                u32::from(
                    self.advance(character)
                        .or_else(|| self.advance(REPLACEMENT))
                        .unwrap_or(0),
                )
            })
            .sum();
        units as f32 * size / self.units_per_em
    }

    /// The text as this face can draw it: tabs become spaces, other control characters (and
    /// the line and paragraph separators) are dropped, and a character without a glyph becomes
    /// the visible replacement character.
    pub fn printable(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for character in text.chars() {
            match character {
                '\n' => out.push('\n'),
                '\t' => out.push(' '),
                '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}' => out.push('\n'),
                c if c.is_control() => {}
                c if self.has_glyph(c) => out.push(c),
                // Variation selectors and joiners only modify a neighbour (often an emoji
                // already replaced): a second replacement mark would say nothing more.
                '\u{FE00}'..='\u{FE0F}' | '\u{200D}' => {}
                _ => out.push(REPLACEMENT),
            }
        }
        out
    }

    /// The font program to embed: only the glyphs `used` needs, renumbered, with a Unicode
    /// cmap so the text stays searchable, named with a subset tag derived from its content.
    pub fn subset(&self, used: &BTreeSet<char>) -> Result<ParsedFont, String> {
        let mut glyph_ids: Vec<u16> = used
            .iter()
            .filter_map(|character| self.glyphs.get(&(*character as u32)).copied())
            .filter(|glyph| *glyph != 0)
            .collect::<BTreeSet<u16>>()
            .into_iter()
            .collect();
        // allsorts requires .notdef first.
        glyph_ids.insert(0, 0);
        let scope = ReadScope::new(self.bytes);
        let font_data = scope.read::<FontData<'_>>().map_err(|e| e.to_string())?;
        let provider = font_data.table_provider(0).map_err(|e| e.to_string())?;
        let bytes = subset(
            &provider,
            &glyph_ids,
            &SubsetProfile::Pdf,
            CmapTarget::Unicode,
        )
        .map_err(|e| e.to_string())?;
        let mut parsed = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
            .ok_or_else(|| "the font subset does not parse".to_string())?;
        parsed.font_name = Some(format!(
            "{}+{}",
            subset_tag(self.postscript_name, &glyph_ids),
            self.postscript_name
        ));
        Ok(parsed)
    }
}

/// Six capital letters that name a subset (ISO 32000-1, 9.6.4), derived from what it holds
/// rather than drawn at random, so the same document gives the same bytes.
fn subset_tag(name: &str, glyph_ids: &[u16]) -> String {
    // FNV-1a: tiny, stable across platforms and releases.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |byte: u8| {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    };
    name.bytes().for_each(&mut feed);
    for glyph in glyph_ids {
        glyph.to_be_bytes().into_iter().for_each(&mut feed);
    }
    (0..6)
        .map(|index| char::from(b'A' + ((hash >> (index * 8)) % 26) as u8))
        .collect()
}

/// The face for a style, loaded on first use and kept for the life of the process.
pub fn face(style: Style) -> &'static Face {
    static REGULAR: OnceLock<Face> = OnceLock::new();
    static BOLD: OnceLock<Face> = OnceLock::new();
    static ITALIC: OnceLock<Face> = OnceLock::new();
    match style {
        Style::Regular => REGULAR
            .get_or_init(|| Face::load("DejaVuSansCondensed", dejavu::sans_condensed::regular())),
        Style::Bold => BOLD
            .get_or_init(|| Face::load("DejaVuSansCondensed-Bold", dejavu::sans_condensed::bold())),
        Style::Italic => ITALIC.get_or_init(|| {
            Face::load(
                "DejaVuSansCondensed-Oblique",
                dejavu::sans_condensed::oblique(),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_face_draws_italian_typography_and_the_euro_sign() {
        for style in Style::ALL {
            let face = face(style);
            for character in "àèéìòùÀÈÉÌÒÙ‘’“”«»–—…€°·".chars() {
                assert!(
                    face.has_glyph(character),
                    "{} lacks {character}",
                    face.postscript_name
                );
            }
            assert!(face.has_glyph(REPLACEMENT));
        }
    }

    #[test]
    fn printable_replaces_missing_glyphs_visibly_and_drops_controls() {
        let face = face(Style::Regular);
        assert_eq!(face.printable("a\u{0007}b\tc"), "ab c");
        assert_eq!(face.printable("ciao 🦄!"), "ciao \u{FFFD}!");
        assert_eq!(face.printable("città €"), "città €");
    }

    #[test]
    fn the_subset_tag_depends_only_on_the_content() {
        assert_eq!(subset_tag("X", &[0, 3, 7]), subset_tag("X", &[0, 3, 7]));
        assert_ne!(subset_tag("X", &[0, 3, 7]), subset_tag("X", &[0, 3, 8]));
        assert!(
            subset_tag("X", &[0])
                .chars()
                .all(|c| c.is_ascii_uppercase())
        );
    }

    #[test]
    fn a_subset_keeps_the_used_characters_only() {
        let face = face(Style::Bold);
        let used: BTreeSet<char> = "Perché €".chars().collect();
        let parsed = face.subset(&used).unwrap();
        assert!(parsed.lookup_glyph_index('é' as u32).is_some());
        assert!(parsed.lookup_glyph_index('€' as u32).is_some());
        assert!(parsed.lookup_glyph_index('z' as u32).is_none());
    }
}
