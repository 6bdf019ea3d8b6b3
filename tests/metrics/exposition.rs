//! Reads a scrape back: the Prometheus text format (0.0.4) and OpenMetrics text, strictly enough
//! that a malformed line, a sample outside its declared family or a histogram whose buckets do
//! not add up fails the test, naming the line.

use std::collections::BTreeMap;

/// One sample line.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// One family: its declared type and its samples.
#[derive(Debug, Clone, Default)]
pub struct Family {
    pub kind: String,
    pub help: bool,
    pub samples: Vec<Sample>,
}

/// A whole scrape, by family name.
#[derive(Debug, Clone, Default)]
pub struct Exposition {
    pub families: BTreeMap<String, Family>,
    pub ended_with_eof: bool,
}

const KINDS: [&str; 8] = ["counter", "gauge", "histogram", "summary", "untyped", "info", "unknown", "stateset"];
const SUFFIXES: [&str; 7] = ["", "_total", "_bucket", "_sum", "_count", "_created", "_info"];

fn is_name(name: &str, colons: bool) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || (colons && c == ':'))
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (colons && c == ':'))
}

/// Parses `text`, panicking with the line at the first thing a Prometheus server would refuse.
pub fn parse(text: &str) -> Exposition {
    let mut out = Exposition::default();
    let mut current: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let at = || format!("line {}: {line:?}", n + 1);
        assert!(!out.ended_with_eof, "{}: text after # EOF", at());
        if line == "# EOF" {
            out.ended_with_eof = true;
        } else if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, _) = rest.split_once(' ').unwrap_or_else(|| panic!("{}: HELP without text", at()));
            out.families.entry(name.to_owned()).or_default().help = true;
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("{}: TYPE without a type", at()));
            assert!(is_name(name, true), "{}: bad family name", at());
            assert!(KINDS.contains(&kind), "{}: unknown type {kind}", at());
            let family = out.families.entry(name.to_owned()).or_default();
            assert!(family.kind.is_empty(), "{}: second TYPE for {name}", at());
            family.kind = kind.to_owned();
            current = Some(name.to_owned());
        } else if line.starts_with('#') {
            // UNIT lines (OpenMetrics) and comments.
        } else {
            let sample = parse_sample(line).unwrap_or_else(|| panic!("{}: not a sample", at()));
            let family = current.as_ref().unwrap_or_else(|| panic!("{}: sample before any TYPE", at()));
            assert!(
                SUFFIXES.iter().any(|suffix| sample.name == format!("{family}{suffix}")),
                "{}: sample outside its family {family}",
                at()
            );
            out.families.get_mut(family).expect("declared").samples.push(sample);
        }
    }
    for (name, family) in &out.families {
        assert!(!family.kind.is_empty(), "{name} has HELP but no TYPE");
        if family.kind == "histogram" {
            check_histogram(name, family);
        }
    }
    out
}

fn parse_sample(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' '])?;
    let name = &line[..name_end];
    if !is_name(name, true) {
        return None;
    }
    let (labels, rest) = match line[name_end..].strip_prefix('{') {
        Some(inner) => parse_labels(inner)?,
        None => (BTreeMap::new(), &line[name_end..]),
    };
    let mut fields = rest.split_whitespace();
    let value = match fields.next()? {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        number => number.parse().ok()?,
    };
    if let Some(timestamp) = fields.next() {
        timestamp.parse::<f64>().ok()?;
    }
    fields.next().is_none().then(|| Sample { name: name.to_owned(), labels, value })
}

/// The labels after a `{`, and what follows the closing `}`.
fn parse_labels(mut rest: &str) -> Option<(BTreeMap<String, String>, &str)> {
    let mut labels = BTreeMap::new();
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Some((labels, after));
        }
        let eq = rest.find('=')?;
        let key = &rest[..eq];
        if !is_name(key, false) {
            return None;
        }
        rest = rest[eq + 1..].strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '"' => break i,
                '\\' => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    _ => return None,
                },
                c => value.push(c),
            }
        };
        if labels.insert(key.to_owned(), value).is_some() {
            return None;
        }
        rest = &rest[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

/// A series' labels other than `le`, sorted.
type LabelKey = Vec<(String, String)>;

/// Buckets rise with their bounds, end at `+Inf`, and the last equals `_count`, per label set.
fn check_histogram(name: &str, family: &Family) {
    let mut series: BTreeMap<LabelKey, Vec<(f64, f64)>> = BTreeMap::new();
    let mut counts = BTreeMap::new();
    for sample in &family.samples {
        let mut key: LabelKey =
            sample.labels.iter().filter(|(k, _)| *k != "le").map(|(k, v)| (k.clone(), v.clone())).collect();
        key.sort();
        if sample.name.ends_with("_bucket") {
            let le = sample.labels.get("le").unwrap_or_else(|| panic!("{name}: a bucket without le"));
            let bound = if le == "+Inf" { f64::INFINITY } else { le.parse().expect("a numeric le") };
            series.entry(key).or_default().push((bound, sample.value));
        } else if sample.name.ends_with("_count") {
            counts.insert(key, sample.value);
        }
    }
    for (labels, buckets) in series {
        assert!(
            buckets.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
            "{name}{labels:?}: buckets {buckets:?}"
        );
        let last = buckets.last().expect("a bucket");
        assert!(last.0.is_infinite(), "{name}{labels:?}: no +Inf bucket");
        assert_eq!(Some(&last.1), counts.get(&labels), "{name}{labels:?}: +Inf bucket is not the count");
    }
}

impl Exposition {
    /// The family, failing when the scrape lacks it.
    #[track_caller]
    pub fn family(&self, name: &str) -> &Family {
        self.families.get(name).unwrap_or_else(|| panic!("no family {name} in {:?}", self.families.keys()))
    }

    /// The sum of the samples called `name` whose labels include `labels` (0 when none do).
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.families
            .values()
            .flat_map(|family| &family.samples)
            .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).is_some_and(|value| value == v)))
            .map(|s| s.value)
            .sum()
    }

    /// The one sample called `name` with no labels.
    #[track_caller]
    pub fn value(&self, name: &str) -> f64 {
        let matching: Vec<f64> = self
            .families
            .values()
            .flat_map(|family| &family.samples)
            .filter(|s| s.name == name)
            .map(|s| s.value)
            .collect();
        assert_eq!(matching.len(), 1, "expected one {name} sample");
        matching[0]
    }

    /// Every label value in the scrape.
    pub fn label_values(&self) -> impl Iterator<Item = &str> {
        self.families.values().flat_map(|f| &f.samples).flat_map(|s| s.labels.values().map(String::as_str))
    }
}

#[test]
fn the_parser_refuses_what_prometheus_would() {
    let good = "# HELP a_total A.\n# TYPE a_total counter\na_total{route=\"/x\\\"y\",status=\"200\"} 3\n";
    assert_eq!(parse(good).sum("a_total", &[("route", "/x\"y")]), 3.0);
    for bad in [
        "a_total 1\n",
        "# TYPE a counter\nb 1\n",
        "# TYPE a gauge\na{x=1} 2\n",
        "# TYPE a gauge\na one\n",
        "# TYPE a gauge\n# TYPE a gauge\n",
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
    ] {
        assert!(std::panic::catch_unwind(|| parse(bad)).is_err(), "accepted {bad:?}");
    }
}
