//! Markdown in, allow-listed HTML out, whatever the input.
//!
//! The first byte picks the renderer (a post with or without images, or a comment); the rest is
//! the Markdown. The output is checked three ways, none of them trusting the sanitiser:
//! - a strict reading of the serialised HTML finds only allow-listed tags and attributes,
//!   balanced, no comment, no raw `<` or `>` in text, and no URL with a control character or a
//!   scheme outside `URL_SCHEMES` (images: https only);
//! - parsed as a browser parses it (html5ever 0.38, scripting on, inside a `<div>`, not the
//!   parser ammonia uses), the tree holds only allow-listed elements and attributes: this is
//!   where mutation XSS (markup that changes meaning when parsed again) would show;
//! - sanitising the output again with the same policy removes nothing: the same text, tags and
//!   attribute values. It need not give the same string: ammonia unwraps disallowed elements
//!   after parsing, which can nest elements a parser never nests (`<p>a<button><p>b` gives
//!   `<p>a<p>b</p></p>`), and parsing that again splits them.

#![no_main]

use std::collections::BTreeSet;

use guidepost::markdown::policy;
use guidepost::markdown::{render_inline, render_post, MarkdownOptions};
use html5ever::tendril::TendrilSink;
use html5ever::{local_name, ns, parse_fragment, ParseOpts, QualName};
use libfuzzer_sys::fuzz_target;
use markup5ever_rcdom::{Handle, NodeData, RcDom};

/// Elements serialised without a closing tag.
const VOID: [&str; 4] = ["br", "hr", "img", "input"];

#[derive(Clone, Copy, Debug)]
enum Renderer {
    Post { allow_images: bool },
    Comment,
}

/// What a piece of HTML says, as far as sanitising goes.
#[derive(Debug, Default, PartialEq, Eq)]
struct Content {
    /// Its text, whitespace dropped and sorted: parsing again may move text (out of a table, say).
    text: Vec<char>,
    tags: BTreeSet<String>,
    attributes: BTreeSet<(String, String)>,
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, markdown)) = data.split_first() else { return };
    let markdown = String::from_utf8_lossy(markdown);
    let renderer = match selector % 3 {
        0 => Renderer::Post { allow_images: true },
        1 => Renderer::Post { allow_images: false },
        _ => Renderer::Comment,
    };
    let html = match renderer {
        Renderer::Post { allow_images } => render_post(&markdown, &MarkdownOptions { allow_images }).into_string(),
        Renderer::Comment => render_inline(&markdown).into_string(),
    };
    let content = match check(&html, renderer) {
        Ok(content) => content,
        Err(problem) => panic!("{problem} ({renderer:?}) in {html:?}"),
    };
    if let Err(problem) = check_tree(&html, renderer) {
        panic!("parsed again: {problem} ({renderer:?}) in {html:?}");
    }
    let sanitiser = match renderer {
        Renderer::Post { allow_images: true } => policy::post_with_images(),
        Renderer::Post { allow_images: false } => policy::post_without_images(),
        Renderer::Comment => policy::inline(),
    };
    let again = sanitiser.clean(&html).to_string();
    match check(&again, renderer) {
        Ok(again_content) => assert_eq!(content, again_content, "sanitising again changed {html:?} into {again:?}"),
        Err(problem) => panic!("sanitised again: {problem} ({renderer:?}) in {again:?}"),
    }
});

