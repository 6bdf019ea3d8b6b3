//! Unit tests for the rendering rules: one test per rule, on the smallest input that shows it.

use super::rewrite::{code_language, neutralize_block_syntax};
use super::{plain_text, plain_text_prefix, render_inline, render_page, render_post, MarkdownOptions, SafeHtml};

const IMAGES: MarkdownOptions = MarkdownOptions { allow_images: true };
const NO_IMAGES: MarkdownOptions = MarkdownOptions { allow_images: false };

fn post(markdown: &str) -> String {
    render_post(markdown, &IMAGES).into_string()
}

fn post_without_images(markdown: &str) -> String {
    render_post(markdown, &NO_IMAGES).into_string()
}

fn comment(markdown: &str) -> String {
    render_inline(markdown).into_string()
}

#[test]
fn markdown_paragraphs_and_emphasis_render() {
    assert_eq!(
        post("Hello *world* and **you** and ~~not~~"),
        "<p>Hello <em>world</em> and <strong>you</strong> and <del>not</del></p>\n"
    );
}

#[test]
fn markdown_headings_are_demoted_two_levels() {
    assert_eq!(
        post("# One\n## Two\n### Three\n#### Four\n###### Six"),
        "<h3>One</h3>\n<h4>Two</h4>\n<h5>Three</h5>\n<h6>Four</h6>\n<h6>Six</h6>\n"
    );
}

#[test]
fn markdown_raw_h1_is_unwrapped_to_text() {
    assert_eq!(post("<h1>Big</h1>"), "Big");
}

#[test]
fn markdown_code_block_keeps_a_clean_language_class_and_is_focusable() {
    assert_eq!(
        post("```Rust\nfn main() {}\n```"),
        "<pre tabindex=\"0\"><code class=\"language-rust\">fn main() {}\n</code></pre>\n"
    );
    let hostile = post("```\"><script>alert(1)</script>\nx\n```");
    assert!(hostile.contains("<code class=\"language-scriptalert1script\">"), "{hostile}");
    assert_eq!(post("```\nplain\n```"), "<pre tabindex=\"0\"><code>plain\n</code></pre>\n");
}

#[test]
fn markdown_code_language_is_reduced_to_safe_characters() {
    assert_eq!(code_language("c++"), "c++");
    assert_eq!(code_language("C#"), "c#");
    assert_eq!(code_language("rust,ignore"), "rust");
    assert_eq!(code_language("objective_c extra words"), "objectivec");
    assert_eq!(code_language("{.python}"), "");
    assert_eq!(code_language(&"a".repeat(100)).len(), 32);
}

#[test]
fn markdown_raw_code_class_other_than_language_is_removed() {
    assert_eq!(post("<code class=\"evil\">x</code>"), "<p><code>x</code></p>\n");
    assert_eq!(post("<code class=\"language-go\">x</code>"), "<p><code class=\"language-go\">x</code></p>\n");
}

#[test]
fn markdown_links_get_rel_and_keep_safe_schemes() {
    assert_eq!(
        post("[a](https://example.com) [b](/questions/1) [c](mailto:x@example.com)"),
        "<p><a href=\"https://example.com\" rel=\"nofollow ugc noopener\">a</a> \
         <a href=\"/questions/1\" rel=\"nofollow ugc noopener\">b</a> \
         <a href=\"mailto:x@example.com\" rel=\"nofollow ugc noopener\">c</a></p>\n"
    );
}

#[test]
fn markdown_script_urls_are_removed_from_links() {
    for url in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)", "data:text/html,<b>x</b>"] {
        let html = post(&format!("[x]({url})"));
        assert!(!html.contains("href"), "{url} -> {html}");
    }
    let html = post("<a href=\"javascript:alert(1)\">x</a> <a href=\" java\tscript:alert(1)\">y</a>");
    assert!(!html.contains("href"), "{html}");
}

#[test]
fn markdown_event_handlers_and_styles_are_removed() {
    let html = post("<p onclick=\"x()\" style=\"color:red\" class=\"c\" id=\"i\">hi</p>");
    assert_eq!(html, "<p>hi</p>");
}

