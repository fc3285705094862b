//! The layout layer: flows headings, wrapped and justified paragraphs, lists, tables and bar
//! charts onto A4 pages as positioned items. It knows fonts only through their metrics and
//! never touches printpdf (that is `render.rs`), so every rule here is testable on its own.
//!
//! Rules it keeps: lines break at spaces only (no hyphenation) and a word wider than the line
//! is cut between characters; a heading is never the last thing on a page (it waits for the
//! first lines of what follows); a paragraph never leaves a single first line at the foot of
//! a page; a table row that does not fit moves to the next page under a repeated header, and a
//! row taller than a whole page is split between its lines. Coordinates are points from the
//! top-left corner of the page; `render.rs` flips them.

use super::fonts::{REPLACEMENT, Style, face};

/// A4, in points.
pub const PAGE_WIDTH: f32 = 595.276;
pub const PAGE_HEIGHT: f32 = 841.89;
/// 22 mm side margins leave lines of about 95 characters of body text.
pub const MARGIN_X: f32 = 62.36;
pub const MARGIN_TOP: f32 = 64.0;
/// Content stops here; the footer lives below.
pub const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - 72.0;
pub const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The palette: Bootstrap Italia's blue, the look Italian public services share, and a text
/// colour with well over 7:1 contrast on white.
pub mod colors {
    use super::Rgb;
    pub const TEXT: Rgb = Rgb(0x1a, 0x1a, 0x1a);
    pub const MUTED: Rgb = Rgb(0x45, 0x54, 0x65);
    pub const PRIMARY: Rgb = Rgb(0x00, 0x66, 0xcc);
    pub const PRIMARY_DARK: Rgb = Rgb(0x00, 0x4d, 0x99);
    pub const TINT: Rgb = Rgb(0xe3, 0xee, 0xf9);
    pub const RULE: Rgb = Rgb(0xc2, 0xcc, 0xd6);
    pub const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Justify,
    Center,
    Right,
}

/// One positioned thing on a page.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// One line of text; `y` is the baseline. `word_gap` is extra space after every space
    /// character, for justified lines.
    Text {
        x: f32,
        y: f32,
        style: Style,
        size: f32,
        color: Rgb,
        text: String,
        word_gap: f32,
    },
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        color: Rgb,
    },
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        thickness: f32,
        color: Rgb,
    },
    /// The page number of heading `heading` of the body, right-aligned at `x_right`: known
    /// only once every page exists, so it is resolved when the PDF is written.
    PageRef {
        x_right: f32,
        y: f32,
        style: Style,
        size: f32,
        color: Rgb,
        heading: usize,
    },
    /// A clickable area that jumps to heading `heading` of the body.
    Link {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        heading: usize,
    },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
}

/// How a run of text is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextStyle {
    pub style: Style,
    pub size: f32,
    pub leading: f32,
    pub color: Rgb,
    pub align: Align,
}

impl TextStyle {
    pub const BODY: TextStyle = TextStyle {
        style: Style::Regular,
        size: 10.0,
        leading: 14.0,
        color: colors::TEXT,
        align: Align::Justify,
    };
    pub const NOTE: TextStyle = TextStyle {
        style: Style::Italic,
        size: 10.0,
        leading: 14.0,
        color: colors::MUTED,
        align: Align::Left,
    };
    pub const SMALL: TextStyle = TextStyle {
        style: Style::Regular,
        size: 8.5,
        leading: 11.5,
        color: colors::MUTED,
        align: Align::Left,
    };

    pub fn with(self, style: Style) -> TextStyle {
        TextStyle { style, ..self }
    }
    pub fn aligned(self, align: Align) -> TextStyle {
        TextStyle { align, ..self }
    }
    pub fn colored(self, color: Rgb) -> TextStyle {
        TextStyle { color, ..self }
    }
    pub fn sized(self, size: f32, leading: f32) -> TextStyle {
        TextStyle {
            size,
            leading,
            ..self
        }
    }
}

/// One broken line: its text (single spaces between words), natural width and whether it
/// ends a paragraph or a hard line break (such lines are never stretched).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub text: String,
    pub width: f32,
    pub spaces: usize,
    pub ends_paragraph: bool,
}

