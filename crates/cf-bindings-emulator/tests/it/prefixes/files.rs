//! Prefixes from seed files and state files: the example seed's details, seed
//! details checked, details surviving a restart, and state files of version 1.

use super::*;

#[tokio::test]
async fn example_seed_prefixes_have_their_details() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed.example.toml");
    let emu = start_with(EmulatorConfig {
        seed: Seed::load(&path).unwrap(),
        ..config()
    })
    .await;
    let account = "0123456789abcdef0123456789abcdef";
    let listed = result_of(&list_prefixes(&emu, account).await);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    for prefix in listed {
        assert_prefix_shape(prefix);
    }
    assert_eq!(listed[0]["description"], "Example IPv4 prefix");
    assert_eq!(listed[0]["asn"], 64500);
    assert_eq!(listed[0]["approved"], "V");
    assert_eq!(listed[0]["modified_at"], "2024-03-08T16:30:00.000000Z");
    assert_eq!(
        listed[0]["loa_document_id"],
        "dddddddddddddddddddddddddddddddd"
    );
    assert_eq!(listed[0]["rpki_validation_state"], "validated");
    // Pending, on demand: what was not given takes its default.
    assert_eq!(listed[1]["approved"], "P");
    assert_eq!(listed[1]["rpki_validation_state"], "pending");
    assert_eq!(listed[1]["on_demand_enabled"], true);
    assert_eq!(listed[1]["advertised"], false);
    assert_eq!(
        listed[1]["advertised_modified_at"],
        "2024-09-02T08:05:00.000000Z"
    );
    assert_eq!(listed[1]["created_at"], "2024-09-02T08:00:00.000000Z");
    assert_eq!(listed[1]["modified_at"], listed[1]["created_at"]);
    assert_eq!(listed[1]["loa_document_id"], Value::Null);
    assert_eq!(
        listed[1]["ownership_validation_token"],
        "cccccccc-cccc-cccc-cccc-cccccccccccc"
    );
}

