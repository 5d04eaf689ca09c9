//! Comparing two documents: the curated spec equals itself and its upstream-shaped
//! twin, documentation keywords are ignored, and each kind of change (an enum
//! value, a property, a required list, a status code, parameters, a type, an
//! operation) is reported with its exact line; references are resolved, without
//! looping, or refused.

use serde_json::json;
use xtask::spec_diff;
use xtask::spec_diff::{SpecDiffError, default_curated_path, diff_documents, load_document};

use super::support::{
    BINDINGS, PROVISIONING, SERVICES_GET, at, curated, diff, fixture, remove, upstream,
};

#[test]
fn curated_spec_equals_itself() {
    let curated_path = default_curated_path();
    let report = spec_diff::run(&curated_path, &curated_path).unwrap();
    assert!(report.is_empty(), "{report}");
    assert_eq!(report.to_string(), "");
}

#[test]
fn upstream_shaped_equivalent_reports_nothing() {
    assert_eq!(diff(&curated(), &upstream()), Vec::<String>::new());
}

#[test]
fn documentation_keywords_are_ignored() {
    let mut upstream = upstream();
    let state = at(&mut upstream, PROVISIONING);
    state["description"] = json!("Something else entirely.");
    state["example"] = json!("active");
    state["title"] = json!("State");
    state["x-stainless-naming"] = json!("provisioning_state");
    assert_eq!(diff(&curated(), &upstream), Vec::<String>::new());
}

#[test]
fn reports_a_new_enum_value() {
    let (mut curated, mut upstream) = (curated(), upstream());
    at(&mut curated, PROVISIONING)["enum"] = json!(["provisioning", "active"]);
    at(&mut upstream, PROVISIONING)["enum"] =
        json!(["provisioning", "active", "magic_transit_route_missing"]);
    let added = r#"enum value "magic_transit_route_missing": in upstream, not in curated"#;
    assert_eq!(
        diff(&curated, &upstream),
        [
            format!("create-service-binding 201 result.provisioning.state: {added}"),
            format!("get-service-binding 200 result.provisioning.state: {added}"),
            format!("list-service-bindings 200 result[].provisioning.state: {added}"),
        ]
    );
}

#[test]
fn reports_an_enum_only_one_side_has() {
    let mut upstream = upstream();
    at(&mut upstream, PROVISIONING)["enum"] = json!(["provisioning", "active"]);
    let lines = diff(&curated(), &upstream);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert_eq!(
        lines[0],
        r#"create-service-binding 201 result.provisioning.state: enum: upstream has ["provisioning","active"], curated has none"#
    );
}

#[test]
fn reports_a_removed_property() {
    let mut upstream = upstream();
    remove(
        &mut upstream,
        "/components/schemas/addressing_service_binding/properties",
        "service_name",
    );
    let removed = "property service_name: in curated, not in upstream";
    assert_eq!(
        diff(&curated(), &upstream),
        [
            format!("create-service-binding 201 result: {removed}"),
            format!("get-service-binding 200 result: {removed}"),
            format!("list-service-bindings 200 result[]: {removed}"),
        ]
    );
}

#[test]
fn reports_a_changed_required_list() {
    let mut upstream = upstream();
    at(
        &mut upstream,
        "/components/schemas/addressing_create_binding_request",
    )["required"] = json!(["cidr"]);
    assert_eq!(
        diff(&curated(), &upstream),
        [
            r#"create-service-binding request-body: required entry "service_id": in curated, not in upstream"#
        ]
    );
}

#[test]
fn reports_a_changed_status_code() {
    let mut upstream = upstream();
    let responses = at(&mut upstream, &format!("{BINDINGS}/post/responses"));
    let created = responses.as_object_mut().unwrap().remove("201").unwrap();
    responses["202"] = created;
    assert_eq!(
        diff(&curated(), &upstream),
        [
            "create-service-binding: status 201: in curated, not in upstream",
            "create-service-binding: status 202: in upstream, not in curated",
        ]
    );
}

#[test]
fn reports_changed_parameters() {
    let mut upstream = upstream();
    let parameters = at(&mut upstream, &format!("{SERVICES_GET}/parameters"));
    parameters[0]["schema"] = json!({"type": "string", "maxLength": 36});
    parameters.as_array_mut().unwrap().push(json!({
        "in": "query", "name": "per_page", "schema": {"type": "integer"}
    }));
    assert_eq!(
        diff(&curated(), &upstream),
        [
            "list-services: parameter per_page (query): in upstream, not in curated",
            "list-services parameter account_id (path): maxLength: upstream has 36, curated has 32",
        ]
    );
}