/// Breaks `text` into lines no wider than `max_width`: first fit at spaces, `\n` as a hard
/// break, a word wider than the line cut between characters. Missing glyphs are replaced and
/// control characters dropped first (see `Face::printable`). Never returns an empty vector.
pub fn break_lines(text: &str, style: Style, size: f32, max_width: f32) -> Vec<Line> {
    let face = face(style);
    let printable = face.printable(text);
    let space = face.char_width(' ', size);
    let mut lines = Vec::new();
    for hard_line in printable.split('\n') {
        let mut current = String::new();
        let mut current_width = 0.0_f32;
        let mut spaces = 0;
        for word in hard_line.split([' ', '\u{00A0}']).filter(|w| !w.is_empty()) {
            let word_width = face.width(word, size);
            if !current.is_empty() && current_width + space + word_width <= max_width {
                current.push(' ');
                current.push_str(word);
                current_width += space + word_width;
                spaces += 1;
                continue;
            }
            if !current.is_empty() {
                lines.push(Line {
                    text: std::mem::take(&mut current),
                    width: current_width,
                    spaces,
                    ends_paragraph: false,
                });
                spaces = 0;
            }
            if word_width <= max_width {
                current.push_str(word);
                current_width = word_width;
                continue;
            }
            // A word longer than the line (a URL, a pasted code, a test of patience): cut it
            // between characters, at least one per line so this always ends.
            current_width = 0.0;
            for character in word.chars() {
                let width = face.char_width(character, size);
                if !current.is_empty() && current_width + width > max_width {
                    lines.push(Line {
                        text: std::mem::take(&mut current),
                        width: current_width,
                        spaces: 0,
                        ends_paragraph: false,
                    });
                    current_width = 0.0;
                }
                current.push(character);
                current_width += width;
            }
        }
        lines.push(Line {
            text: current,
            width: current_width,
            spaces,
            ends_paragraph: true,
        });
    }
    lines
}

/// Cuts `text` to one line of at most `max_width`, ending with "…" when cut.
pub fn truncate_to_width(text: &str, style: Style, size: f32, max_width: f32) -> String {
    let face = face(style);
    let printable: String = face
        .printable(text)
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    if face.width(&printable, size) <= max_width {
        return printable;
    }
    let ellipsis = face.char_width('…', size);
    let mut out = String::new();
    let mut width = 0.0;
    for character in printable.chars() {
        let character_width = face.char_width(character, size);
        if width + character_width + ellipsis > max_width {
            break;
        }
        out.push(character);
        width += character_width;
    }
    let mut out = out.trim_end().to_string();
    out.push('…');
    out
}

/// A heading as the contents and the outline know it.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadingMark {
    pub level: u8,
    pub title: String,
    /// Index of the page in the flow that holds it.
    pub page: usize,
    /// Top of the heading on its page.
    pub y: f32,
}

/// A table column: title, share of the width (the shares are normalised), alignment.
#[derive(Clone, Debug)]
pub struct Column {
    pub title: String,
    pub share: f32,
    pub align: Align,
}

#[derive(Clone, Debug)]
pub struct Cell {
    pub text: String,
    pub style: Style,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            style: Style::Regular,
        }
    }
    pub fn bold(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            style: Style::Bold,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// With `Table::group_column`, the group this row belongs to: its label is written on
    /// the group's first row and again, marked as continued, at the top of a new page.
    pub group: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub group_column: Option<usize>,
    /// Appended to a group label repeated on a new page, e.g. "(segue)".
    pub continued: String,
}

#[derive(Clone, Debug)]
pub struct Bar {
    pub label: String,
    pub value: u32,
}

/// A horizontal bar chart, drawn as vectors: one bar per entry, a value at its end, vertical
/// grid lines with their values below.
#[derive(Clone, Debug)]
pub struct BarChart {
    pub bars: Vec<Bar>,
    /// Says what the numbers count, under the axis (e.g. "punti (voti)").
    pub axis_caption: String,
}

const TABLE_SIZE: f32 = 9.0;
const TABLE_LEADING: f32 = 12.0;
const CELL_PAD_X: f32 = 4.5;
const CELL_PAD_Y: f32 = 3.5;

struct PendingHeading {
    level: u8,
    title: String,
    lines: Vec<Line>,
    style: TextStyle,
    before: f32,
    after: f32,
    rule: bool,
}

