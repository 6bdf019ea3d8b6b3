//! The page templates: embedded in the binary, compiled once at start, shared by every request.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use chrono::format::{Item, StrftimeItems};

use rust_embed::RustEmbed;
use tera::{Context, Tera, Value};

/// The files under `templates/`, built into the binary (read from disk in debug builds).
#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

/// The compiled templates.
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// Compiles every template; `asset_urls` maps an asset path to its fingerprinted URL.
    pub fn load(asset_urls: Arc<HashMap<String, String>>) -> Result<Self, tera::Error> {
        let mut sources = Vec::new();
        for name in TemplateFiles::iter() {
            let Some(file) = TemplateFiles::get(&name) else { continue };
            let text = String::from_utf8(file.data.into_owned())
                .map_err(|_| tera::Error::msg(format!("template {name} is not UTF-8")))?;
            sources.push((name.to_string(), text));
        }
        let mut tera = Tera::default();
        tera.add_raw_templates(sources)?;
        tera.register_function("asset", AssetUrl(asset_urls));
        tera.register_filter("query", query_component);
        tera.register_filter("when", human_time);
        tera.register_filter("attr", attribute_text);
        tera.register_filter("iso", iso_time);
        tera.register_filter("code_spans", code_spans);
        tera.register_filter("thousands", thousands);
        Ok(Self { tera })
    }

    /// Renders one template.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, tera::Error> {
        self.tera.render(name, context)
    }
}

/// `asset(path="css/site.css")`: the fingerprinted URL of a static file.
struct AssetUrl(Arc<HashMap<String, String>>);

impl tera::Function for AssetUrl {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let path = args.get("path").and_then(Value::as_str).ok_or_else(|| tera::Error::msg("asset(path=...)"))?;
        self.0
            .get(path)
            .map(|url| Value::String(url.clone()))
            .ok_or_else(|| tera::Error::msg(format!("no asset {path}")))
    }

    // Asset URLs are built by us from file names in our own assets folder, never from user input.
    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ text | query }}`: percent-encodes text for use as one query-string value.
fn query_component(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(Value::String(url::form_urlencoded::byte_serialize(text.as_bytes()).collect()))
}

/// A timestamp as serde writes it (`2026-11-22T15:03:00.123`). `FromStr` reads exactly that
/// shape without interpreting a format string first, as `parse_from_str` does on every call:
/// list pages print two dates a question, and the format strings showed in their profiles.
fn parse_time(value: &Value) -> tera::Result<chrono::NaiveDateTime> {
    let text = value.as_str().ok_or_else(|| tera::Error::msg("expected a timestamp"))?;
    text.parse::<chrono::NaiveDateTime>().map_err(|e| tera::Error::msg(format!("bad timestamp {text}: {e}")))
}

/// A date format, read once.
fn time_format(format: &'static str) -> Vec<Item<'static>> {
    StrftimeItems::new(format).parse_to_owned().unwrap_or_default()
}

/// `{{ at | when }}`: "Nov 22, 2026 at 15:03" (UTC), for people.
fn human_time(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    static FORMAT: LazyLock<Vec<Item<'static>>> = LazyLock::new(|| time_format("%b %-d, %Y at %H:%M"));
    Ok(Value::String(parse_time(value)?.format_with_items(FORMAT.iter()).to_string()))
}

/// `{{ at | iso }}`: "2026-11-22T15:03:00Z", for `<time datetime>` and structured data.
fn iso_time(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    static FORMAT: LazyLock<Vec<Item<'static>>> = LazyLock::new(|| time_format("%Y-%m-%dT%H:%M:%SZ"));
    Ok(Value::String(parse_time(value)?.format_with_items(FORMAT.iter()).to_string()))
}

/// `{{ n | thousands }}`: a whole number with thousands separated, `12,345`.
fn thousands(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let n = value.as_i64().ok_or_else(|| tera::Error::msg("thousands: not a whole number"))?;
    Ok(Value::String(crate::services::actor::thousands(n)))
}

/// `{{ text | code_spans | safe }}`: escapes text and shows its `backticked` spans as code, as
/// the OpenAPI document's descriptions are written (the `/api` reference page).
fn code_spans(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let escaped = attribute_text(value, args)?;
    let text = escaped.as_str().unwrap_or_default();
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::with_capacity(text.len() + 16);
    for (index, part) in parts.iter().enumerate() {
        match (index % 2 == 1, index + 1 < parts.len()) {
            // Between a pair of backticks.
            (true, true) => {
                out.push_str("<code>");
                out.push_str(part);
                out.push_str("</code>");
            }
            // After an unpaired backtick: left as it was written.
            (true, false) => {
                out.push('`');
                out.push_str(part);
            }
            _ => out.push_str(part),
        }
    }
    Ok(Value::String(out))
}

/// `{{ url | attr | safe }}`: escapes text for a double-quoted attribute, leaving `/` alone so
/// URLs stay readable in the page source (Tera's autoescape writes `/` as `&#x2F;`).
fn attribute_text(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = value.as_str().ok_or_else(|| tera::Error::msg("attr expects text"))?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tera::Value;

    use super::{code_spans, human_time, iso_time};

    #[test]
    fn timestamps_print_for_people_and_for_machines() {
        let none = HashMap::new();
        for stored in ["2026-11-02T07:05:09.123456", "2026-11-02T07:05:09"] {
            let value = Value::String(stored.to_owned());
            assert_eq!(human_time(&value, &none).unwrap(), Value::String("Nov 2, 2026 at 07:05".into()));
            assert_eq!(iso_time(&value, &none).unwrap(), Value::String("2026-11-02T07:05:09Z".into()));
        }
        assert!(human_time(&Value::String("yesterday".into()), &none).is_err());
    }

    #[test]
    fn backticked_spans_become_code_and_the_rest_is_escaped() {
        let none = HashMap::new();
        let value = Value::String("Send `Authorization: Bearer <token>` with `read` or <b>, `odd".into());
        assert_eq!(
            code_spans(&value, &none).unwrap(),
            Value::String(
                "Send <code>Authorization: Bearer &lt;token&gt;</code> with <code>read</code> or &lt;b&gt;, `odd"
                    .into()
            )
        );
    }
}
