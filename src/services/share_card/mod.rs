//! Share cards: the 1200x630 PNG that a link to a question unfurls into in chat and social apps
//! (Open Graph's `og:image`), drawn on the server from our own SVG template with resvg.
//!
//! It owns the card's look and its fonts. The fonts (DejaVu Sans, regular and bold) are built
//! into the binary and are the only ones resvg may use, so a card looks the same on every server
//! and no system font is ever read. It must not touch the database or HTTP: the caller gathers
//! the [`CardText`] (and may cache the PNG); drawing takes milliseconds of CPU, so call it off the
//! async executor.

mod template;
#[cfg(test)]
mod tests;
mod wrap;

use std::sync::{Arc, OnceLock};

use resvg::usvg::fontdb;
use resvg::{tiny_skia, usvg};
use skrifa::FontRef;

/// The regular face, for the excerpt, labels and footer.
static REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
/// The bold face, for the site name, title and badge.
static BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");
/// The family both faces belong to; the template and resvg's default family name it.
const FAMILY: &str = "DejaVu Sans";

/// Width of every card, in pixels (Open Graph's recommended 1200x630).
pub const WIDTH: u32 = 1200;
/// Height of every card, in pixels (Open Graph's recommended 1200x630).
pub const HEIGHT: u32 = 630;

/// What a share card shows. All of it is plain text from the forum (user content): the card
/// escapes it, collapses its whitespace and cuts what does not fit with an ellipsis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardText {
    /// The forum's name, e.g. "Acme Support".
    pub site_name: String,
    /// The site's accent colour as `#rrggbb`; the stylesheet's default blue if it does not parse.
    pub accent: String,
    /// The question's title.
    pub title: String,
    /// The answer shown is staff's official answer: the card then wears an "Official answer"
    /// badge instead of `answer_label`.
    pub official: bool,
    /// What the answer shown is, e.g. "Accepted answer" or "Answer by jane"; `None` when the
    /// question has no answer yet.
    pub answer_label: Option<String>,
    /// The start of the answer as plain text (of the question's body when unanswered); may be
    /// long, only what fits is drawn.
    pub excerpt: String,
    /// The bottom line, e.g. "3 answers · support.acme.test".
    pub footer: String,
}

/// Why a card could not be drawn. None of these depends on the card's text (it is escaped and
/// measured); each means a broken build or an exhausted machine.
#[derive(Debug, thiserror::Error)]
pub enum ShareCardError {
    /// A font built into the binary did not load, and text in its face would silently vanish.
    #[error("the share card's bundled font {0} could not be read")]
    Font(&'static str),
    /// The SVG drawn from the template did not parse: a bug in the template.
    #[error("the share card's SVG did not parse: {0}")]
    Svg(#[from] usvg::Error),
    /// The pixel buffer could not be allocated.
    #[error("could not allocate the share card's {WIDTH}x{HEIGHT} canvas")]
    Canvas,
    /// The pixels could not be encoded as PNG.
    #[error("could not encode the share card as PNG: {0}")]
    Png(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Draws the card as PNG bytes, `WIDTH` x `HEIGHT`.
pub fn render_png(card: &CardText) -> Result<Vec<u8>, ShareCardError> {
    let faces = typefaces();
    if let Some(name) = faces.broken {
        return Err(ShareCardError::Font(name));
    }
    let tree = usvg::Tree::from_str(&template::draw(card, faces), &faces.options)?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT).ok_or(ShareCardError::Canvas)?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|error| ShareCardError::Png(Box::new(error)))
}

/// The SVG the PNG is drawn from (exposed for tests and debugging).
pub fn svg(card: &CardText) -> String {
    template::draw(card, typefaces())
}

/// The fonts, loaded once: for resvg (a font database inside its options) and for measuring
/// lines (the same bytes, read with skrifa).
struct Typefaces {
    options: usvg::Options<'static>,
    regular: Option<FontRef<'static>>,
    bold: Option<FontRef<'static>>,
    /// The first font that did not load, if any.
    broken: Option<&'static str>,
}

/// The process's one copy of the fonts, loaded on first use.
fn typefaces() -> &'static Typefaces {
    static FACES: OnceLock<Typefaces> = OnceLock::new();
    FACES.get_or_init(|| {
        // A database of our two faces only: `Database::new` reads no system fonts, and the
        // generic families point at ours so that no name in the SVG can reach for another.
        let mut db = fontdb::Database::new();
        let mut broken = None;
        for (name, bytes) in [("DejaVuSans.ttf", REGULAR), ("DejaVuSans-Bold.ttf", BOLD)] {
            if db.load_font_source(fontdb::Source::Binary(Arc::new(bytes))).is_empty() {
                broken = broken.or(Some(name));
            }
        }
        db.set_sans_serif_family(FAMILY);
        db.set_serif_family(FAMILY);
        db.set_monospace_family(FAMILY);
        let options = usvg::Options {
            font_family: FAMILY.to_owned(),
            fontdb: Arc::new(db),
            // The template embeds no images: refusing every href means no text can ever make
            // resvg read a file or decode an image.
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: Box::new(|_, _, _| None),
                resolve_string: Box::new(|_, _| None),
            },
            ..usvg::Options::default()
        };
        let regular = FontRef::new(REGULAR).ok();
        let bold = FontRef::new(BOLD).ok();
        if regular.is_none() {
            broken = broken.or(Some("DejaVuSans.ttf"));
        }
        if bold.is_none() {
            broken = broken.or(Some("DejaVuSans-Bold.ttf"));
        }
        Typefaces { options, regular, bold, broken }
    })
}
