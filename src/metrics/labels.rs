//! The label sets of the request metrics. Every label takes values from a bounded set: a route
//! pattern from the route table (or [`super::UNMATCHED`]), a status code, a known method.

use std::fmt::Write as _;
use std::sync::Arc;

use actix_web::http::Method;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};

/// A request method; methods the site never routes are one value, so a client sending made-up
/// methods cannot add series.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum MethodLabel {
    /// GET
    Get,
    /// HEAD
    Head,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// Any other method.
    Other,
}

impl MethodLabel {
    /// The label of a request's method.
    pub fn of(method: &Method) -> Self {
        match *method {
            Method::GET => Self::Get,
            Method::HEAD => Self::Head,
            Method::POST => Self::Post,
            Method::PUT => Self::Put,
            Method::PATCH => Self::Patch,
            Method::DELETE => Self::Delete,
            Method::OPTIONS => Self::Options,
            _ => Self::Other,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Other => "OTHER",
        }
    }
}

impl EncodeLabelValue for MethodLabel {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), std::fmt::Error> {
        encoder.write_str(self.as_str())
    }
}

/// The labels of the request counter.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RequestLabels {
    pub(super) method: MethodLabel,
    pub(super) route: Arc<str>,
    pub(super) status: u16,
}

/// The labels of the latency histogram: the status is left out, since buckets per status would
/// multiply the series for little insight (the counter has it).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RouteLabels {
    pub(super) method: MethodLabel,
    pub(super) route: Arc<str>,
}