impl PendingHeading {
    fn height(&self, at_top: bool) -> f32 {
        let before = if at_top { 0.0 } else { self.before };
        before + self.lines.len() as f32 * self.style.leading + self.after
    }
}

/// Pages being filled from top to bottom.
pub struct Flow {
    pub pages: Vec<Page>,
    pub headings: Vec<HeadingMark>,
    y: f32,
    pending: Vec<PendingHeading>,
}

impl Default for Flow {
    fn default() -> Self {
        Flow::new()
    }
}

/// Where a line sits: the baseline that centres the text's capitals in its line box.
fn baseline(top: f32, style: &TextStyle) -> f32 {
    top + (style.leading + 0.72 * style.size) / 2.0
}

impl Flow {
    pub fn new() -> Flow {
        Flow {
            pages: vec![Page::default()],
            headings: Vec::new(),
            y: MARGIN_TOP,
            pending: Vec::new(),
        }
    }

    fn push(&mut self, item: Item) {
        self.pages
            .last_mut()
            .expect("a flow always has a page")
            .items
            .push(item);
    }

    fn room(&self) -> f32 {
        CONTENT_BOTTOM - self.y
    }

    fn at_top(&self) -> bool {
        self.y <= MARGIN_TOP + 0.01
    }

    /// The vertical position on the current page.
    pub fn cursor(&self) -> f32 {
        self.y
    }

    pub fn page_index(&self) -> usize {
        self.pages.len() - 1
    }

    /// Starts a new page, unless the current one is still empty.
    pub fn new_page(&mut self) {
        if self.at_top() && self.pages.last().is_some_and(|page| page.items.is_empty()) {
            return;
        }
        self.pages.push(Page::default());
        self.y = MARGIN_TOP;
    }

    /// Vertical space; swallowed at the top of a page.
    pub fn space(&mut self, points: f32) {
        if !self.at_top() {
            self.y = (self.y + points).min(CONTENT_BOTTOM);
        }
    }

    /// Queues a heading: it is drawn together with the first lines of what follows, on a new
    /// page if they do not fit, so no heading ends a page.
    pub fn heading(&mut self, level: u8, title: &str) {
        let (style, before, after, rule) = match level {
            1 => (
                TextStyle {
                    style: Style::Bold,
                    size: 19.0,
                    leading: 24.0,
                    color: colors::PRIMARY,
                    align: Align::Left,
                },
                0.0,
                14.0,
                true,
            ),
            2 => (
                TextStyle {
                    style: Style::Bold,
                    size: 13.5,
                    leading: 17.0,
                    color: colors::PRIMARY_DARK,
                    align: Align::Left,
                },
                16.0,
                6.0,
                false,
            ),
            _ => (
                TextStyle {
                    style: Style::Bold,
                    size: 11.0,
                    leading: 14.5,
                    color: colors::TEXT,
                    align: Align::Left,
                },
                10.0,
                3.0,
                false,
            ),
        };
        let lines = break_lines(title, style.style, style.size, CONTENT_WIDTH);
        self.pending.push(PendingHeading {
            level,
            title: title.to_string(),
            lines,
            style,
            before,
            after,
            rule,
        });
    }

    /// Makes room for the queued headings plus `first_chunk` points of content, then draws
    /// the headings.
    fn settle(&mut self, first_chunk: f32) {
        let at_top = self.at_top();
        let headings: f32 = self
            .pending
            .iter()
            .enumerate()
            .map(|(index, heading)| heading.height(at_top && index == 0))
            .sum();
        if !at_top && headings + first_chunk > self.room() {
            self.new_page();
        }
        for heading in std::mem::take(&mut self.pending) {
            if !self.at_top() {
                self.y += heading.before;
            }
            self.headings.push(HeadingMark {
                level: heading.level,
                title: heading.title.clone(),
                page: self.page_index(),
                y: self.y,
            });
            for line in &heading.lines {
                let y = baseline(self.y, &heading.style);
                self.text_line(MARGIN_X, CONTENT_WIDTH, y, line, &heading.style);
                self.y += heading.style.leading;
            }
            if heading.rule {
                self.y += 4.0;
                self.push(Item::Rule {
                    x1: MARGIN_X,
                    y1: self.y,
                    x2: MARGIN_X + CONTENT_WIDTH,
                    y2: self.y,
                    thickness: 1.2,
                    color: colors::PRIMARY,
                });
            }
            self.y += heading.after;
        }
    }

