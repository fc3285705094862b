//! Writes laid-out pages as a PDF with printpdf: footers with "Pagina N di M", resolved page
//! references, internal links, the outline, subset fonts, metadata and the document language.
//!
//! Same pages in, same bytes out: fonts get fixed resource names and content-derived subset
//! tags, the trailer ID is a hash of the document's identity, and the only date written is the
//! one the caller passes (the document's own date), never the clock.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Object, StringFormat};
use printpdf::{
    Actions, BorderArray, Color, Destination, FontId, LinePoint, LinkAnnotation, OffsetDateTime,
    Op, PageAnnotId, PageAnnotation, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, TextItem, TextMatrix,
};
use sha2::{Digest, Sha256};

use super::{
    fonts::{Style, face},
    layout::{Item, MARGIN_X, PAGE_HEIGHT, PAGE_WIDTH, Page, Rgb, colors},
};

/// What the document says about itself.
#[derive(Clone, Debug)]
pub struct Meta {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// BCP 47, e.g. `it-IT`.
    pub language: String,
    /// The document's own date (Unix milliseconds), written as its creation date.
    pub created_at_ms: i64,
    /// Stable identity of this edition, hashed into the trailer ID.
    pub identity: String,
}

/// The footer of every page but the cover.
#[derive(Clone, Debug)]
pub struct Footer {
    /// Left side: the document's short title.
    pub left: String,
    /// "Pagina {n} di {m}" with the two numbers filled in.
    pub page_label: fn(usize, usize) -> String,
}

/// Where body heading `i` landed: 1-based page number and top on that page.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub page: usize,
    pub y: f32,
}

fn color(rgb: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: f32::from(rgb.0) / 255.0,
        g: f32::from(rgb.1) / 255.0,
        b: f32::from(rgb.2) / 255.0,
        icc_profile: None,
    })
}

/// Rounds to hundredths of a point: finer than any printer, and it keeps content streams
/// short and free of float noise.
fn round(value: f32) -> f32 {
    (value * 100.0).round() / 100.0
}

fn point(x: f32, y_from_top: f32) -> LinePoint {
    LinePoint {
        p: Point {
            x: Pt(round(x)),
            y: Pt(round(PAGE_HEIGHT - y_from_top)),
        },
        bezier: false,
    }
}

fn footer_items(footer: &Footer, number: usize, total: usize) -> Vec<Item> {
    let y = PAGE_HEIGHT - 40.0;
    let label = (footer.page_label)(number, total);
    let size = 8.5;
    let label_width = face(Style::Regular).width(&label, size);
    let right = PAGE_WIDTH - MARGIN_X;
    let left = super::layout::truncate_to_width(
        &footer.left,
        Style::Italic,
        size,
        right - MARGIN_X - label_width - 24.0,
    );
    vec![
        Item::Rule {
            x1: MARGIN_X,
            y1: y - 12.0,
            x2: right,
            y2: y - 12.0,
            thickness: 0.5,
            color: colors::RULE,
        },
        Item::Text {
            x: MARGIN_X,
            y,
            style: Style::Italic,
            size,
            color: colors::MUTED,
            text: left,
            word_gap: 0.0,
        },
        Item::Text {
            x: right - label_width,
            y,
            style: Style::Regular,
            size,
            color: colors::MUTED,
            text: label,
            word_gap: 0.0,
        },
    ]
}

/// The text items of a line: one run, or words with extra space after each for justified
/// lines (a TJ offset: Identity-H text ignores the word-spacing operator).
fn text_items(text: &str, word_gap: f32, size: f32) -> Vec<TextItem> {
    if word_gap <= 0.0 || !text.contains(' ') {
        return vec![TextItem::Text(text.to_string())];
    }
    let offset = -round(word_gap * 1000.0 / size);
    let mut items = Vec::new();
    let mut words = text.split(' ').peekable();
    while let Some(word) = words.next() {
        if words.peek().is_some() {
            items.push(TextItem::Text(format!("{word} ")));
            items.push(TextItem::Offset(offset));
        } else {
            items.push(TextItem::Text(word.to_string()));
        }
    }
    items
}

