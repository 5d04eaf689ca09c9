//! The one-line `Display` of every error kind, pinned in a snapshot.

use super::*;

/// The one-line `Display` of every error kind, pinned.
// The paused clock: the 100 ms request timeout fires at once, not in real time.
#[tokio::test(start_paused = true)]
async fn display_of_each_error_kind() {
    let server = TestServer::start().await;
    let client = no_retry(&server);
    let bindings = client.account(ACCOUNT).prefix(PREFIX).bindings();
    let mut shown_errors = BTreeMap::new();

    server.push(Reply::json(
        400,
        json!({
            "success": false,
            "errors": [{"code": 1002, "message": "Prefix not found"}],
            "messages": [],
            "result": null,
        }),
    ));
    let err = bindings.create("192.0.2.0/24", CDN).await.unwrap_err();
    shown_errors.insert("api_400", shown(&server, &err));

    server.push(Reply::json(
        400,
        json!({
            "success": false,
            "errors": [
                {"code": 1011, "message": "Missing required field", "source": {"pointer": "/cidr"}},
                {"code": 1012, "message": "Field has the\nwrong type"},
            ],
            "messages": [],
        }),
    ));
    let err = bindings.create("192.0.2.0/24", CDN).await.unwrap_err();
    shown_errors.insert("api_two_errors", shown(&server, &err));

    let err = list_error(&server, Reply::json(200, failure(1099, "Injected failure"))).await;
    shown_errors.insert("api_200_success_false", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::json(403, json!({"success": false, "errors": [], "messages": []})),
    )
    .await;
    shown_errors.insert("api_no_details", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::json(
            429,
            failure(
                971,
                "Please wait and consider throttling your request speed",
            ),
        )
        .header("retry-after", "2"),
    )
    .await;
    shown_errors.insert("api_429", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::raw(
            502,
            "text/html",
            "<html>\n<head><title>502 Bad Gateway</title></head></html>",
        )
        .header("cf-ray", "8c2f0000html-EMU"),
    )
    .await;
    shown_errors.insert("body_html_502", shown(&server, &err));

    let err = list_error(&server, Reply::raw(200, "application/json", "")).await;
    shown_errors.insert("body_empty", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::raw(200, "application/json", r#"{"success": tr"#),
    )
    .await;
    shown_errors.insert("body_truncated_json", shown(&server, &err));

    let err = list_error(&server, Reply::json(200, json!({"hello": "world"}))).await;
    shown_errors.insert("body_other_json", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::json(
            200,
            ok(json!([binding_json(
                BINDING,
                "192.0.2.7/24",
                CDN,
                "CDN",
                "active"
            )])),
        ),
    )
    .await;
    shown_errors.insert("decode_bad_cidr", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::json(200, ok(json!([{"cidr": "192.0.2.0/24"}]))),
    )
    .await;
    shown_errors.insert("decode_missing_id", shown(&server, &err));

    let err = list_error(&server, Reply::drop_connection()).await;
    shown_errors.insert("transport_dropped", shown(&server, &err));

    let err = list_error(&server, Reply::json(200, ok(json!([]))).truncated()).await;
    shown_errors.insert("transport_truncated_body", shown(&server, &err));

    let slow = Client::builder()
        .base_url(server.base_url())
        .api_token(TOKEN)
        .retry_policy(RetryPolicy::no_retries())
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    server.push(Reply::json(200, ok(json!([]))).delay(Duration::from_secs(5)));
    let err = slow.account(ACCOUNT).services().list().await.unwrap_err();
    shown_errors.insert("timeout", shown(&server, &err));

    let err = client_with("http://127.0.0.1:9/client/v4", RetryPolicy::no_retries())
        .account(ACCOUNT)
        .services()
        .list()
        .await
        .unwrap_err();
    shown_errors.insert("connect_refused", shown(&server, &err));

    let err = bindings.get("../etc").await.unwrap_err();
    shown_errors.insert("invalid_id", shown(&server, &err));
    let err = bindings.create("192.0.2.7/24", CDN).await.unwrap_err();
    shown_errors.insert("invalid_cidr", shown(&server, &err));
    let err = Client::builder().build().unwrap_err();
    shown_errors.insert("config", shown(&server, &err));

    server.push(Reply::json(200, ok(json!([{"id": CDN, "name": "CDN"}]))));
    let err = client
        .account(ACCOUNT)
        .services()
        .find("Spectrum")
        .await
        .unwrap_err();
    shown_errors.insert("service_not_found", shown(&server, &err));

    for text in shown_errors.values() {
        assert!(!text.contains('\n'), "not one line: {text}");
    }
    insta::assert_yaml_snapshot!("error_display", shown_errors);
}