    /// Draws one broken line inside a box `x..x + width`.
    fn text_line(&mut self, x: f32, width: f32, y: f32, line: &Line, style: &TextStyle) {
        if line.text.is_empty() {
            return;
        }
        let (x, word_gap) = match style.align {
            Align::Left => (x, 0.0),
            Align::Right => (x + width - line.width, 0.0),
            Align::Center => (x + (width - line.width) / 2.0, 0.0),
            Align::Justify => {
                let gap = if line.ends_paragraph || line.spaces == 0 {
                    0.0
                } else {
                    (width - line.width) / line.spaces as f32
                };
                // A line with one long word and one short one would gape: leave it ragged.
                (
                    x,
                    if gap <= style.size * 1.2 {
                        gap.max(0.0)
                    } else {
                        0.0
                    },
                )
            }
        };
        self.push(Item::Text {
            x,
            y,
            style: style.style,
            size: style.size,
            color: style.color,
            text: line.text.clone(),
            word_gap,
        });
    }

    /// A paragraph at the left margin.
    pub fn paragraph(&mut self, text: &str, style: TextStyle) {
        self.paragraph_at(text, style, 0.0, None);
    }

    /// A list item: `marker` hangs in the indent, the text wraps beside it.
    pub fn bullet(&mut self, marker: &str, text: &str, style: TextStyle, indent: f32) {
        self.paragraph_at(text, style, indent, Some(marker));
    }

    fn paragraph_at(&mut self, text: &str, style: TextStyle, indent: f32, marker: Option<&str>) {
        let width = CONTENT_WIDTH - indent;
        let lines = break_lines(text, style.style, style.size, width);
        // Two lines together at least, so a paragraph never starts with a lone line.
        let first_chunk = lines.len().min(2) as f32 * style.leading;
        self.settle(first_chunk);
        let x = MARGIN_X + indent;
        for (index, line) in lines.iter().enumerate() {
            let remaining = lines.len() - index;
            // Nor ends with one: move the last two lines on together.
            let needed = if remaining == 2 && index > 0 {
                2.0 * style.leading
            } else {
                style.leading
            };
            if self.room() < needed {
                self.new_page();
            }
            let y = baseline(self.y, &style);
            if index == 0
                && let Some(marker) = marker
            {
                let marker_width = face(style.style).width(marker, style.size);
                self.push(Item::Text {
                    x: x - marker_width - 5.0,
                    y,
                    style: style.style,
                    size: style.size,
                    color: colors::PRIMARY,
                    text: marker.to_string(),
                    word_gap: 0.0,
                });
            }
            self.text_line(x, width, y, line, &style);
            self.y += style.leading;
        }
    }

