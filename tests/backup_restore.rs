//! `guidepost backup` and `guidepost restore` as an operator runs them: a backup taken while a
//! member keeps answering holds every answer acknowledged before it started and one consistent
//! moment of the site; restored into a fresh SQLite and a fresh PostgreSQL database, every
//! table's rows come back; a damaged or truncated archive is refused and writes nothing.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use common::cli::{assert_one_clear_error, guidepost, run, text};
use common::{TestApp, TestDb};
use guidepost::db::models::site_tables;
use serde_json::Value as Json;

/// One member writes answer after answer: no hourly limits.
const UNLIMITED: &[(&str, &str)] = &[("GUIDEPOST_ANSWERS_PER_HOUR", "0"), ("GUIDEPOST_QUESTIONS_PER_HOUR", "0")];

/// Fresh databases of every backend the run has: SQLite, and PostgreSQL when configured.
fn fresh_databases() -> Vec<TestDb> {
    std::iter::once(TestDb::sqlite()).chain(TestDb::postgres()).collect()
}

/// One table of an archive: its name and its rows as JSON arrays.
type ArchivedTable = (String, Vec<Vec<Json>>);

/// Reads an archive's header and tables straight from the file, as the README describes it.
fn read_archive(path: &Path) -> (Json, Vec<ArchivedTable>) {
    let lines = BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()));
    let mut lines = lines.lines().map(|l| serde_json::from_str::<Json>(&l.unwrap()).unwrap());
    let header = lines.next().unwrap();
    let mut tables: Vec<ArchivedTable> = Vec::new();
    for line in lines {
        if let Some(name) = line.get("table") {
            tables.push((name.as_str().unwrap().to_owned(), Vec::new()));
        } else if let Json::Array(row) = line {
            tables.last_mut().unwrap().1.push(row);
        }
    }
    (header, tables)
}

/// Values as both backends keep them: PostgreSQL stores timestamps to the microsecond, so a
/// SQLite timestamp with nanoseconds comes back cut to six digits.
fn comparable(tables: &[ArchivedTable]) -> Vec<ArchivedTable> {
    let cut = |value: &Json| match value.as_str() {
        Some(s) if s.len() > 26 && s.as_bytes().get(10) == Some(&b'T') => Json::from(s[..26].trim_end_matches('0')),
        Some(s) if s.len() > 19 && s.as_bytes().get(10) == Some(&b'T') => Json::from(s.trim_end_matches('0')),
        _ => value.clone(),
    };
    tables
        .iter()
        .map(|(name, rows)| (name.clone(), rows.iter().map(|r| r.iter().map(cut).collect()).collect()))
        .collect()
}

fn connect(db: &TestDb) -> guidepost::db::DbPool {
    guidepost::db::connect(&db.url, 1).unwrap()
}

fn backup(db: &TestDb, file: &Path) {
    let out = run(&mut guidepost(db, &["backup", file.to_str().unwrap()]));
    assert!(out.status.success(), "backup failed: {}", text(&out.stderr));
}

