//! The card's look: where each piece of text goes, in which size and colour, as an SVG string.
//!
//! Everything the card's text brings is user content, so every piece passes through [`escape`]
//! and the accent is re-printed from its parsed value, never copied. Sizes are in pixels of the
//! 1200x630 card.

use std::fmt::Write;

use super::wrap::{self, Ruler, Wrapped};
use super::{CardText, Typefaces, HEIGHT, WIDTH};
use crate::site_settings::colour::Rgb;

/// The stylesheet's default accent (`CSS_ACCENT`), for an accent that does not parse.
pub(super) const DEFAULT_ACCENT: Rgb = Rgb(0x1f, 0x6f, 0xeb);
/// The title's colour: near-black reads softer than pure black and keeps 17:1 on white.
const INK: &str = "#1a1a1a";
/// The excerpt's colour, a step lighter than the title (11:1 on white).
const BODY: &str = "#3d3d3d";
/// Labels and the footer: quieter, still 6.7:1 on white (WCAG AA asks 4.5:1).
const MUTED: &str = "#5c5c5c";
/// The hairline above the footer.
const RULE: &str = "#e4e4e4";
/// The page behind the text.
const PAPER: &str = "#ffffff";

/// The left and right margin.
const MARGIN: f32 = 80.0;
/// The text column's width.
const COLUMN: f32 = WIDTH as f32 - 2.0 * MARGIN;
/// The accent band along the top edge.
const BAND: f32 = 14.0;
/// The site name's baseline.
const SITE_BASELINE: f32 = 92.0;
/// Where the title's first line starts (its top, not its baseline).
const TITLE_TOP: f32 = 128.0;
/// The hairline above the footer; the excerpt stops above it.
const RULE_Y: f32 = HEIGHT as f32 - 92.0;
/// The lowest baseline the excerpt may use.
const EXCERPT_LAST_BASELINE: f32 = RULE_Y - 26.0;
/// The footer's baseline.
const FOOTER_BASELINE: f32 = HEIGHT as f32 - 42.0;
/// The official badge's height.
const BADGE_HEIGHT: f32 = 46.0;
/// What the official badge says.
const BADGE_TEXT: &str = "Official answer";
/// A line's baseline below its top, as a share of the font size (DejaVu's capitals and ascenders
/// sit about this far above the baseline).
const ASCENT: f32 = 0.8;

/// One size of text: its font size and the distance between baselines.
#[derive(Clone, Copy)]
struct Size {
    font: f32,
    leading: f32,
}

/// A title that fits two lines gets big type...
const TITLE_LARGE: (Size, usize) = (Size { font: 60.0, leading: 72.0 }, 2);
/// ...a longer one a size that holds three.
const TITLE_SMALL: (Size, usize) = (Size { font: 50.0, leading: 62.0 }, 3);
/// The other sizes: site name, answer label, excerpt, footer.
const SITE: Size = Size { font: 30.0, leading: 36.0 };
const LABEL: Size = Size { font: 26.0, leading: 32.0 };
const EXCERPT: Size = Size { font: 28.0, leading: 42.0 };
const FOOTER: Size = Size { font: 24.0, leading: 30.0 };
/// The excerpt's longest allowance, however much room a short title leaves.
const EXCERPT_MAX_LINES: usize = 5;

