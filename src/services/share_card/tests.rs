use std::time::Instant;

use resvg::tiny_skia::Pixmap;

use super::wrap::{self, Ruler, ELLIPSIS};
use super::*;

fn sample() -> CardText {
    CardText {
        site_name: "Acme Support".into(),
        accent: "#1f6feb".into(),
        title: "Why did my red widget stop working after it was left out in the rain?".into(),
        official: false,
        answer_label: Some("Accepted answer".into()),
        excerpt: "Widgets are sealed against splashes, not against standing water. If yours sat in a \
                  puddle, unscrew the back plate, let it dry for a day with the battery out, and \
                  then reset it by holding the red button for ten seconds. If the light blinks \
                  amber after that, the moisture sensor tripped and the widget needs a service \
                  visit, which the warranty covers for the first two years."
            .into(),
        footer: "3 answers · support.acme.test".into(),
    }
}

fn pixels(png: &[u8]) -> Pixmap {
    Pixmap::decode_png(png).unwrap()
}

/// The `<text>` element of the SVG that holds `needle`, tspans and all.
fn text_element<'a>(svg: &'a str, needle: &str) -> &'a str {
    let at = svg.find(needle).unwrap();
    let start = svg[..at].rfind("<text").unwrap();
    let end = at + svg[at..].find("</text>").unwrap();
    &svg[start..end]
}

