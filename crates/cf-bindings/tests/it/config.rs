//! Configuration of the cf-bindings client: from the environment (the variables of
//! Cloudflare's SDKs, each error naming its variable), the builder's refusals, a
//! base URL with user information, and a caller-supplied reqwest client.

use cf_bindings::{
    Client, ClientBuilder, Error,
    config::{Credentials, ENV_API_KEY},
};
use cf_bindings_test_server::{Reply, TestServer};
use serde_json::json;

use crate::common::*;

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

fn config_error(vars: &[(&str, &str)]) -> (Option<&'static str>, String) {
    let err = ClientBuilder::from_lookup(lookup(vars))
        .and_then(ClientBuilder::build)
        .unwrap_err();
    match err {
        Error::Config(c) => (c.variable(), Error::Config(c).to_string()),
        other => panic!("not a config error: {other:?}"),
    }
}

#[test]
fn environment_token_wins_over_email_and_key() {
    let builder = ClientBuilder::from_lookup(lookup(&[
        ("CLOUDFLARE_API_TOKEN", "t0ken"),
        ("CLOUDFLARE_EMAIL", "a@b.c"),
    ]))
    .unwrap();
    assert!(format!("{builder:?}").contains("ApiToken"));
    let client = builder.build().unwrap();
    assert_eq!(client.base_url(), "https://api.cloudflare.com/client/v4");
}

#[test]
fn environment_email_and_key_and_base_url() {
    let client = ClientBuilder::from_lookup(lookup(&[
        ("CLOUDFLARE_EMAIL", "a@b.c"),
        ("CLOUDFLARE_API_KEY", "k"),
        ("CLOUDFLARE_BASE_URL", "http://127.0.0.1:8787/client/v4/"),
    ]))
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:8787/client/v4");
}

#[test]
fn environment_errors_name_the_variable() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[], "CLOUDFLARE_API_TOKEN"),
        (&[("CLOUDFLARE_API_TOKEN", "")], "CLOUDFLARE_API_TOKEN"),
        (&[("CLOUDFLARE_API_TOKEN", "  ")], "CLOUDFLARE_API_TOKEN"),
        (&[("CLOUDFLARE_EMAIL", "a@b.c")], "CLOUDFLARE_API_KEY"),
        (&[("CLOUDFLARE_API_KEY", "k")], "CLOUDFLARE_EMAIL"),
        (
            &[("CLOUDFLARE_EMAIL", ""), ("CLOUDFLARE_API_KEY", "k")],
            "CLOUDFLARE_EMAIL",
        ),
        (
            &[("CLOUDFLARE_EMAIL", "a@b.c"), ("CLOUDFLARE_API_KEY", "")],
            ENV_API_KEY,
        ),
        (
            &[("CLOUDFLARE_API_TOKEN", "t"), ("CLOUDFLARE_BASE_URL", "")],
            "CLOUDFLARE_BASE_URL",
        ),
        (
            &[
                ("CLOUDFLARE_API_TOKEN", "t"),
                ("CLOUDFLARE_BASE_URL", "not a url"),
            ],
            "CLOUDFLARE_BASE_URL",
        ),
        (
            &[
                ("CLOUDFLARE_API_TOKEN", "t"),
                ("CLOUDFLARE_BASE_URL", "ftp://x/client/v4"),
            ],
            "CLOUDFLARE_BASE_URL",
        ),
    ];
    let mut shown = Vec::new();
    for (vars, variable) in cases {
        let (named, message) = config_error(vars);
        assert_eq!(named, Some(*variable), "{vars:?}: {message}");
        assert!(message.contains(variable), "{vars:?}: {message}");
        shown.push(message);
    }
    insta::assert_yaml_snapshot!("config_errors", shown);
}

#[test]
fn base_url_with_user_information_is_refused_without_showing_it() {
    for url in [
        "http://user:s3cret-pw@127.0.0.1:8787/client/v4",
        "https://only-user@api.example.test/client/v4",
        // No `//`: URL parsers still read `user:s3cret-pw` as user information.
        "https:user:s3cret-pw@api.example.test/client/v4",
        "http://user:s3cret-pw@bad host/client/v4",
    ] {
        let (named, message) =
            config_error(&[("CLOUDFLARE_API_TOKEN", "t"), ("CLOUDFLARE_BASE_URL", url)]);
        assert_eq!(named, Some("CLOUDFLARE_BASE_URL"), "{message}");
        assert!(message.contains("user information"), "{message}");
        assert!(
            !message.contains("s3cret-pw") && !message.contains("only-user"),
            "{message}"
        );
        let err = Client::builder()
            .api_token("t")
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err}");
        assert!(!format!("{err} {err:?}").contains("s3cret-pw"), "{err:?}");
    }
}

#[test]
fn builder_refuses_missing_or_unusable_credentials() {
    let err = Client::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    let err = Client::builder()
        .api_token("bad\ntoken")
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration: the API token contains characters not allowed in an HTTP header"
    );
    let err = Client::builder()
        .api_token("t")
        .http_client(reqwest::Client::new())
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("caller-supplied reqwest::Client"),
        "{err}"
    );
}

#[test]
fn builder_refuses_a_zero_timeout() {
    let zero = std::time::Duration::ZERO;
    let err = Client::builder().api_token("t").timeout(zero).build();
    assert_eq!(
        err.unwrap_err().to_string(),
        "configuration: the timeout must be above zero"
    );
    let err = Client::builder()
        .api_token("t")
        .connect_timeout(zero)
        .build();
    assert_eq!(
        err.unwrap_err().to_string(),
        "configuration: the connect timeout must be above zero"
    );
}

#[tokio::test]
async fn caller_supplied_client_carries_its_own_credentials() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, ok(json!([]))));
    let headers = Credentials::api_token(TOKEN).headers().unwrap();
    assert!(headers["authorization"].is_sensitive());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .http_client(http)
        .build()
        .unwrap();
    client.account(ACCOUNT).services().list().await.unwrap();
    assert_eq!(
        server.requests()[0].headers["authorization"],
        format!("Bearer {TOKEN}")
    );
}
