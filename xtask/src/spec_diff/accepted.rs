//! The accepted deviations of the curated spec: read from the sidecar file beside it
//! (`openapi/service-bindings.curated.toml`), and matched against a comparison's
//! differences to tell new drift from what is accepted, and accepted deviations that
//! upstream no longer has (stale).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Difference, SpecDiffError};

/// The sidecar file of a curated spec: `name.yaml` → `name.curated.toml`.
pub fn sidecar_path(curated: &Path) -> PathBuf {
    curated.with_extension("curated.toml")
}

/// One accepted deviation: why, and the differences it covers.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// Its id, written `CURATED(id)` in the spec.
    pub id: String,
    /// Why the curated spec deviates, in one line.
    pub reason: String,
    /// Lines as spec-diff prints them, `*` standing for any text.
    #[serde(default)]
    pub matches: Vec<String>,
}

/// The accepted deviations of a curated spec.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    /// In file order.
    #[serde(default, rename = "deviation")]
    pub deviations: Vec<Deviation>,
}

impl Accepted {
    /// Reads the sidecar file at `path`; a missing file accepts nothing.
    ///
    /// # Errors
    /// [`SpecDiffError::Read`] or [`SpecDiffError::Parse`].
    pub fn load(path: &Path) -> Result<Accepted, SpecDiffError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Accepted::default()),
            Err(source) => {
                return Err(SpecDiffError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        toml::from_str(&text).map_err(|e| SpecDiffError::Parse {
            path: path.to_owned(),
            message: e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        })
    }

    /// The first deviation with a pattern that matches `line`.
    pub fn covering(&self, line: &str) -> Option<&Deviation> {
        self.deviations
            .iter()
            .find(|d| d.matches.iter().any(|p| glob_match(p, line)))
    }

    /// Sorts `differences` into new ones and accepted ones, and finds the patterns
    /// that match none of them (stale).
    pub fn classify(&self, differences: Vec<Difference>) -> Classified<'_> {
        let mut classified = Classified::default();
        let mut used: Vec<Vec<bool>> = self
            .deviations
            .iter()
            .map(|d| vec![false; d.matches.len()])
            .collect();
        for difference in differences {
            let line = difference.to_string();
            let mut by = None;
            for (i, deviation) in self.deviations.iter().enumerate() {
                for (j, pattern) in deviation.matches.iter().enumerate() {
                    if glob_match(pattern, &line) {
                        used[i][j] = true;
                        by.get_or_insert(deviation);
                    }
                }
            }
            match by {
                Some(deviation) => classified.accepted.push((difference, deviation)),
                None => classified.new.push(difference),
            }
        }
        for (i, deviation) in self.deviations.iter().enumerate() {
            for (j, pattern) in deviation.matches.iter().enumerate() {
                if !used[i][j] {
                    classified.stale.push(Stale { deviation, pattern });
                }
            }
        }
        classified
    }
}

/// A comparison's differences, sorted by the accepted deviations.
#[derive(Debug, Default)]
pub struct Classified<'a> {
    /// Differences no accepted deviation covers: new drift.
    pub new: Vec<Difference>,
    /// Differences an accepted deviation covers, with it.
    pub accepted: Vec<(Difference, &'a Deviation)>,
    /// Patterns that matched nothing: upstream no longer has that deviation.
    pub stale: Vec<Stale<'a>>,
}

impl Classified<'_> {
    /// Whether there is anything to act on: new drift or a stale deviation.
    pub fn needs_action(&self) -> bool {
        !self.new.is_empty() || !self.stale.is_empty()
    }
}

/// A pattern of an accepted deviation that matches no difference.
#[derive(Debug)]
pub struct Stale<'a> {
    /// The deviation.
    pub deviation: &'a Deviation,
    /// Its pattern that matched nothing.
    pub pattern: &'a str,
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters
/// (none included) and everything else for itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        // No `*`: the whole text must be the pattern.
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("abc", "abc"));
        assert!(!glob_match("abc", "abcd"));
        assert!(!glob_match("abc", "ab"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*", "a"));
        assert!(glob_match("*c", "abc"));
        assert!(glob_match("a*c", "abbbc"));
        assert!(!glob_match("a*c", "abcd"));
        assert!(glob_match("* errors[]: x", "create 4XX errors[]: x"));
        assert!(!glob_match("* errors[]: x", "create 4XX messages[]: x"));
        assert!(glob_match("a*b*c", "aXbYc"));
        assert!(!glob_match("a*b*c", "aXcYb"));
        // The end of the text is matched once: `ab*b` needs two b's.
        assert!(!glob_match("ab*b", "ab"));
        assert!(glob_match("ab*b", "abb"));
    }
}