#[test]
fn a_card_is_a_png_of_open_graph_size() {
    let started = Instant::now();
    let png = render_png(&sample()).unwrap();
    eprintln!("share card: {} bytes, drawn in {:.1} ms", png.len(), started.elapsed().as_secs_f64() * 1000.0);
    // Again, with the fonts already loaded: what every card after the first costs.
    let started = Instant::now();
    let png = render_png(&sample()).unwrap();
    eprintln!(
        "share card: {} bytes, drawn in {:.1} ms (fonts loaded)",
        png.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    let image = pixels(&png);
    assert_eq!((image.width(), image.height()), (WIDTH, HEIGHT));
}

/// To look at the cards: `SHARE_CARD_DIR=/tmp cargo test --lib share_card` writes a few there.
#[test]
fn sample_cards_can_be_looked_at() {
    let Some(dir) = std::env::var_os("SHARE_CARD_DIR") else { return };
    let dir = std::path::PathBuf::from(dir);
    let samples = [
        ("card.png", sample()),
        ("card-official.png", CardText { official: true, ..sample() }),
        (
            "card-long.png",
            CardText {
                title: "How do I keep the widget's network settings when the firmware updates itself \
                        overnight and the configuration wizard starts again from the beginning?"
                    .into(),
                answer_label: Some("Answer by jane.doe-with-a-rather-long-name".into()),
                accent: "#8a2be2".into(),
                ..sample()
            },
        ),
        (
            "card-unanswered.png",
            CardText {
                title: "Reset button does nothing".into(),
                answer_label: None,
                footer: "No answers yet · support.acme.test".into(),
                ..sample()
            },
        ),
    ];
    for (name, card) in samples {
        std::fs::write(dir.join(name), render_png(&card).unwrap()).unwrap();
    }
}

#[test]
fn an_official_answer_wears_the_badge() {
    let plain = sample();
    let official = CardText { official: true, ..sample() };
    assert!(svg(&official).contains("Official answer"));
    assert!(!svg(&plain).contains("Official answer"));
    // The badge replaces the label.
    assert!(!svg(&official).contains("Accepted answer"));
    assert_ne!(render_png(&plain).unwrap(), render_png(&official).unwrap());
}

#[test]
fn the_text_is_drawn_with_the_bundled_fonts() {
    // Were the fonts missing, resvg would drop the text and both cards would be the same image.
    let other = CardText { excerpt: "Try turning it off and on again.".into(), ..sample() };
    assert_ne!(render_png(&sample()).unwrap(), render_png(&other).unwrap());
    let no_label = CardText { answer_label: None, ..sample() };
    assert_ne!(render_png(&sample()).unwrap(), render_png(&no_label).unwrap());
}

#[test]
fn user_text_is_escaped() {
    let hostile = r#"</text><script>alert(1)</script> & "x" 'y'"#;
    let card = CardText {
        site_name: hostile.into(),
        title: hostile.into(),
        answer_label: Some(hostile.into()),
        excerpt: hostile.into(),
        footer: hostile.into(),
        ..sample()
    };
    let svg = svg(&card);
    assert!(!svg.contains("<script"), "{svg}");
    assert!(
        svg.contains("&lt;&#x2F;text&gt;&lt;script&gt;alert(1)&lt;&#x2F;script&gt; &amp; &quot;x&quot; &#x27;y&#x27;"),
        "{svg}"
    );
    let image = pixels(&render_png(&card).unwrap());
    assert_eq!((image.width(), image.height()), (WIDTH, HEIGHT));
}

#[test]
fn an_accent_that_does_not_parse_falls_back_to_the_default() {
    let drawn_with = |accent: &str| svg(&CardText { accent: accent.into(), ..sample() });
    let hostile = drawn_with("red\" onload=\"x");
    assert!(hostile.contains(r##"fill="#1f6feb""##) && !hostile.contains("onload"), "{hostile}");
    assert!(drawn_with("").contains(r##"fill="#1f6feb""##));
    assert_eq!(super::template::DEFAULT_ACCENT.to_string(), crate::site_settings::colour::CSS_ACCENT);
    assert!(drawn_with("#8A2BE2").contains(r##"fill="#8a2be2""##));
}

#[test]
fn long_text_is_cut_with_an_ellipsis_within_its_lines() {
    let long = "Why does the widget's configuration wizard keep forgetting the network settings \
                every time the firmware updates itself overnight, even though I saved them twice \
                and the manual says they persist across updates and restarts?"
        .repeat(3);
    let card = CardText { title: long.clone(), excerpt: long.repeat(5), ..sample() };
    let svg = svg(&card);
    let title = text_element(&svg, "Why does");
    assert_eq!(title.matches("<tspan").count(), 3, "{title}");
    assert!(title.ends_with(&format!("{ELLIPSIS}</tspan>")), "{title}");
    let excerpt = text_element(&svg, r##"fill="#3d3d3d""##);
    let excerpt_lines = excerpt.matches("<tspan").count();
    assert!((1..=5).contains(&excerpt_lines), "{excerpt}");
    assert!(excerpt.ends_with(&format!("{ELLIPSIS}</tspan>")), "{excerpt}");
    render_png(&card).unwrap();

    // A short title leaves room for the longest excerpt.
    let short = CardText { title: "Reset?".into(), excerpt: long.repeat(5), ..sample() };
    let svg = super::svg(&short);
    assert_eq!(text_element(&svg, r##"fill="#3d3d3d""##).matches("<tspan").count(), 5);
}

#[test]
fn lines_fit_their_width_and_long_words_are_broken() {
    let faces = typefaces();
    let ruler = Ruler::new(faces.regular.as_ref(), 28.0);
    let url = format!("see https://support.acme.test/{} for details", "x".repeat(300));
    let wrapped = wrap::wrap(&url, &ruler, 600.0, 4);
    assert_eq!(wrapped.lines.len(), 4);
    assert!(wrapped.cut);
    assert!(wrapped.lines.iter().all(|line| ruler.width(line) <= 600.0), "{wrapped:?}");
    assert!(wrapped.lines[0].starts_with("see https://support"), "{wrapped:?}");
    assert!(wrapped.lines[3].ends_with(ELLIPSIS));

    let fits = wrap::wrap("Short and sweet.", &ruler, 600.0, 4);
    assert_eq!((fits.lines, fits.cut), (vec!["Short and sweet.".to_string()], false));
}

#[test]
fn whitespace_collapses_and_control_characters_go() {
    assert_eq!(wrap::plain("  one\n\n two\t\tthree\r\n"), "one two three");
    assert_eq!(wrap::plain("bell\u{7}nul\u{0}escape\u{1b}[0m\u{FFFF}"), "bell nul escape [0m");
    let card = CardText {
        title: "Line one\nline two\u{0}\u{8}".into(),
        excerpt: "Tab\there,\u{1b} escape; emoji 🙂 and 漢字 the font lacks".into(),
        ..sample()
    };
    assert!(svg(&card).contains("Line one line two<"));
    render_png(&card).unwrap();
}

#[test]
fn an_empty_card_still_draws() {
    let image = pixels(&render_png(&CardText::default()).unwrap());
    assert_eq!((image.width(), image.height()), (WIDTH, HEIGHT));
}
