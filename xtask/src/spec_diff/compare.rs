//! Comparing one operation of the upstream document with the same operation of the
//! curated spec, and normalized schemas with each other.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::resolve::{Doc, Operation};
use super::{Change, Difference, SpecDiffError};

/// The media type whose name is left out of locations, being by far the most common.
const JSON: &str = "application/json";

/// Longest rendering of a value in a difference before it is shortened.
const MAX_VALUE_CHARS: usize = 100;

/// Both sides of the comparison.
#[derive(Clone, Copy)]
pub(super) struct Pair<'a> {
    pub upstream: Doc<'a>,
    pub curated: Doc<'a>,
}

/// Collects the differences of one operation.
pub(super) struct Differ<'a> {
    docs: Pair<'a>,
    operation: String,
    found: Vec<Difference>,
}

impl<'a> Differ<'a> {
    /// Starts on the operation shown as `operation` in the output.
    pub fn new(docs: Pair<'a>, operation: String) -> Self {
        Self {
            docs,
            operation,
            found: Vec::new(),
        }
    }

    /// The differences found.
    pub fn finish(self) -> Vec<Difference> {
        self.found
    }

    /// Records a difference.
    pub fn push(&mut self, location: &str, subject: impl Into<String>, change: Change) {
        self.found.push(Difference {
            operation: self.operation.clone(),
            location: location.to_owned(),
            subject: subject.into(),
            change,
        });
    }

    /// Records a value that differs, `None` meaning absent.
    fn changed(&mut self, location: &str, subject: &str, up: Option<&Value>, cur: Option<&Value>) {
        let change = Change::Changed {
            upstream: up.map_or_else(|| "none".to_owned(), render),
            curated: cur.map_or_else(|| "none".to_owned(), render),
        };
        self.push(location, subject, change);
    }

    /// Records what only one side has, and returns the pairs present on both sides.
    fn pair_up<K: Ord + Clone, V>(
        &mut self,
        location: &str,
        subject: impl Fn(&K) -> String,
        upstream: BTreeMap<K, V>,
        mut curated: BTreeMap<K, V>,
    ) -> Vec<(K, V, V)> {
        let mut both = Vec::new();
        for (key, up) in upstream {
            match curated.remove(&key) {
                Some(cur) => both.push((key, up, cur)),
                None => self.push(location, subject(&key), Change::OnlyUpstream),
            }
        }
        for key in curated.keys() {
            self.push(location, subject(key), Change::OnlyCurated);
        }
        both
    }

    /// Compares an operation: endpoint, parameters, request body and responses.
    pub fn operation(
        &mut self,
        up: &Operation<'a>,
        cur: &Operation<'a>,
    ) -> Result<(), SpecDiffError> {
        let endpoint = |op: &Operation<'_>| Value::String(format!("{} {}", op.method, op.path));
        let (up_endpoint, cur_endpoint) = (endpoint(up), endpoint(cur));
        if up_endpoint != cur_endpoint {
            self.changed("", "endpoint", Some(&up_endpoint), Some(&cur_endpoint));
        }
        self.parameters(up, cur)?;
        self.request_body(up.object, cur.object)?;
        self.responses(up.object, cur.object)
    }

    fn parameters(&mut self, up: &Operation<'a>, cur: &Operation<'a>) -> Result<(), SpecDiffError> {
        let subject = |(place, name): &(String, String)| format!("parameter {name} ({place})");
        let both = self.pair_up("", subject, up.parameters.clone(), cur.parameters.clone());
        for (key, up, cur) in both {
            let location = subject(&key);
            self.flag(&location, "required", up, cur);
            self.schemas(&location, up.get("schema"), cur.get("schema"))?;
        }
        Ok(())
    }

    fn request_body(&mut self, up: &'a Value, cur: &'a Value) -> Result<(), SpecDiffError> {
        match (up.get("requestBody"), cur.get("requestBody")) {
            (None, None) => {}
            (Some(_), None) => self.push("", "request body", Change::OnlyUpstream),
            (None, Some(_)) => self.push("", "request body", Change::OnlyCurated),
            (Some(up), Some(cur)) => {
                let up = self.docs.upstream.deref(up)?;
                let cur = self.docs.curated.deref(cur)?;
                self.flag("request-body", "required", up, cur);
                self.content("request-body", up, cur)?;
            }
        }
        Ok(())
    }

    fn responses(&mut self, up: &'a Value, cur: &'a Value) -> Result<(), SpecDiffError> {
        let statuses = |op: &'a Value| -> BTreeMap<String, &'a Value> {
            let responses = op.get("responses").and_then(Value::as_object);
            responses
                .into_iter()
                .flatten()
                .map(|(status, response)| (status.clone(), response))
                .collect()
        };
        let subject = |status: &String| format!("status {status}");
        for (status, up, cur) in self.pair_up("", subject, statuses(up), statuses(cur)) {
            let up = self.docs.upstream.deref(up)?;
            let cur = self.docs.curated.deref(cur)?;
            self.content(&status, up, cur)?;
        }
        Ok(())
    }

