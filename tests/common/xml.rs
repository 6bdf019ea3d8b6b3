//! A small XML tree for tests, read with quick-xml: end tags must match their start tags, there
//! must be exactly one root, and every entity reference must resolve, or the test fails.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// One element with its attributes, its text (all text nodes joined) and its child elements.
#[derive(Debug, Default, Clone)]
pub struct Element {
    /// The qualified name.
    pub name: String,
    /// Attributes, unescaped, in document order.
    pub attrs: Vec<(String, String)>,
    /// The element's own text, unescaped.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The child elements with a name.
    pub fn all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Element> + 'a {
        let name = name.to_owned();
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child with a name; fails the test when there is none.
    #[track_caller]
    pub fn one(&self, name: &str) -> &Element {
        self.all(name).next().unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
    }

    /// The text of the first child with a name.
    #[track_caller]
    pub fn text_of(&self, name: &str) -> &str {
        &self.one(name).text
    }

    /// The `href` of the first `<link>` child with a `rel`.
    #[track_caller]
    pub fn link(&self, rel: &str) -> &str {
        self.all("link")
            .find(|l| l.attr("rel") == Some(rel))
            .and_then(|l| l.attr("href"))
            .unwrap_or_else(|| panic!("<{}> has no link rel={rel}", self.name))
    }
}

fn element(start: &BytesStart<'_>) -> Element {
    let attrs = start
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            let value = a.normalized_value(XmlVersion::Implicit1_0).expect("attribute value unescapes");
            (String::from_utf8_lossy(a.key.0).into_owned(), value.into_owned())
        })
        .collect();
    Element { name: String::from_utf8_lossy(start.name().0).into_owned(), attrs, ..Element::default() }
}

/// Parses a document and returns its root element.
#[track_caller]
pub fn parse(xml: &str) -> Element {
    assert!(xml.starts_with("<?xml "), "no XML declaration at the very start");
    let mut reader = Reader::from_str(xml);
    let mut open = vec![Element::default()];
    loop {
        let event = reader.read_event().unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{xml}"));
        let top = open.len() - 1;
        match event {
            Event::Start(start) => open.push(element(&start)),
            Event::Empty(start) => open[top].children.push(element(&start)),
            Event::End(_) => {
                let done = open.pop().expect("an open element");
                open.last_mut().expect("a parent").children.push(done);
            }
            Event::Text(text) => open[top].text.push_str(&text.xml10_content().expect("UTF-8 text")),
            Event::CData(data) => open[top].text.push_str(&data.xml10_content().expect("UTF-8 text")),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().expect("valid character reference") {
                    Some(c) => c.to_string(),
                    None => {
                        let name = reference.decode().expect("UTF-8 entity name");
                        resolve_predefined_entity(&name).unwrap_or_else(|| panic!("unknown entity &{name};")).to_owned()
                    }
                };
                open[top].text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(open.len(), 1, "unclosed elements");
    let mut document = open.pop().expect("the document");
    assert!(document.text.trim().is_empty(), "text outside the root element");
    assert_eq!(document.children.len(), 1, "exactly one root element");
    document.children.pop().expect("the root")
}
