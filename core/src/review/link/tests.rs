use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::review::{Acknowledgement, Choice, Comment, CommentTarget, ReviewFile};
use crate::source::TableStats;

fn example() -> Review {
    Review {
        files: crate::examples::REVIEW
            .iter()
            .map(|(path, text)| ReviewFile {
                path: (*path).to_owned(),
                text: (*text).to_owned(),
            })
            .collect(),
        ..Review::default()
    }
}

/// Three real migrations of the fixture project, with a comment and an acknowledgement.
fn three_files() -> Review {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/django/project/shop/migrations"
    );
    let files = ["0001_initial.py", "0002_more_fields.py", "0003_indexes.py"]
        .iter()
        .map(|name| ReviewFile {
            path: format!("shop/migrations/{name}"),
            text: std::fs::read_to_string(format!("{dir}/{name}")).unwrap(),
        })
        .collect();
    let mut review = Review {
        files,
        ..Review::default()
    };
    review.comments.push(Comment {
        target: CommentTarget::Line {
            path: "shop/migrations/0003_indexes.py".into(),
            line: 12,
        },
        author: "ana".into(),
        text: "Is this index used by the order list?".into(),
    });
    review.acknowledgements.insert(
        "0123456789abcdef".into(),
        Acknowledgement {
            by: "ben".into(),
            reason: "the table has 40 rows".into(),
        },
    );
    review
}

#[test]
fn link_lengths_of_the_example_reviews() {
    let example = encode(&example()).unwrap();
    let three = encode(&three_files()).unwrap();
    let bytes: usize = three_files().files.iter().map(|f| f.text.len()).sum();
    println!(
        "review link: example review (2 files, {} bytes of source) {} characters; \
         3-file review ({bytes} bytes of source, a comment, an acknowledgement) {} characters",
        example_bytes(),
        example.len(),
        three.len()
    );
    assert!(example.starts_with("v1."));
    // A chat message holds a few thousand characters; these must fit comfortably.
    assert!(example.len() < 1_000, "{}", example.len());
    assert!(three.len() < 4_000, "{}", three.len());
    assert_eq!(decode(&three).unwrap(), three_files());
}

fn example_bytes() -> usize {
    example().files.iter().map(|f| f.text.len()).sum()
}

#[test]
fn the_fragment_uses_only_url_safe_characters() {
    let link = encode(&three_files()).unwrap();
    assert!(
        link.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
        "{link}"
    );
}

#[test]
fn a_whole_url_or_a_hash_decodes_too() {
    let link = encode(&example()).unwrap();
    assert_eq!(decode(&format!("#{link}")).unwrap(), example());
    assert_eq!(
        decode(&format!("http://127.0.0.1:8080/#{link}\n")).unwrap(),
        example()
    );
}

#[test]
fn empty_and_foreign_fragments_are_refused() {
    assert_eq!(decode(""), Err(LinkError::Empty));
    assert_eq!(decode("http://x/#"), Err(LinkError::Empty));
    assert_eq!(decode("#section-2"), Err(LinkError::NotALink));
    assert_eq!(decode("vx.abc"), Err(LinkError::NotALink));
    assert_eq!(decode("v.abc"), Err(LinkError::NotALink));
}

#[test]
fn wrong_version_is_named() {
    let link = encode(&example()).unwrap().replacen("v1.", "v2.", 1);
    let error = decode(&link).unwrap_err();
    assert_eq!(error, LinkError::UnsupportedVersion { found: "v2".into() });
    assert!(error.to_string().contains("format v2"), "{error}");
}

#[test]
fn truncated_links_say_so() {
    let link = encode(&three_files()).unwrap();
    // Cut anywhere after the prefix: never a review, never a panic; mostly "incomplete".
    let mut truncated = 0;
    for cut in (PREFIX.len() + 1..link.len()).step_by(7) {
        let error = decode(&link[..cut]).unwrap_err();
        assert!(
            matches!(error, LinkError::Truncated | LinkError::Corrupt { .. }),
            "cut at {cut}: {error:?}"
        );
        truncated += usize::from(error == LinkError::Truncated);
    }
    assert!(truncated > 0);
    let half = &link[..link.len() / 2];
    assert_eq!(decode(half), Err(LinkError::Truncated));
    assert!(
        decode(half)
            .unwrap_err()
            .to_string()
            .contains("cut off when copied")
    );
}