#[actix_web::test]
async fn a_backup_taken_under_writes_restores_into_either_backend() {
    for source in fresh_databases() {
        let seeded = run(&mut guidepost(&source, &["seed", "--questions", "120"]));
        assert!(seeded.status.success(), "{}", text(&seeded.stderr));
        let app = TestApp::start(source).await.restart_with(UNLIMITED).await;
        app.join("writer").await;
        let question = app.ask_ok("Why does the blue widget hum at night?", "widgets").await;

        // Answers acknowledged (303) before the backup starts must all be in it.
        let mut before = Vec::new();
        for n in 0..5 {
            before.push(app.answer(&question, &format!("Acknowledged before the backup, number {n}.")).await);
        }
        let archive = app.db.dir.path().join("site.guidepost");
        let mut child = guidepost(&app.db, &["backup", archive.to_str().unwrap()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut during = 0;
        while child.try_wait().unwrap().is_none() {
            app.answer(&question, &format!("Written while the backup runs, number {during}.")).await;
            during += 1;
        }
        let finished = child.wait_with_output().unwrap();
        assert!(finished.status.success(), "backup failed: {}", text(&finished.stderr));
        assert!(text(&finished.stdout).contains("backed up"), "{}", text(&finished.stdout));
        assert!(!archive.with_extension("guidepost.partial").exists());

        let (header, tables) = read_archive(&archive);
        assert_eq!(header["format"], "guidepost-archive");
        assert_eq!(header["version"], 1);
        assert_eq!(header["secret_key_included"], false);
        let posts = &tables.iter().find(|(name, _)| name == "posts").expect("posts are archived").1;
        let columns: Vec<String> = header["tables"].as_array().unwrap().iter().find(|t| t["name"] == "posts").unwrap()
            ["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect();
        let col = |name: &str| columns.iter().position(|c| c == name).unwrap();
        for id in &before {
            assert!(posts.iter().any(|row| row[col("id")] == *id), "answer {id} was acknowledged before the backup");
        }
        // One moment of the site: the question's answer count agrees with its answers' rows.
        let question_id = common::forum::question_id(&question);
        let row = posts.iter().find(|row| row[col("id")] == question_id).unwrap();
        let answers =
            posts.iter().filter(|r| r[col("question_id")] == question_id && r[col("deleted_at")].is_null()).count();
        assert_eq!(row[col("answer_count")], Json::from(answers), "the counter and the rows come from one snapshot");

        for target in fresh_databases() {
            let restored = run(&mut guidepost(&target, &["restore", archive.to_str().unwrap()]));
            assert!(restored.status.success(), "restore failed: {}", text(&restored.stderr));
            assert!(text(&restored.stdout).contains("restored"), "{}", text(&restored.stdout));
            // Every table's rows, read back from the restored database by a second backup.
            let again = target.dir.path().join("again.guidepost");
            backup(&target, &again);
            let (_, restored_tables) = read_archive(&again);
            assert_eq!(
                comparable(&restored_tables),
                comparable(&tables),
                "{} -> {}",
                app.db.url_string(),
                target.url_string()
            );

            // The restored site serves and finds what it holds, and takes new posts.
            let site = TestApp::start(target).await.restart_with(UNLIMITED).await;
            site.get(&question).await.assert_status(200).assert_contains("Acknowledged before the backup, number 4.");
            // The index was rebuilt by `restore`: found at once (highlighting taken out).
            let results = site.get("/search?q=blue+widget+hum").await;
            results.assert_status(200);
            let unmarked = results.body.replace("<b>", "").replace("</b>", "");
            assert!(unmarked.contains("Why does the blue widget hum at night?"), "{unmarked}");
            site.join("newcomer").await;
            site.ask_ok("Does the restored site take new questions?", "widgets").await;
        }
    }
}

#[test]
fn a_damaged_or_truncated_archive_is_refused_and_writes_nothing() {
    let source = TestDb::sqlite();
    let seeded = run(&mut guidepost(&source, &["seed", "--questions", "40"]));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let archive = source.dir.path().join("site.guidepost");
    backup(&source, &archive);
    let bytes = std::fs::read(&archive).unwrap();

    // Cut short; one byte flipped inside the compressed data; and a well-formed gzip file whose
    // rows were edited after the fact (caught by the checksum).
    let truncated = bytes[..bytes.len() / 2].to_vec();
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let mut text_lines = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text_lines).unwrap();
    let edited_text = text_lines.replacen("\"member\"", "\"admin\"", 1);
    assert_ne!(edited_text, text_lines);
    let mut edited = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    edited.write_all(edited_text.as_bytes()).unwrap();
    let edited = edited.finish().unwrap();
    let not_gzip = b"users,posts\n1,2\n".to_vec();

    for (what, damaged, mentions) in [
        ("truncated", truncated, "truncated"),
        ("flipped", flipped, "damaged"),
        ("edited", edited, "checksum"),
        ("not an archive", not_gzip, "archive"),
    ] {
        for target in fresh_databases() {
            let path = target.dir.path().join("damaged.guidepost");
            std::fs::write(&path, &damaged).unwrap();
            let out = run(&mut guidepost(&target, &["restore", path.to_str().unwrap()]));
            let stderr = assert_one_clear_error(&out, mentions);
            assert!(stderr.contains("was not restored"), "{what}: {stderr}");
            let pool = connect(&target);
            let mut conn = pool.get().unwrap();
            for table in site_tables::site_tables(&mut conn).unwrap() {
                let rows = site_tables::row_count(&mut conn, &table.name).unwrap();
                // A database that was never migrated has no tables at all.
                assert_eq!(rows, 0, "{what}: {} has rows", table.name);
            }
        }
    }
}

#[test]
fn restore_refuses_a_site_that_has_content() {
    for db in fresh_databases() {
        let seeded = run(&mut guidepost(&db, &["seed", "--questions", "10"]));
        assert!(seeded.status.success(), "{}", text(&seeded.stderr));
        let archive = db.dir.path().join("site.guidepost");
        backup(&db, &archive);
        let pool = connect(&db);
        let mut conn = pool.get().unwrap();
        let posts_before = site_tables::row_count(&mut conn, "posts").unwrap();
        let out = run(&mut guidepost(&db, &["restore", archive.to_str().unwrap()]));
        assert_one_clear_error(&out, "restore fills an empty database");
        assert_eq!(site_tables::row_count(&mut conn, "posts").unwrap(), posts_before);
    }
}

#[test]
fn the_secret_key_is_archived_only_when_asked() {
    let source = TestDb::sqlite();
    let seeded = run(&mut guidepost(&source, &["seed", "--questions", "5"]));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let keyed = source.dir.path().join("keyed.guidepost");
    let out = run(&mut guidepost(&source, &["backup", keyed.to_str().unwrap(), "--include-secret-key"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key = std::fs::read_to_string(source.dir.path().join("secret_key")).unwrap();
    let plain = source.dir.path().join("plain.guidepost");
    backup(&source, &plain);

    let mut plain_text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&plain).unwrap()),
        &mut plain_text,
    )
    .unwrap();
    assert!(!plain_text.contains(key.trim()), "the key is not in an archive by default");

    let target = TestDb::sqlite();
    let restored = run(&mut guidepost(&target, &["restore", keyed.to_str().unwrap()]));
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    assert_eq!(std::fs::read_to_string(target.dir.path().join("secret_key")).unwrap().trim(), key.trim());
}
