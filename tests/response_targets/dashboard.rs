//! The dashboard's figures per week and per topic, and its current breaches, for a hand-computed
//! fixture.

use super::*;

async fn the_dashboard_figures_match_a_hand_computed_fixture(app: TestApp) {
    app.create_user("sam", Role::Staff);
    app.create_user("mia", Role::Member);
    let (staff, mia) = (actor(&app, "sam"), actor(&app, "mia"));
    // Sunday 15 March 2026, noon. The 30-day window runs from 14 February: weeks start on
    // Feb 14, Feb 21, Feb 28, Mar 7 and Mar 14 (two days).
    let now = at(2026, 3, 15, 12, 0);
    let d = |day: u32, h: u32| if day > 20 { at(2026, 2, day, h, 0) } else { at(2026, 3, day, h, 0) };
    let fixture = [
        // Week of Mar 7: met (answered 12 h before due).
        Fixture {
            title: "Fixture one about red widgets",
            tags: "widgets",
            asked: d(10, 0),
            official: Some(d(10, 12)),
            due: Some(d(11, 0)),
        },
        // Week of Mar 7: missed (answered a day after due).
        Fixture {
            title: "Fixture two about red widgets",
            tags: "widgets",
            asked: d(10, 6),
            official: Some(d(12, 6)),
            due: Some(d(11, 6)),
        },
        // Week of Mar 7: missed (no answer, due passed): a current breach, in both topics.
        Fixture {
            title: "Fixture three about widget gadgets",
            tags: "widgets gadgets",
            asked: d(11, 0),
            official: None,
            due: Some(d(12, 0)),
        },
        // Week of Mar 14: pending (due tomorrow).
        Fixture {
            title: "Fixture four about blue gadgets",
            tags: "gadgets",
            asked: d(15, 6),
            official: None,
            due: Some(d(16, 6)),
        },
        // Week of Mar 14: met.
        Fixture {
            title: "Fixture five about blue gadgets",
            tags: "gadgets",
            asked: d(15, 8),
            official: Some(d(15, 10)),
            due: Some(d(16, 8)),
        },
        // Week of Feb 14 (asked Feb 20 10:00): met exactly at the due time.
        Fixture {
            title: "Fixture six about old widgets",
            tags: "widgets",
            asked: at(2026, 2, 20, 10, 0),
            official: Some(d(21, 10)),
            due: Some(d(21, 10)),
        },
        // Before the window: not counted, but still a current breach (due longest ago).
        Fixture {
            title: "Fixture seven about ancient widgets",
            tags: "widgets",
            asked: at(2026, 2, 10, 0, 0),
            official: None,
            due: Some(at(2026, 2, 11, 0, 0)),
        },
        // No promise: not counted, never a breach.
        Fixture {
            title: "Fixture eight about unpromised widgets",
            tags: "widgets",
            asked: d(12, 0),
            official: None,
            due: None,
        },
    ];
    for f in &fixture {
        let q = ask(&app, &mia, f.title, f.tags, f.asked);
        app.with_db(|conn| {
            diesel::update(posts::table.find(q.id))
                .set((
                    posts::created_at.eq(f.asked),
                    posts::first_official_at.eq(f.official),
                    posts::has_official.eq(f.official.is_some()),
                ))
                .execute(conn)
                .unwrap();
            diesel::delete(deadlines_table::table.find(q.id)).execute(conn).unwrap();
            if let Some(due) = f.due {
                let promise = ResponseDeadline {
                    question_id: q.id,
                    target_hours: 24,
                    nearing_at: due - TimeDelta::hours(6),
                    due_at: due,
                };
                response_deadlines::insert(conn, &promise).unwrap();
            }
        });
    }

    let board = app.with_db(|conn| report::overview(conn, &staff, Some("30"), now)).unwrap();
    let tally = |met, missed, pending| Tally { met, missed, pending };
    let weeks: Vec<(NaiveDate, u32, Tally)> = board.weeks.iter().map(|w| (w.start, w.days, w.tally)).collect();
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    assert_eq!(
        weeks,
        vec![
            (day(2, 14), 7, tally(1, 0, 0)),
            (day(2, 21), 7, tally(0, 0, 0)),
            (day(2, 28), 7, tally(0, 0, 0)),
            (day(3, 7), 7, tally(1, 2, 0)),
            (day(3, 14), 2, tally(1, 0, 1)),
        ]
    );
    let shares: Vec<Option<f64>> = board.weeks.iter().map(|w| w.tally.share()).collect();
    assert_eq!(shares, vec![Some(1.0), None, None, Some(1.0 / 3.0), Some(1.0)]);
    assert_eq!(board.total, tally(3, 2, 1));
    assert_eq!(board.total.share(), Some(0.6));
    let by_tag: Vec<(&str, Tally)> = board.tags.iter().map(|t| (t.tag.as_str(), t.tally)).collect();
    assert_eq!(by_tag, vec![("widgets", tally(2, 2, 0)), ("gadgets", tally(1, 1, 1))]);
    let breaches: Vec<(&str, Vec<String>)> =
        board.breaches.iter().map(|b| (b.title.as_str(), b.tags.clone())).collect();
    assert_eq!(
        breaches,
        vec![
            ("Fixture seven about ancient widgets", vec!["widgets".to_owned()]),
            ("Fixture three about widget gadgets", vec!["gadgets".to_owned(), "widgets".to_owned()]),
        ]
    );
    assert_eq!(board.breaches[1].overdue, TimeDelta::hours(3 * 24 + 12));

    // The 7-day window is one week: Mar 9 to Mar 15.
    let week = app.with_db(|conn| report::overview(conn, &staff, Some("7"), now)).unwrap();
    assert_eq!(week.weeks.len(), 1);
    assert_eq!(week.weeks[0].tally, tally(2, 2, 1));
    assert!(matches!(
        app.with_db(|conn| report::overview(conn, &mia, Some("7"), now)),
        Err(guidepost::services::ServiceError::Forbidden(_))
    ));
}

crate::on_both_backends!(the_dashboard_figures_match_a_hand_computed_fixture);