#[test]
fn a_changed_character_is_caught_not_misread() {
    let link = encode(&three_files()).unwrap();
    let mut caught = 0;
    for i in (PREFIX.len()..link.len()).step_by(3) {
        let mut bytes = link.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(bytes).unwrap();
        match decode(&changed) {
            Ok(review) => panic!("changed character {i} decoded to a review: {review:?}"),
            Err(_) => caught += 1,
        }
    }
    assert!(caught > 100);
    let mut bytes = link.into_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] = b'*';
    let error = decode(&String::from_utf8(bytes).unwrap()).unwrap_err();
    assert_eq!(
        error,
        LinkError::InvalidCharacter {
            position: middle + 1,
            character: '*'
        }
    );
}

#[test]
fn oversized_links_are_refused_before_decoding() {
    let link = format!("v1.{}", "A".repeat(MAX_LINK_CHARS));
    let error = decode(&link).unwrap_err();
    assert!(matches!(error, LinkError::TooLong { .. }), "{error:?}");
    // And a review too large to share is refused when encoding, not turned into a bad link.
    let big = Review {
        files: vec![ReviewFile {
            path: "a.sql".into(),
            text: "x".repeat(MAX_REVIEW_BYTES),
        }],
        ..Review::default()
    };
    assert!(matches!(encode(&big), Err(EncodeError::TooLarge { .. })));
}

#[test]
fn a_zip_bomb_stops_at_the_limit() {
    // 64 MiB of spaces inside a JSON string compress to about 64 KiB.
    let json = format!(
        r#"{{"files":[{{"path":"a.sql","text":"{}"}}]}}"#,
        " ".repeat(64 * 1024 * 1024)
    );
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 9);
    let link = format!("v1.{}", URL_SAFE_NO_PAD.encode(&packed));
    assert!(link.len() < MAX_LINK_CHARS, "{}", link.len());
    assert_eq!(
        decode(&link),
        Err(LinkError::TooLarge {
            limit: MAX_REVIEW_BYTES
        })
    );
}

fn pack(json: &str) -> String {
    format!(
        "v1.{}",
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(
            json.as_bytes(),
            9
        ))
    )
}

