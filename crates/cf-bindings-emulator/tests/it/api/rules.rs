//! The binding rules: the base binding, bindings strictly inside the prefix,
//! well-formed CIDRs, existing services, no duplicate or nested more-specifics, CDN
//! and Spectrum never on one address, the base deleted last; unknown ids are 404s.

use super::*;

#[tokio::test]
async fn first_binding_must_equal_the_prefix() {
    let emu = start().await;
    let msg = emu
        .create(
            DEMO_IPV6_PREFIX_ID,
            "2001:db8:1000::/64",
            MAGIC_TRANSIT_SERVICE_ID,
        )
        .await
        .expect_error(400, error_codes::FIRST_BINDING_MUST_MATCH_PREFIX);
    assert!(msg.contains(DEMO_IPV6_PREFIX_CIDR), "{msg}");
    // Wider than the prefix is refused too.
    emu.create(
        DEMO_IPV6_PREFIX_ID,
        "2001:db8::/32",
        MAGIC_TRANSIT_SERVICE_ID,
    )
    .await
    .expect_error(400, error_codes::FIRST_BINDING_MUST_MATCH_PREFIX);
    assert!(emu.list(DEMO_IPV6_PREFIX_ID).await.is_empty());
    let base = emu
        .create(
            DEMO_IPV6_PREFIX_ID,
            DEMO_IPV6_PREFIX_CIDR,
            MAGIC_TRANSIT_SERVICE_ID,
        )
        .await;
    assert_success(&base, 201);
    assert_success(
        &emu.create(DEMO_IPV6_PREFIX_ID, "2001:db8:1000:1::/64", CDN_SERVICE_ID)
            .await,
        201,
    );
}

#[tokio::test]
async fn later_bindings_must_lie_strictly_inside_the_prefix() {
    let emu = start().await;
    for outside in [
        "203.0.112.0/24",
        "203.0.112.0/23",
        "198.51.100.7/32",
        "2001:db8:1000::/64",
    ] {
        let answer = emu
            .create(DEMO_IPV4_PREFIX_ID, outside, CDN_SERVICE_ID)
            .await;
        answer.expect_error(400, error_codes::CIDR_OUTSIDE_PREFIX);
        assert_eq!(answer.body["errors"][0]["source"]["pointer"], "/cidr");
    }
    // The prefix itself again is a duplicate of the base.
    emu.create(DEMO_IPV4_PREFIX_ID, DEMO_IPV4_PREFIX_CIDR, CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::DUPLICATE_BINDING);
}

#[tokio::test]
async fn cidr_must_be_well_formed_without_host_bits() {
    let emu = start().await;
    for bad in [
        "banana",
        "203.0.113.0",
        "203.0.113.0/33",
        "203.0.113.0/-1",
        "",
    ] {
        let answer = emu.create(DEMO_IPV4_PREFIX_ID, bad, CDN_SERVICE_ID).await;
        let msg = answer.expect_error(400, error_codes::INVALID_CIDR);
        assert!(msg.contains("CIDR"), "{msg}");
        assert_eq!(answer.body["errors"][0]["source"]["pointer"], "/cidr");
    }
    // Octets with leading zeros would silently become decimal: refused, named.
    for (bad, octet) in [
        ("203.0.113.010/32", "\"010\""),
        ("203.000.113.20/32", "\"000\""),
    ] {
        let answer = emu.create(DEMO_IPV4_PREFIX_ID, bad, CDN_SERVICE_ID).await;
        let msg = answer.expect_error(400, error_codes::INVALID_CIDR);
        assert!(msg.contains(octet) && msg.contains("leading zero"), "{msg}");
    }
    let msg = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.1/24", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::CIDR_HOST_BITS);
    assert!(msg.contains("203.0.113.0/24"), "suggests the fix: {msg}");
    emu.create(DEMO_IPV6_PREFIX_ID, "2001:db8:1000::1/48", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::CIDR_HOST_BITS);
}

#[tokio::test]
async fn service_id_must_exist() {
    let emu = start().await;
    let answer = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.8/29", OTHER_ID)
        .await;
    let msg = answer.expect_error(400, error_codes::UNKNOWN_SERVICE);
    assert!(msg.contains(OTHER_ID), "{msg}");
    assert_eq!(answer.body["errors"][0]["source"]["pointer"], "/service_id");
}

#[tokio::test]
async fn duplicate_and_nested_more_specific_bindings_are_refused() {
    let emu = start().await;
    assert_success(
        &emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.16/28", CDN_SERVICE_ID)
            .await,
        201,
    );
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.16/28", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::DUPLICATE_BINDING);
    emu.create(
        DEMO_IPV4_PREFIX_ID,
        "203.0.113.16/28",
        MAGIC_TRANSIT_SERVICE_ID,
    )
    .await
    .expect_error(400, error_codes::DUPLICATE_BINDING);
    // Inside and around the /28.
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.20/30", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::OVERLAPPING_BINDING);
    emu.create(
        DEMO_IPV4_PREFIX_ID,
        "203.0.113.0/26",
        MAGIC_TRANSIT_SERVICE_ID,
    )
    .await
    .expect_error(400, error_codes::OVERLAPPING_BINDING);
    // Adjacent is fine.
    assert_success(
        &emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.32/28", CDN_SERVICE_ID)
            .await,
        201,
    );
    check_invariants(DEMO_IPV4_PREFIX_CIDR, &emu.list(DEMO_IPV4_PREFIX_ID).await);
}

