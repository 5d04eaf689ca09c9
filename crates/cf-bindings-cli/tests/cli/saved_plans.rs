//! `apply PLAN` does what the saved plan shows: a plan file whose steps are not
//! those its changes call for, or whose delete steps misname their bindings, is
//! refused before anything is written.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{Emulated, PREFIX, assert_fails, bare, stderr};

/// An emulated account whose demo prefix holds the base binding, a CDN /32 and a
/// Spectrum /29, and a directory for the files of one test.
struct Setup {
    emulated: Emulated,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let emulated = Emulated::new();
        for (cidr, service) in [("203.0.113.7/32", "CDN"), ("203.0.113.16/29", "Spectrum")] {
            emulated.ok(&["bindings", "create", "--cidr", cidr, "--service", service]);
        }
        Setup {
            emulated,
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `(cidr, service name, id)` of the live bindings, by address.
    fn bindings(&self) -> Vec<(String, String, String)> {
        let listed = self
            .emulated
            .json(&["bindings", "list", "--prefix", PREFIX]);
        listed
            .as_array()
            .expect("an array")
            .iter()
            .map(|b| {
                let field = |name: &str| b[name].as_str().unwrap_or_default().to_owned();
                (field("cidr"), field("service_name"), field("id"))
            })
            .collect()
    }

    /// Plans a file that adds one harmless CDN binding, and saves the plan; returns
    /// its path and the plan as JSON.
    fn saved_plan(&self) -> (PathBuf, Value) {
        let file = self.path("bindings.toml");
        std::fs::write(
            &file,
            format!(
                "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"203.0.113.0/24\"\nbindings = [\n  {{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" }},\n  {{ cidr = \"203.0.113.64/32\", service = \"CDN\" }},\n]\n"
            ),
        )
        .expect("written");
        let plan = self.path("plan.json");
        self.emulated
            .ok(&["plan", "-f", arg(&file), "--out", arg(&plan)]);
        let saved: Value =
            serde_json::from_str(&std::fs::read_to_string(&plan).expect("the plan")).expect("JSON");
        (plan, saved)
    }

    /// The id of the live binding of `cidr`.
    fn id_of(&self, cidr: &str) -> String {
        self.bindings()
            .into_iter()
            .find(|(c, _, _)| c == cidr)
            .map(|(_, _, id)| id)
            .expect("a live binding")
    }
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// A delete step as a saved plan writes it.
fn delete(id: &str, cidr: &str, service_id: &str, service: &str) -> Value {
    json!({
        "op": "delete",
        "binding": id,
        "cidr": cidr,
        "service": { "id": service_id, "name": service },
    })
}

/// The account's service ids, by name.
fn service_ids(emulated: &Emulated) -> Value {
    let services = emulated.json(&["services", "list"]);
    let mut ids = serde_json::Map::new();
    for s in services.as_array().expect("an array") {
        ids.insert(
            s["name"].as_str().unwrap_or_default().to_owned(),
            s["id"].clone(),
        );
    }
    Value::Object(ids)
}

/// The attack on a saved plan: its changes still show one harmless create, its
/// steps delete the Spectrum and CDN bindings. `apply` refuses it with a message
/// naming the prefix and the mismatch, and deletes nothing.
#[test]
fn a_plan_whose_steps_are_not_its_changes_is_refused_before_any_write() {
    let setup = Setup::new();
    let before = setup.bindings();
    assert_eq!(before.len(), 3);
    let ids = service_ids(&setup.emulated);
    let (plan, mut saved) = setup.saved_plan();
    assert_eq!(
        saved["prefixes"][0]["changes"].as_array().map(Vec::len),
        Some(1)
    );

    let spectrum = setup.id_of("203.0.113.16/29");
    let cdn = setup.id_of("203.0.113.7/32");
    saved["prefixes"][0]["steps"] = json!([
        delete(
            &spectrum,
            "203.0.113.16/29",
            ids["Spectrum"].as_str().unwrap_or_default(),
            "Spectrum"
        ),
        delete(
            &cdn,
            "203.0.113.7/32",
            ids["CDN"].as_str().unwrap_or_default(),
            "CDN"
        ),
    ]);
    std::fs::write(&plan, saved.to_string()).expect("written");

    let expected = format!(
        "not applying {}: prefix {PREFIX}: the plan's steps are not those its changes call for: step 1 is `delete 203.0.113.16/29 (Spectrum, binding {spectrum})`, where the changes call for `create 203.0.113.64/32 (CDN)`",
        plan.display()
    );
    let output = setup.emulated.run(&["apply", arg(&plan), "--yes"]);
    assert_fails(&output, 2, &expected);
    assert!(
        stderr(&output).contains("was it edited?"),
        "{}",
        stderr(&output)
    );
    // Nothing was shown as a plan, and nothing was deleted.
    assert!(
        output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(setup.bindings(), before);

    // Refused from the file alone: with an API where nothing listens, the refusal
    // is the same, not a connection error.
    let offline = bare()
        .env("CLOUDFLARE_API_TOKEN", "a-token")
        .args(["--base-url", "http://127.0.0.1:9/client/v4"])
        .args(["--account", cf_bindings_emulator::DEMO_ACCOUNT_ID])
        .args(["apply", arg(&plan), "--yes"])
        .output()
        .expect("runs");
    assert_fails(&offline, 2, &expected);
}

#[test]
fn a_delete_step_that_misnames_its_binding_is_refused() {
    let setup = Setup::new();
    let before = setup.bindings();
    let ids = service_ids(&setup.emulated);
    let (plan, saved) = setup.saved_plan();
    let cdn = setup.id_of("203.0.113.7/32");
    let spectrum_id = ids["Spectrum"].as_str().unwrap_or_default();
    let cdn_id = ids["CDN"].as_str().unwrap_or_default();

    // The CDN binding's id shown as another CIDR or service: refused as the plan is
    // read (it records the binding by service id).
    let recorded = format!(
        "but the live binding is `delete 203.0.113.7/32 (service {cdn_id}, binding {cdn})`"
    );
    let cases = [
        (
            delete(&cdn, "203.0.113.16/29", cdn_id, "CDN"),
            "step 1 is `delete 203.0.113.16/29 (CDN, binding",
            recorded.as_str(),
        ),
        (
            delete(&cdn, "203.0.113.7/32", spectrum_id, "Spectrum"),
            "step 1 is `delete 203.0.113.7/32 (Spectrum, binding",
            recorded.as_str(),
        ),
        (
            delete(
                "ffffffffffffffffffffffffffffffff",
                "203.0.113.7/32",
                cdn_id,
                "CDN",
            ),
            "step 1 is `delete 203.0.113.7/32 (CDN, binding ffffffffffffffffffffffffffffffff)`",
            "but the prefix has no live binding ffffffffffffffffffffffffffffffff",
        ),
    ];
    let refused = |tampered: &Value, shown: &str, truth: &str| {
        std::fs::write(&plan, tampered.to_string()).expect("written");
        let output = setup.emulated.run(&["apply", arg(&plan), "--yes"]);
        assert_fails(&output, 2, &format!("prefix {PREFIX}: {shown}"));
        assert!(stderr(&output).contains(truth), "{}", stderr(&output));
        assert_eq!(setup.bindings(), before);
    };
    for (step, shown, truth) in cases {
        let mut tampered = saved.clone();
        tampered["prefixes"][0]["steps"] = json!([step]);
        refused(&tampered, shown, truth);
    }

    // The CDN binding deleted under the name Spectrum, in the change shown and in
    // its step alike: the plan agrees with itself, the live binding tells.
    let mut tampered = saved.clone();
    tampered["prefixes"][0]["changes"] = json!([{
        "kind": "delete",
        "cidr": "203.0.113.7/32",
        "before": { "id": cdn_id, "name": "Spectrum" },
        "after": null,
        "fallback": { "id": ids["Magic Transit"], "name": "Magic Transit" },
    }]);
    tampered["prefixes"][0]["steps"] = json!([delete(&cdn, "203.0.113.7/32", cdn_id, "Spectrum")]);
    refused(
        &tampered,
        &format!("step 1 is `delete 203.0.113.7/32 (Spectrum, binding {cdn})`"),
        &format!("but the live binding is `delete 203.0.113.7/32 (CDN, binding {cdn})`"),
    );
}

#[test]
fn an_untampered_saved_plan_applies_and_says_what_it_did() {
    let setup = Setup::new();
    let (plan, _) = setup.saved_plan();
    let output = setup.emulated.run(&["apply", arg(&plan), "--yes"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("Plan: 1 to create, 0 to replace, 0 to delete (1 API call)."),
        "{out}"
    );
    assert!(
        stderr(&output).contains("[1/1] created 203.0.113.64/32 → CDN"),
        "{}",
        stderr(&output)
    );
    let after: Vec<String> = setup
        .bindings()
        .into_iter()
        .map(|(c, s, _)| format!("{c} {s}"))
        .collect();
    assert_eq!(
        after,
        [
            "203.0.113.0/24 Magic Transit",
            "203.0.113.7/32 CDN",
            "203.0.113.16/29 Spectrum",
            "203.0.113.64/32 CDN"
        ]
    );
}

/// A saved plan records each prefix's CIDR as Cloudflare lists it (the file gives
/// none, and the IPv6 demo prefix has no binding to tell it), and `apply PLAN`
/// refuses one whose CIDR was edited, before any write: nothing in the plan itself
/// contradicts it, the account's prefixes do.
#[test]
fn a_saved_plan_records_the_prefix_cidr_and_an_edited_one_is_refused() {
    let setup = Setup::new();
    let ipv6 = cf_bindings_emulator::DEMO_IPV6_PREFIX_ID;
    let file = setup.path("bindings.toml");
    std::fs::write(
        &file,
        format!(
            "[[prefix]]\nid = \"{ipv6}\"\nbindings = [\n  {{ cidr = \"2001:db8:1000::/48\", service = \"Magic Transit\" }},\n]\n"
        ),
    )
    .expect("written");
    let plan = setup.path("plan.json");
    setup
        .emulated
        .ok(&["plan", "-f", arg(&file), "--out", arg(&plan)]);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).expect("the plan")).expect("JSON");
    assert_eq!(saved["prefixes"][0]["cidr"], "2001:db8:1000::/48");

    let mut edited = saved.clone();
    edited["prefixes"][0]["cidr"] = json!("2001:db8:2000::/48");
    std::fs::write(&plan, edited.to_string()).expect("written");
    let before = setup.emulated.json(&["bindings", "list"]);
    let output = setup.emulated.run(&["apply", arg(&plan), "--yes"]);
    assert_fails(
        &output,
        2,
        &format!(
            "prefix {ipv6}: the plan gives its CIDR as 2001:db8:2000::/48, but the prefix is 2001:db8:1000::/48"
        ),
    );
    assert!(output.stdout.is_empty());
    assert_eq!(setup.emulated.json(&["bindings", "list"]), before);

    // As saved, it applies.
    std::fs::write(&plan, saved.to_string()).expect("written");
    let output = setup.emulated.run(&["apply", arg(&plan), "--yes"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let after = setup.emulated.json(&["bindings", "list", "--prefix", ipv6]);
    assert_eq!(after[0]["cidr"], "2001:db8:1000::/48", "{after}");
}
