//! `GET /api`: the API's reference, drawn on the server from the OpenAPI document itself (no
//! JavaScript, no third-party assets, so it passes the site's CSP): operations grouped by tag
//! with their parameters, request fields, responses and a curl example, then the schemas.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::Value;
use tera::Context;
use utoipa::OpenApi;

use super::openapi::ApiDoc;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::visitor::Visitor;

/// The methods in the order the document's path items list them.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// One group of operations (an OpenAPI tag).
#[derive(Serialize)]
struct Group {
    name: String,
    anchor: String,
    description: String,
    operations: Vec<Operation>,
}

/// One operation as the page lists it.
#[derive(Serialize)]
struct Operation {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    needs_token: bool,
    parameters: Vec<Field>,
    body_schema: Option<String>,
    body_fields: Vec<Field>,
    responses: Vec<Response>,
    curl: String,
}

/// A parameter or a field of a body or schema.
#[derive(Serialize)]
struct Field {
    name: String,
    place: String,
    kind: String,
    required: bool,
    description: String,
}

/// A response an operation can give.
#[derive(Serialize)]
struct Response {
    status: String,
    description: String,
    schema: Option<String>,
}

/// A schema of the document with its fields.
#[derive(Serialize)]
struct Schema {
    name: String,
    description: String,
    fields: Vec<Field>,
}

/// GET /api — the API reference page.
pub async fn page(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let doc = serde_json::to_value(ApiDoc::openapi()).map_err(AppError::internal)?;
    let base_url = state.config.base_url_str().to_owned();
    let mut context = Context::new();
    context.insert("groups", &groups(&doc, &base_url));
    context.insert("schemas", &schemas(&doc));
    context.insert("api_description", text(&doc["info"]["description"]));
    context.insert("description", "The Guidepost JSON API: operations, parameters, responses and examples.");
    visitor.render(&state, "api/reference.html", context)
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

fn anchor(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// The operations of the document, in the order of its tags.
fn groups(doc: &Value, base_url: &str) -> Vec<Group> {
    let mut groups: Vec<Group> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|tag| Group {
            name: text(&tag["name"]).to_owned(),
            anchor: format!("tag-{}", anchor(text(&tag["name"]))),
            description: text(&tag["description"]).to_owned(),
            operations: Vec::new(),
        })
        .collect();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let op = &item[method];
            if op.is_null() {
                continue;
            }
            let tag = op["tags"][0].as_str().unwrap_or("meta");
            if let Some(group) = groups.iter_mut().find(|g| g.name == tag) {
                group.operations.push(operation(doc, method, path, op, base_url));
            }
        }
    }
    groups.retain(|g| !g.operations.is_empty());
    groups
}

fn operation(doc: &Value, method: &str, path: &str, op: &Value, base_url: &str) -> Operation {
    let parameters: Vec<Field> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| Field {
            name: text(&p["name"]).to_owned(),
            place: text(&p["in"]).to_owned(),
            kind: kind(&p["schema"]),
            required: p["required"].as_bool().unwrap_or(false),
            description: text(&p["description"]).to_owned(),
        })
        .collect();
    let body = &op["requestBody"]["content"]["application/json"]["schema"];
    let body_schema = body["$ref"].as_str().map(|r| r.rsplit('/').next().unwrap_or(r).to_owned());
    let body_fields = if body.is_null() { Vec::new() } else { fields(resolve(doc, body)) };
    let responses = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(status, r)| {
            let content = r["content"].as_object().and_then(|c| c.values().next());
            Response {
                status: status.clone(),
                description: text(&r["description"]).to_owned(),
                schema: content
                    .and_then(|c| c["schema"]["$ref"].as_str())
                    .map(|r| r.rsplit('/').next().unwrap_or(r).to_owned()),
            }
        })
        .collect();
    let needs_token =
        op["security"].as_array().is_some_and(|s| !s.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty())));
    let example_path = parameters.iter().filter(|p| p.place == "path").fold(path.to_owned(), |acc, p| {
        acc.replace(&format!("{{{}}}", p.name), if p.kind.starts_with("integer") { "1" } else { "example" })
    });
    let mut curl = format!("curl -i -X {} '{base_url}{example_path}'", method.to_uppercase());
    if needs_token || method != "get" {
        curl.push_str(" \\\n  -H 'Authorization: Bearer $GUIDEPOST_TOKEN'");
    }
    if !body_fields.is_empty() {
        let example: Vec<String> =
            body_fields.iter().filter(|f| f.required).map(|f| format!("\"{}\": …", f.name)).collect();
        curl.push_str(&format!(" \\\n  -H 'Content-Type: application/json' \\\n  -d '{{{}}}'", example.join(", ")));
    }
    Operation {
        anchor: text(&op["operationId"]).to_owned(),
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: text(&op["summary"]).to_owned(),
        description: text(&op["description"]).to_owned(),
        needs_token,
        parameters,
        body_schema,
        body_fields,
        responses,
        curl,
    }
}

/// The schema a `$ref` points at (or the schema itself).
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

/// A schema's type as a reader wants it: `integer`, `string (date-time)`, `array of Tag`...
fn kind(schema: &Value) -> String {
    if let Some(name) = schema["$ref"].as_str() {
        return name.rsplit('/').next().unwrap_or(name).to_owned();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let kinds: Vec<String> = options.iter().map(kind).filter(|k| k != "null").collect();
            return format!("{} or null", kinds.join(" or "));
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        let names: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        return format!("one of {}", names.join(", "));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let mut out = types.iter().filter(|t| **t != "null").copied().collect::<Vec<_>>().join(" or ");
    if out == "array" {
        out = format!("array of {}", kind(&schema["items"]));
    }
    if let Some(format) = schema["format"].as_str() {
        out.push_str(&format!(" ({format})"));
    }
    if types.contains(&"null") {
        out.push_str(" or null");
    }
    if out.is_empty() {
        "any".to_owned()
    } else {
        out
    }
}

fn fields(schema: &Value) -> Vec<Field> {
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, property)| Field {
            name: name.clone(),
            place: "body".to_owned(),
            kind: kind(property),
            required: required.contains(&name.as_str()),
            description: text(&property["description"]).to_owned(),
        })
        .collect()
}

fn schemas(doc: &Value) -> Vec<Schema> {
    doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| Schema {
            name: name.clone(),
            description: text(&schema["description"]).to_owned(),
            fields: fields(schema),
        })
        .collect()
}
