//! Crash safety (issue 17): members sign in and post questions, answers and comments as fast as
//! they can while `guidepost serve` is killed with SIGKILL. Restarted over the same database and
//! data folder, the site shows every post a member saw acknowledged (the 303 to it arrived before
//! the kill) on its page, its search index catches up to find every one, and no post is
//! half-written. Drives the real binary over HTTP on both backends.

use crate::common;

mod checks;

use checks::{assert_found_by_search, assert_nothing_half_written, assert_on_their_pages, StoredText};

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;

use common::browser::PRIVILEGE_THRESHOLDS;
use common::cli::{guidepost, text, HttpReply, HttpVisitor, Server};
use common::forum::question_id;
use common::mail::free_port;
use common::members::PASSWORD;
use common::TestDb;

/// Members posting at once (the machine has two cores; more only queue).
const MEMBERS: usize = 4;
/// Times the server is killed and restarted.
const CRASHES: usize = 3;
/// Posts acknowledged between a start and the kill (picked at random each time).
const KILL_AFTER: std::ops::RangeInclusive<usize> = 20..=90;
/// How long the restarted server's index may take to find every post.
const CATCH_UP: Duration = Duration::from_secs(20);
/// A word in every question, so one search counts them all.
const SHARED_WORD: &str = "crashworthy";
/// Posting limits far above what the test reaches: the checks still run in every write.
const GENEROUS: &str = "1000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Question,
    Answer,
    Comment,
}

/// A question as members reach it.
#[derive(Debug, Clone)]
struct QuestionRef {
    id: i64,
    path: String,
}

/// A post whose 303 a member received, and the word only it contains.
#[derive(Debug, Clone)]
struct Acknowledged {
    kind: Kind,
    word: String,
    question: QuestionRef,
}

/// What the members share while they post.
struct Forum {
    /// Set just before the SIGKILL: a request failing earlier is a bug, not the crash.
    killed: AtomicBool,
    acknowledged: Mutex<Vec<Acknowledged>>,
    questions: Mutex<Vec<QuestionRef>>,
}

impl Forum {
    fn acknowledge(&self, kind: Kind, word: &str, question: &QuestionRef) {
        let post = Acknowledged { kind, word: word.to_owned(), question: question.clone() };
        self.acknowledged.lock().unwrap().push(post);
    }

    fn counts(&self) -> BTreeMap<Kind, usize> {
        let mut counts = BTreeMap::from([(Kind::Question, 0), (Kind::Answer, 0), (Kind::Comment, 0)]);
        for post in self.acknowledged.lock().unwrap().iter() {
            *counts.entry(post.kind).or_default() += 1;
        }
        counts
    }
}

/// `guidepost serve` with limits that let members post as fast as they can.
fn serve(db: &TestDb) -> Command {
    let mut serve = guidepost(db, &["serve"]);
    serve
        .env("GUIDEPOST_QUESTIONS_PER_HOUR", GENEROUS)
        .env("GUIDEPOST_ANSWERS_PER_HOUR", GENEROUS)
        .env("GUIDEPOST_COMMENTS_PER_HOUR", GENEROUS)
        // The robot trap refuses forms sent back within seconds of being shown.
        .env("GUIDEPOST_MIN_FORM_SECONDS", "0")
        // A per-client limit on searches; the check after the restart searches a lot.
        .env("GUIDEPOST_HEAVY_REQUESTS_PER_MINUTE", "0");
    // New members post comments here; reputation gates have their own tests.
    for privilege in PRIVILEGE_THRESHOLDS {
        serve.env(privilege, "0");
    }
    serve
}

fn username(n: usize) -> String {
    format!("poster{n}")
}