/// Parses `html` as a browser would inside the page's `<div>` and checks every node.
fn check_tree(html: &str, renderer: Renderer) -> Result<(), String> {
    let context = QualName::new(None, ns!(html), local_name!("div"));
    let dom = parse_fragment(RcDom::default(), ParseOpts::default(), context, Vec::new(), true).one(html);
    // The fragment parser puts everything under an `<html>` root of its own.
    let roots = dom.document.children.borrow().clone();
    let [root] = roots.as_slice() else { return Err(format!("{} roots", roots.len())) };
    let mut pending: Vec<Handle> = root.children.borrow().clone();
    while let Some(node) = pending.pop() {
        match &node.data {
            NodeData::Element { name, attrs, .. } => {
                let local = name.local.to_string();
                if name.ns != ns!(html) {
                    return Err(format!("<{local}> in namespace {:?}", name.ns));
                }
                let attributes: Vec<(String, String)> = attrs
                    .borrow()
                    .iter()
                    .map(|a| {
                        let prefix = a.name.prefix.as_ref().map(|p| format!("{p}:")).unwrap_or_default();
                        (format!("{prefix}{}", a.name.local), a.value.to_string())
                    })
                    .collect();
                check_element(&local, &attributes, renderer)?;
            }
            NodeData::Text { .. } => {}
            NodeData::Comment { contents } => return Err(format!("comment {contents:?}")),
            NodeData::Doctype { .. } | NodeData::ProcessingInstruction { .. } => {
                return Err("markup declaration".into())
            }
            NodeData::Document => return Err("nested document".into()),
        }
        pending.extend(node.children.borrow().iter().cloned());
    }
    Ok(())
}

/// Reads html5ever's serialisation strictly; any surprise is an error.
fn check(html: &str, renderer: Renderer) -> Result<Content, String> {
    let mut content = Content::default();
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end = tag_end(rest).ok_or("unterminated tag")?;
                let (tag, after) = (&rest[1..end], &rest[end + 1..]);
                rest = after;
                if let Some(name) = tag.strip_prefix('/') {
                    match open.pop() {
                        Some(opened) if opened == name => {}
                        other => return Err(format!("</{name}> closes {other:?}")),
                    }
                } else {
                    let (name, attributes) = start_tag(tag, html)?;
                    check_element(&name, &attributes, renderer)?;
                    for (attribute, value) in attributes {
                        content.attributes.insert((format!("{name} {attribute}"), value));
                    }
                    if !VOID.contains(&name.as_str()) {
                        open.push(name.clone());
                    }
                    content.tags.insert(name);
                }
            }
            '>' => return Err("raw `>` in text".into()),
            '&' => {
                let (entity, text) = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&nbsp;", '\u{a0}')]
                    .into_iter()
                    .find(|(e, _)| rest.starts_with(e))
                    .ok_or_else(|| format!("unexpected entity at {:?}", rest.chars().take(12).collect::<String>()))?;
                content.text.push(text);
                rest = &rest[entity.len()..];
            }
            _ => {
                content.text.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if let Some(name) = open.pop() {
        return Err(format!("<{name}> never closed"));
    }
    content.text.retain(|c| !c.is_whitespace());
    content.text.sort_unstable();
    Ok(content)
}

/// Where the tag starting `rest` ends: its first `>` outside a quoted attribute value.
fn tag_end(rest: &str) -> Option<usize> {
    let mut quoted = false;
    for (at, c) in rest.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return Some(at),
            _ => {}
        }
    }
    None
}

/// Splits `name attr="value" ...` (between `<` and `>`) into the name and decoded attributes.
fn start_tag(tag: &str, html: &str) -> Result<(String, Vec<(String, String)>), String> {
    let name_end = tag.find(' ').unwrap_or(tag.len());
    let name = &tag[..name_end];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        return Err(format!("not a plain tag: <{tag}>"));
    }
    let mut attributes = Vec::new();
    let mut rest = &tag[name_end..];
    while !rest.is_empty() {
        rest = rest.strip_prefix(' ').ok_or_else(|| format!("malformed attributes in <{tag}>"))?;
        let (attribute, after) = rest.split_once("=\"").ok_or_else(|| format!("attribute without value in <{tag}>"))?;
        let (value, after) = after.split_once('"').ok_or_else(|| format!("unbalanced quote in <{tag}> of {html:?}"))?;
        if attribute.is_empty() || !attribute.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
            return Err(format!("odd attribute name {attribute:?}"));
        }
        attributes.push((attribute.to_owned(), decode_attribute(value)?));
        rest = after;
    }
    Ok((name.to_owned(), attributes))
}