#[test]
fn markdown_script_style_and_iframe_vanish_with_their_content() {
    assert_eq!(post("a <script>alert(1)</script> b"), "<p>a  b</p>\n");
    assert_eq!(post("<style>p{}</style>\n\nok"), "\n<p>ok</p>\n");
    assert_eq!(post("<iframe src=\"https://evil.example\">x</iframe>\n\nok"), "\n<p>ok</p>\n");
    // Not an HTML block (more follows the tag on its line), so it sits in a paragraph.
    assert_eq!(post("<svg onload=\"alert(1)\"><text>x</text></svg>\n\nok"), "<p></p>\n<p>ok</p>\n");
}

#[test]
fn markdown_harmless_raw_html_is_kept() {
    assert_eq!(
        post("Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup>"),
        "<p>Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup></p>\n"
    );
}

#[test]
fn markdown_https_images_are_lazy_and_others_become_links() {
    assert_eq!(
        post("![cat](https://img.example/cat.png)"),
        "<p><img src=\"https://img.example/cat.png\" alt=\"cat\" loading=\"lazy\"></p>\n"
    );
    assert_eq!(
        post("![cat](http://img.example/cat.png)"),
        "<p><a href=\"http://img.example/cat.png\" rel=\"nofollow ugc noopener\">cat</a></p>\n"
    );
    assert_eq!(
        post_without_images("![cat](https://img.example/cat.png)"),
        "<p><a href=\"https://img.example/cat.png\" rel=\"nofollow ugc noopener\">cat</a></p>\n"
    );
    assert_eq!(
        post_without_images("![](https://img.example/cat.png)"),
        "<p><a href=\"https://img.example/cat.png\" rel=\"nofollow ugc noopener\">https://img.example/cat.png</a></p>\n"
    );
}

#[test]
fn markdown_image_inside_a_link_becomes_its_alt_text_when_not_shown() {
    assert_eq!(
        post_without_images("[![cat](https://img.example/cat.png)](https://example.com)"),
        "<p><a href=\"https://example.com\" rel=\"nofollow ugc noopener\">cat</a></p>\n"
    );
}

#[test]
fn markdown_raw_images_need_https_and_permission() {
    assert_eq!(
        post("<img src=\"https://img.example/a.png\" alt=\"a\">"),
        "<img src=\"https://img.example/a.png\" alt=\"a\" loading=\"lazy\">"
    );
    assert_eq!(post("<img src=\"http://img.example/a.png\" alt=\"a\">"), "<img loading=\"lazy\" alt=\"a\">");
    assert_eq!(post("<img src=\"data:image/png;base64,AAAA\">"), "<img loading=\"lazy\">");
    assert_eq!(post_without_images("<img src=\"https://img.example/a.png\" alt=\"a\">"), "");
}

#[test]
fn markdown_task_lists_are_disabled_checkboxes() {
    assert_eq!(
        post("- [x] done\n- [ ] todo"),
        "<ul>\n<li><input disabled=\"\" checked=\"\" type=\"checkbox\">\ndone</li>\n\
         <li><input disabled=\"\" type=\"checkbox\">\ntodo</li>\n</ul>\n"
    );
    assert_eq!(post("<input type=\"text\" name=\"q\" value=\"x\">"), "<input type=\"checkbox\">");
}

#[test]
fn markdown_table_alignment_does_not_produce_styles() {
    let html = post("| a | b |\n|:--|--:|\n| 1 | 2 |");
    assert_eq!(
        html,
        "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n<tr><td>1</td><td>2</td></tr>\n</tbody></table>\n"
    );
}

#[test]
fn markdown_footnotes_are_not_enabled() {
    let html = post("Text[^1]\n\n[^1]: Note");
    assert!(!html.contains("id="), "{html}");
}

#[test]
fn markdown_comment_renders_inline_markup_without_a_paragraph() {
    assert_eq!(
        comment("*a* **b** `c` ~~d~~ [e](https://example.com)"),
        "<em>a</em> <strong>b</strong> <code>c</code> <del>d</del> \
         <a href=\"https://example.com\" rel=\"nofollow ugc noopener\">e</a>"
    );
}