/// Creates a confirmed member as an operator would, the password on standard input.
fn create_member(db: &TestDb, n: usize) {
    let name = username(n);
    let email = format!("{name}@example.com");
    let mut child = guidepost(db, &["user", "create", "--username", &name, "--email", &email, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run guidepost user create");
    child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "user create: {}", text(&output.stderr));
}

fn sign_in(port: u16, name: &str) -> HttpVisitor {
    let mut me = HttpVisitor::new(port);
    let form = me.get("/login").unwrap();
    assert_eq!(form.status, 200, "{}", form.body);
    let token = form.hidden_value("csrf_token").expect("a CSRF token on the sign-in form");
    let reply = me.post_form("/login", &[("login", name), ("password", PASSWORD), ("csrf_token", &token)]).unwrap();
    assert_eq!(reply.status, 303, "sign-in as {name}: {}", reply.body);
    me
}

/// Ten random letters: no other post contains them, and no typo-forgiving search confuses two.
fn fresh_word(rng: &mut impl Rng) -> String {
    (0..10).map(|_| char::from(rng.random_range(b'a'..=b'z'))).collect()
}

#[track_caller]
fn expect_redirect(reply: &HttpReply, what: &str) -> String {
    // The page's own content says why; the header and footer around it are noise.
    let main = reply.body.find("<main").map_or(reply.body.as_str(), |at| &reply.body[at..]);
    assert_eq!(reply.status, 303, "{what} was refused: {}", main.chars().take(1500).collect::<String>());
    reply.header("location").expect("a redirect to the post").to_owned()
}

/// One member's posting loop; gives back the member (still signed in) and what it was sending
/// when the server died.
fn post_until_killed(forum: &Forum, mut me: HttpVisitor) -> (HttpVisitor, Option<(Kind, String)>) {
    let mut rng = rand::rng();
    let mut in_flight = None;
    let mut round = 0;
    let e = loop {
        if let Err(e) = one_round(forum, &mut me, &mut rng, round, &mut in_flight) {
            break e;
        }
        round += 1;
    };
    assert!(forum.killed.load(Ordering::SeqCst), "a request failed before the server was killed: {e}");
    (me, in_flight)
}

/// Asks a question, answers one of the latest questions and comments on the answer or the question.
fn one_round(
    forum: &Forum,
    me: &mut HttpVisitor,
    rng: &mut impl Rng,
    round: u64,
    in_flight: &mut Option<(Kind, String)>,
) -> std::io::Result<()> {
    let form = me.get("/ask")?;
    assert_eq!(form.status, 200, "the ask form: {}", form.body);
    let token = form.hidden_value("csrf_token").expect("a CSRF token on the ask form");
    let stamp = form.hidden_value("form_started").unwrap_or_default();

    let word = fresh_word(rng);
    *in_flight = Some((Kind::Question, word.clone()));
    let title = format!("Why does the {word} gauge read zero after a restart?");
    let body = format!("The {word} gauge on the {SHARED_WORD} test rig reads zero each time the service restarts.");
    let mut fields = vec![
        ("title", title.as_str()),
        ("body", body.as_str()),
        ("tags", "gauges crash-safety"),
        ("website", ""),
        ("form_started", stamp.as_str()),
        ("csrf_token", token.as_str()),
    ];
    let mut reply = me.post_form("/ask", &fields)?;
    if reply.status == 200 && reply.hidden_value("similar_checked").is_some() {
        // Similar questions were shown first; the form now posts as it is ("ask anyway").
        fields.push(("similar_checked", "1"));
        reply = me.post_form("/ask", &fields)?;
    }
    let path = expect_redirect(&reply, "a question");
    let asked = QuestionRef { id: question_id(&path), path };
    forum.acknowledge(Kind::Question, &word, &asked);
    let target = {
        let mut questions = forum.questions.lock().unwrap();
        questions.push(asked.clone());
        // Often another member's question, so writers meet on the same rows.
        questions[rng.random_range(questions.len().saturating_sub(8)..questions.len())].clone()
    };

    let word = fresh_word(rng);
    *in_flight = Some((Kind::Answer, word.clone()));
    let body = format!("Reseat the {word} sensor cable, then restart the service once more and watch it.");
    let reply = me.post_form(
        &format!("/questions/{}/answers", target.id),
        &[("body", body.as_str()), ("csrf_token", token.as_str())],
    )?;
    let answer_id: i64 = expect_redirect(&reply, "an answer").trim_start_matches("/a/").parse().expect("answer id");
    forum.acknowledge(Kind::Answer, &word, &target);

    let word = fresh_word(rng);
    *in_flight = Some((Kind::Comment, word.clone()));
    let on = if round % 2 == 0 { answer_id } else { target.id };
    let body = format!("Saw the {word} reading too; it came back after a minute.");
    let reply = me.post_form(&format!("/posts/{on}/comments"), &[("body", body.as_str()), ("csrf_token", &token)])?;
    let back = expect_redirect(&reply, "a comment");
    assert!(back.starts_with(&format!("/questions/{}#", target.id)), "a comment led to {back}");
    forum.acknowledge(Kind::Comment, &word, &target);
    *in_flight = None;
    Ok(())
}

/// Lets the members post until `kill_after` more posts are acknowledged, then kills the server
/// with SIGKILL; returns the members and what the kill cut short.
fn post_then_kill(
    forum: &Arc<Forum>,
    server: Server,
    members: Vec<HttpVisitor>,
    kill_after: usize,
) -> (Vec<HttpVisitor>, Vec<(Kind, String)>) {
    let before = forum.acknowledged.lock().unwrap().len();
    forum.killed.store(false, Ordering::SeqCst);
    let posting: Vec<_> = members
        .into_iter()
        .map(|me| {
            let forum = Arc::clone(forum);
            std::thread::spawn(move || post_until_killed(&forum, me))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let acknowledged = forum.acknowledged.lock().unwrap().len() - before;
        // A member that stopped early failed; joining it below reports why.
        if acknowledged >= kill_after || posting.iter().any(|m| m.is_finished()) {
            break;
        }
        assert!(Instant::now() < deadline, "members posted too slowly: {acknowledged} acknowledged in 30 s");
        std::thread::sleep(Duration::from_millis(2));
    }
    forum.killed.store(true, Ordering::SeqCst);
    let (status, log) = server.stop("-KILL", Duration::from_secs(10));
    let mut members = Vec::new();
    let mut cut_short = Vec::new();
    for member in posting {
        match member.join() {
            Ok((me, in_flight)) => {
                members.push(me);
                cut_short.extend(in_flight);
            }
            Err(panic) => {
                eprintln!("the server's log:\n{log}");
                std::panic::resume_unwind(panic)
            }
        }
    }
    assert_eq!(status.signal(), Some(9), "the server was not killed but ended with {status}:\n{log}");
    (members, cut_short)
}

fn acknowledged_posts_survive_kills(db: TestDb, backend: &str) {
    let started = Instant::now();
    for n in 0..MEMBERS {
        create_member(&db, n);
    }
    let port = free_port();
    let forum = Arc::new(Forum {
        killed: AtomicBool::new(false),
        acknowledged: Mutex::new(Vec::new()),
        questions: Mutex::new(Vec::new()),
    });
    let mut server = Server::start_on(&mut serve(&db), port);
    let mut members: Vec<HttpVisitor> = (0..MEMBERS).map(|n| sign_in(port, &username(n))).collect();
    let mut rng = rand::rng();
    // No one asks first: the members' first questions create the same new tags at once, which
    // on PostgreSQL once made the loser's transaction fail (see `tags::find_or_create`).
    // The members stay signed in across the crashes, as browsers would (were their sessions lost,
    // the ask form would send them to sign in and the round would fail).
    let mut checked = 0;
    for crash in 1..=CRASHES {
        // A different moment each time: early, with writes queued behind SQLite's lock, or later.
        let kill_after = rng.random_range(KILL_AFTER);
        let posting = Instant::now();
        let (signed_in, cut_short) = post_then_kill(&forum, server, members, kill_after);
        let load_time = posting.elapsed();
        members = signed_in;

        // What the crash left on disk, before anything runs over it again: every post acknowledged
        // so far (before this crash or an earlier one), and nothing half-written.
        let acknowledged = forum.acknowledged.lock().unwrap().clone();
        let stored = StoredText::read(&db);
        let lost: Vec<&Acknowledged> = acknowledged.iter().filter(|p| !stored.holds(p.kind, &p.word)).collect();
        assert!(lost.is_empty(), "acknowledged posts are missing after crash {crash}: {lost:?}");
        let committed = cut_short.iter().filter(|(kind, word)| stored.holds(*kind, word)).count();
        let questions_in_db = assert_nothing_half_written(&db);

        let restarting = Instant::now();
        server = Server::start_on(&mut serve(&db), port);
        let restart_time = restarting.elapsed();
        let rebuilt = server.log().contains("building the search index");
        // What visitors see of the posts acknowledged since the last start (the earlier ones
        // were seen after the earlier crashes, and the database still holds them).
        let new_posts = &acknowledged[checked..];
        assert_on_their_pages(port, new_posts);
        let (catch_up, passes) = assert_found_by_search(port, new_posts, questions_in_db);
        checked = acknowledged.len();
        eprintln!(
            "{backend} crash {crash}: SIGKILL after {kill_after} more acknowledged posts ({load_time:.1?}), {} cut \
             short ({committed} committed anyway); {:?} acknowledged in all, {questions_in_db} questions in the \
             database; restarted in {restart_time:.1?} ({}); search counted every question {catch_up:.1?} \
             later and found each new acknowledged post in {passes} pass(es)",
            cut_short.len(),
            forum.counts(),
            if rebuilt { "index rebuilt" } else { "index caught up" },
        );
    }

    let (status, log) = server.stop("-TERM", Duration::from_secs(20));
    assert!(status.success(), "exit status {status}; log:\n{log}");
    assert!(!log.contains("panicked"), "{log}");
    eprintln!("{backend}: {CRASHES} crashes survived in {:.1?}", started.elapsed());
}

#[test]
fn crash_safety_on_sqlite() {
    acknowledged_posts_survive_kills(TestDb::sqlite(), "sqlite");
}

#[test]
fn crash_safety_on_postgres() {
    match TestDb::postgres() {
        Some(db) => acknowledged_posts_survive_kills(db, "postgres"),
        None => eprintln!("skipped: GUIDEPOST_TEST_POSTGRES_URL is not set"),
    }
}
