//! The layering of settings, weakest first: built-in defaults, the TOML file, `GUIDEPOST_*`
//! variables, then command-line flags, merged by figment so the last layer to set a key wins.
//! It remembers which layer each winning value came from, so an error can name what the user
//! should change. It does not judge values; `load` and `validate` do.

use std::path::{Path, PathBuf};

use figment::error::{Kind, OneOf};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};

use super::shape::{Defaults, FileShape, KEYS, LIST_KEYS, MODERATION_TABLE};
use super::{moderation, ConfigError, Env, Overrides};

/// Names of the layers, as figment's metadata carries them; how a value's origin is recognised.
const DEFAULTS: &str = "built-in defaults";
const FILE: &str = "configuration file";
const ENV: &str = "environment";
const FLAGS: &str = "command line";

/// The layer a winning value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Origin {
    /// Built into the binary.
    Default,
    /// The `--config` file at this path.
    File(PathBuf),
    /// A `GUIDEPOST_*` variable.
    Env,
    /// A command-line flag.
    Flag,
}

/// One setting's winning value, as text, and the name to blame when it is wrong.
#[derive(Debug, Clone)]
pub(super) struct Setting {
    /// The value as given (a file's number or switch as its TOML text).
    pub(super) text: String,
    /// Which layer it came from.
    pub(super) origin: Origin,
    /// What the user should look at: the variable, the flag, or the key and file.
    pub(super) name: String,
}

/// All layers, merged.
pub(super) struct Layers {
    figment: Figment,
}

impl Layers {
    /// Reads and merges every layer; only a missing, unreadable or ill-shaped file can fail here.
    pub(super) fn gather(file: Option<&Path>, env: &Env, flags: &Overrides) -> Result<Self, ConfigError> {
        let defaults = match Value::serialize(Defaults::VALUES) {
            Ok(Value::Dict(_, dict)) => dict,
            _ => return Err(ConfigError::new(DEFAULTS, "cannot be laid out as settings")),
        };
        let mut figment = Figment::from(Layer::new(Metadata::named(DEFAULTS), defaults));
        if let Some(path) = file {
            figment = figment.merge(file_layer(path)?);
        }
        let figment = figment.merge(env_layer(env)).merge(flag_layer(flags));
        Ok(Self { figment })
    }

    /// The winning value of `key` (`moderation.votes_per_hour` for a table's key), if any layer sets it.
    pub(super) fn find(&self, key: &str) -> Option<Setting> {
        let value = self.figment.find_value(key).ok()?;
        let origin = match self.figment.find_metadata(key) {
            Some(meta) if meta.name == FILE => Origin::File(
                meta.source.as_ref().and_then(|s| s.file_path()).map(Path::to_path_buf).unwrap_or_default(),
            ),
            Some(meta) if meta.name == ENV => Origin::Env,
            Some(meta) if meta.name == FLAGS => Origin::Flag,
            _ => Origin::Default,
        };
        let name = match &origin {
            Origin::Default | Origin::Env => env_var(key),
            Origin::File(path) => format!("{key} in {}", path.display()),
            Origin::Flag => flag_name(key),
        };
        Some(Setting { text: text(&value), origin, name })
    }

    /// The winning list at `key`, each item trimmed, blanks dropped: the file's array (or a
    /// string), or a variable's text split at commas; with the name to blame.
    pub(super) fn list(&self, key: &str) -> Option<(Vec<String>, String)> {
        let value = self.figment.find_value(key).ok()?;
        let name = self.find(key).map_or_else(|| env_var(key), |setting| setting.name);
        let items: Vec<String> = match &value {
            Value::Array(_, items) => items.iter().map(text).collect(),
            other => text(other).split(',').map(str::to_owned).collect(),
        };
        let items = items.iter().map(|item| item.trim().to_owned()).filter(|item| !item.is_empty()).collect();
        Some((items, name))
    }

    /// A whole table of the file (`[sso]`), typed; `None` when the file has none.
    pub(super) fn table<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, String> {
        if self.figment.find_value(key).is_err() {
            return Ok(None);
        }
        self.figment.extract_inner::<T>(key).map(Some).map_err(|e| shape_message(&e))
    }

    /// Where the file came from, as an error should name it.
    pub(super) fn file_name(&self) -> String {
        self.figment
            .metadata()
            .find(|meta| meta.name == FILE)
            .and_then(|meta| {
                meta.source.as_ref().and_then(|s| s.file_path()).map(|p| format!("--config {}", p.display()))
            })
            .unwrap_or_else(|| "the configuration file".to_owned())
    }

