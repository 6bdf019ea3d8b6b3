//! The ceiling: serves one recorded response (status line aside, its headers and exact body) from
//! memory for every GET, on the same HTTP stack and worker count as Guidepost. Whatever a dynamic
//! page costs beyond this is the product's own work; this is the limit of the HTTP stack, the
//! kernel and wrk on this machine.
//!
//! Usage: `guidepost-bench-ceiling ADDR BODY_FILE HEADERS_FILE`, where HEADERS_FILE is the
//! `curl -D` dump of the real response (its status line and framing headers are ignored).

use std::{env, fs, process::ExitCode};

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{web, App, HttpResponse, HttpServer};

/// Headers that describe the framing of one particular response; actix-web writes its own.
const FRAMING: [&str; 5] = ["content-length", "transfer-encoding", "connection", "date", "keep-alive"];

/// The recorded response.
struct Page {
    body: web::Bytes,
    headers: Vec<(HeaderName, HeaderValue)>,
}

fn parse_headers(dump: &str) -> Vec<(HeaderName, HeaderValue)> {
    dump.lines()
        .skip(1) // the status line
        .filter_map(|line| line.split_once(':'))
        .filter_map(|(name, value)| {
            let name = HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
            let value = HeaderValue::from_str(value.trim()).ok()?;
            (!FRAMING.contains(&name.as_str())).then_some((name, value))
        })
        .collect()
}

async fn serve(page: web::Data<Page>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    for (name, value) in &page.headers {
        response.append_header((name.clone(), value.clone()));
    }
    response.body(page.body.clone())
}

#[actix_web::main]
async fn main() -> ExitCode {
    let args: Vec<String> = env::args().collect();
    let [_, addr, body_file, headers_file] = args.as_slice() else {
        eprintln!("usage: guidepost-bench-ceiling ADDR BODY_FILE HEADERS_FILE");
        return ExitCode::from(2);
    };
    let (body, dump) = match (fs::read(body_file), fs::read_to_string(headers_file)) {
        (Ok(body), Ok(dump)) => (body, dump),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("ceiling: cannot read the recorded page: {e}");
            return ExitCode::FAILURE;
        }
    };
    let page = web::Data::new(Page { body: web::Bytes::from(body), headers: parse_headers(&dump) });
    let server = match HttpServer::new(move || App::new().app_data(page.clone()).default_service(web::get().to(serve)))
        .bind(addr.as_str())
    {
        Ok(server) => server,
        Err(e) => {
            eprintln!("ceiling: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ceiling: {e}");
            ExitCode::FAILURE
        }
    }
}