#[test]
fn markdown_comment_shows_block_syntax_as_typed() {
    assert_eq!(comment("# not a heading"), "# not a heading");
    assert_eq!(comment("> not a quote"), "&gt; not a quote");
    assert_eq!(comment("- one\n- two"), "- one\n- two");
    assert_eq!(comment("1. one\n2) two"), "1. one\n2) two");
    assert_eq!(comment("Title\n---"), "Title\n---");
    assert_eq!(comment("```\ncode\n```"), "```\ncode\n```");
    assert_eq!(comment("~~~\ncode\n~~~"), "~~~\ncode\n~~~");
    assert_eq!(comment("    indented"), "indented");
}

#[test]
fn markdown_comment_flattens_paragraphs_and_drops_images_and_blocks() {
    assert_eq!(comment("one\n\ntwo"), "one two");
    assert_eq!(
        comment("![cat](https://img.example/cat.png)"),
        "<a href=\"https://img.example/cat.png\" rel=\"nofollow ugc noopener\">cat</a>"
    );
    assert_eq!(comment("<div><h1>x</h1><ul><li>y</li></ul></div>"), "xy");
    assert_eq!(comment("hard  \nbreak"), "hard\nbreak");
}

#[test]
fn markdown_neutralizing_keeps_inline_syntax_at_line_start() {
    assert_eq!(neutralize_block_syntax("*em* and **strong**"), "*em* and **strong**");
    assert_eq!(neutralize_block_syntax("``code``"), "``code``");
    assert_eq!(neutralize_block_syntax("```code```"), "```code```");
    assert_eq!(neutralize_block_syntax("2024 was good"), "2024 was good");
    assert_eq!(neutralize_block_syntax("-1 is less"), "-1 is less");
    assert_eq!(comment("*em* at start"), "<em>em</em> at start");
}