    /// The winning value of a key the built-in defaults always set.
    pub(super) fn get(&self, key: &str) -> Result<Setting, ConfigError> {
        self.find(key).ok_or_else(|| ConfigError::new(&env_var(key), "has no value, not even a built-in default"))
    }
}

/// `GUIDEPOST_` and the key's last part in capitals: a table's keys share one namespace of variables.
fn env_var(key: &str) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    format!("GUIDEPOST_{}", last.to_ascii_uppercase())
}

fn flag_name(key: &str) -> String {
    match key {
        // The only flag about migrating turns it off.
        "auto_migrate" => "--no-migrate".to_owned(),
        key => format!("--{}", key.replace('_', "-")),
    }
}

/// Every value as the text a variable would give, so one parser judges all layers alike.
fn text(value: &Value) -> String {
    match value {
        Value::String(_, s) => s.clone(),
        Value::Bool(_, b) => b.to_string(),
        Value::Num(..) => match (value.to_i128(), value.to_u128()) {
            (Some(n), _) => n.to_string(),
            (None, Some(n)) => n.to_string(),
            (None, None) => value.to_actual().to_string(),
        },
        other => other.to_actual().to_string(),
    }
}

/// One layer's settings, named so a value can be traced back to it.
#[derive(Clone)]
struct Layer {
    metadata: Metadata,
    dict: Dict,
}

impl Layer {
    fn new(metadata: Metadata, dict: Dict) -> Self {
        Self { metadata, dict }
    }
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.dict.clone()))
    }
}

/// Puts `value` at `key`, inside its table when the key has one.
fn insert(dict: &mut Dict, key: &str, value: Value) {
    match key.split_once('.') {
        Some((table, rest)) => {
            let entry = dict.entry(table.to_owned()).or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, inner) = entry {
                insert(inner, rest, value);
            }
        }
        None => {
            dict.insert(key.to_owned(), value);
        }
    }
}

/// The file, typed as TOML types it; its shape is checked alone, before the variables' text is
/// merged over it, so `db_pool_size = "16"` is still refused as it always was.
fn file_layer(path: &Path) -> Result<Layer, ConfigError> {
    let setting = format!("--config {}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::new(&setting, format!("cannot read: {e}")))?;
    let dict: Dict = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|span| text[..span.start].matches('\n').count() + 1);
        let message = e.message().trim_end();
        ConfigError::new(&setting, line.map_or_else(|| message.to_owned(), |n| format!("line {n}: {message}")))
    })?;
    let layer = Layer::new(Metadata::from(FILE, path), dict);
    Figment::from(layer.clone()).extract::<FileShape>().map_err(|e| ConfigError::new(&setting, shape_message(&e)))?;
    Ok(layer)
}

/// One line for the first shape problem (serde stops at the first), naming the key.
fn shape_message(error: &figment::Error) -> String {
    let key = error.path.join(".");
    match &error.kind {
        Kind::UnknownField(_, expected) => format!("unknown key `{key}`, expected {}", OneOf(expected)),
        kind => format!("`{key}`: {kind}"),
    }
}

/// The variables of known settings; other `GUIDEPOST_*` names are left alone, since tools and
/// tests use the prefix for their own (`GUIDEPOST_TEST_POSTGRES_URL`).
fn env_layer(env: &Env) -> Layer {
    let table_keys = moderation::KEYS.iter().map(|key| format!("{MODERATION_TABLE}.{key}"));
    let mut dict = Dict::new();
    for key in KEYS.iter().map(|key| (*key).to_owned()).chain(table_keys) {
        if let Some(raw) = env.get(&env_var(&key)) {
            insert(&mut dict, &key, Value::from(raw.clone()));
        }
    }
    for key in LIST_KEYS {
        if let Some(raw) = env.get(&env_var(key)) {
            insert(&mut dict, key, Value::from(raw.clone()));
        }
    }
    Layer::new(Metadata::named(ENV), dict)
}

fn flag_layer(flags: &Overrides) -> Layer {
    let mut dict = Dict::new();
    let text = [
        ("database_url", flags.database_url.clone()),
        // Lossy only for the layer's record; `load` takes a flag's path as given.
        ("data_dir", flags.data_dir.as_ref().map(|path| path.to_string_lossy().into_owned())),
        ("bind", flags.bind.clone()),
        ("base_url", flags.base_url.clone()),
    ];
    for (key, value) in text {
        if let Some(value) = value {
            insert(&mut dict, key, Value::from(value));
        }
    }
    if let Some(flag) = flags.auto_migrate {
        insert(&mut dict, "auto_migrate", Value::from(flag));
    }
    Layer::new(Metadata::named(FLAGS), dict)
}
