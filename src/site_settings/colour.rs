//! The accent colour: reading `#rrggbb`, and the WCAG 2 contrast check that keeps button text
//! readable. The formulas are WCAG 2.2's own definitions of relative luminance and contrast
//! ratio (a few lines of arithmetic), so no colour library is pulled in for them.

use std::fmt;

/// The accent `assets/css/site.css` has when no one chose another.
pub const CSS_ACCENT: &str = "#1f6feb";

/// The least contrast WCAG AA asks of normal-size text (success criterion 1.4.3).
pub const MIN_CONTRAST: f64 = 4.5;

/// What sits on the accent in each theme of `assets/css/site.css`: the button text colour
/// (`--accent-fg`), which is drawn on the accent on buttons, current tabs, badges and counters.
pub const PAIRED_WITH: [(&str, Rgb); 2] =
    [("light theme", Rgb(0xff, 0xff, 0xff)), ("dark theme", Rgb(0xff, 0xff, 0xff))];

/// A colour in sRGB, eight bits a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Reads `#rrggbb` or `#rgb` (either case, the `#` optional).
    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.trim().trim_start_matches('#');
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |s: &str| u8::from_str_radix(s, 16).ok();
        match hex.len() {
            6 => Some(Rgb(channel(&hex[0..2])?, channel(&hex[2..4])?, channel(&hex[4..6])?)),
            3 => {
                let short = |i: usize| channel(&hex[i..=i]).map(|v| v * 17);
                Some(Rgb(short(0)?, short(1)?, short(2)?))
            }
            _ => None,
        }
    }

    /// WCAG 2's relative luminance: 0 for black, 1 for white.
    pub fn luminance(self) -> f64 {
        let linear = |channel: u8| {
            let c = f64::from(channel) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// WCAG 2's contrast ratio between two colours, from 1 (none) to 21 (black on white).
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a >= b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// The colour mixed with `share` of black: the stronger shade buttons use. Darker than the
    /// accent, it only gains contrast against the light text drawn on it.
    pub fn darker(self, share: f64) -> Rgb {
        let keep = |c: u8| (f64::from(c) * (1.0 - share)).round().clamp(0.0, 255.0) as u8;
        Rgb(keep(self.0), keep(self.1), keep(self.2))
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Reads an accent colour and checks that button text stays readable on it in every theme;
/// the error says which pairing falls short and by how much.
pub fn accent(text: &str) -> Result<Rgb, String> {
    let colour = Rgb::parse(text)
        .ok_or_else(|| format!("`{}` is not a colour like #1f6feb (a # and six hex digits).", text.trim()))?;
    for (theme, paired) in PAIRED_WITH {
        let ratio = colour.contrast(paired);
        if ratio < MIN_CONTRAST {
            return Err(format!(
                "Button text ({paired}) on {colour} has a contrast of {ratio:.2}:1 in the {theme}; it needs at \
                 least {MIN_CONTRAST}:1 to be readable (WCAG AA). Choose a darker colour."
            ));
        }
    }
    Ok(colour)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_published_figures() {
        let white = Rgb(255, 255, 255);
        assert!((Rgb(0, 0, 0).contrast(white) - 21.0).abs() < 1e-9);
        // #777777 on white is the classic "just fails AA" grey: 4.48:1.
        assert!((Rgb::parse("#777").unwrap().contrast(white) - 4.48).abs() < 0.01);
        assert!((Rgb::parse("#767676").unwrap().contrast(white) - 4.54).abs() < 0.01);
    }

    #[test]
    fn accents_are_checked_against_button_text() {
        assert_eq!(accent(CSS_ACCENT).unwrap().to_string(), CSS_ACCENT);
        assert_eq!(accent(" #8A2BE2 ").unwrap().to_string(), "#8a2be2");
        assert!(accent("#ffff00").unwrap_err().contains("contrast"));
        assert!(accent("blue").unwrap_err().contains("not a colour"));
        assert!(accent("#12345").is_err() && accent("#ggg").is_err() && accent("").is_err());
        assert_eq!(Rgb::parse("#abc"), Some(Rgb(0xaa, 0xbb, 0xcc)));
    }

    #[test]
    fn the_darker_shade_only_gains_contrast() {
        let accent = Rgb::parse(CSS_ACCENT).unwrap();
        assert!(accent.darker(0.15).contrast(PAIRED_WITH[0].1) > accent.contrast(PAIRED_WITH[0].1));
    }
}