#[test]
fn markdown_plain_text_drops_markup_and_collapses_whitespace() {
    assert_eq!(
        plain_text(concat!(
            "# Title\n\nSome *emphasis*, a [link](https://x.example) and `code`.\n\n",
            "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        )),
        "Title Some emphasis, a link and code. one two a b 1 2"
    );
    assert_eq!(plain_text("- outer\n  - inner"), "outer inner");
    assert_eq!(plain_text("![alt text](https://img.example/x.png)"), "alt text");
}

#[test]
fn markdown_plain_text_strips_raw_html_and_script_content() {
    assert_eq!(plain_text("<div>\n<b>bold</b> &amp; &lt;tag&gt;\n</div>"), "bold & <tag>");
    assert_eq!(plain_text("<script>\nalert(1)\n</script>\n\nafter"), "after");
    assert_eq!(plain_text("a <SCRIPT>alert(1)</script> b <kbd>K</kbd>"), "a b K");
    assert_eq!(plain_text("x &amp;lt; y"), "x &lt; y");
    assert_eq!(plain_text("a <svg><text>drawn</text></svg> b <svg/> c"), "a b c");
}

#[test]
fn markdown_safe_html_serializes_and_displays_as_a_plain_string() {
    let html = render_post("*a*", &IMAGES);
    assert_eq!(serde_json::to_string(&html).unwrap(), "\"<p><em>a</em></p>\\n\"");
    assert_eq!(html.to_string(), html.as_str());
    assert_eq!(SafeHtml::from_trusted_db("<p>x</p>".to_owned()).as_str(), "<p>x</p>");
}

#[test]
fn markdown_nesting_beyond_the_limit_keeps_the_text_but_not_the_elements() {
    let html = post(&format!("{}deep", "> ".repeat(100)));
    assert_eq!(html.matches("<blockquote>").count(), 32, "{html}");
    assert_eq!(html.matches("</blockquote>").count(), 32, "{html}");
    assert!(html.contains("deep"));
}

#[test]
fn markdown_raw_html_beyond_the_tag_budget_shows_as_text() {
    let many = "<kbd>k</kbd>".repeat(2_001);
    let html = post(&many);
    assert_eq!(html.matches("<kbd>").count(), 2_000, "{}", &html[html.len() - 200..]);
    assert!(html.ends_with("k&lt;/kbd&gt;</p>\n"), "{}", &html[html.len() - 200..]);
    assert!(!plain_text(&format!("<div>\n{}\n</div>", "<b>x</b>".repeat(3_000))).contains('x'));
}

#[test]
fn plain_text_prefix_is_exactly_the_start_of_plain_text() {
    let samples = [
        "",
        "   ",
        "One short line.",
        "# Title\n\nA *first* paragraph with `code` and a [link](https://example.com).\n\n- one\n- two\n",
        "Text <script>alert('hidden')</script> after the script, then more words to read.",
        "<div>\n<p>An HTML block</p>\n</div>\n\nThen prose that follows it, long enough to cut.",
        "```rust\nfn main() {}\n```\n\nA paragraph after code with    many   spaces\tand tabs.",
        "See [the docs][docs] for more, then keep reading this sentence.\n\n[docs]: https://example.com/docs",
        "Accents: résumé, café, naïve — and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    ];
    for markdown in samples {
        let full = plain_text(markdown);
        for at_least in 0..full.chars().count() + 3 {
            let prefix = plain_text_prefix(markdown, at_least);
            assert!(full.starts_with(&prefix), "{markdown:?} at {at_least}: {prefix:?} does not start {full:?}");
            assert!(
                prefix.chars().count() >= at_least || prefix == full,
                "{markdown:?} at {at_least}: {prefix:?} is too short"
            );
        }
    }
}

#[test]
fn markdown_link_and_image_urls_never_carry_control_characters() {
    // Entities decode to C0 controls inside the attribute; a sanitised URL must not keep them.
    let obfuscated = "java&#1&#2&#3&#4&#5&#6&#7&#8&#11&#12script:javascript:alert(1)";
    for source in [
        format!("<a href={obfuscated}>x</a>"),
        format!("<a href=\"{obfuscated}\">x</a>"),
        "<img src=\"https://example.com/&#1;a.png\" alt=\"x\">".to_owned(),
        "[x](<java\u{1}script:alert(1)>)".to_owned(),
        "<a href=\"/questions/1&#9;x\">tab</a>".to_owned(),
    ] {
        for html in [post(&source), comment(&source)] {
            for url in urls_in(&html) {
                assert!(!url.chars().any(char::is_control), "{source:?} rendered as {html:?}");
                // However a browser resolves what is left, it lands on an allowed scheme.
                let resolved = url::Url::parse("https://forum.test/q/1").and_then(|base| base.join(url));
                assert!(
                    resolved.is_ok_and(|u| ["http", "https", "mailto"].contains(&u.scheme())),
                    "{source:?} rendered as {html:?}"
                );
            }
        }
    }
    assert_eq!(post("[x](/questions/1)"), "<p><a href=\"/questions/1\" rel=\"nofollow ugc noopener\">x</a></p>\n");
}

/// The values of every `href` and `src` attribute in some rendered HTML.
fn urls_in(html: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    for marker in ["href=\"", "src=\""] {
        for (at, _) in html.match_indices(marker) {
            let rest = &html[at + marker.len()..];
            urls.push(&rest[..rest.find('"').unwrap_or(rest.len())]);
        }
    }
    urls
}

#[test]
fn site_pages_put_headings_just_below_the_page_title() {
    let html =
        render_page("# Rules\n\n## Asking\n\n###### Small\n\n![logo](https://example.com/l.png) <script>x</script>");
    assert!(html.as_str().contains("<h2>Rules</h2>") && html.as_str().contains("<h3>Asking</h3>"), "{html}");
    assert!(html.as_str().contains("<h6>Small</h6>"), "{html}");
    assert!(html.as_str().contains("<img src=\"https://example.com/l.png\""), "{html}");
    assert!(!html.as_str().contains("script"), "{html}");
    assert!(render_post("# Title", &IMAGES).as_str().contains("<h3>Title</h3>"), "posts keep their two levels");
}
