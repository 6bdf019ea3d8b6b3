//! The staff queue's time-left order: due soonest first, questions without a target after, paged
//! by cursor without gaps or repeats.

use super::*;

async fn the_queue_sorts_by_time_left(app: TestApp) {
    let sam = signed_in(&app, "sam", Role::Staff).await;
    app.create_user("mia", Role::Member);
    let mia = actor(&app, "mia");
    let asked = now() - TimeDelta::minutes(30);
    let undated = ask(&app, &mia, "Undated question about gadget springs", "gadgets", asked - TimeDelta::hours(2));
    app.with_db(|conn| diesel::delete(deadlines_table::table.find(undated.id)).execute(conn).unwrap());
    let daily = ask(&app, &mia, "Daily question about widget paint", "widgets", asked - TimeDelta::hours(1));
    let gadgets = tag_id(&app, "gadgets");
    let sam_id = user_id(&app, "sam");
    app.with_db(|conn| topics::set_target(conn, gadgets, Some(2), sam_id, asked).unwrap());
    let urgent = ask(&app, &mia, "Urgent question about gadget fuses", "gadgets", asked);
    assert_eq!(deadline(&app, urgent.id).unwrap().due_at, asked + TimeDelta::hours(2));
    assert_eq!(deadline(&app, daily.id).unwrap().due_at, asked + TimeDelta::hours(23));

    let position = |body: &str, title: &str| body.find(title).unwrap_or_else(|| panic!("{title} missing"));
    let queue = sam.get("/staff/queue").await;
    queue.assert_status(200).assert_contains("aria-current=\"page\">Time left</a>");
    let body = &queue.body;
    assert!(position(body, "Urgent question") < position(body, "Daily question"), "due soonest first");
    assert!(position(body, "Daily question") < position(body, "Undated question"), "no deadline last");
    assert!(body.contains("1 hour left"), "{body}");
    assert!(body.contains("22 hours left"));
    let oldest = sam.get("/staff/queue?sort=oldest").await;
    let body = &oldest.body;
    assert!(position(body, "Undated question") < position(body, "Daily question"));
    assert!(position(body, "Daily question") < position(body, "Urgent question"));
    // A page of one continues after the cursor in the same order.
    sam.get("/staff/queue?sort=time-left&after=garbage").await.assert_status(200);

    // Nearing: a question in my topic past 75 % of its target is listed first in My work.
    app.with_db(|conn| topics::add_lead(conn, gadgets, sam_id, sam_id, asked).unwrap());
    let work = sam.get("/staff/my-work").await;
    work.assert_status(200)
        .assert_contains("No question in your topics or assigned to you is near its response target.");
    app.with_db(|conn| {
        diesel::update(deadlines_table::table.find(urgent.id))
            .set(deadlines_table::nearing_at.eq(now() - TimeDelta::minutes(1)))
            .execute(conn)
            .unwrap()
    });
    let work = sam.get("/staff/my-work").await;
    let section = &work.body
        [work.body.find("id=\"nearing-heading\"").unwrap()..work.body.find("id=\"assigned-heading\"").unwrap()];
    assert!(section.contains("Urgent question about gadget fuses"), "{section}");
    assert!(!section.contains("Undated question"));
}

async fn the_time_left_order_pages_without_gaps_or_repeats(app: TestApp) {
    app.create_user("sam", Role::Staff);
    app.create_user("mia", Role::Member);
    let (staff, mia) = (actor(&app, "sam"), actor(&app, "mia"));
    let base = now() - TimeDelta::hours(10);
    // 34 questions, over a page: every third without a deadline, the others due in five tied groups.
    let mut expected: Vec<(bool, Option<NaiveDateTime>, NaiveDateTime, i64)> = Vec::new();
    for i in 0..34 {
        let asked = base + TimeDelta::minutes(i);
        let q = ask(&app, &mia, &format!("Paging question number {i} about widgets"), "widgets", asked);
        let due = (i % 3 != 0).then(|| base + TimeDelta::hours(i % 5));
        app.with_db(|conn| {
            diesel::delete(deadlines_table::table.find(q.id)).execute(conn).unwrap();
            if let Some(due) = due {
                let promise = ResponseDeadline { question_id: q.id, target_hours: 1, nearing_at: due, due_at: due };
                response_deadlines::insert(conn, &promise).unwrap();
            }
        });
        expected.push((due.is_none(), due, asked, q.id));
    }
    expected.sort();
    let expected: Vec<i64> = expected.into_iter().map(|(_, _, _, id)| id).collect();

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..5 {
        let page = app
            .with_db(|conn| staff_queue::page(conn, &staff, QueueOrder::TimeLeft, None, after.as_deref(), now()))
            .unwrap();
        seen.extend(page.items.iter().map(|item| item.question.id));
        after = page.next;
        if after.is_none() {
            break;
        }
    }
    assert_eq!(seen, expected);
}

crate::on_both_backends!(the_queue_sorts_by_time_left, the_time_left_order_pages_without_gaps_or_repeats);
