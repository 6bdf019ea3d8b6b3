//! The ask form's tag field: never panics; either 1 to 5 distinct valid tags or a message about
//! the tags field.

#![no_main]

use guidepost::services::questions::{parse_tags, MAX_TAG_LENGTH, TAG_COUNT};
use guidepost::services::ServiceError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    match parse_tags(&raw) {
        Ok(tags) => {
            assert!(TAG_COUNT.contains(&tags.len()), "{} tags from {raw:?}", tags.len());
            for (i, tag) in tags.iter().enumerate() {
                assert!(!tags[..i].contains(tag), "{tag:?} twice from {raw:?}");
                assert!(tag.chars().count() <= MAX_TAG_LENGTH, "{tag:?} is too long");
                assert!(tag.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()), "{tag:?}");
                assert!(
                    tag.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '+' | '#' | '-')),
                    "{tag:?} from {raw:?}"
                );
            }
            // What was accepted is accepted again unchanged, as when the form is shown again.
            let again = parse_tags(&tags.join(" "));
            assert!(matches!(&again, Ok(same) if *same == tags), "{tags:?} read again as {again:?}");
        }
        Err(ServiceError::Invalid { field: "tags", reason }) => assert!(!reason.is_empty()),
        Err(other) => panic!("unexpected error for {raw:?}: {other:?}"),
    }
});