/// Draws the card as an SVG document.
pub(super) fn draw(card: &CardText, faces: &Typefaces) -> String {
    let accent = Rgb::parse(&card.accent).unwrap_or(DEFAULT_ACCENT).to_string();
    let regular = |size: Size| Ruler::new(faces.regular.as_ref(), size.font);
    let bold = |size: Size| Ruler::new(faces.bold.as_ref(), size.font);
    let mut svg = String::with_capacity(4096);
    // `write!` into a String cannot fail; its `fmt::Result` is ignored throughout.
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, sans-serif">"#
    );
    let _ = write!(svg, r#"<rect width="{WIDTH}" height="{HEIGHT}" fill="{PAPER}"/>"#);
    let _ = write!(svg, r#"<rect width="{WIDTH}" height="{BAND}" fill="{accent}"/>"#);

    let site = wrap::wrap(&card.site_name, &bold(SITE), COLUMN, 1);
    lines(&mut svg, &site, SITE_BASELINE, SITE, &format!(r#"font-weight="700" fill="{accent}""#));

    let (title_size, title) = title_lines(&card.title, bold);
    let mut top = TITLE_TOP;
    lines(&mut svg, &title, top + ASCENT * title_size.font, title_size, &format!(r#"font-weight="700" fill="{INK}""#));
    top += title.lines.len() as f32 * title_size.leading;

    if card.official {
        top += 20.0;
        badge(&mut svg, top, &accent, &bold(LABEL));
        top += BADGE_HEIGHT + 26.0;
    } else if let Some(label) = card.answer_label.as_deref().filter(|label| !label.trim().is_empty()) {
        top += 22.0;
        let label = wrap::wrap(label, &regular(LABEL), COLUMN, 1);
        lines(&mut svg, &label, top + ASCENT * LABEL.font, LABEL, &format!(r#"fill="{MUTED}""#));
        top += LABEL.leading + 22.0;
    } else {
        top += 22.0;
    }

    // As many excerpt lines as have their baseline far enough above the hairline for the
    // descenders and a little air.
    let first_baseline = top + ASCENT * EXCERPT.font;
    let room = if first_baseline > EXCERPT_LAST_BASELINE {
        0
    } else {
        ((EXCERPT_LAST_BASELINE - first_baseline) / EXCERPT.leading).floor() as usize + 1
    };
    let excerpt = wrap::wrap(&card.excerpt, &regular(EXCERPT), COLUMN, room.min(EXCERPT_MAX_LINES));
    lines(&mut svg, &excerpt, first_baseline, EXCERPT, &format!(r#"fill="{BODY}""#));

    let _ = write!(svg, r#"<rect x="{MARGIN}" y="{RULE_Y}" width="{COLUMN}" height="2" fill="{RULE}"/>"#);
    let footer = wrap::wrap(&card.footer, &regular(FOOTER), COLUMN, 1);
    lines(&mut svg, &footer, FOOTER_BASELINE, FOOTER, &format!(r#"fill="{MUTED}""#));
    svg.push_str("</svg>");
    svg
}

/// The title at the large size when all of it fits, else at the small size, cut if need be.
fn title_lines<'a>(title: &str, bold: impl Fn(Size) -> Ruler<'a>) -> (Size, Wrapped) {
    let (large, large_lines) = TITLE_LARGE;
    let wrapped = wrap::wrap(title, &bold(large), COLUMN, large_lines);
    if !wrapped.cut {
        return (large, wrapped);
    }
    let (small, small_lines) = TITLE_SMALL;
    (small, wrap::wrap(title, &bold(small), COLUMN, small_lines))
}

/// One `<text>` of left-aligned lines, the first on `baseline`.
fn lines(svg: &mut String, wrapped: &Wrapped, baseline: f32, size: Size, style: &str) {
    if wrapped.lines.is_empty() {
        return;
    }
    let _ = write!(svg, r#"<text font-size="{}" {style}>"#, size.font);
    for (i, line) in wrapped.lines.iter().enumerate() {
        let y = baseline + i as f32 * size.leading;
        let _ = write!(svg, r#"<tspan x="{MARGIN}" y="{y:.1}">{}</tspan>"#, escape(line));
    }
    svg.push_str("</text>");
}

/// The "Official answer" pill: accent-filled, a drawn check mark (a path, so it needs no glyph)
/// and white text, whose contrast on the accent the site settings already guarantee.
fn badge(svg: &mut String, top: f32, accent: &str, ruler: &Ruler<'_>) {
    let (pad, icon, gap) = (20.0, 22.0, 12.0);
    let width = pad + icon + gap + ruler.width(BADGE_TEXT) + pad;
    let radius = BADGE_HEIGHT / 2.0;
    let middle = top + radius;
    let _ = write!(
        svg,
        r#"<rect x="{MARGIN}" y="{top}" width="{width:.1}" height="{BADGE_HEIGHT}" rx="{radius}" fill="{accent}"/>"#
    );
    let (x, y) = (MARGIN + pad, middle);
    let _ = write!(
        svg,
        r##"<path d="M{:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1}" fill="none" stroke="#ffffff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/>"##,
        x + 2.0,
        y + 1.0,
        x + 8.5,
        y + 7.5,
        x + icon - 1.0,
        y - 7.5,
    );
    let _ = write!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" font-size="{}" font-weight="700" fill="#ffffff">{BADGE_TEXT}</text>"##,
        x + icon + gap,
        middle + 0.36 * LABEL.font,
        LABEL.font,
    );
}

/// XML-escapes user text for an element's content or an attribute value: the templates' own
/// HTML escaping, whose character references (`&lt;`, `&#x2F;`...) XML reads the same.
pub(super) fn escape(text: &str) -> String {
    tera::escape_html(text)
}
