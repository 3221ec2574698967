//! The example review the reviewer opens with and the README walks through.

/// `(path, text)` of each example file.
pub const REVIEW: &[(&str, &str)] = &[
    (
        "shop/migrations/0002_order_created.py",
        include_str!("../../examples/review/shop/migrations/0002_order_created.py"),
    ),
    (
        "db/0003_order_status.sql",
        include_str!("../../examples/review/db/0003_order_status.sql"),
    ),
];