    /// A table with a header row repeated on every page it spans.
    pub fn table(&mut self, table: &Table) {
        let total_share: f32 = table
            .columns
            .iter()
            .map(|c| c.share)
            .sum::<f32>()
            .max(0.001);
        let widths: Vec<f32> = table
            .columns
            .iter()
            .map(|c| c.share / total_share * CONTENT_WIDTH)
            .collect();
        let header: Vec<Vec<Line>> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(column, width)| {
                break_lines(
                    &column.title,
                    Style::Bold,
                    TABLE_SIZE,
                    width - 2.0 * CELL_PAD_X,
                )
            })
            .collect();
        let header_height = row_height(&header);
        let first_row_height = table.rows.first().map_or(0.0, |row| {
            let lines = self.row_lines(table, row, &widths, true);
            row_height(&lines).min(CELL_PAD_Y * 2.0 + 3.0 * TABLE_LEADING)
        });
        self.settle(header_height + first_row_height);
        self.table_header(table, &header, &widths);
        let mut rows_on_page = 0;
        let mut previous_group: Option<&str> = None;
        for row in &table.rows {
            let first_of_group =
                table.group_column.is_some() && row.group.as_deref() != previous_group;
            previous_group = row.group.as_deref();
            let mut remaining = self.row_lines(table, row, &widths, first_of_group);
            let mut continued = false;
            loop {
                let height = row_height(&remaining);
                if height <= self.room() {
                    self.draw_row(
                        table,
                        row,
                        &widths,
                        &remaining,
                        first_of_group && !continued,
                    );
                    rows_on_page += 1;
                    break;
                }
                let fresh_room = CONTENT_BOTTOM - MARGIN_TOP - header_height;
                let fit = ((self.room() - 2.0 * CELL_PAD_Y) / TABLE_LEADING).floor();
                if (height <= fresh_room && rows_on_page > 0) || fit < 2.0 {
                    self.table_page_break(table, &header, &widths);
                    rows_on_page = 0;
                    if table.group_column.is_some() {
                        remaining = self.relabel(table, row, &widths, remaining);
                    }
                    continue;
                }
                // Taller than a page: split between lines.
                let fit = fit as usize;
                let (now, later): (Vec<Vec<Line>>, Vec<Vec<Line>>) = remaining
                    .into_iter()
                    .map(|lines| {
                        let cut = fit.min(lines.len());
                        (lines[..cut].to_vec(), lines[cut..].to_vec())
                    })
                    .unzip();
                self.draw_row(table, row, &widths, &now, first_of_group && !continued);
                continued = true;
                remaining = later;
                self.table_page_break(table, &header, &widths);
                rows_on_page = 0;
            }
        }
        self.y += 8.0;
    }

    /// The lines of each cell of a row; the group label shows on a group's first row only.
    fn row_lines(
        &self,
        table: &Table,
        row: &Row,
        widths: &[f32],
        show_group: bool,
    ) -> Vec<Vec<Line>> {
        table
            .columns
            .iter()
            .enumerate()
            .map(|(index, _)| {
                let width = widths[index] - 2.0 * CELL_PAD_X;
                if table.group_column == Some(index) {
                    let label = if show_group {
                        row.group.clone().unwrap_or_default()
                    } else {
                        String::new()
                    };
                    return break_lines(&label, Style::Bold, TABLE_SIZE, width);
                }
                let cell = row.cells.get(index);
                break_lines(
                    cell.map_or("", |c| c.text.as_str()),
                    cell.map_or(Style::Regular, |c| c.style),
                    TABLE_SIZE,
                    width,
                )
            })
            .collect()
    }

    /// At the top of a new page the group column says again which group the rows belong to.
    fn relabel(
        &self,
        table: &Table,
        row: &Row,
        widths: &[f32],
        mut lines: Vec<Vec<Line>>,
    ) -> Vec<Vec<Line>> {
        if let (Some(index), Some(group)) = (table.group_column, &row.group) {
            let label = format!("{group} {}", table.continued);
            lines[index] = break_lines(
                &label,
                Style::Bold,
                TABLE_SIZE,
                widths[index] - 2.0 * CELL_PAD_X,
            );
        }
        lines
    }

    fn table_page_break(&mut self, table: &Table, header: &[Vec<Line>], widths: &[f32]) {
        self.pages.push(Page::default());
        self.y = MARGIN_TOP;
        self.table_header(table, header, widths);
    }

    fn table_header(&mut self, table: &Table, header: &[Vec<Line>], widths: &[f32]) {
        let height = row_height(header);
        self.push(Item::Rect {
            x: MARGIN_X,
            y: self.y,
            width: CONTENT_WIDTH,
            height,
            color: colors::TINT,
        });
        let style = TextStyle {
            style: Style::Bold,
            size: TABLE_SIZE,
            leading: TABLE_LEADING,
            color: colors::PRIMARY_DARK,
            align: Align::Left,
        };
        let mut x = MARGIN_X;
        for ((lines, width), column) in header.iter().zip(widths).zip(&table.columns) {
            let mut top = self.y + CELL_PAD_Y;
            for line in lines {
                let y = baseline(top, &style);
                self.text_line(
                    x + CELL_PAD_X,
                    width - 2.0 * CELL_PAD_X,
                    y,
                    line,
                    &style.aligned(column.align),
                );
                top += TABLE_LEADING;
            }
            x += width;
        }
        self.y += height;
        self.push(Item::Rule {
            x1: MARGIN_X,
            y1: self.y,
            x2: MARGIN_X + CONTENT_WIDTH,
            y2: self.y,
            thickness: 0.9,
            color: colors::PRIMARY,
        });
    }

    fn draw_row(
        &mut self,
        table: &Table,
        row: &Row,
        widths: &[f32],
        lines: &[Vec<Line>],
        group_start: bool,
    ) {
        let height = row_height(lines);
        let mut x = MARGIN_X;
        for (index, (cell_lines, width)) in lines.iter().zip(widths).enumerate() {
            let column = &table.columns[index];
            let cell_style = if table.group_column == Some(index) {
                Style::Bold
            } else {
                row.cells
                    .get(index)
                    .map_or(Style::Regular, |cell| cell.style)
            };
            let style = TextStyle {
                style: cell_style,
                size: TABLE_SIZE,
                leading: TABLE_LEADING,
                color: colors::TEXT,
                align: column.align,
            };
            let mut top = self.y + CELL_PAD_Y;
            for line in cell_lines {
                let y = baseline(top, &style);
                self.text_line(x + CELL_PAD_X, width - 2.0 * CELL_PAD_X, y, line, &style);
                top += TABLE_LEADING;
            }
            x += width;
        }
        if group_start && table.group_column.is_some() && self.y > MARGIN_TOP + 30.0 {
            // A stronger line where a new group begins.
            self.push(Item::Rule {
                x1: MARGIN_X,
                y1: self.y,
                x2: MARGIN_X + CONTENT_WIDTH,
                y2: self.y,
                thickness: 0.8,
                color: colors::MUTED,
            });
        }
        self.y += height;
        self.push(Item::Rule {
            x1: MARGIN_X,
            y1: self.y,
            x2: MARGIN_X + CONTENT_WIDTH,
            y2: self.y,
            thickness: 0.4,
            color: colors::RULE,
        });
    }

    /// A bar chart, kept whole on one page (callers show at most a screenful of bars).
    pub fn bar_chart(&mut self, chart: &BarChart) {
        const ROW: f32 = 16.0;
        const BAR: f32 = 9.5;
        const LABEL_SIZE: f32 = 8.5;
        let label_width = CONTENT_WIDTH * 0.46;
        let bar_x = MARGIN_X + label_width + 8.0;
        let bar_max_width = MARGIN_X + CONTENT_WIDTH - bar_x - 26.0;
        let max = chart.bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
        let step = max.div_ceil(4).max(1);
        let top_value = step * max.div_ceil(step);
        let height = chart.bars.len() as f32 * ROW + 34.0;
        self.settle(height);
        let top = self.y + 4.0;
        let bottom = top + chart.bars.len() as f32 * ROW;
        let scale = bar_max_width / top_value as f32;
        // Grid lines first, so bars are drawn over them.
        let mut tick = 0;
        while tick <= top_value {
            let x = bar_x + tick as f32 * scale;
            self.push(Item::Rule {
                x1: x,
                y1: top,
                x2: x,
                y2: bottom,
                thickness: if tick == 0 { 0.9 } else { 0.35 },
                color: if tick == 0 {
                    colors::MUTED
                } else {
                    colors::RULE
                },
            });
            let label = tick.to_string();
            let width = face(Style::Regular).width(&label, LABEL_SIZE);
            self.push(Item::Text {
                x: x - width / 2.0,
                y: bottom + 11.0,
                style: Style::Regular,
                size: LABEL_SIZE,
                color: colors::MUTED,
                text: label,
                word_gap: 0.0,
            });
            tick += step;
        }
        for (index, bar) in chart.bars.iter().enumerate() {
            let row_top = top + index as f32 * ROW;
            let label = truncate_to_width(&bar.label, Style::Regular, LABEL_SIZE, label_width);
            let label_y = row_top + ROW / 2.0 + LABEL_SIZE * 0.36;
            self.push(Item::Text {
                x: MARGIN_X,
                y: label_y,
                style: Style::Regular,
                size: LABEL_SIZE,
                color: colors::TEXT,
                text: label,
                word_gap: 0.0,
            });
            let width = bar.value as f32 * scale;
            if width > 0.0 {
                self.push(Item::Rect {
                    x: bar_x,
                    y: row_top + (ROW - BAR) / 2.0,
                    width,
                    height: BAR,
                    color: if index == 0 {
                        colors::PRIMARY_DARK
                    } else {
                        colors::PRIMARY
                    },
                });
            }
            self.push(Item::Text {
                x: bar_x + width + 4.0,
                y: label_y,
                style: Style::Bold,
                size: LABEL_SIZE,
                color: colors::TEXT,
                text: bar.value.to_string(),
                word_gap: 0.0,
            });
        }
        let caption_width = face(Style::Italic).width(&chart.axis_caption, LABEL_SIZE);
        self.push(Item::Text {
            x: bar_x + bar_max_width / 2.0 - caption_width / 2.0,
            y: bottom + 23.0,
            style: Style::Italic,
            size: LABEL_SIZE,
            color: colors::MUTED,
            text: face(Style::Italic).printable(&chart.axis_caption),
            word_gap: 0.0,
        });
        self.y = bottom + 30.0;
    }

    /// One entry of the contents: title with dot leaders, the page number of body heading
    /// `heading` at the right margin, and a link to it.
    pub fn contents_entry(&mut self, level: u8, title: &str, heading: usize) {
        let (style, indent, before) = if level <= 1 {
            (
                TextStyle::BODY.with(Style::Bold).aligned(Align::Left),
                0.0,
                7.0,
            )
        } else {
            (TextStyle::BODY.aligned(Align::Left), 18.0, 0.0)
        };
        let number_column = 34.0;
        let width = CONTENT_WIDTH - indent - number_column;
        let lines = break_lines(title, style.style, style.size, width);
        self.space(before);
        self.settle(lines.len() as f32 * style.leading);
        if self.room() < lines.len() as f32 * style.leading {
            self.new_page();
        }
        let top = self.y;
        let x = MARGIN_X + indent;
        for line in &lines {
            let y = baseline(self.y, &style);
            self.text_line(x, width, y, line, &style);
            self.y += style.leading;
        }
        let last = lines.last().expect("break_lines never returns nothing");
        let y = baseline(self.y - style.leading, &style);
        let dot = face(Style::Regular).width(". ", style.size);
        let start = x + last.width + 6.0;
        let end = MARGIN_X + CONTENT_WIDTH - number_column + 6.0;
        let count = ((end - start) / dot).floor().max(0.0) as usize;
        if count > 1 {
            self.push(Item::Text {
                x: end - count as f32 * dot,
                y,
                style: Style::Regular,
                size: style.size,
                color: colors::MUTED,
                text: ". ".repeat(count).trim_end().to_string(),
                word_gap: 0.0,
            });
        }
        self.push(Item::PageRef {
            x_right: MARGIN_X + CONTENT_WIDTH,
            y,
            style: style.style,
            size: style.size,
            color: style.color,
            heading,
        });
        self.push(Item::Link {
            x: MARGIN_X,
            y: top,
            width: CONTENT_WIDTH,
            height: self.y - top,
            heading,
        });
    }

    /// Draws whatever headings are still queued (a section that ends with a heading).
    pub fn finish(mut self) -> (Vec<Page>, Vec<HeadingMark>) {
        if !self.pending.is_empty() {
            self.settle(0.0);
        }
        (self.pages, self.headings)
    }

    /// Places an item directly (cover pages draw freely), at page coordinates.
    pub fn place(&mut self, item: Item) {
        self.push(item);
    }

    /// Moves the cursor to `y` on the current page (cover pages).
    pub fn move_to(&mut self, y: f32) {
        self.y = y.clamp(MARGIN_TOP, CONTENT_BOTTOM);
    }
}