#[test]
fn reports_changed_type_nullable_format_and_endpoint() {
    let mut upstream = upstream();
    let code = "/components/schemas/addressing_messages/items/properties/code";
    at(&mut upstream, code)["format"] = json!("int32");
    at(&mut upstream, "/components/schemas/addressing_cidr")["nullable"] = json!(true);
    at(&mut upstream, "/components/schemas/addressing_service_name")["type"] = json!("integer");
    let paths = at(&mut upstream, "/paths").as_object_mut().unwrap();
    let services = paths
        .remove("/accounts/{account_id}/addressing/services")
        .unwrap();
    paths.insert(
        "/accounts/{account_id}/addressing/catalog".to_owned(),
        services,
    );
    let lines = diff(&curated(), &upstream);
    for expected in [
        r#"list-services: endpoint: upstream has "GET /accounts/{account_id}/addressing/catalog", curated has "GET /accounts/{account_id}/addressing/services""#,
        r#"list-services 200 result[].name: type: upstream has "integer", curated has "string""#,
        r#"get-service-binding 200 errors[].code: format: upstream has "int32", curated has "int64""#,
        "create-service-binding request-body cidr: nullable: upstream has true, curated has none",
    ] {
        assert!(
            lines.iter().any(|line| line == expected),
            "{expected}\nnot in {lines:#?}"
        );
    }
}

#[test]
fn reports_an_operation_missing_upstream() {
    let mut upstream = upstream();
    remove(
        &mut upstream,
        "/paths/~1accounts~1{account_id}~1addressing~1prefixes~1{prefix_id}~1bindings~1{binding_id}",
        "delete",
    );
    assert_eq!(
        diff(&curated(), &upstream),
        ["delete-service-binding: operation: in curated, not in upstream"]
    );
}

#[test]
fn recursive_schemas_are_compared_without_looping() {
    let (mut curated, mut upstream) = (curated(), upstream());
    let source = "/components/schemas/addressing_message_source/properties";
    let recursive = json!({"$ref": "#/components/schemas/addressing_message_source"});
    at(&mut curated, source)["parent"] = recursive.clone();
    at(&mut upstream, source)["parent"] = recursive;
    assert_eq!(diff(&curated, &upstream), Vec::<String>::new());

    at(&mut upstream, source)["parent"] = json!({"type": "string"});
    let lines = diff(&curated, &upstream);
    let expected =
        r#"list-services 4XX errors[].source.parent: $recursive: upstream has none, curated has "#;
    assert!(
        lines.iter().any(|line| line.starts_with(expected)),
        "{lines:#?}"
    );
}

#[test]
fn unresolved_ref_is_an_error() {
    let mut upstream = upstream();
    at(
        &mut upstream,
        "/components/schemas/addressing_service_binding/properties/cidr",
    )["$ref"] = json!("#/components/schemas/addressing_gone");
    let error = diff_documents(&curated(), &upstream).unwrap_err();
    assert!(matches!(error, SpecDiffError::BadRef { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        r##"bad $ref "#/components/schemas/addressing_gone" in the upstream document: nothing is defined there"##
    );
}

#[test]
fn external_and_self_refs_are_errors() {
    let mut upstream = upstream();
    at(&mut upstream, &format!("{SERVICES_GET}/parameters"))[0] =
        json!({"$ref": "common.yaml#/components/parameters/account_id"});
    let error = diff_documents(&curated(), &upstream).unwrap_err();
    assert!(
        error.to_string().contains("only local references"),
        "{error}"
    );

    let mut curated = curated();
    at(&mut curated, "/components/parameters/account_id")["$ref"] =
        json!("#/components/parameters/account_id");
    let error = diff_documents(&curated, &self::upstream()).unwrap_err();
    assert!(error.to_string().contains("refers to itself"), "{error}");
}

#[test]
fn a_document_without_the_operations_is_an_error() {
    let unrelated =
        json!({"openapi": "3.0.3", "paths": {"/zones": {"get": {"operationId": "zones-list"}}}});
    let error = diff_documents(&curated(), &unrelated).unwrap_err();
    assert!(
        matches!(error, SpecDiffError::NoOperationFound { .. }),
        "{error:?}"
    );
    let error = diff_documents(&curated(), &json!({"swagger": "2.0"})).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the upstream document is not an OpenAPI document: it has no `paths` object"
    );
}

#[test]
fn all_of_members_narrow_the_items_of_an_array() {
    // Upstream's List Prefixes: a generic envelope with `items: {}`, narrowed by a second
    // `allOf` member to the prefix object. The items are the prefix, not "anything".
    let mut upstream = load_document(&fixture("upstream-2024-08.json")).unwrap();
    let lines = diff(&curated(), &upstream);
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("list-prefixes 200 result[]: type")),
        "{lines:#?}"
    );
    // Remove the narrowing member: the items are then untyped, and that shows.
    at(
        &mut upstream,
        "/components/schemas/addressing_response_collection/allOf",
    )
    .as_array_mut()
    .unwrap()
    .truncate(1);
    let lines = diff(&curated(), &upstream);
    assert!(
        lines.contains(
            &r#"list-prefixes 200 result[]: type: upstream has none, curated has "object""#
                .to_owned()
        ),
        "{lines:#?}"
    );
}
