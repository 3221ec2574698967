//! The review as a URL fragment: `v1.` then base64url (no padding) of zlib-compressed JSON.
//!
//! The fragment never reaches a server, so a link is the whole review. Decoding is defensive,
//! in the order the work happens: the link's length before anything else, the version before
//! decoding, the decompressed size while inflating (a zip bomb stops at the limit, it is never
//! inflated whole), zlib's checksum (a changed character is caught, not misread), then the
//! schema and the values. Each failure is a [`LinkError`] whose message says what to do.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use miniz_oxide::inflate::TINFLStatus;

use super::Review;
use super::wire::ReviewV1;

/// The prefix of a version 1 link fragment.
pub const PREFIX: &str = "v1.";

/// Longest link fragment accepted, in characters (browsers take URLs of about 2 MB).
pub const MAX_LINK_CHARS: usize = 1024 * 1024;

/// Largest review accepted once decompressed, in bytes.
pub const MAX_REVIEW_BYTES: usize = 16 * 1024 * 1024;

/// zlib's strongest level: links are made once and read often, and the text is small.
const LEVEL: u8 = 9;

/// Why a review could not be made into a link.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The review is larger than a link may unpack to.
    #[error(
        "the review is {bytes} bytes; a review link holds at most {limit} bytes: share fewer files"
    )]
    TooLarge {
        /// Size of the serialized review.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The link would be longer than browsers reliably accept.
    #[error(
        "the link would be {chars} characters; review links are at most {limit}: share fewer files"
    )]
    TooLong {
        /// Length of the link fragment.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// The review could not be serialized (not expected for any review).
    #[error("the review could not be serialized: {message}")]
    Serialize {
        /// What serde said.
        message: String,
    },
}

/// Why a link fragment is not a review.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Nothing after `#`.
    #[error("the link holds no review")]
    Empty,
    /// Longer than [`MAX_LINK_CHARS`]; refused before decoding.
    #[error("the link is {chars} characters long; review links are at most {limit}")]
    TooLong {
        /// Its length.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// No `vN.` prefix: not made by Lockstep.
    #[error("this is not a Lockstep review link: its part after `#` should start with `{PREFIX}`")]
    NotALink,
    /// Made by a Lockstep whose link format this one does not read.
    #[error(
        "this review link is format {found}; this reviewer reads format v1 only: open it with \
         the Lockstep version that made it"
    )]
    UnsupportedVersion {
        /// The version the link says (`v2`).
        found: String,
    },
    /// A character that base64url does not use.
    #[error(
        "the link is damaged: character {position} ({character:?}) cannot appear in a review link"
    )]
    InvalidCharacter {
        /// 1-based position in the fragment (after `#`).
        position: usize,
        /// The character.
        character: char,
    },
    /// The data ends before the review does.
    #[error("the link is incomplete: it ends before the review does (was it cut off when copied?)")]
    Truncated,
    /// The data is not what Lockstep wrote (a changed character, or not compressed data).
    #[error("the link is damaged: {detail}")]
    Corrupt {
        /// What is wrong.
        detail: &'static str,
    },
    /// Would unpack to more than [`MAX_REVIEW_BYTES`]; inflating stopped there.
    #[error("the link's review unpacks to more than {limit} bytes; refused")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The unpacked data is not a version 1 review.
    #[error("the link's review does not have the v1 format: {message}")]
    Schema {
        /// serde's message, with line and column.
        message: String,
    },
    /// A v1 review with a value out of range.
    #[error("the link's review is not acceptable: {message}")]
    Invalid {
        /// What and where.
        message: String,
    },
}

/// The link fragment (without `#`) that holds `review`.
pub fn encode(review: &Review) -> Result<String, EncodeError> {
    let json = serde_json::to_vec(&ReviewV1::from(review)).map_err(|e| EncodeError::Serialize {
        message: e.to_string(),
    })?;
    if json.len() > MAX_REVIEW_BYTES {
        return Err(EncodeError::TooLarge {
            bytes: json.len(),
            limit: MAX_REVIEW_BYTES,
        });
    }
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&json, LEVEL);
    let mut link = String::with_capacity(PREFIX.len() + packed.len() * 4 / 3 + 4);
    link.push_str(PREFIX);
    URL_SAFE_NO_PAD.encode_string(&packed, &mut link);
    if link.len() > MAX_LINK_CHARS {
        return Err(EncodeError::TooLong {
            chars: link.len(),
            limit: MAX_LINK_CHARS,
        });
    }
    Ok(link)
}

/// The review in `link`: a fragment with or without its `#`, or a whole URL (the part after
/// its first `#` is read). Surrounding whitespace is ignored.
pub fn decode(link: &str) -> Result<Review, LinkError> {
    let fragment = link.split_once('#').map_or(link, |(_, after)| after).trim();
    if fragment.is_empty() {
        return Err(LinkError::Empty);
    }
    if fragment.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong {
            chars: fragment.chars().count(),
            limit: MAX_LINK_CHARS,
        });
    }
    let payload = payload(fragment)?;
    let packed = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|error| base64_error(&error, fragment, payload))?;
    let json = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, MAX_REVIEW_BYTES)
        .map_err(|error| inflate_error(error.status))?;
    let wire: ReviewV1 = serde_json::from_slice(&json).map_err(|e| LinkError::Schema {
        message: e.to_string(),
    })?;
    wire.into_review()
        .map_err(|message| LinkError::Invalid { message })
}

/// The base64 after the version prefix, once the version is known to be 1.
fn payload(fragment: &str) -> Result<&str, LinkError> {
    if let Some(rest) = fragment.strip_prefix(PREFIX) {
        return Ok(rest);
    }
    let (version, _) = fragment.split_once('.').ok_or(LinkError::NotALink)?;
    let is_version = version
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit()));
    if is_version {
        Err(LinkError::UnsupportedVersion {
            found: version.to_owned(),
        })
    } else {
        Err(LinkError::NotALink)
    }
}

fn base64_error(error: &base64::DecodeError, fragment: &str, payload: &str) -> LinkError {
    // Offsets are into the payload; people count from the start of the fragment.
    let at = |offset: usize| {
        let before = fragment.len() - payload.len() + offset;
        let character = payload
            .get(offset..)
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{fffd}');
        let position = fragment.get(..before).map_or(before, |s| s.chars().count()) + 1;
        LinkError::InvalidCharacter {
            position,
            character,
        }
    };
    match *error {
        base64::DecodeError::InvalidByte(offset, _) => at(offset),
        // A length no encoder produces, or leftover bits at the end: the tail is missing.
        base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidLastSymbol(..) => {
            LinkError::Truncated
        }
        base64::DecodeError::InvalidPadding => LinkError::Corrupt {
            detail: "review links have no `=` padding",
        },
    }
}

fn inflate_error(status: TINFLStatus) -> LinkError {
    match status {
        TINFLStatus::HasMoreOutput => LinkError::TooLarge {
            limit: MAX_REVIEW_BYTES,
        },
        TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => LinkError::Truncated,
        TINFLStatus::Adler32Mismatch => LinkError::Corrupt {
            detail: "its checksum does not match (a character was changed)",
        },
        _ => LinkError::Corrupt {
            detail: "it is not compressed data Lockstep wrote",
        },
    }
}

#[cfg(test)]
mod tests;