#[tokio::test]
async fn an_address_is_never_both_cdn_and_spectrum() {
    let emu = start().await;
    assert_success(
        &emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.16/28", CDN_SERVICE_ID)
            .await,
        201,
    );
    assert_success(
        &emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.64/26", SPECTRUM_SERVICE_ID)
            .await,
        201,
    );
    let msg = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.17/32", SPECTRUM_SERVICE_ID)
        .await
        .expect_error(400, error_codes::CDN_SPECTRUM_CONFLICT);
    assert!(msg.contains("CDN"), "{msg}");
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.0/25", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::CDN_SPECTRUM_CONFLICT);
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.65/32", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::CDN_SPECTRUM_CONFLICT);

    // The base binding is exempt: a CDN base may carry Spectrum addresses.
    assert_success(
        &emu.create(DEMO_IPV6_PREFIX_ID, DEMO_IPV6_PREFIX_CIDR, CDN_SERVICE_ID)
            .await,
        201,
    );
    assert_success(
        &emu.create(
            DEMO_IPV6_PREFIX_ID,
            "2001:db8:1000::1/128",
            SPECTRUM_SERVICE_ID,
        )
        .await,
        201,
    );
}

#[tokio::test]
async fn base_binding_cannot_be_deleted_while_others_exist() {
    let emu = start().await;
    let specific = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.5/32", CDN_SERVICE_ID)
        .await;
    let specific_id = specific.body["result"]["id"].as_str().unwrap().to_owned();
    let msg = emu
        .delete(DEMO_IPV4_PREFIX_ID, DEMO_IPV4_BASE_BINDING_ID)
        .await
        .expect_error(400, error_codes::BASE_BINDING_IN_USE);
    assert!(msg.contains("delete those first"), "{msg}");
    assert_success(&emu.delete(DEMO_IPV4_PREFIX_ID, &specific_id).await, 200);
    assert_success(
        &emu.delete(DEMO_IPV4_PREFIX_ID, DEMO_IPV4_BASE_BINDING_ID)
            .await,
        200,
    );
    assert!(emu.list(DEMO_IPV4_PREFIX_ID).await.is_empty());
    // Empty again: the first-binding rule applies again.
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.5/32", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::FIRST_BINDING_MUST_MATCH_PREFIX);
    assert_success(
        &emu.create(
            DEMO_IPV4_PREFIX_ID,
            DEMO_IPV4_PREFIX_CIDR,
            SPECTRUM_SERVICE_ID,
        )
        .await,
        201,
    );
}

#[tokio::test]
async fn unknown_account_prefix_and_binding_are_404s() {
    let emu = start().await;
    let body = Some(json!({"cidr": "203.0.113.8/29", "service_id": CDN_SERVICE_ID}));
    let cases: Vec<(Method, String, Option<Value>, u64)> = vec![
        (
            Method::GET,
            emu.services_url(OTHER_ID),
            None,
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            Method::GET,
            emu.bindings_url(OTHER_ID, DEMO_IPV4_PREFIX_ID),
            None,
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            Method::POST,
            emu.bindings_url(OTHER_ID, DEMO_IPV4_PREFIX_ID),
            body.clone(),
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            Method::GET,
            emu.binding_url(OTHER_ID, DEMO_IPV4_PREFIX_ID, DEMO_IPV4_BASE_BINDING_ID),
            None,
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            Method::DELETE,
            emu.binding_url(OTHER_ID, DEMO_IPV4_PREFIX_ID, DEMO_IPV4_BASE_BINDING_ID),
            None,
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            Method::GET,
            emu.bindings_url(DEMO_ACCOUNT_ID, OTHER_ID),
            None,
            error_codes::PREFIX_NOT_FOUND,
        ),
        (
            Method::POST,
            emu.bindings_url(DEMO_ACCOUNT_ID, OTHER_ID),
            body.clone(),
            error_codes::PREFIX_NOT_FOUND,
        ),
        // Not-found checks come before body checks.
        (
            Method::POST,
            emu.bindings_url(DEMO_ACCOUNT_ID, OTHER_ID),
            Some(json!({})),
            error_codes::PREFIX_NOT_FOUND,
        ),
        (
            Method::GET,
            emu.binding_url(DEMO_ACCOUNT_ID, OTHER_ID, DEMO_IPV4_BASE_BINDING_ID),
            None,
            error_codes::PREFIX_NOT_FOUND,
        ),
        (
            Method::DELETE,
            emu.binding_url(DEMO_ACCOUNT_ID, OTHER_ID, DEMO_IPV4_BASE_BINDING_ID),
            None,
            error_codes::PREFIX_NOT_FOUND,
        ),
        (
            Method::GET,
            emu.binding_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, OTHER_ID),
            None,
            error_codes::BINDING_NOT_FOUND,
        ),
        (
            Method::DELETE,
            emu.binding_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, OTHER_ID),
            None,
            error_codes::BINDING_NOT_FOUND,
        ),
        // A binding of another prefix is not found under this one.
        (
            Method::GET,
            emu.binding_url(
                DEMO_ACCOUNT_ID,
                DEMO_IPV6_PREFIX_ID,
                DEMO_IPV4_BASE_BINDING_ID,
            ),
            None,
            error_codes::BINDING_NOT_FOUND,
        ),
    ];
    for (method, url, body, code) in cases {
        let answer = emu.call(method.clone(), &url, body).await;
        answer.expect_error(404, code);
        assert_common_headers(&answer);
    }
}
