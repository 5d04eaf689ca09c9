//! Validated identifiers: [`AccountId`], [`PrefixId`], [`BindingId`], [`ServiceId`].
//!
//! Cloudflare ids are 32 lowercase hex characters; the schema only promises a string of
//! at most 32 characters. These newtypes accept 1 to 32 ASCII letters and digits, so no
//! `/`, `.`, `%`, `?`, `#`, space or other character that could change a URL's meaning
//! can ever reach a request path.
//!
//! An id has one spelling: letters are kept in lower case, as Cloudflare writes them,
//! whatever case they were given in (a file, a flag, a server's answer). Two spellings
//! of one id are the same id everywhere: compared, hashed, sent and shown alike.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::invalid::InvalidInput;

/// The longest id Cloudflare's schema allows.
pub const MAX_ID_LEN: usize = 32;

/// Checks `value` against the id rules; `kind` names the id in the error.
fn validate(kind: &'static str, value: &str) -> Result<(), InvalidInput> {
    if value.is_empty() {
        return Err(InvalidInput::new(kind, value, "must not be empty"));
    }
    // Without an early exit the scan vectorizes: ids come by the thousand in a list.
    let alphanumeric = value
        .bytes()
        .fold(true, |ok, b| ok & b.is_ascii_alphanumeric());
    if !alphanumeric {
        let bad = value.chars().find(|c| !c.is_ascii_alphanumeric());
        return Err(InvalidInput::new(
            kind,
            value,
            format!(
                "only ASCII letters and digits are allowed, found {:?}",
                bad.unwrap_or_default()
            ),
        ));
    }
    if value.len() > MAX_ID_LEN {
        return Err(InvalidInput::new(
            kind,
            value,
            format!(
                "is {} characters long, at most {MAX_ID_LEN} are allowed",
                value.len()
            ),
        ));
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        ///
        /// Cloudflare ids are 32 lowercase hex characters; the schema only promises a
        /// string of at most 32 characters. Valid ids have 1 to 32 ASCII letters and
        /// digits, so no `/`, `.`, `%`, `?`, `#`, space or other character that could
        /// change a URL's meaning can ever reach a request path. Letters are kept in
        /// lower case, as Cloudflare writes them: `2AF3…` and `2af3…` are one id. Parse
        /// one with [`FromStr`] (`"023e105f4ecef8ad9ca31a8372d0c353".parse()`) or
        #[doc = concat!("[`", stringify!($name), "::new`].")]
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Validates `value` and wraps it, its letters in lower case.
            ///
            /// # Errors
            /// [`InvalidInput`] when `value` is empty, longer than 32 characters, or
            /// holds anything but ASCII letters and digits.
            pub fn new(value: impl Into<String>) -> Result<Self, InvalidInput> {
                let mut value = value.into();
                validate($kind, &value)?;
                value.make_ascii_lowercase();
                Ok(Self(value))
            }

            /// The id as a string slice (in lower case).
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidInput;
            fn from_str(value: &str) -> Result<Self, InvalidInput> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidInput;
            fn try_from(value: &str) -> Result<Self, InvalidInput> {
                Self::new(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidInput;
            fn try_from(value: String) -> Result<Self, InvalidInput> {
                Self::new(value)
            }
        }

        impl TryFrom<&String> for $name {
            type Error = InvalidInput;
            fn try_from(value: &String) -> Result<Self, InvalidInput> {
                Self::new(value.as_str())
            }
        }

        impl From<&$name> for $name {
            fn from(value: &$name) -> Self {
                value.clone()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Self::new(value).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// The id of a Cloudflare account.
    AccountId,
    "account id"
);
id_type!(
    /// The id of a BYOIP prefix.
    PrefixId,
    "prefix id"
);
id_type!(
    /// The id of a service binding.
    BindingId,
    "binding id"
);
id_type!(
    /// The id of a service on Cloudflare's network (Magic Transit, CDN, Spectrum).
    ServiceId,
    "service id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_cloudflare_ids() {
        let id: AccountId = "023e105f4ecef8ad9ca31a8372d0c353"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.as_str(), "023e105f4ecef8ad9ca31a8372d0c353");
        assert_eq!(id.to_string(), "023e105f4ecef8ad9ca31a8372d0c353");
    }

    #[test]
    fn rejects_path_injection() {
        for bad in [
            "",
            "../x",
            "a/b",
            "%2e%2e",
            "a?b",
            "a#b",
            "a b",
            "a.b",
            &"a".repeat(33),
        ] {
            assert!(PrefixId::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn one_spelling_per_id() {
        let upper: PrefixId = "2AF39739CC4E3B5910C918468BB89828"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let lower: PrefixId = "2af39739cc4e3b5910c918468bb89828"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(upper, lower);
        assert_eq!(upper.as_str(), "2af39739cc4e3b5910c918468bb89828");
        let from_json: BindingId =
            serde_json::from_str("\"Ab12\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_json.to_string(), "ab12");
        // The refusal quotes the value as given.
        match PrefixId::new("AB/C") {
            Ok(id) => panic!("{id:?} accepted"),
            Err(e) => assert!(e.to_string().contains("\"AB/C\""), "{e}"),
        }
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<BindingId>("\"a/b\"").is_err());
        let id: BindingId = serde_json::from_str("\"abc123\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(serde_json::to_string(&id).unwrap_or_default(), "\"abc123\"");
    }
}