#[test]
fn schema_and_values_are_checked() {
    let schema = |json: &str| match decode(&pack(json)) {
        Err(LinkError::Schema { message }) => message,
        other => panic!("{json}: {other:?}"),
    };
    assert!(schema(r#""a string""#).contains("expected struct"));
    assert!(schema(r#"{"files": [], "extra": 1}"#).contains("unknown field `extra`"));
    assert!(schema(r#"{"files": [{"path": "a.sql"}]}"#).contains("missing field `text`"));
    assert!(
        schema(r#"{"files": [], "comments": [{"target": {"on": "moon"}, "text": ""}]}"#)
            .contains("moon")
    );
    assert!(schema("not json").contains("line 1 column 2"));
    let invalid = |json: &str| match decode(&pack(json)) {
        Err(LinkError::Invalid { message }) => message,
        other => panic!("{json}: {other:?}"),
    };
    assert_eq!(
        invalid(r#"{"files": [{"path": "a.sql", "text": ""}, {"path": " ", "text": ""}]}"#),
        "file 2: the path is empty"
    );
    assert!(
        invalid(r#"{"files": [], "settings": {"pg_version": 9}}"#).contains("PostgreSQL version 9")
    );
    assert!(
        invalid(r#"{"files": [], "comments": [{"target": {"on": "line", "path": "a.sql", "line": 0}, "text": "x"}]}"#)
            .contains("comment 1")
    );
    assert!(
        invalid(r#"{"files": [], "choices": {"f": "maybe"}}"#)
            .contains("the plan choice `maybe` for finding `f` is neither `safe` nor `keep`")
    );
    // Not zlib at all.
    assert!(matches!(
        decode(&format!("v1.{}", URL_SAFE_NO_PAD.encode(b"hello world"))),
        Err(LinkError::Corrupt { .. })
    ));
}

#[test]
fn choices_read_as_the_plan_reads_them_including_the_old_spelling() {
    let review = decode(&pack(
        r#"{"files": [], "choices": {"a": "safe", "b": "keep", "c": "rewrite"}}"#,
    ))
    .unwrap();
    let expected: crate::plan::Choices = [
        ("a".to_owned(), Choice::Safe),
        ("b".to_owned(), Choice::Keep),
        ("c".to_owned(), Choice::Safe),
    ]
    .into_iter()
    .collect();
    assert_eq!(review.choices, expected);
}

#[test]
fn settings_defaults_fill_what_a_link_leaves_out() {
    let review = decode(&pack(
        r#"{"files": [{"path": "a.sql", "text": "SELECT 1;"}]}"#,
    ))
    .unwrap();
    assert_eq!(review.settings, Settings::default());
    assert_eq!(review.files.len(), 1);
}

use crate::source::{DjangoVersion, Settings};

fn text() -> impl Strategy<Value = String> {
    // Any Unicode, with the characters that matter to JSON and HTML well represented.
    prop_oneof![any::<String>(), "[\"\\\\<>&\n\t #a-z0-9é🙂]{0,40}"]
}

prop_compose! {
    fn review()(
        files in proptest::collection::vec((text(), text()), 0..4),
        pg_version in 12u8..=18,
        v4 in any::<bool>(),
        lock_timeout_ms in any::<u32>(),
        stats in proptest::collection::btree_map(text(), (any::<u64>(), any::<u64>()), 0..3),
        comments in proptest::collection::vec((any::<bool>(), text(), 1u32.., text(), text()), 0..4),
        acks in proptest::collection::btree_map(text(), (text(), text()), 0..3),
        choices in proptest::collection::btree_map(text(), any::<bool>(), 0..3),
    ) -> Review {
        Review {
            files: files
                .into_iter()
                .map(|(path, text)| ReviewFile { path: format!("p{}", path.replace('\0', "")), text })
                .collect(),
            settings: Settings {
                pg_version,
                django_version: if v4 { DjangoVersion::V4_2 } else { DjangoVersion::V5_2 },
                lock_timeout_ms,
                table_stats: stats
                    .into_iter()
                    .map(|(name, (rows, bytes))| (name, TableStats { rows, bytes }))
                    .collect::<BTreeMap<_, _>>(),
                ..Settings::default()
            },
            comments: comments
                .into_iter()
                .map(|(on_finding, target, line, author, text)| Comment {
                    target: if on_finding {
                        CommentTarget::Finding { fingerprint: target }
                    } else {
                        CommentTarget::Line { path: format!("p{}", target.replace('\0', "")), line }
                    },
                    author,
                    text,
                })
                .collect(),
            acknowledgements: acks
                .into_iter()
                .map(|(fingerprint, (by, reason))| (fingerprint, Acknowledgement { by, reason }))
                .collect(),
            choices: choices
                .into_iter()
                .map(|(fingerprint, keep)| (fingerprint, if keep { Choice::Keep } else { Choice::Safe }))
                .collect(),
        }
    }
}

proptest! {
    #[test]
    fn round_trip(review in review()) {
        // Paths starting with "p" then whitespace only would be refused as empty; trimmed
        // paths are never empty here because of the "p".
        let link = encode(&review).unwrap();
        prop_assert!(link.starts_with(PREFIX));
        prop_assert_eq!(decode(&link).unwrap(), review);
    }

    #[test]
    fn any_fragment_decodes_or_errs_without_panicking(fragment in "v1\\.[A-Za-z0-9_-]{0,200}|.{0,200}") {
        let _ = decode(&fragment);
    }
}
