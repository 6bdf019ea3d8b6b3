//! PostgreSQL over TLS, through our own connection code and the libpq and OpenSSL built into the
//! binary: `sslmode=require` encrypts, `sslmode=verify-full` checks the server's certificate
//! against the CA it is given and the host name against the certificate, and a wrong CA or a
//! wrong name ends in one clear error instead of a connection.
//!
//! The binary links neither libpq nor OpenSSL from the system (always tested, on Linux).
//!
//! The rest is opt-in: `GUIDEPOST_TEST_POSTGRES_TLS_ROOT_CERT` names the CA that signed the server's
//! certificate (`.ci/postgres-tls` sets one up and prints its path), with
//! `GUIDEPOST_TEST_POSTGRES_URL` naming the server. Once set, an unreachable server or a
//! missing file fails the tests: they never pass by skipping.

use crate::common;

use std::path::PathBuf;

use diesel::{Connection, PgConnection, RunQueryDsl};
use guidepost::config::DatabaseUrl;
use guidepost::db::DbConnection;
use url::Url;

use common::cli::{assert_one_clear_error, guidepost, run, text};
use common::{TestApp, TestDb};

/// The variable naming the CA certificate the test server's certificate is signed by.
const ROOT_CERT_ENV: &str = "GUIDEPOST_TEST_POSTGRES_TLS_ROOT_CERT";

/// A CA certificate that signed nothing (its key was thrown away): verify-full must refuse it.
const UNRELATED_CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/tls/unrelated-ca.pem");

/// The test server and its CA, or `None` (the test is skipped) when TLS testing is not set up.
fn tls_server() -> Option<(Url, PathBuf)> {
    let Some(root_cert) = std::env::var_os(ROOT_CERT_ENV).filter(|v| !v.is_empty()) else {
        eprintln!("skipped: {ROOT_CERT_ENV} is not set (see .ci/postgres-tls)");
        return None;
    };
    let root_cert = PathBuf::from(root_cert);
    assert!(root_cert.is_file(), "{ROOT_CERT_ENV} names {}, which is not a file", root_cert.display());
    let server =
        std::env::var(common::backends::POSTGRES_ENV).ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| {
            panic!("{ROOT_CERT_ENV} is set, so {} must name the server", common::backends::POSTGRES_ENV)
        });
    Some((Url::parse(&server).expect("a PostgreSQL URL"), root_cert))
}

/// `server` reached as `host` (the name the certificate must carry) at the server's own address,
/// with the given TLS settings.
fn tls_url(server: &Url, host: &str, settings: &[(&str, &str)]) -> String {
    let mut url = server.clone();
    let address = server.host_str().expect("the server URL names a host").to_owned();
    url.set_host(Some(host)).expect("a host name");
    {
        let mut query = url.query_pairs_mut();
        // libpq connects to `hostaddr` and checks the certificate against `host`, so the test
        // does not depend on how this machine resolves the names.
        if address.parse::<std::net::IpAddr>().is_ok() {
            query.append_pair("hostaddr", &address);
        }
        for (key, value) in settings {
            query.append_pair(key, value);
        }
    }
    url.into()
}

