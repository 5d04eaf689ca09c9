//! Gating on the accepted deviations: an older upstream shows exactly the curated
//! deviations, upstream modulo them is nothing new, each kind of upstream change is
//! reported alone, a deviation upstream fixed is stale, every CURATED comment has an
//! accepted deviation and back, and the verbatim upstream shows only accepted
//! differences.

use serde_json::json;
use xtask::spec_diff::{EXIT_DIFFERENT, EXIT_SAME, diff_documents, load_document};

use super::support::{BINDINGS, PROVISIONING, at, cli, curated, diff, fixture, gate, path_str};

#[test]
fn an_older_upstream_shows_the_curated_deviations() {
    let upstream = load_document(&fixture("upstream-older.json")).unwrap();
    let lines = diff(&curated(), &upstream);
    for expected in [
        "create-service-binding request-body: required: upstream has false, curated has true",
        r#"create-service-binding request-body: required entry "cidr": in curated, not in upstream"#,
        r#"list-service-bindings 200 result[].provisioning.state: enum: upstream has ["provisioning","active"], curated has none"#,
        "list-service-bindings 200 success: enum: upstream has [true], curated has none",
        r#"list-services 200 result[]: type: upstream has none, curated has "object""#,
        r#"get-service-binding 4XX: required entry "result": in upstream, not in curated"#,
        "delete-service-binding 4XX errors[]: property documentation_url: in curated, not in upstream",
    ] {
        assert!(
            lines.iter().any(|line| line == expected),
            "{expected}\nnot in {lines:#?}"
        );
    }
    let differences = diff_documents(&curated(), &upstream).unwrap();
    assert!(
        differences.windows(2).all(|pair| pair[0] < pair[1]),
        "sorted by operation, location, subject"
    );
}

#[test]
fn upstream_modulo_the_accepted_deviations_is_nothing_new() {
    let (code, out, err) = gate(|_| {}, &[]);
    assert_eq!((code, out.as_str()), (EXIT_SAME, ""), "{err}");
    assert_eq!(
        err,
        "spec-diff: 0 new, 0 stale, 192 accepted (of 192 differences)\n"
    );

    let (code, out, _) = gate(|_| {}, &["--all", "--collapse"]);
    assert_eq!(code, EXIT_SAME);
    assert!(
        out.contains(
            "create-service-binding request-body: required: upstream has false, curated has true  [accepted: create-body-required]"
        ),
        "{out}"
    );
    assert!(out.lines().all(|l| l.contains("  [accepted: ")), "{out}");
}

#[test]
fn each_kind_of_upstream_change_is_reported_alone() {
    // A new property.
    let (code, out, _) = gate(
        |u| {
            at(
                u,
                "/components/schemas/addressing_create_binding_request/properties",
            )["comment"] = json!({"type": "string"});
        },
        &[],
    );
    assert_eq!(
        (code, out.as_str()),
        (
            EXIT_DIFFERENT,
            "create-service-binding request-body: property comment: in upstream, not in curated\n"
        )
    );

    // A new enum value: the accepted enum no longer matches, so it is new drift, and
    // its pattern is stale.
    let (code, out, _) = gate(
        |u| {
            at(u, PROVISIONING)["enum"] = json!(["provisioning", "active", "deprovisioning"]);
        },
        &["--collapse"],
    );
    assert_eq!(code, EXIT_DIFFERENT);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[..3].iter().all(|l| l.ends_with(
        r#"provisioning.state: enum: upstream has ["provisioning","active","deprovisioning"], curated has none"#
    )), "{out}");
    assert!(
        lines[3].starts_with("stale: * result*.provisioning.state"),
        "{out}"
    );

    // A changed status code.
    let (code, out, _) = gate(
        |u| {
            let responses = at(u, &format!("{BINDINGS}/post/responses"));
            let created = responses.as_object_mut().unwrap().remove("201").unwrap();
            responses["202"] = created;
        },
        &[],
    );
    assert_eq!(code, EXIT_DIFFERENT);
    assert_eq!(
        out,
        "create-service-binding: status 201: in curated, not in upstream\n\
         create-service-binding: status 202: in upstream, not in curated\n"
    );

    // A changed `required` list.
    let (code, out, _) = gate(
        |u| {
            at(u, "/components/schemas/addressing_service_binding")["required"] =
                json!(["id", "cidr"]);
        },
        &["--collapse"],
    );
    assert_eq!(code, EXIT_DIFFERENT);
    assert!(!out.is_empty());
    assert!(
        out.lines()
            .all(|l| l.contains(r#"required entry "#) && l.contains("in upstream, not in curated")),
        "{out}"
    );
}

#[test]
fn a_deviation_upstream_fixed_is_stale() {
    let (code, out, _) = gate(
        |u| {
            at(u, &format!("{BINDINGS}/post/requestBody"))["required"] = json!(true);
        },
        &[],
    );
    assert_eq!(code, EXIT_DIFFERENT);
    assert_eq!(
        out,
        "stale: create-service-binding request-body: required: upstream has false, curated has true  \
         [create-body-required: upstream no longer has it; remove it from \
         openapi/service-bindings.curated.toml]\n"
    );
}

/// `upstream-2024-08.json` is Cloudflare's own text, not a synthetic fixture: the
/// definitions of Part A of `shared/reference/upstream-openapi-fragments.txt`
/// (cloudflare/api-schemas, openapi.json at cca3064f, 2024-08-06) and, from the same
/// file and commit, the two prefix path items with every schema they reach, put
/// together in upstream's layout (keys sorted, components inline). Every difference
/// from the curated spec must be one the sidecar explains: nothing new, nothing stale.
#[test]
fn verbatim_upstream_shows_only_accepted_differences() {
    let upstream = fixture("upstream-2024-08.json");
    let (code, out, err) = cli(&[path_str(&upstream)]);
    assert_eq!((code, out.as_str()), (EXIT_SAME, ""), "{err}");
    assert!(err.starts_with("spec-diff: 0 new, 0 stale, "), "{err}");

    // The same differences, listed: each carries the id of its accepted deviation.
    let (code, out, _) = cli(&[path_str(&upstream), "--all"]);
    assert_eq!(code, EXIT_SAME);
    assert!(out.lines().count() > 100, "{out}");
    for line in out.lines() {
        assert!(line.contains("  [accepted: "), "not explained: {line}");
    }
}
