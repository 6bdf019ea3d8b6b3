use std::path::PathBuf;

use super::*;

fn env(pairs: &[(&str, &str)]) -> Env {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A throw-away `guidepost.toml` holding `text`; the folder lives as long as the guard.
fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("guidepost.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn load_err(file: Option<&Path>, vars: &[(&str, &str)], flags: Overrides) -> ConfigError {
    Config::load(file, &env(vars), flags).unwrap_err()
}

#[test]
fn defaults_are_a_local_sqlite_site() {
    let config = Config::load(None, &Env::new(), Overrides::default()).unwrap();
    assert_eq!(config.database_url, DatabaseUrl::Sqlite(PathBuf::from("data/guidepost.db")));
    assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(config.base_url_str(), "http://127.0.0.1:8080");
    assert_eq!(config.site_name, "Guidepost");
    assert!(config.auto_migrate);
    assert_eq!((config.db_pool_size, config.page_cache_seconds, config.heavy_requests_per_minute), (8, 2, 120));
    assert_eq!((config.data_dir, config.assets_dir), (PathBuf::from("data"), PathBuf::from("assets")));
    assert_eq!(config.secret_key, None);
    assert_eq!(config.mail_url, "file://data/mail");
    assert_eq!(config.mail_from, "Guidepost <noreply@127.0.0.1>");
    assert!(config.require_verified_email && config.allow_images && !config.behind_proxy);
    assert_eq!(config.moderation, ModerationConfig::DEFAULT);
}

#[test]
fn the_pool_is_smaller_on_sqlite_unless_set() {
    let pool = |vars: &[(&str, &str)]| Config::load(None, &env(vars), Overrides::default()).unwrap().db_pool_size;
    assert_eq!(pool(&[]), 8);
    assert_eq!(pool(&[("GUIDEPOST_DATABASE_URL", "postgres://db.example/forum")]), 16);
    assert_eq!(pool(&[("GUIDEPOST_DB_POOL_SIZE", "16")]), 16, "a SQLite pool set to the general default is kept");
    let (_dir, path) = file("db_pool_size = 12\n");
    assert_eq!(Config::load(Some(&path), &Env::new(), Overrides::default()).unwrap().db_pool_size, 12);
}

#[test]
fn flags_beat_env_which_beats_the_file() {
    let (_dir, file) = file("bind = \"127.0.0.1:7000\"\nsite_name = \"From file\"\ndata_dir = \"/srv/gp\"\n");
    let vars = env(&[("GUIDEPOST_BIND", "127.0.0.1:7001")]);
    let flags = Overrides { bind: Some("127.0.0.1:7002".into()), ..Overrides::default() };
    let config = Config::load(Some(&file), &vars, flags).unwrap();
    assert_eq!(config.bind.port(), 7002);
    assert_eq!(config.site_name, "From file");
    assert_eq!(config.database_url, DatabaseUrl::Sqlite("/srv/gp/guidepost.db".into()));
    let config = Config::load(Some(&file), &vars, Overrides::default()).unwrap();
    assert_eq!(config.bind.port(), 7001);
}

#[test]
fn each_layer_beats_the_one_below_it() {
    let (_dir, path) = file("db_pool_size = 20\nauto_migrate = false\ndata_dir = \"/from/file\"\n");
    let load =
        |file: Option<&Path>, vars: &[(&str, &str)], flags: Overrides| Config::load(file, &env(vars), flags).unwrap();
    let none = Overrides::default;

    // default < file
    let config = load(Some(&path), &[], none());
    assert_eq!((config.db_pool_size, config.auto_migrate), (20, false));
    assert_eq!(config.data_dir, PathBuf::from("/from/file"));
    // file < env
    let vars = [("GUIDEPOST_DB_POOL_SIZE", " 21 "), ("GUIDEPOST_AUTO_MIGRATE", "yes"), ("GUIDEPOST_DATA_DIR", "/env")];
    let config = load(Some(&path), &vars, none());
    assert_eq!((config.db_pool_size, config.auto_migrate), (21, true));
    assert_eq!(config.data_dir, PathBuf::from("/env"));
    // env < flag
    let flags = Overrides { data_dir: Some("/flag".into()), auto_migrate: Some(false), ..none() };
    let config = load(Some(&path), &vars, flags);
    assert_eq!((config.data_dir, config.auto_migrate), (PathBuf::from("/flag"), false));
    assert_eq!(config.mail_url, "file:///flag/mail", "derived defaults follow the winning data dir");
    // The winning value is the only one judged: a bad variable under a flag is never read.
    let flags = Overrides { auto_migrate: Some(false), ..none() };
    assert!(!load(None, &[("GUIDEPOST_AUTO_MIGRATE", "maybe")], flags).auto_migrate);
    // A blank name from any layer means the default.
    assert_eq!(load(None, &[("GUIDEPOST_SITE_NAME", "  ")], none()).site_name, "Guidepost");
}

#[test]
fn moderation_rules_come_from_the_file_and_the_environment() {
    let (_dir, file) = file("[moderation]\nquestions_per_hour = 5\nspam_flags_to_hide = 4\n");
    let vars = env(&[("GUIDEPOST_QUESTIONS_PER_HOUR", "7"), ("GUIDEPOST_MIN_FORM_SECONDS", "0")]);
    let rules = Config::load(Some(&file), &vars, Overrides::default()).unwrap().moderation;
    assert_eq!((rules.questions_per_hour, rules.spam_flags_to_hide, rules.min_form_seconds), (7, 4, 0));
    assert_eq!(rules.answers_per_hour, ModerationConfig::default().answers_per_hour);
    let bad = Config::load(None, &env(&[("GUIDEPOST_VOTES_PER_HOUR", "lots")]), Overrides::default());
    assert_eq!(bad.unwrap_err().setting, "GUIDEPOST_VOTES_PER_HOUR");
    std::fs::write(&file, "[moderation]\nquestion_per_hour = 5\n").unwrap();
    assert!(Config::load(Some(&file), &Env::new(), Overrides::default()).is_err(), "typos are refused");
}

#[test]
fn bad_values_name_their_setting() {
    let err = load_err(None, &[("GUIDEPOST_BIND", "nowhere")], Overrides::default());
    assert_eq!(err.setting, "GUIDEPOST_BIND");
    let err = load_err(None, &[("GUIDEPOST_BASE_URL", "ftp://x")], Overrides::default());
    assert_eq!(err.setting, "GUIDEPOST_BASE_URL");
    let err = load_err(None, &[("GUIDEPOST_AUTO_MIGRATE", "maybe")], Overrides::default());
    assert_eq!(err.setting, "GUIDEPOST_AUTO_MIGRATE");
    let err = load_err(None, &[("GUIDEPOST_SECRET_KEY", "short")], Overrides::default());
    assert_eq!(err.setting, "GUIDEPOST_SECRET_KEY");
    let err = load_err(None, &[("GUIDEPOST_DATABASE_URL", "mysql://x")], Overrides::default());
    assert_eq!(err.setting, "GUIDEPOST_DATABASE_URL");
}

#[test]
fn a_bad_value_is_one_line_naming_where_it_came_from() {
    let err = load_err(None, &[("GUIDEPOST_DB_POOL_SIZE", "0")], Overrides::default());
    assert_eq!(err.to_string(), "GUIDEPOST_DB_POOL_SIZE: `0` is not a pool size between 1 and 512");
    let err = load_err(None, &[("GUIDEPOST_NEW_MEMBER_DAYS", "366")], Overrides::default());
    assert_eq!(err.to_string(), "GUIDEPOST_NEW_MEMBER_DAYS: `366` is not a whole number from 0 to 365");

    let flags = Overrides { bind: Some("nowhere".into()), ..Overrides::default() };
    let err = load_err(None, &[], flags);
    assert_eq!(err.to_string(), "--bind: `nowhere` is not an address like 127.0.0.1:8080");

    // A value from the file names its key and the file, not a variable nobody set.
    let (_dir, path) = file("page_cache_seconds = 4000\n[moderation]\nnew_member_days = 400\n");
    let err = load_err(Some(&path), &[], Overrides::default());
    assert_eq!(err.setting, format!("moderation.new_member_days in {}", path.display()));
    let err = load_err(Some(&path), &[("GUIDEPOST_NEW_MEMBER_DAYS", "1")], Overrides::default());
    let expected =
        format!("page_cache_seconds in {}: `4000` is not a number of seconds from 0 to 3600", path.display());
    assert_eq!(err.to_string(), expected);
    assert!(!err.to_string().contains('\n'), "{err}");
}

#[test]
fn unknown_file_keys_are_rejected() {
    let (_dir, file) = file("bnd = \"x\"\n");
    let err = Config::load(Some(&file), &Env::new(), Overrides::default()).unwrap_err();
    assert!(err.message.contains("bnd"), "{err}");
    assert_eq!(err.setting, format!("--config {}", file.display()));
    assert!(err.message.starts_with("unknown key `bnd`, expected one of `database_url`"), "{err}");
}

#[test]
fn unknown_keys_in_the_moderation_table_are_rejected() {
    let (_dir, file) = file("[moderation]\nquestion_per_hour = 5\n");
    let err = load_err(Some(&file), &[], Overrides::default());
    assert!(err.message.starts_with("unknown key `moderation.question_per_hour`, expected one of"), "{err}");
    assert!(err.message.contains("`questions_per_hour`"), "{err}");
}

#[test]
fn unknown_variables_are_left_alone_as_before() {
    // Tools and tests share the prefix (GUIDEPOST_TEST_POSTGRES_URL), so only known names are read.
    let vars =
        [("GUIDEPOST_BND", "x"), ("GUIDEPOST_TEST_POSTGRES_URL", "postgres://h/db"), ("GUIDEPOST_MODERATION", "1")];
    let config = Config::load(None, &env(&vars), Overrides::default()).unwrap();
    assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
}

#[test]
fn the_file_keeps_its_types() {
    let (_dir, path) = file("db_pool_size = \"16\"\n");
    let err = load_err(Some(&path), &[], Overrides::default());
    assert_eq!(err.setting, format!("--config {}", path.display()));
    assert!(err.message.starts_with("`db_pool_size`: invalid type"), "{err}");
    let (_dir, path) = file("auto_migrate = \"yes\"\n");
    assert!(load_err(Some(&path), &[], Overrides::default()).message.starts_with("`auto_migrate`"));
    let (_dir, path) = file("db_pool_size = -1\n");
    assert!(load_err(Some(&path), &[], Overrides::default()).message.starts_with("`db_pool_size`"));
}

#[test]
fn a_broken_or_missing_file_is_one_line() {
    let (_dir, path) = file("site_name = \"ok\"\nbind = \n");
    let err = load_err(Some(&path), &[], Overrides::default());
    assert_eq!(err.setting, format!("--config {}", path.display()));
    assert!(err.message.starts_with("line 2: "), "{err}");
    assert!(!err.to_string().contains('\n'), "{err}");
    let err = load_err(Some(&path.with_file_name("absent.toml")), &[], Overrides::default());
    assert!(err.message.starts_with("cannot read: "), "{err}");
}

#[test]
fn the_key_lists_match_the_file_shape() {
    // serde names every field it expected when it meets an unknown one; the lists must agree.
    let expected = |toml: &str| {
        let (_dir, path) = file(toml);
        let message = load_err(Some(&path), &[], Overrides::default()).message;
        let mut keys: Vec<String> = message.split("`").skip(3).step_by(2).map(str::to_owned).collect();
        keys.sort();
        keys
    };
    let listed = |keys: &[&str]| {
        let mut keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        keys.sort();
        keys
    };
    let mut top = listed(&shape::KEYS);
    top.push(shape::MODERATION_TABLE.to_owned());
    top.extend(shape::LIST_KEYS.iter().map(|key| (*key).to_owned()));
    top.push(shape::SSO_TABLE.to_owned());
    top.sort();
    assert_eq!(expected("zzz = 1\n"), top);
    assert_eq!(expected("[moderation]\nzzz = 1\n"), listed(&moderation::KEYS));
}

#[test]
fn run_time_settings_have_operator_values_and_pins() {
    let config = Config::load(None, &Env::new(), Overrides::default()).unwrap();
    assert_eq!(config.accent_colour, "#1f6feb");
    assert!(config.tagline.is_empty() && config.pinned_settings.is_empty());

    let vars = [("GUIDEPOST_PINNED_SETTINGS", " site_name,accent_colour ,"), ("GUIDEPOST_ACCENT_COLOUR", "#8A2BE2")];
    let config = Config::load(None, &env(&vars), Overrides::default()).unwrap();
    assert_eq!(config.pinned_settings, vec![SettingName::SiteName, SettingName::AccentColour]);
    assert_eq!(config.accent_colour, "#8a2be2");

    let (_dir, path) = file("pinned_settings = [\"votes_per_hour\"]\ntagline = \"Widgets, answered\"\n");
    let config = Config::load(Some(&path), &Env::new(), Overrides::default()).unwrap();
    assert_eq!(config.pinned_settings, vec![SettingName::VotesPerHour]);
    assert_eq!(config.tagline, "Widgets, answered");

    let error = load_err(None, &[("GUIDEPOST_PINNED_SETTINGS", "site_name,colour")], Overrides::default());
    assert_eq!(error.setting, "GUIDEPOST_PINNED_SETTINGS");
    assert!(error.message.contains("`colour` is not a run-time setting"), "{}", error.message);
    let error = load_err(None, &[("GUIDEPOST_ACCENT_COLOUR", "#ffff00")], Overrides::default());
    assert_eq!(error.setting, "GUIDEPOST_ACCENT_COLOUR");
    assert!(error.message.contains("contrast"), "{}", error.message);
    let error = load_err(None, &[("GUIDEPOST_LOGO_URL", "javascript:alert(1)")], Overrides::default());
    assert_eq!(error.setting, "GUIDEPOST_LOGO_URL");
    let (_dir, path) = file("pinned_settings = 3\n");
    assert!(load_err(Some(&path), &[], Overrides::default()).message.contains("pinned_settings"));
}

#[test]
fn outbound_allow_addresses_are_ip_addresses() {
    let config = Config::load(None, &Env::new(), Overrides::default()).unwrap();
    assert!(config.outbound_allow_addresses.is_empty());
    let vars = [("GUIDEPOST_OUTBOUND_ALLOW_ADDRESSES", "127.0.0.1, fd00::7")];
    let config = Config::load(None, &env(&vars), Overrides::default()).unwrap();
    assert_eq!(
        config.outbound_allow_addresses,
        vec!["127.0.0.1".parse::<std::net::IpAddr>().unwrap(), "fd00::7".parse().unwrap()]
    );
    let error = load_err(None, &[("GUIDEPOST_OUTBOUND_ALLOW_ADDRESSES", "intranet.local")], Overrides::default());
    assert_eq!(error.setting, "GUIDEPOST_OUTBOUND_ALLOW_ADDRESSES");
    assert!(error.message.contains("`intranet.local` is not an IP address"), "{}", error.message);
}

#[test]
fn single_sign_on_providers_come_from_the_file_and_are_judged_there() {
    let provider = "[[sso.providers]]\nid = \"acme\"\nname = \"Acme\"\nissuer = \"https://id.acme.example/realms/staff\"\nclient_id = \"guidepost\"\n";
    let (_dir, path) = file(&format!("{provider}role_claim = \"groups\"\nstaff_values = [\"support\"]\n"));
    let config = Config::load(Some(&path), &Env::new(), Overrides::default()).unwrap();
    assert_eq!(config.sso_providers.len(), 1);
    assert_eq!(config.sso_providers[0].role_claim.as_deref(), Some("groups"));
    assert!(config.password_sign_in);

    let (_dir, path) = file(&provider.replace("https://id.acme", "http://id.acme"));
    let error = load_err(Some(&path), &[], Overrides::default());
    assert!(error.setting.starts_with("sso.providers[0].issuer in --config"), "{}", error.setting);
    let (_dir, path) = file(&format!("{provider}{provider}"));
    assert!(load_err(Some(&path), &[], Overrides::default()).message.contains("names two providers"));
    let (_dir, path) = file(&format!("{provider}surprise = 1\n"));
    assert!(load_err(Some(&path), &[], Overrides::default()).message.contains("unknown key"));

    // Passwords off needs a provider to sign in with.
    let error = load_err(None, &[("GUIDEPOST_PASSWORD_SIGN_IN", "false")], Overrides::default());
    assert_eq!(error.setting, "GUIDEPOST_PASSWORD_SIGN_IN");
    let (_dir, path) = file(provider);
    let env: Env = [("GUIDEPOST_PASSWORD_SIGN_IN".to_owned(), "off".to_owned())].into();
    assert!(!Config::load(Some(&path), &env, Overrides::default()).unwrap().password_sign_in);
}
