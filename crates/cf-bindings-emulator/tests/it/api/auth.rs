//! Authentication: each failing case has its own code; configured credentials, or
//! any when so configured.

use super::*;

async fn with_headers(emu: &Emu, headers: &[(&str, &str)]) -> common::Answer {
    let mut request = emu.client.get(emu.services_url(DEMO_ACCOUNT_ID));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    common::Answer {
        status,
        headers,
        body: response.json().await.unwrap(),
    }
}

#[tokio::test]
async fn auth_cases_have_distinct_codes() {
    let emu = start().await;
    let ok = |answer: common::Answer| assert_success(&answer, 200);
    ok(with_headers(&emu, &[("authorization", "Bearer emulator-token")]).await);
    ok(with_headers(&emu, &[("authorization", "bearer emulator-token")]).await);
    ok(with_headers(
        &emu,
        &[
            ("x-auth-email", "demo@example.com"),
            ("x-auth-key", "emulator-key"),
        ],
    )
    .await);
    ok(with_headers(
        &emu,
        &[
            ("x-auth-email", "Demo@Example.com"),
            ("x-auth-key", "emulator-key"),
        ],
    )
    .await);

    with_headers(&emu, &[])
        .await
        .expect_error(401, error_codes::MISSING_CREDENTIALS);
    with_headers(&emu, &[("x-auth-email", "demo@example.com")])
        .await
        .expect_error(401, error_codes::MISSING_CREDENTIALS);
    with_headers(&emu, &[("x-auth-key", "emulator-key")])
        .await
        .expect_error(401, error_codes::MISSING_CREDENTIALS);
    for bad in ["Basic ZGVtbzpkZW1v", "Bearer", "Bearer ", "emulator-token"] {
        with_headers(&emu, &[("authorization", bad)])
            .await
            .expect_error(400, error_codes::INVALID_AUTHORIZATION_FORMAT);
    }
    let msg = with_headers(&emu, &[("authorization", "Bearer wrong-token")])
        .await
        .expect_error(403, error_codes::INVALID_TOKEN);
    assert!(
        !msg.contains("wrong-token"),
        "the token is not echoed: {msg}"
    );
    with_headers(
        &emu,
        &[
            ("x-auth-email", "other@example.com"),
            ("x-auth-key", "emulator-key"),
        ],
    )
    .await
    .expect_error(403, error_codes::INVALID_EMAIL_OR_KEY);
    with_headers(
        &emu,
        &[
            ("x-auth-email", "demo@example.com"),
            ("x-auth-key", "wrong-key"),
        ],
    )
    .await
    .expect_error(403, error_codes::INVALID_EMAIL_OR_KEY);

    // Every operation is guarded.
    let bindings = emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID);
    let binding = emu.binding_url(
        DEMO_ACCOUNT_ID,
        DEMO_IPV4_PREFIX_ID,
        DEMO_IPV4_BASE_BINDING_ID,
    );
    for (method, url) in [
        (Method::GET, bindings.clone()),
        (Method::POST, bindings),
        (Method::GET, binding.clone()),
        (Method::DELETE, binding),
    ] {
        let response = emu.client.request(method, url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(emu.list(DEMO_IPV4_PREFIX_ID).await.len(), 1);
}

#[tokio::test]
async fn configured_and_any_credentials() {
    let custom = start_with(EmulatorConfig {
        credentials: AcceptedCredentials {
            api_token: Some("s3cret".to_owned()),
            email: None,
            api_key: None,
            accept_any: false,
        },
        ..config()
    })
    .await;
    assert_success(
        &with_headers(&custom, &[("authorization", "Bearer s3cret")]).await,
        200,
    );
    with_headers(&custom, &[("authorization", "Bearer emulator-token")])
        .await
        .expect_error(403, error_codes::INVALID_TOKEN);
    with_headers(
        &custom,
        &[
            ("x-auth-email", "demo@example.com"),
            ("x-auth-key", "emulator-key"),
        ],
    )
    .await
    .expect_error(403, error_codes::INVALID_EMAIL_OR_KEY);
    let debug = format!("{:?}", AcceptedCredentials::default());
    assert!(
        !debug.contains("emulator-token") && !debug.contains("emulator-key"),
        "{debug}"
    );

    let any = start_with(EmulatorConfig {
        credentials: AcceptedCredentials {
            accept_any: true,
            ..AcceptedCredentials::default()
        },
        ..config()
    })
    .await;
    assert_success(
        &with_headers(&any, &[("authorization", "Bearer anything")]).await,
        200,
    );
    assert_success(
        &with_headers(&any, &[("x-auth-email", "a@b.c"), ("x-auth-key", "k")]).await,
        200,
    );
    with_headers(&any, &[])
        .await
        .expect_error(401, error_codes::MISSING_CREDENTIALS);
}