/// Undoes html5ever's attribute escaping, which writes only these entities.
fn decode_attribute(value: &str) -> Result<String, String> {
    let mut decoded = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        decoded.push_str(&rest[..at]);
        rest = &rest[at..];
        let (entity, text) = [("&amp;", "&"), ("&quot;", "\""), ("&nbsp;", "\u{a0}"), ("&lt;", "<"), ("&gt;", ">")]
            .into_iter()
            .find(|(e, _)| rest.starts_with(e))
            .ok_or_else(|| format!("unexpected entity in attribute value {value:?}"))?;
        decoded.push_str(text);
        rest = &rest[entity.len()..];
    }
    decoded.push_str(rest);
    Ok(decoded)
}

/// The tag and attribute allow-list, with the values the policy forces.
fn check_element(name: &str, attributes: &[(String, String)], renderer: Renderer) -> Result<(), String> {
    let allowed_tag = match renderer {
        Renderer::Post { allow_images } => policy::POST_TAGS.contains(&name) || (allow_images && name == "img"),
        Renderer::Comment => policy::INLINE_TAGS.contains(&name),
    };
    if !allowed_tag {
        return Err(format!("<{name}> is not allowed"));
    }
    let mut seen: Vec<&str> = Vec::new();
    for (attribute, value) in attributes {
        if seen.contains(&attribute.as_str()) {
            return Err(format!("<{name}> has {attribute} twice"));
        }
        seen.push(attribute);
        let comment = matches!(renderer, Renderer::Comment);
        let ok = match (name, attribute.as_str()) {
            ("a", "href") => check_url(value, false).map(|()| true)?,
            ("a", "title") | ("img", "alt" | "title") => true,
            ("a", "rel") => value == policy::LINK_REL,
            ("img", "src") => check_url(value, true).map(|()| true)?,
            ("img", "loading") => value == "lazy",
            ("ol", "start") => !comment,
            ("code", "class") => {
                !comment && value.strip_prefix("language-").is_some_and(|language| !language.is_empty())
            }
            ("input", "type") => value == "checkbox",
            ("input", "checked" | "disabled") => value.is_empty(),
            ("pre", "tabindex") => value == "0",
            _ => false,
        };
        if !ok {
            return Err(format!("<{name} {attribute}={value:?}> is not allowed"));
        }
    }
    // Attributes the policy adds to every such element.
    let forced: &[&str] = match name {
        "a" => &["rel"],
        "img" => &["loading"],
        "input" => &["type"],
        "pre" => &["tabindex"],
        _ => &[],
    };
    match forced.iter().find(|attribute| !seen.contains(attribute)) {
        Some(missing) => Err(format!("<{name}> lacks {missing}")),
        None => Ok(()),
    }
}

/// A URL a browser would follow only to an allowed scheme, or relatively; no control characters.
fn check_url(url: &str, https_only: bool) -> Result<(), String> {
    if url.chars().any(|c| c.is_ascii_control()) {
        return Err(format!("URL with a control character: {url:?}"));
    }
    // What a browser does before reading the scheme (WHATWG URL): strip leading and trailing
    // C0 controls and spaces, drop tabs and newlines anywhere (none are left by now).
    let url = url.trim_matches(|c: char| c <= ' ');
    let scheme = url
        .find(':')
        .map(|colon| &url[..colon])
        .filter(|s| s.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .map(str::to_ascii_lowercase);
    match scheme {
        Some(scheme) if https_only && scheme != "https" => Err(format!("image over {scheme}: {url:?}")),
        None if https_only => Err(format!("relative image URL: {url:?}")),
        Some(scheme) if !policy::URL_SCHEMES.contains(&scheme.as_str()) => Err(format!("scheme {scheme}: {url:?}")),
        _ => Ok(()),
    }
}
