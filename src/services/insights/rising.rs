//! Telling a rise from noise. A topic asked about `c0` times in the [`BASE_WEEKS`] weeks before
//! and `c1` times this week: if its rate had not changed, each of those `n = c0 + c1` questions
//! would fall in this week with probability `p = 1 / (BASE_WEEKS + 1)`, so `c1` would be binomial
//! (n, p). The rise's significance is how many standard deviations `c1` lies above `n·p`: a big
//! topic's ordinary wobble scores low however many questions it moves, and a small topic that
//! suddenly triples scores high.

/// Earlier weeks a week is compared with.
pub const BASE_WEEKS: i64 = 4;
/// Standard deviations above the expected count a rise needs to be shown (about one chance in
/// 700 of a steady topic reaching it by luck in a given week).
pub const Z_MIN: f64 = 3.0;
/// Questions this week a rise needs: two questions after none is not a trend.
pub const MIN_COUNT: i64 = 5;

/// Something asked about more this week than chance explains.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rising {
    /// The topic, word or query.
    pub name: String,
    /// How often this week.
    pub this_week: i64,
    /// How often a week, on average, in the weeks before.
    pub weekly_before: f64,
    /// This week against that average (none when it is new).
    pub growth: Option<f64>,
    /// The significance: standard deviations above the expected count.
    pub z: f64,
}

/// The significant rises among `(name, this week, all the weeks before)`, most significant first.
pub fn rising(counts: impl IntoIterator<Item = (String, i64, i64)>) -> Vec<Rising> {
    let p = 1.0 / (BASE_WEEKS as f64 + 1.0);
    let mut found: Vec<Rising> = counts
        .into_iter()
        .filter(|(_, this_week, _)| *this_week >= MIN_COUNT)
        .filter_map(|(name, this_week, before)| {
            let n = (this_week + before) as f64;
            let z = (this_week as f64 - n * p) / (n * p * (1.0 - p)).sqrt();
            let weekly_before = before as f64 / BASE_WEEKS as f64;
            (z >= Z_MIN).then(|| Rising {
                name,
                this_week,
                weekly_before: (weekly_before * 10.0).round() / 10.0,
                growth: (before > 0).then(|| ((this_week as f64 / weekly_before) * 10.0).round() / 10.0),
                z: (z * 10.0).round() / 10.0,
            })
        })
        .collect();
    found.sort_by(|a, b| b.z.total_cmp(&a.z).then_with(|| a.name.cmp(&b.name)));
    found
}

#[cfg(test)]
mod tests {
    use super::rising;

    fn one(name: &str, this_week: i64, before: i64) -> Vec<String> {
        rising([(name.to_owned(), this_week, before)]).into_iter().map(|r| r.name).collect()
    }

    #[test]
    fn a_small_topic_that_triples_rises_and_a_big_one_that_wobbles_does_not() {
        assert_eq!(one("widgets", 18, 24), ["widgets"]);
        // +30 questions, but a 15 % wobble of a topic asked 200 times a week.
        assert!(one("billing", 230, 800).is_empty());
        // Steady.
        assert!(one("login", 10, 40).is_empty());
    }

    #[test]
    fn a_few_questions_are_not_a_trend() {
        assert!(one("new-thing", 4, 0).is_empty());
        assert_eq!(one("new-thing", 6, 0), ["new-thing"]);
    }
}