/// Opens a pool through `guidepost::db::connect` and asks the server whether the connection it
/// serves is encrypted, and with which protocol.
fn connection_security(url: &str) -> Result<(bool, String), String> {
    let pool = guidepost::db::connect(&DatabaseUrl::Postgres(url.to_owned()), 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let DbConnection::Postgresql(pg) = &mut *conn else { panic!("{url} opened a SQLite connection") };
    Ok(ssl_of(pg))
}

fn ssl_of(pg: &mut PgConnection) -> (bool, String) {
    #[derive(diesel::QueryableByName)]
    struct Ssl {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let row: Ssl =
        diesel::sql_query("SELECT ssl, coalesce(version, '') AS version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .get_result(pg)
            .expect("read pg_stat_ssl");
    (row.ssl, row.version)
}

#[test]
fn sslmode_require_encrypts_the_connection() {
    let Some((server, _)) = tls_server() else { return };
    let url = tls_url(&server, "localhost", &[("sslmode", "require")]);
    let (ssl, version) = connection_security(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
    assert!(ssl, "sslmode=require gave an unencrypted connection");
    assert!(version.starts_with("TLSv1."), "protocol {version:?}");
}

#[test]
fn sslmode_verify_full_accepts_the_servers_ca_and_name() {
    let Some((server, root_cert)) = tls_server() else { return };
    let root_cert = root_cert.to_str().expect("a UTF-8 path");
    // By name and by address: the certificate carries both.
    for host in ["localhost", "127.0.0.1"] {
        let url = tls_url(&server, host, &[("sslmode", "verify-full"), ("sslrootcert", root_cert)]);
        let (ssl, _) = connection_security(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert!(ssl, "verify-full to {host} gave an unencrypted connection");
    }
}

#[test]
fn sslmode_verify_full_refuses_a_certificate_from_another_ca() {
    let Some((server, _)) = tls_server() else { return };
    let url = tls_url(&server, "localhost", &[("sslmode", "verify-full"), ("sslrootcert", UNRELATED_CA)]);
    let error = connection_security(&url).expect_err("connected although the CA signed nothing of the server's");
    assert!(error.starts_with("cannot connect to postgres://"), "{error}");
    assert!(error.contains("certificate verify failed"), "{error}");
    assert!(!error.contains('\n'), "one line: {error}");
}

#[test]
fn sslmode_verify_full_refuses_a_name_the_certificate_does_not_carry() {
    let Some((server, root_cert)) = tls_server() else { return };
    let root_cert = root_cert.to_str().expect("a UTF-8 path");
    let url = tls_url(&server, "db.elsewhere.test", &[("sslmode", "verify-full"), ("sslrootcert", root_cert)]);
    let error = connection_security(&url).expect_err("connected although the certificate names another host");
    assert!(error.contains("does not match host name \"db.elsewhere.test\""), "{error}");
}

/// The whole site over verify-full: migrations, the pool behind the app, and a page.
#[actix_web::test]
async fn the_site_runs_over_a_verified_connection() {
    let Some((_, root_cert)) = tls_server() else { return };
    let mut db = TestDb::postgres().expect("the server is configured");
    let DatabaseUrl::Postgres(plain) = &db.url else { unreachable!("a PostgreSQL test database") };
    let root_cert = root_cert.to_str().expect("a UTF-8 path");
    db.url = DatabaseUrl::Postgres(tls_url(
        &Url::parse(plain).expect("the test database URL"),
        "localhost",
        &[("sslmode", "verify-full"), ("sslrootcert", root_cert)],
    ));

    let app = TestApp::start(db).await;
    app.get("/").await.assert_status(200);
    let (ssl, _) = app.with_db(|conn| match conn {
        DbConnection::Postgresql(pg) => ssl_of(pg),
        DbConnection::Sqlite(_) => unreachable!("a PostgreSQL test database"),
    });
    assert!(ssl, "the app's pool connection is not encrypted");
}

/// The binary, as an operator runs it: a verified connection migrates; a wrong CA is one line.
#[test]
fn the_cli_connects_with_verify_full_and_reports_a_wrong_ca_in_one_line() {
    let Some((_, root_cert)) = tls_server() else { return };
    let mut db = TestDb::postgres().expect("the server is configured");
    let DatabaseUrl::Postgres(plain) = db.url.clone() else { unreachable!("a PostgreSQL test database") };
    let plain = Url::parse(&plain).expect("the test database URL");
    let with_ca = |ca: &str| {
        DatabaseUrl::Postgres(tls_url(&plain, "localhost", &[("sslmode", "verify-full"), ("sslrootcert", ca)]))
    };

    db.url = with_ca(UNRELATED_CA);
    let refused = run(&mut guidepost(&db, &["migrate"]));
    assert_one_clear_error(&refused, "certificate verify failed");

    db.url = with_ca(root_cert.to_str().expect("a UTF-8 path"));
    let migrated = run(&mut guidepost(&db, &["migrate"]));
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));

    // What the operator asked for is what was used: the database is migrated.
    let mut check = PgConnection::establish(&db.url_string()).expect("connect over verify-full");
    let (ssl, _) = ssl_of(&mut check);
    assert!(ssl);
    let tables: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM information_schema.tables WHERE table_name = 'posts')",
    ))
    .get_result(&mut check)
    .unwrap();
    assert_eq!(tables, 1, "migrate did not create the tables");
}

/// What `ldd` says the binary loads: libc and its companions only, so it runs where no libpq,
/// libssl or libcrypto is installed, and `sslmode=verify-full` above went through the copies
/// built into it.
#[cfg(target_os = "linux")]
#[test]
fn the_binary_links_no_libpq_or_openssl() {
    let output = std::process::Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_guidepost"))
        .output()
        .expect("run ldd (glibc's libc-bin)");
    assert!(output.status.success(), "ldd failed: {}", text(&output.stderr));
    let libraries = text(&output.stdout);
    for system_library in ["libpq", "libssl", "libcrypto", "libsqlite3"] {
        assert!(!libraries.contains(system_library), "the binary loads {system_library}:\n{libraries}");
    }
    assert!(libraries.contains("libc.so"), "{libraries}");
}
