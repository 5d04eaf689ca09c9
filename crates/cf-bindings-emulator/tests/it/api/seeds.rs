//! Seeds: the example TOML seed and JSON seeds load and serve; bad seeds are clear
//! errors at start.

use super::*;

#[tokio::test]
async fn example_toml_seed_loads_and_serves() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed.example.toml");
    let seed = Seed::load(&path).unwrap();
    let emu = start_with(EmulatorConfig { seed, ..config() }).await;
    let account = "0123456789abcdef0123456789abcdef";
    let answer = emu
        .call(
            Method::GET,
            &emu.bindings_url(account, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            None,
        )
        .await;
    let result = answer.body["result"].as_array().unwrap();
    assert_eq!(result.len(), 2);
    assert_eq!(result[0]["id"], "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    assert_eq!(result[0]["cidr"], "198.51.100.0/24");
    assert_eq!(result[1]["cidr"], "198.51.100.16/29");
    assert_eq!(result[1]["service_name"], "CDN");
    assert!(is_id(&result[1]["id"]));
    let v6 = emu
        .call(
            Method::GET,
            &emu.bindings_url(account, "cccccccccccccccccccccccccccccccc"),
            None,
        )
        .await;
    assert_eq!(v6.body["result"], json!([]));
    // The demo account is not in this seed.
    emu.call(Method::GET, &emu.services_url(DEMO_ACCOUNT_ID), None)
        .await
        .expect_error(404, error_codes::ACCOUNT_NOT_FOUND);
}

#[tokio::test]
async fn json_seed_loads_and_bad_seeds_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.json");
    let json_seed = json!({
        "services": [{"id": MAGIC_TRANSIT_SERVICE_ID, "name": "Magic Transit"}],
        "accounts": [{"id": DEMO_ACCOUNT_ID, "prefixes": [
            {"id": DEMO_IPV4_PREFIX_ID, "cidr": "192.0.2.0/24", "bindings": [
                {"cidr": "192.0.2.0/24", "service_id": MAGIC_TRANSIT_SERVICE_ID}
            ]}
        ]}]
    });
    std::fs::write(&path, json_seed.to_string()).unwrap();
    let emu = start_with(EmulatorConfig {
        seed: Seed::load(&path).unwrap(),
        ..config()
    })
    .await;
    let listed = emu.list(DEMO_IPV4_PREFIX_ID).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["cidr"], "192.0.2.0/24");

    let bad = [
        (
            r#"{"services": [{"id": "short", "name": "x"}]}"#,
            "32 lowercase",
        ),
        (
            r#"{"accounts": [{"id": "0123456789abcdef0123456789abcdef", "prefixes": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cidr": "192.0.2.1/24"}]}]}"#,
            "host bits",
        ),
        (
            r#"{"services": [{"id": "2db684ee7ca04e159946fd05b99e1bcd", "name": "Magic Transit"}], "accounts": [{"id": "0123456789abcdef0123456789abcdef", "prefixes": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cidr": "192.0.2.0/24", "bindings": [{"cidr": "192.0.2.0/25", "service_id": "2db684ee7ca04e159946fd05b99e1bcd"}]}]}]}"#,
            "first service binding",
        ),
        (
            r#"{"accounts": [{"id": "0123456789abcdef0123456789abcdef", "prefixes": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cidr": "192.0.2.0/24", "bindings": [{"cidr": "192.0.2.0/24", "service_id": "2db684ee7ca04e159946fd05b99e1bcd"}]}]}]}"#,
            "not found",
        ),
        (
            r#"{"accounts": [{"id": "0123456789abcdef0123456789abcdef"}, {"id": "0123456789abcdef0123456789abcdef"}]}"#,
            "used twice",
        ),
        (r#"{"acounts": []}"#, "unknown field"),
        ("{", "EOF"),
    ];
    for (text, needle) in bad {
        std::fs::write(&path, text).unwrap();
        let err = Seed::load(&path).unwrap_err();
        assert!(matches!(err, Error::InvalidSeed { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(needle), "{needle:?} not in {msg}");
        assert!(msg.contains("seed.json"), "{msg}");
    }
    assert!(matches!(
        Seed::load(&dir.path().join("missing.toml")),
        Err(Error::SeedIo { .. })
    ));
    assert!(matches!(
        Seed::from_toml("services = 3"),
        Err(Error::InvalidSeed { .. })
    ));
}
