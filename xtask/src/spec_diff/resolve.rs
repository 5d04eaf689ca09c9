//! Finding operations in a document, following `$ref`s and normalizing schemas into
//! self-contained trees that can be compared regardless of how each document names or
//! shares its parts.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{Side, SpecDiffError};

/// How deep schemas may nest (counting `$ref` hops) before the walk gives up.
const MAX_DEPTH: usize = 64;

/// The HTTP methods an OpenAPI path item can hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Schema keywords that document rather than constrain, skipped when normalizing.
const IGNORED_KEYWORDS: [&str; 7] = [
    "description",
    "example",
    "examples",
    "summary",
    "title",
    "externalDocs",
    "xml",
];

/// Keywords whose `false` value is the default, dropped so that `nullable: false` and
/// no `nullable` compare equal.
const FALSE_BY_DEFAULT: [&str; 5] = [
    "nullable",
    "deprecated",
    "readOnly",
    "writeOnly",
    "uniqueItems",
];

/// One parsed OpenAPI document, and which side of the comparison it is.
#[derive(Clone, Copy)]
pub(super) struct Doc<'a> {
    root: &'a Value,
    side: Side,
}

/// One operation of a document, with its path-level parameters already merged in.
pub(super) struct Operation<'a> {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template, e.g. `/accounts/{account_id}/addressing/services`.
    pub path: &'a str,
    /// The parameters, `$ref`s followed, keyed by `(in, name)`.
    pub parameters: BTreeMap<(String, String), &'a Value>,
    /// The operation object itself.
    pub object: &'a Value,
}

impl<'a> Doc<'a> {
    /// Wraps a parsed document.
    pub fn new(root: &'a Value, side: Side) -> Self {
        Self { root, side }
    }

    /// The operations of the document keyed by operationId; with `wanted`, only those.
    ///
    /// Every operation must have a unique operationId, except that with `wanted` the
    /// others are not looked at (a full upstream document is not ours to validate).
    pub fn operations(
        &self,
        wanted: Option<&BTreeSet<&str>>,
    ) -> Result<BTreeMap<&'a str, Operation<'a>>, SpecDiffError> {
        let paths = self
            .root
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| SpecDiffError::NotOpenApi {
                side: self.side,
                reason: "it has no `paths` object".to_owned(),
            })?;
        let mut found = BTreeMap::new();
        for (path, item) in paths {
            let item = self.deref(item)?;
            for method in METHODS {
                let Some(object) = item.get(method) else {
                    continue;
                };
                let id = object.get("operationId").and_then(Value::as_str);
                let id = match (id, wanted) {
                    (Some(id), Some(wanted)) if !wanted.contains(id) => continue,
                    (None, Some(_)) => continue,
                    (Some(id), _) => id,
                    (None, None) => {
                        return Err(SpecDiffError::MissingOperationId {
                            side: self.side,
                            endpoint: format!("{} {path}", method.to_uppercase()),
                        });
                    }
                };
                let operation = Operation {
                    method: method.to_uppercase(),
                    path,
                    parameters: self.parameters(item, object)?,
                    object,
                };
                if found.insert(id, operation).is_some() {
                    return Err(SpecDiffError::DuplicateOperationId {
                        side: self.side,
                        operation_id: id.to_owned(),
                    });
                }
            }
        }
        Ok(found)
    }

    /// Path-level then operation-level parameters; the latter override the former.
    fn parameters(
        &self,
        item: &'a Value,
        operation: &'a Value,
    ) -> Result<BTreeMap<(String, String), &'a Value>, SpecDiffError> {
        let mut parameters = BTreeMap::new();
        for owner in [item, operation] {
            let list = owner.get("parameters").and_then(Value::as_array);
            for parameter in list.into_iter().flatten() {
                let parameter = self.deref(parameter)?;
                let field = |name| {
                    parameter
                        .get(name)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                parameters.insert((field("in"), field("name")), parameter);
            }
        }
        Ok(parameters)
    }

    /// Follows a chain of `$ref`s (of a parameter, response or request body).
    pub fn deref(&self, value: &'a Value) -> Result<&'a Value, SpecDiffError> {
        let mut current = value;
        for _ in 0..MAX_DEPTH {
            match current.get("$ref") {
                Some(reference) => current = self.lookup(reference)?,
                None => return Ok(current),
            }
        }
        Err(self.bad_ref(value.get("$ref"), "it refers to itself"))
    }

    /// The value a local `$ref` (`#/components/...`) points to.
    fn lookup(&self, reference: &Value) -> Result<&'a Value, SpecDiffError> {
        let Some(text) = reference.as_str() else {
            return Err(self.bad_ref(Some(reference), "it is not a string"));
        };
        let Some(pointer) = text.strip_prefix('#') else {
            return Err(self.bad_ref(Some(reference), "only local references are supported"));
        };
        self.root
            .pointer(pointer)
            .ok_or_else(|| self.bad_ref(Some(reference), "nothing is defined there"))
    }

    fn bad_ref(&self, reference: Option<&Value>, reason: &'static str) -> SpecDiffError {
        let reference = match reference {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        SpecDiffError::BadRef {
            side: self.side,
            reference,
            reason,
        }
    }

    /// A schema with every `$ref` inlined, `allOf` merged and documentation dropped.
    ///
    /// A `$ref` met again inside its own expansion becomes `{"$recursive": "<ref>"}`.
    pub fn schema(&self, schema: &'a Value) -> Result<Value, SpecDiffError> {
        self.normalize(schema, &mut Vec::new(), 0)
    }

    fn normalize(
        &self,
        schema: &'a Value,
        refs: &mut Vec<&'a str>,
        depth: usize,
    ) -> Result<Value, SpecDiffError> {
        if depth > MAX_DEPTH {
            return Err(SpecDiffError::TooDeep {
                side: self.side,
                reference: refs.last().map(|r| (*r).to_owned()).unwrap_or_default(),
            });
        }
        let Value::Object(object) = schema else {
            return Ok(schema.clone());
        };
        let child = |value: &'a Value, refs: &mut Vec<&'a str>| match value {
            Value::Object(_) => self.normalize(value, refs, depth + 1),
            other => Ok(other.clone()),
        };
        let mut own = Map::new();
        let mut merged_in = Vec::new();
        for (key, value) in object {
            let normalized = match key.as_str() {
                "$ref" => {
                    merged_in.push(self.follow(value, refs, depth)?);
                    continue;
                }
                "allOf" => {
                    for member in value.as_array().into_iter().flatten() {
                        merged_in.push(child(member, refs)?);
                    }
                    continue;
                }
                "properties" => match value {
                    Value::Object(properties) => Value::Object(
                        properties
                            .iter()
                            .map(|(name, property)| Ok((name.clone(), child(property, refs)?)))
                            .collect::<Result<_, SpecDiffError>>()?,
                    ),
                    other => other.clone(),
                },
                "items" | "additionalProperties" | "not" => child(value, refs)?,
                "oneOf" | "anyOf" => match value {
                    Value::Array(members) => Value::Array(
                        members
                            .iter()
                            .map(|member| child(member, refs))
                            .collect::<Result<_, _>>()?,
                    ),
                    other => other.clone(),
                },
                "required" => sorted_set(value),
                key if key.starts_with("x-") || IGNORED_KEYWORDS.contains(&key) => continue,
                _ => value.clone(),
            };
            own.insert(key.clone(), normalized);
        }
        for part in merged_in {
            merge(&mut own, part);
        }
        own.retain(|key, value| !is_default(key, value));
        Ok(Value::Object(own))
    }

    /// Expands a schema `$ref`, or marks it recursive if it is already being expanded.
    fn follow(
        &self,
        reference: &'a Value,
        refs: &mut Vec<&'a str>,
        depth: usize,
    ) -> Result<Value, SpecDiffError> {
        let target = self.lookup(reference)?;
        let name = reference.as_str().unwrap_or_default();
        if refs.contains(&name) {
            let mut marker = Map::new();
            marker.insert("$recursive".to_owned(), Value::String(name.to_owned()));
            return Ok(Value::Object(marker));
        }
        refs.push(name);
        let expanded = self.normalize(target, refs, depth + 1);
        refs.pop();
        expanded
    }
}