    /// Compares the media types of a request body or response, and their schemas.
    fn content(
        &mut self,
        location: &str,
        up: &'a Value,
        cur: &'a Value,
    ) -> Result<(), SpecDiffError> {
        let media = |owner: &'a Value| -> BTreeMap<String, &'a Value> {
            let content = owner.get("content").and_then(Value::as_object);
            content
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v))
                .collect()
        };
        let subject = |media_type: &String| format!("media type {media_type}");
        for (media_type, up, cur) in self.pair_up(location, subject, media(up), media(cur)) {
            let location = match media_type.as_str() {
                JSON => location.to_owned(),
                other => format!("{location} ({other})"),
            };
            self.schemas(&location, up.get("schema"), cur.get("schema"))?;
        }
        Ok(())
    }

    /// Compares a boolean field that defaults to `false` (`required` of a parameter or body).
    fn flag(&mut self, location: &str, field: &str, up: &Value, cur: &Value) {
        let value =
            |owner: &Value| Value::Bool(owner.get(field).and_then(Value::as_bool).unwrap_or(false));
        let (up, cur) = (value(up), value(cur));
        if up != cur {
            self.changed(location, field, Some(&up), Some(&cur));
        }
    }

    /// Normalizes two optional schemas and compares them.
    fn schemas(
        &mut self,
        location: &str,
        up: Option<&'a Value>,
        cur: Option<&'a Value>,
    ) -> Result<(), SpecDiffError> {
        let up = up.map(|s| self.docs.upstream.schema(s)).transpose()?;
        let cur = cur.map(|s| self.docs.curated.schema(s)).transpose()?;
        match (up, cur) {
            (Some(up), Some(cur)) => self.schema(location, "", &up, &cur),
            (up, cur) => {
                if up != cur {
                    self.changed(location, "schema", up.as_ref(), cur.as_ref());
                }
            }
        }
        Ok(())
    }

    /// Compares two normalized schemas found at `path` (e.g. `result[].provisioning`)
    /// under `base` (e.g. `201`).
    fn schema(&mut self, base: &str, path: &str, up: &Value, cur: &Value) {
        let location = join(base, ' ', path);
        let (Value::Object(up), Value::Object(cur)) = (up, cur) else {
            if up != cur {
                self.changed(&location, "schema", Some(up), Some(cur));
            }
            return;
        };
        let keywords: BTreeSet<&String> = up.keys().chain(cur.keys()).collect();
        for keyword in keywords {
            let (u, c) = (up.get(keyword), cur.get(keyword));
            if u == c {
                continue;
            }
            match (keyword.as_str(), u, c) {
                ("properties", _, _) => self.properties(base, path, u, c),
                ("items", Some(u), Some(c)) => self.schema(base, &format!("{path}[]"), u, c),
                (
                    "additionalProperties",
                    Some(u @ Value::Object(_)),
                    Some(c @ Value::Object(_)),
                ) => {
                    self.schema(base, &format!("{path}{{}}"), u, c);
                }
                ("required", _, _) => self.members(&location, "required entry", u, c),
                ("enum", Some(u), Some(c)) => {
                    self.members(&location, "enum value", Some(u), Some(c))
                }
                (other, _, _) => self.changed(&location, other, u, c),
            }
        }
    }

    fn properties(&mut self, base: &str, path: &str, up: Option<&Value>, cur: Option<&Value>) {
        let named = |properties: Option<&Value>| -> BTreeMap<String, Value> {
            let object = properties
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(Map::new);
            object.into_iter().collect()
        };
        let location = join(base, ' ', path);
        let subject = |name: &String| format!("property {name}");
        for (name, up, cur) in self.pair_up(&location, subject, named(up), named(cur)) {
            self.schema(base, &join(path, '.', &name), &up, &cur);
        }
    }

    /// Compares two arrays as sets (`enum` values, `required` entries).
    fn members(&mut self, location: &str, subject: &str, up: Option<&Value>, cur: Option<&Value>) {
        let set = |array: Option<&Value>| -> BTreeMap<String, ()> {
            let elements = array.and_then(Value::as_array).into_iter().flatten();
            elements.map(|e| (e.to_string(), ())).collect()
        };
        self.pair_up(
            location,
            |value| format!("{subject} {value}"),
            set(up),
            set(cur),
        );
    }
}

/// `head` and `tail` joined by `separator`, or whichever is not empty.
fn join(head: &str, separator: char, tail: &str) -> String {
    match (head.is_empty(), tail.is_empty()) {
        (_, true) => head.to_owned(),
        (true, false) => tail.to_owned(),
        (false, false) => format!("{head}{separator}{tail}"),
    }
}

/// A value as compact JSON, shortened if long.
fn render(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text;
    }
    let short: String = text.chars().take(MAX_VALUE_CHARS).collect();
    format!("{short}...")
}
