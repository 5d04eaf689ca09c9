//! `--output json`: the shapes of what each command prints for scripts.

use serde_json::Value;

use super::{BASE_BINDING, Emulated, IPV6_PREFIX, PREFIX};

#[test]
fn json_output_shapes() {
    let emulated = Emulated::activating_soon();
    let services = emulated.json(&["services", "list"]);
    let names: Vec<&str> = services
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["CDN", "Magic Transit", "Spectrum"]);

    let created = emulated.json(&[
        "bindings",
        "create",
        "--cidr",
        "203.0.113.16/29",
        "--service",
        "Spectrum",
        "--wait",
    ]);
    assert_eq!(created["cidr"], "203.0.113.16/29");
    assert_eq!(created["service_name"], "Spectrum");
    assert_eq!(created["state"], "active");
    let id = created["id"].as_str().expect("an id");

    // With --prefix, an array of the prefix's bindings, as ever.
    let listed = emulated.json(&["bindings", "list", "--prefix", PREFIX]);
    let cidrs: Vec<&str> = listed
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|b| b["cidr"].as_str())
        .collect();
    assert_eq!(cidrs, ["203.0.113.0/24", "203.0.113.16/29"]);
    // Without, every prefix of the account with its bindings.
    let account = emulated.json(&["bindings", "list"]);
    assert_eq!(account.as_array().map(Vec::len), Some(2), "{account}");
    assert_eq!(
        account[0]["prefix"],
        serde_json::json!({ "id": PREFIX, "cidr": "203.0.113.0/24", "description": "Demo IPv4 prefix" })
    );
    assert_eq!(account[0]["bindings"], listed);
    assert_eq!(account[1]["prefix"]["id"], IPV6_PREFIX);
    assert_eq!(account[1]["prefix"]["cidr"], "2001:db8:1000::/48");
    assert_eq!(account[1]["bindings"], serde_json::json!([]));

    assert_eq!(emulated.json(&["bindings", "get", id])["id"], id);
    assert_eq!(emulated.json(&["bindings", "wait", id])["state"], "active");

    let routes = emulated.json(&[
        "route",
        "--explain",
        "203.0.113.17",
        "192.0.2.1",
        "2001:db8:1000::1",
    ]);
    assert_eq!(routes[0]["ip"], "203.0.113.17");
    assert_eq!(routes[0]["prefix"]["id"], PREFIX);
    assert_eq!(routes[0]["binding"]["id"], id);
    assert_eq!(routes[0]["matches"][0]["id"], BASE_BINDING);
    assert_eq!(routes[0]["matches"][1]["id"], id);
    // In no prefix of the account.
    assert_eq!(routes[1]["prefix"], Value::Null);
    assert_eq!(routes[1]["binding"], Value::Null);
    assert_eq!(routes[1]["matches"], serde_json::json!([]));
    // In the IPv6 prefix, which has no binding.
    assert_eq!(routes[2]["prefix"]["id"], IPV6_PREFIX);
    assert_eq!(routes[2]["binding"], Value::Null);

    let deleted = emulated.json(&["bindings", "delete", id, "--yes"]);
    assert_eq!(deleted, serde_json::json!({ "deleted": id }));
}
