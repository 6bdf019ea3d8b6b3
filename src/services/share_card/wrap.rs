//! Breaking a card's text into lines that fit a width. SVG has no line wrapping, so the template
//! places every line itself, and the widths come from the glyph advances of the very fonts resvg
//! draws with.
//!
//! Advances are summed without kerning or shaping: that moves a line by a few pixels at most,
//! which the card's margins absorb. This module only measures and cuts; it knows nothing of SVG.

use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, GlyphId, MetadataProvider};

/// What ends text that was cut short.
pub(super) const ELLIPSIS: char = '…';

/// The advances of one face at one size.
pub(super) struct Ruler<'a> {
    glyphs: Option<(Charmap<'a>, GlyphMetrics<'a>)>,
    fallback: f32,
}

impl<'a> Ruler<'a> {
    /// Measures with `font` at `size` pixels; without a font (it failed to load, and rendering
    /// refuses anyway) an average advance keeps `svg()` usable for debugging.
    pub(super) fn new(font: Option<&FontRef<'a>>, size: f32) -> Self {
        let glyphs = font.map(|font| (font.charmap(), font.glyph_metrics(Size::new(size), LocationRef::default())));
        Self { glyphs, fallback: size * 0.6 }
    }

    /// How far one character moves the pen. A character the font lacks is drawn as its
    /// missing-glyph box, so it is measured as that.
    pub(super) fn advance(&self, c: char) -> f32 {
        match &self.glyphs {
            Some((charmap, metrics)) => {
                metrics.advance_width(charmap.map(c).unwrap_or(GlyphId::NOTDEF)).unwrap_or(self.fallback)
            }
            None => self.fallback,
        }
    }

    /// The width of `text` on one line.
    pub(super) fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| self.advance(c)).sum()
    }
}

/// Text broken into lines.
#[derive(Debug, PartialEq)]
pub(super) struct Wrapped {
    /// At most the lines asked for, none wider than the width asked for.
    pub lines: Vec<String>,
    /// Whether text was left out (the last line then ends in [`ELLIPSIS`]).
    pub cut: bool,
}

/// Breaks `text` into at most `max_lines` lines no wider than `width`, between words where it
/// can and inside a word only when the word alone is wider than a line (a URL, a hash).
/// Whitespace runs, newlines included, count as one space; control characters, which XML
/// cannot carry, count as spaces too.
pub(super) fn wrap(text: &str, ruler: &Ruler<'_>, width: f32, max_lines: usize) -> Wrapped {
    let text = plain(text);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0_f32;
    let space = ruler.advance(' ');
    let mut cut = false;
    if max_lines == 0 {
        return Wrapped { lines, cut: !text.is_empty() };
    }
    'words: for word in text.split(' ').filter(|word| !word.is_empty()) {
        let word_width = ruler.width(word);
        let mut gap = if line.is_empty() { 0.0 } else { space };
        if line_width + gap + word_width <= width {
            if gap > 0.0 {
                line.push(' ');
            }
            line.push_str(word);
            line_width += gap + word_width;
            continue;
        }
        if word_width <= width {
            // It did not fit after the line's words, so the line is not empty.
            lines.push(std::mem::take(&mut line));
            if lines.len() == max_lines {
                cut = true;
                break;
            }
            line.push_str(word);
            line_width = word_width;
            continue;
        }
        // Wider than any line: it starts where the line stands and breaks wherever a line is full.
        for c in word.chars() {
            let advance = ruler.advance(c);
            if line_width + gap + advance > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
                gap = 0.0;
                if lines.len() == max_lines {
                    cut = true;
                    break 'words;
                }
            }
            if gap > 0.0 {
                line.push(' ');
                line_width += gap;
                gap = 0.0;
            }
            line.push(c);
            line_width += advance;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if cut {
        if let Some(last) = lines.last_mut() {
            end_with_ellipsis(last, ruler, width);
        }
    }
    Wrapped { lines, cut }
}

/// Makes room for the ellipsis at the end of a full line.
fn end_with_ellipsis(line: &mut String, ruler: &Ruler<'_>, width: f32) {
    let room = width - ruler.advance(ELLIPSIS);
    let whole = line.len();
    let mut line_width = ruler.width(line);
    while line_width > room {
        match line.pop() {
            Some(c) => line_width -= ruler.advance(c),
            None => break,
        }
    }
    // A word cut to a stub reads like a typo: drop the stub unless that empties half the line.
    if line.len() < whole {
        if let Some(space) = line.rfind(' ') {
            if space > line.len() / 2 {
                line.truncate(space);
            }
        }
    }
    // "word,…" and "word …" look like mistakes; "word…" does not.
    let kept = line.trim_end_matches([' ', ',', ';', ':', '.', '-', '–', '—']);
    line.truncate(kept.len());
    line.push(ELLIPSIS);
}

/// `text` with whitespace runs collapsed into single spaces and control characters (and the
/// two non-characters XML forbids) read as spaces, trimmed.
pub(super) fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}