#[test]
fn seed_prefix_details_are_checked() {
    let with = |details: Value| {
        let mut prefix = json!({"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cidr": "192.0.2.0/24"});
        for (key, value) in details.as_object().unwrap() {
            prefix[key] = value.clone();
        }
        json!({"accounts": [{"id": "0123456789abcdef0123456789abcdef", "prefixes": [prefix]}]})
            .to_string()
    };
    assert!(Seed::from_json(&with(json!({"approved": "P", "asn": 4_294_967_295_u64}))).is_ok());
    let bad = [
        (json!({"approved": "A"}), "approved must be"),
        (json!({"created_at": "2024-05-14"}), "created_at"),
        (
            json!({"advertised_modified_at": "2024-05-14T17:02:11+02:00"}),
            "advertised_modified_at",
        ),
        (
            json!({"created_at": "2024-05-14T17:02:11Z", "modified_at": "2024-05-13T17:02:11Z"}),
            "before created_at",
        ),
        (json!({"description": "x".repeat(1001)}), "1000 characters"),
        (json!({"loa_document_id": "LOA-1"}), "loa_document_id"),
        (json!({"asn": -1}), "expected u32"),
        (json!({"asn": 4_294_967_296_u64}), "expected u32"),
        (json!({"asn": "64496"}), "expected u32"),
        (json!({"advertised": "yes"}), "expected a boolean"),
        (json!({"advertized": true}), "unknown field"),
    ];
    for (details, needle) in bad {
        let err = Seed::from_json(&with(details.clone())).unwrap_err();
        assert!(matches!(err, Error::InvalidSeed { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.contains(needle),
            "{needle:?} not in {message} ({details})"
        );
    }
    // TOML takes the same fields.
    let toml = r#"
        [[accounts]]
        id = "0123456789abcdef0123456789abcdef"
        [[accounts.prefixes]]
        id = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        cidr = "192.0.2.0/24"
        approved = "X"
    "#;
    let message = Seed::from_toml(toml).unwrap_err().to_string();
    assert!(message.contains("approved must be"), "{message}");
}

fn file_config(path: &Path, seed: Seed) -> EmulatorConfig {
    EmulatorConfig {
        seed,
        state_file: Some(path.to_owned()),
        state_sharing: StateSharing::Exclusive,
        ..config()
    }
}

#[tokio::test]
async fn prefix_details_survive_a_restart_with_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    // Every detail away from its default, the nullable ones set.
    let seed = Seed::from_json(
        &json!({"accounts": [{"id": "0123456789abcdef0123456789abcdef", "prefixes": [{
            "id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "cidr": "2001:db8:3000::/44",
            "description": "On demand \"quoted\" ünïcode",
            "asn": 209_242,
            "approved": "P",
            "advertised": true,
            "advertised_modified_at": "2024-07-01T00:00:00.000001Z",
            "created_at": "2024-06-30T23:59:59.999999Z",
            "modified_at": "2024-07-01T00:00:00.000001Z",
            "on_demand_enabled": true,
            "on_demand_locked": true,
            "delegate_loa_creation": true,
            "loa_document_id": "d933b1530bc56c9953cf8ce166da8004",
            "irr_validation_state": "failed",
            "ownership_validation_state": "validated",
            "rpki_validation_state": "pending",
            "ownership_validation_token": "1234a5b6-1234-1abc-12a3-1234a5b6789c",
        }]}]})
        .to_string(),
    )
    .unwrap();
    let account = "0123456789abcdef0123456789abcdef";
    let emu = start_with(file_config(&path, seed)).await;
    let before = result_of(&list_prefixes(&emu, account).await);
    assert_prefix_shape(&before[0]);
    assert_eq!(before[0]["advertised"], true);
    assert_eq!(before[0]["asn"], 209_242);
    assert_eq!(before[0]["irr_validation_state"], "failed");
    emu.shutdown().await;

    let on_disk: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(on_disk["version"], 2);
    assert_eq!(
        on_disk["accounts"][0]["prefixes"][0]["created_at"],
        "2024-06-30T23:59:59.999999Z"
    );

    // Another seed is ignored: the file wins, with every detail.
    let again = start_with(file_config(&path, Seed::demo())).await;
    assert_eq!(result_of(&list_prefixes(&again, account).await), before);
    assert_eq!(
        result_of(&get_prefix(&again, account, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").await),
        before[0]
    );
    again.shutdown().await;
}

/// A state file as the emulator wrote it before prefixes had details (version 1):
/// the demo account, its IPv4 prefix with the base binding and a CDN /29, and the
/// IPv6 prefix with none.
const VERSION_1_STATE: &str = r#"{
  "version": 1,
  "services": [
    {"id": "2db684ee7ca04e159946fd05b99e1bcd", "name": "Magic Transit"},
    {"id": "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b", "name": "CDN"},
    {"id": "c4e8a2f6b0d14e3a9c7b5d2f8e6a4c1d", "name": "Spectrum"}
  ],
  "accounts": [
    {
      "id": "023e105f4ecef8ad9ca31a8372d0c353",
      "prefixes": [
        {
          "id": "2af39739cc4e3b5910c918468bb89828",
          "cidr": "203.0.113.0/24",
          "bindings": [
            {"id": "0429b49b6a5155297b78e75a44b09e14", "cidr": "203.0.113.0/24", "service_id": "2db684ee7ca04e159946fd05b99e1bcd", "created_at_ms": 0},
            {"id": "1111111111111111aaaaaaaaaaaaaaaa", "cidr": "203.0.113.16/29", "service_id": "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b", "created_at_ms": 1715706131000}
          ]
        },
        {
          "id": "6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b",
          "cidr": "2001:db8:1000::/48",
          "bindings": []
        }
      ]
    }
  ]
}
"#;

#[tokio::test]
async fn a_version_1_state_file_loads_with_default_details() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, VERSION_1_STATE).unwrap();
    let emu = start_with(file_config(&path, Seed::demo())).await;

    // Its bindings are served as before.
    let bindings = emu.list(DEMO_IPV4_PREFIX_ID).await;
    let cidrs: Vec<_> = bindings.iter().map(|b| b["cidr"].clone()).collect();
    assert_eq!(cidrs, [json!("203.0.113.0/24"), json!("203.0.113.16/29")]);

    // Its prefixes have the default details (not the demo seed's).
    let listed = result_of(&list_prefixes(&emu, DEMO_ACCOUNT_ID).await);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    for prefix in listed {
        assert_prefix_shape(prefix);
    }
    assert_eq!(
        listed[0],
        json!({
            "id": DEMO_IPV4_PREFIX_ID,
            "account_id": DEMO_ACCOUNT_ID,
            "cidr": DEMO_IPV4_PREFIX_CIDR,
            "description": "",
            "asn": null,
            "approved": "V",
            "advertised": null,
            "advertised_modified_at": null,
            "created_at": "1970-01-01T00:00:00.000000Z",
            "modified_at": "1970-01-01T00:00:00.000000Z",
            "on_demand_enabled": false,
            "on_demand_locked": false,
            "delegate_loa_creation": false,
            "loa_document_id": null,
            "irr_validation_state": "validated",
            "ownership_validation_state": "validated",
            "rpki_validation_state": "validated",
            "ownership_validation_token": "2af39739-cc4e-3b59-10c9-18468bb89828",
        })
    );
    assert_eq!(listed[1]["cidr"], DEMO_IPV6_PREFIX_CIDR);
    // Loading alone does not rewrite the file.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), VERSION_1_STATE);

    // The first change saves it in the current version, the details written out.
    let deleted = emu
        .delete(DEMO_IPV4_PREFIX_ID, "1111111111111111aaaaaaaaaaaaaaaa")
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{:#}", deleted.body);
    emu.shutdown().await;
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(on_disk["version"], 2);
    let saved = &on_disk["accounts"][0]["prefixes"][0];
    assert_eq!(saved["approved"], "V");
    assert_eq!(saved["created_at"], "1970-01-01T00:00:00.000000Z");
    assert_eq!(
        saved["ownership_validation_token"],
        "2af39739-cc4e-3b59-10c9-18468bb89828"
    );
    let again = start_with(file_config(&path, Seed::demo())).await;
    assert_eq!(
        result_of(&get_prefix(&again, DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID).await),
        listed[0]
    );
    again.shutdown().await;
}

#[tokio::test]
async fn a_state_file_of_a_later_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let text = r#"{"version": 3, "services": [], "accounts": []}"#;
    std::fs::write(&path, text).unwrap();
    let err = Emulator::start(file_config(&path, Seed::demo()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CorruptState { .. }), "{err:?}");
    assert!(err.to_string().contains("versions 1 to 2"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}