/// Merges an `allOf` member into a schema: properties are merged one by one, so are the
/// `items` of two arrays (upstream narrows a generic `items: {}` that way), `required`
/// lists are united, and for any other keyword the value already present wins.
fn merge(into: &mut Map<String, Value>, from: Value) {
    let Value::Object(from) = from else {
        return;
    };
    for (key, value) in from {
        let Some(existing) = into.get_mut(&key) else {
            into.insert(key, value);
            continue;
        };
        match (key.as_str(), existing, value) {
            ("properties", Value::Object(mine), Value::Object(theirs)) => {
                for (name, schema) in theirs {
                    match mine.get_mut(&name) {
                        Some(Value::Object(present)) => merge(present, schema),
                        Some(_) => {}
                        None => {
                            mine.insert(name, schema);
                        }
                    }
                }
            }
            ("items", Value::Object(mine), Value::Object(theirs)) => {
                merge(mine, Value::Object(theirs));
            }
            ("required", existing, value) => {
                let mut union = existing.as_array().cloned().unwrap_or_default();
                union.extend(value.as_array().cloned().unwrap_or_default());
                *existing = sorted_set(&Value::Array(union));
            }
            _ => {}
        }
    }
}

/// An array's elements sorted and deduplicated (by their JSON text); a non-array as is.
fn sorted_set(value: &Value) -> Value {
    let Value::Array(elements) = value else {
        return value.clone();
    };
    let unique: BTreeMap<String, &Value> = elements.iter().map(|e| (e.to_string(), e)).collect();
    Value::Array(unique.into_values().cloned().collect())
}

/// Whether a keyword carries only its default value and says nothing.
fn is_default(key: &str, value: &Value) -> bool {
    match value {
        Value::Bool(false) => FALSE_BY_DEFAULT.contains(&key),
        Value::Array(elements) => key == "required" && elements.is_empty(),
        _ => false,
    }
}