fn page_ops(
    items: &[Item],
    targets: &[Target],
    used: &mut BTreeMap<Style, BTreeSet<char>>,
) -> Vec<Op> {
    let mut ops = Vec::new();
    // Graphics first (fills sit under text), then one text object for the whole page.
    let mut fill: Option<Rgb> = None;
    for item in items {
        match item {
            Item::Rect {
                x,
                y,
                width,
                height,
                color: rgb,
            } => {
                if fill != Some(*rgb) {
                    ops.push(Op::SetFillColor { col: color(*rgb) });
                    fill = Some(*rgb);
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(round(*x)),
                        y: Pt(round(PAGE_HEIGHT - y - height)),
                        width: Pt(round(*width)),
                        height: Pt(round(*height)),
                        mode: Some(printpdf::PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
            Item::Rule {
                x1,
                y1,
                x2,
                y2,
                thickness,
                color: rgb,
            } => {
                ops.push(Op::SetOutlineColor { col: color(*rgb) });
                ops.push(Op::SetOutlineThickness {
                    pt: Pt(round(*thickness)),
                });
                ops.push(Op::DrawLine {
                    line: printpdf::Line {
                        points: vec![point(*x1, *y1), point(*x2, *y2)],
                        is_closed: false,
                    },
                });
            }
            Item::Link {
                x,
                y,
                width,
                height,
                heading,
            } => {
                if let Some(target) = targets.get(*heading) {
                    ops.push(Op::LinkAnnotation {
                        link: LinkAnnotation::new(
                            Rect {
                                x: Pt(round(*x)),
                                y: Pt(round(PAGE_HEIGHT - y - height)),
                                width: Pt(round(*width)),
                                height: Pt(round(*height)),
                                mode: None,
                                winding_order: None,
                            },
                            Actions::Goto(Destination::Xyz {
                                page: target.page,
                                left: Some(0.0),
                                top: Some(round(PAGE_HEIGHT - target.y + 12.0)),
                                zoom: None,
                            }),
                            Some(BorderArray::Solid([0.0, 0.0, 0.0])),
                            None,
                            None,
                        ),
                    });
                }
            }
            Item::Text { .. } | Item::PageRef { .. } => {}
        }
    }
    ops.push(Op::StartTextSection);
    let mut font: Option<(Style, f32)> = None;
    for item in items {
        let (x, y, style, size, rgb, text, word_gap) = match item {
            Item::Text {
                x,
                y,
                style,
                size,
                color,
                text,
                word_gap,
            } => (*x, *y, *style, *size, *color, text.clone(), *word_gap),
            Item::PageRef {
                x_right,
                y,
                style,
                size,
                color,
                heading,
            } => {
                let text = targets
                    .get(*heading)
                    .map_or_else(|| "?".to_string(), |t| t.page.to_string());
                let width = face(*style).width(&text, *size);
                (x_right - width, *y, *style, *size, *color, text, 0.0)
            }
            _ => continue,
        };
        if text.is_empty() {
            continue;
        }
        used.entry(style).or_default().extend(text.chars());
        if font != Some((style, size)) {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(FontId(style.resource().to_string())),
                size: Pt(size),
            });
            font = Some((style, size));
        }
        if fill != Some(rgb) {
            ops.push(Op::SetFillColor { col: color(rgb) });
            fill = Some(rgb);
        }
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(round(x)), Pt(round(PAGE_HEIGHT - y))),
        });
        ops.push(Op::ShowText {
            items: text_items(&text, word_gap, size),
        });
    }
    ops.push(Op::EndTextSection);
    ops
}

/// Writes the pages. `targets[i]` is where body heading `i` landed (for contents numbers and
/// links); `outline` lists (title, 1-based page) for the bookmarks panel, in order.
pub fn write(
    pages: &[Page],
    targets: &[Target],
    outline: &[(String, usize)],
    footer: &Footer,
    meta: &Meta,
) -> Result<Vec<u8>, String> {
    let total = pages.len();
    let mut used: BTreeMap<Style, BTreeSet<char>> = BTreeMap::new();
    let mut pdf_pages = Vec::with_capacity(total);
    for (index, page) in pages.iter().enumerate() {
        let mut items = page.items.clone();
        if index > 0 {
            items.extend(footer_items(footer, index + 1, total));
        }
        let ops = page_ops(&items, targets, &mut used);
        pdf_pages.push(PdfPage::new(
            printpdf::Mm::from(Pt(PAGE_WIDTH)),
            printpdf::Mm::from(Pt(PAGE_HEIGHT)),
            ops,
        ));
    }

    let mut document = PdfDocument::new(&meta.title);
    for (style, characters) in &used {
        let subset = face(*style).subset(characters)?;
        document
            .resources
            .fonts
            .map
            .insert(FontId(style.resource().to_string()), PdfFont::new(subset));
    }
    let created = OffsetDateTime::from_unix_timestamp(meta.created_at_ms.div_euclid(1000))
        .map_err(|e| e.to_string())?;
    let info = &mut document.metadata.info;
    info.document_title = meta.title.clone();
    info.author = meta.author.clone();
    info.subject = meta.subject.clone();
    info.keywords = meta.keywords.clone();
    info.creator = "Tavoli".into();
    info.producer = "Tavoli (printpdf)".into();
    info.identifier = meta.identity.clone();
    info.creation_date = created;
    info.modification_date = created;
    info.metadata_date = created;
    // Fixed ids: printpdf would draw random ones.
    for (index, (title, page)) in outline.iter().enumerate() {
        document.bookmarks.map.insert(
            PageAnnotId(format!("B{index:05}")),
            PageAnnotation {
                name: title.clone(),
                page: *page,
            },
        );
    }
    document.with_pages(pdf_pages);

    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = document.to_lopdf_document(&options, &mut warnings);
    lo.version = "1.7".into();
    let catalog = lo.catalog_mut().map_err(|e| e.to_string())?;
    catalog.set(
        "Lang",
        Object::String(meta.language.as_bytes().to_vec(), StringFormat::Literal),
    );
    // Viewers show the title, not the file name (PDF/UA asks for it too).
    catalog.set(
        "ViewerPreferences",
        lopdf::Dictionary::from_iter(vec![("DisplayDocTitle", Object::Boolean(true))]),
    );
    let digest = Sha256::digest(format!(
        "{}\n{}\n{total}",
        meta.identity, meta.created_at_ms
    ));
    let id = digest[..16].to_vec();
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ]),
    );
    lo.compress();
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}
