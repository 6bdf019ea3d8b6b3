//! Rendered Markdown for tricky documents, pinned as insta snapshots, and checked for anything that
//! could run script or restyle the page, whatever the snapshots say.

use guidepost::markdown::{plain_text, render_inline, render_post, MarkdownOptions};

/// Each case: a snapshot name and the Markdown a user might write.
const CASES: &[(&str, &str)] = &[
    (
        "nested_lists",
        r#"- fruit
  - apple
    1. green
    2. red
  - pear
- veg

3. starts at three
4. next
"#,
    ),
    (
        "table",
        r#"| Option | Default | Note |
|:-------|:-------:|-----:|
| `port` | 8080 | *can* change |
| host | — | \| escaped pipe |
"#,
    ),
    (
        "task_list",
        r#"- [x] write the code
- [ ] write the tests
  - [ ] nested task
"#,
    ),
    (
        "fenced_code_with_language",
        r#"```rust
fn main() {
    println!("<b>not bold</b> & done");
}
```

~~~C++ {.numberLines}
int x = 1;
~~~

```
no language
```

    indented code
"#,
    ),
    (
        "html_script",
        r#"Before <script>alert(1)</script> after

<script>
document.cookie
</script>
"#,
    ),
    (
        "html_img_onerror",
        r#"<img src=x onerror=alert(1)>

inline <img src="https://img.example/a.png" onerror="alert(1)" alt="a"> image
"#,
    ),
    (
        "html_javascript_link",
        r#"<a href="javascript:alert(1)">click</a> and
<a href="https://example.com" target="_blank" onclick="x()">ok</a>
"#,
    ),
    (
        "markdown_javascript_links",
        r#"[lower](javascript:alert(1)) [mixed](JaVaScRiPt:alert(1)) [entity](javascript&#58;alert(1))
[spaced](<java script:alert(1)>) [vb](vbscript:msgbox(1))

[ref]

[ref]: javascript:alert(1)
"#,
    ),
    (
        "html_iframe_style_svg",
        r#"<iframe src="https://evil.example"></iframe>

<style>body { display: none }</style>

<svg onload=alert(1)><circle r="5"/></svg>

inline <svg onload="alert(1)">x</svg> after
"#,
    ),
    (
        "html_harmless_tags",
        r#"Press <kbd>Ctrl</kbd>+<kbd>S</kbd>. H<sub>2</sub>O and E = mc<sup>2</sup>.
<span style="color: red" title="t">span</span> <!-- comment -->

<details><summary>More</summary>hidden</details>
"#,
    ),
    (
        "data_uris",
        r#"[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

![data image](data:image/png;base64,iVBORw0KGgo=)

<img src="data:image/svg+xml,<svg/onload=alert(1)>">
"#,
    ),
    (
        "images_http_vs_https",
        r#"![secure](https://img.example/a.png "A title")

![insecure](http://img.example/b.png)

![relative](/uploads/c.png)

![](https://img.example/no-alt.png)

[![linked](http://img.example/d.png)](https://example.com)
"#,
    ),
    (
        "autolinks",
        "<https://example.com/a?b=1&c=2> and <mailto:help@example.com> and <help@example.com> \
         but not https://bare.example.com\n",
    ),
    (
        "very_long_line",
        // One line of about 400 characters: `\` at the end of a source line continues it.
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et \
         dolore magna aliqua. https://example.com/a/very/long/path/that/goes/on/and/on/and/on/and/on/and/on/and/on\
         /and/on/and/on/and/on/and/on?with=query&and=more&and=even&more=parameters \
         `a_very_long_code_span_that_does_not_wrap_because_code_spans_do_not_wrap_in_most_layouts_at_all`\n",
    ),
    (
        "headings",
        r#"# H1
## H2
### H3
#### H4
##### H5
###### H6
####### not a heading

Setext one
==========

Setext two
----------

# Heading with *emphasis* and `code` {#custom-id}
"#,
    ),
    (
        "blockquotes",
        r#"> quoted
> > nested quote
>
> - list in quote

> [!NOTE]
> a GitHub alert stays a plain quote
"#,
    ),
    (
        "emphasis_edge_cases",
        r#"*a **b** c* __d__ _e_ snake_case_word 2*3*4 **unclosed *mixed** ~~strike~~ ~single~
***both*** \*escaped\* `*code*`
"#,
    ),
    (
        "unicode",
        // A zero-width space and a combining accent, written as escapes so they can be seen here.
        "Ünïcödé — “quotes” 日本語 العربية emoji 🎉 zero\u{200b}width e\u{301}\n\n# Überschrift\n\n\
         [链接](https://例子.example/路径)\n",
    ),
    ("hard_and_soft_breaks", "line one  \nline two\\\nline three\nline four\n\n---\n\n***\n"),
    ("entities_and_escapes", "&lt;script&gt; &amp;amp; &copy; &#x3C;b&#x3E; \\<b\\> 5 < 6 > 4 & done\n"),
];

/// Documents whose hostile-looking text is not markup, so it survives as (escaped) text: they are
/// snapshotted, but the literal check in `no_rendering_contains_script_handlers_or_styles` cannot apply.
const TEXT_MENTIONS: &[(&str, &str)] = &[
    ("text_mentions_svg_onload", "text <svg/onload=alert(1)> after\n"),
    ("text_mentions_javascript_autolink", "<javascript:alert(1)> and <JAVASCRIPT:alert(1)>\n"),
];

/// Everything the module renders for one document, as one reviewable block of text.
fn rendered(markdown: &str) -> String {
    let with_images = render_post(markdown, &MarkdownOptions { allow_images: true }).into_string();
    let without_images = render_post(markdown, &MarkdownOptions { allow_images: false }).into_string();
    let without_images =
        if without_images == with_images { "(same as with images)".to_owned() } else { without_images };
    format!(
        "=== markdown\n{markdown}\n=== post, images allowed\n{with_images}\n\
         === post, images not allowed\n{without_images}\n=== comment\n{}\n=== plain text\n{}\n",
        render_inline(markdown),
        plain_text(markdown)
    )
}

#[test]
fn markdown_snapshots() {
    for (name, markdown) in CASES.iter().chain(TEXT_MENTIONS) {
        insta::assert_snapshot!(*name, rendered(markdown));
    }
}

#[test]
fn hostile_text_that_is_not_markup_stays_inert_text() {
    for (name, markdown) in TEXT_MENTIONS {
        for html in [
            render_post(markdown, &MarkdownOptions { allow_images: true }).into_string(),
            render_inline(markdown).into_string(),
        ] {
            let lower = html.to_lowercase();
            assert!(!lower.contains("<svg") && !lower.contains("href=\"javascript:"), "{name}: {html}");
            assert!(!lower.contains("href"), "{name}: a link to a script URL kept its href: {html}");
        }
    }
}

/// Strings that must never appear in any rendered HTML, compared case-insensitively. (`plain_text`
/// is text, escaped when printed: `&lt;script&gt;` written by a user rightly comes back as `<script>`.)
const FORBIDDEN: [&str; 7] = ["<script", "javascript:", "vbscript:", "onerror", "onload", "style=", "<iframe"];

#[test]
fn no_rendering_contains_script_handlers_or_styles() {
    for (name, markdown) in CASES {
        let outputs = [
            render_post(markdown, &MarkdownOptions { allow_images: true }).into_string(),
            render_post(markdown, &MarkdownOptions { allow_images: false }).into_string(),
            render_inline(markdown).into_string(),
        ];
        for output in outputs {
            let lower = output.to_lowercase();
            for forbidden in FORBIDDEN {
                assert!(!lower.contains(forbidden), "{name}: found {forbidden:?} in {output}");
            }
        }
    }
}

#[test]
fn every_link_carries_the_user_content_rel() {
    for (name, markdown) in CASES {
        let html = render_post(markdown, &MarkdownOptions { allow_images: true }).into_string();
        assert_eq!(
            html.matches("<a ").count(),
            html.matches(" rel=\"nofollow ugc noopener\"").count(),
            "{name}: {html}"
        );
    }
}

#[test]
fn images_only_load_over_https() {
    for (name, markdown) in CASES {
        let html = render_post(markdown, &MarkdownOptions { allow_images: true }).into_string();
        for (at, _) in html.match_indices(" src=\"") {
            assert!(html[at..].starts_with(" src=\"https://"), "{name}: {html}");
        }
        let without = render_post(markdown, &MarkdownOptions { allow_images: false }).into_string();
        assert!(!without.contains("<img"), "{name}: {without}");
    }
}

#[test]
fn comments_contain_no_block_elements() {
    let blocks = ["<p", "<h", "<ul", "<ol", "<li", "<pre", "<table", "<blockquote", "<img", "<br", "<div"];
    for (name, markdown) in CASES {
        let html = render_inline(markdown).into_string();
        for block in blocks {
            assert!(!html.contains(block), "{name}: found {block:?} in {html}");
        }
    }
}

/// Nesting that took html5ever seconds before the limits (20 KB of `>` is 20,000 nested quotes, and
/// took 25 s here in a debug build) must stay cheap; the bound is loose so a busy machine passes.
#[test]
fn pathological_nesting_renders_quickly() {
    let documents = [
        ">".repeat(20_000),
        "- ".repeat(10_000),
        format!("{}a{}", "*".repeat(10_000), "*".repeat(10_000)),
        "*a ".repeat(20_000),
        "[".repeat(20_000),
        "<div>".repeat(20_000),
        "<div>\n".repeat(20_000),
    ];
    for markdown in documents {
        let started = std::time::Instant::now();
        let html = render_post(&markdown, &MarkdownOptions { allow_images: true });
        render_inline(&markdown);
        plain_text(&markdown);
        let elapsed = started.elapsed();
        assert!(elapsed < std::time::Duration::from_secs(5), "{:?}...: {elapsed:?}", &markdown[..10]);
        assert!(!html.as_str().contains("<div"));
    }
}