fn row_height(cells: &[Vec<Line>]) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * TABLE_LEADING + 2.0 * CELL_PAD_Y
}

/// True when the text would show a replacement mark (for tests and diagnostics).
pub fn has_replacement(text: &str, style: Style) -> bool {
    face(style).printable(text).contains(REPLACEMENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(page: &Page) -> Vec<String> {
        page.items
            .iter()
            .filter_map(|item| match item {
                Item::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn lines_break_at_spaces_and_fit_the_width() {
        let text = "Molti anziani soli nelle frazioni non riescono a raggiungere gli ambulatori: manca un trasporto sociale programmato.";
        let lines = break_lines(text, Style::Regular, 10.0, 150.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(line.width <= 150.0 + 0.01, "{line:?}");
        }
        let joined: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(joined.join(" "), text);
        assert!(lines.last().unwrap().ends_paragraph);
        assert!(!lines[0].ends_paragraph);
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut_between_characters() {
        let word = "x".repeat(400);
        let lines = break_lines(&word, Style::Regular, 10.0, 100.0);
        assert!(lines.len() > 5);
        assert_eq!(lines.iter().map(|l| l.text.len()).sum::<usize>(), 400);
        for line in &lines {
            assert!(line.width <= 100.0 + 0.01);
        }
    }

    #[test]
    fn newlines_are_hard_breaks_and_empty_text_gives_one_empty_line() {
        let lines = break_lines("uno\ndue", Style::Regular, 10.0, 400.0);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.ends_paragraph));
        assert_eq!(break_lines("", Style::Regular, 10.0, 400.0).len(), 1);
    }

    #[test]
    fn a_heading_never_ends_a_page() {
        let mut flow = Flow::new();
        // Fill the page until only a little room is left.
        while flow.room() > 30.0 {
            flow.paragraph("Riga di riempimento.", TextStyle::BODY);
        }
        flow.heading(2, "Bisogni");
        flow.paragraph(
            "Primo bisogno del gruppo, che segue il titolo.",
            TextStyle::BODY,
        );
        let (pages, headings) = flow.finish();
        assert_eq!(pages.len(), 2);
        assert_eq!(headings[0].page, 1, "the heading moved with its text");
        assert_eq!(texts(&pages[1])[0], "Bisogni");
    }

    #[test]
    fn a_long_table_repeats_its_header_on_every_page() {
        let table = Table {
            columns: vec![
                Column {
                    title: "Tavolo".into(),
                    share: 1.0,
                    align: Align::Left,
                },
                Column {
                    title: "Risorsa".into(),
                    share: 3.0,
                    align: Align::Left,
                },
            ],
            rows: (0..150)
                .map(|index| Row {
                    cells: vec![Cell::new(""), Cell::new(format!("Risorsa numero {index}"))],
                    group: Some(if index < 100 { "Anziani" } else { "Giovani" }.into()),
                })
                .collect(),
            group_column: Some(0),
            continued: "(segue)".into(),
        };
        let mut flow = Flow::new();
        flow.table(&table);
        let (pages, _) = flow.finish();
        assert!(pages.len() >= 3);
        for page in &pages {
            let texts = texts(page);
            assert_eq!(texts[0], "Tavolo", "header first on every page");
            assert_eq!(texts[1], "Risorsa");
        }
        let second = texts(&pages[1]);
        assert_eq!(second[2], "Anziani (segue)");
        let all: Vec<String> = pages.iter().flat_map(texts).collect();
        assert_eq!(
            all.iter()
                .filter(|t| t.starts_with("Risorsa numero"))
                .count(),
            150
        );
        assert_eq!(all.iter().filter(|t| *t == "Giovani").count(), 1);
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_and_nothing_is_lost() {
        let table = Table {
            columns: vec![Column {
                title: "Testo".into(),
                share: 1.0,
                align: Align::Left,
            }],
            rows: vec![Row {
                cells: vec![Cell::new("parola ".repeat(2500))],
                group: None,
            }],
            group_column: None,
            continued: String::new(),
        };
        let mut flow = Flow::new();
        flow.table(&table);
        let (pages, _) = flow.finish();
        assert!(pages.len() >= 2);
        let words: usize = pages
            .iter()
            .flat_map(texts)
            .filter(|t| t != "Testo")
            .map(|t| t.split(' ').count())
            .sum();
        assert_eq!(words, 2500);
    }

    #[test]
    fn justified_lines_fill_the_measure_except_the_last() {
        let mut flow = Flow::new();
        flow.paragraph(
            &"Il tavolo ha raccolto bisogni e proposte. ".repeat(8),
            TextStyle::BODY,
        );
        let (pages, _) = flow.finish();
        let gaps: Vec<f32> = pages[0]
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Text { word_gap, .. } => Some(*word_gap),
                _ => None,
            })
            .collect();
        assert!(gaps.len() > 2);
        assert!(gaps[..gaps.len() - 1].iter().all(|g| *g > 0.0));
        assert_eq!(*gaps.last().unwrap(), 0.0);
    }
}
