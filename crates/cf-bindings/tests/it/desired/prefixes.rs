//! The account's prefixes given to planning ([`Live::set_account_prefixes`]): each
//! prefix's CIDR is Cloudflare's, a file that disagrees or names a prefix the
//! account does not have is refused, a prefix's first binding is checked against
//! its real CIDR, saved plans record and verify it, and export writes it with the
//! prefix's description as a comment.

use cf_bindings::{
    IpPrefix, PrefixId, ServiceBinding,
    desired::{DiagnosticKind, Live, MismatchKind, Plan, export, plan},
};

use super::{BASE, CDN, MT, PREFIX, b, cidr, file, found, live, only, parse, services};

const OTHER: &str = "6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b";

/// The account's prefix of `id`, `cidr` and `description`.
fn prefix(id: &str, at: &str, description: &str) -> IpPrefix {
    let mut prefix = IpPrefix::new(id.parse().unwrap(), cidr(at));
    prefix.description = description.to_owned();
    prefix
}

/// `bindings` of [`PREFIX`], the account having [`PREFIX`] as `BASE` and [`OTHER`].
fn account(bindings: &[(&str, &str)]) -> Live {
    let mut now = live(bindings);
    now.set_account_prefixes(vec![
        prefix(PREFIX, BASE, "Lab"),
        prefix(OTHER, "2001:db8:1000::/48", ""),
    ]);
    now
}

/// A file of [`PREFIX`] without `cidr`, with the given binding lines.
fn without_cidr(bindings: &[&str]) -> String {
    format!(
        "[[prefix]]\nid = \"{PREFIX}\"\nbindings = [\n{}]\n",
        bindings
            .iter()
            .map(|b| format!("  {b},\n"))
            .collect::<String>()
    )
}

#[test]
fn a_cidr_that_is_not_the_prefixs_is_refused_with_both() {
    let other = file(false, &[]).replace(BASE, "10.0.1.0/24");
    let e = plan(&parse(&other), &account(&[]), &services()).unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::PrefixCidrMismatch, 3, 8));
    assert!(
        e.to_string().contains(&format!(
            "prefix {PREFIX} is 10.0.0.0/24 (as Cloudflare lists it), not 10.0.1.0/24 as the file says: write cidr = \"10.0.0.0/24\""
        )),
        "{e}"
    );
    // The same file against the bindings alone: no binding to tell, so it plans.
    assert!(plan(&parse(&other), &live(&[]), &services()).is_ok());

    // Live bindings whose base is not the prefix (the API's rules forbid it).
    let e = plan(
        &parse(&without_cidr(&[])),
        &account(&[("10.0.0.0/25", MT)]),
        &services(),
    )
    .unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::PrefixCidrMismatch, 2, 6));
    assert!(
        e.to_string()
            .contains("have 10.0.0.0/25 as their base binding"),
        "{e}"
    );
    // Live bindings whose base is the prefix, as the rules have it: no refusal.
    let child = b("10.0.0.0/25", "CDN");
    let planned = plan(
        &parse(&without_cidr(&[&b(BASE, "Magic Transit"), &child])),
        &account(&[(BASE, MT)]),
        &services(),
    )
    .expect("a prefix whose base binding is its CIDR plans");
    assert_eq!(planned.prefixes[0].steps.len(), 1);
}

#[test]
fn a_prefix_the_account_does_not_have_is_refused() {
    let mut now = live(&[(BASE, MT)]);
    now.set_account_prefixes(vec![prefix(OTHER, "2001:db8:1000::/48", "")]);
    let e = plan(&parse(&file(false, &[])), &now, &services()).unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::UnknownPrefix, 2, 6));
    assert!(
        e.to_string().contains(&format!(
            "prefix {PREFIX} is not one of the account's prefixes (it has 1: {OTHER} (2001:db8:1000::/48))"
        )),
        "{e}"
    );
    now.set_account_prefixes(Vec::new());
    let e = plan(&parse(&file(false, &[])), &now, &services()).unwrap_err();
    assert!(e.to_string().contains("(it has none)"), "{e}");

    // Many: the first five by address, and how many more.
    let many: Vec<IpPrefix> = (0..7u8)
        .rev()
        .map(|i| prefix(&format!("{i:032x}"), &format!("198.51.{i}.0/24"), ""))
        .collect();
    now.set_account_prefixes(many);
    let e = plan(&parse(&file(false, &[])), &now, &services()).unwrap_err();
    let text = e.to_string();
    let (first, fifth) = (format!("{:032x}", 0), format!("{:032x}", 4));
    assert!(!text.contains(&format!("{:032x}", 5)), "five named: {text}");
    assert!(
        text.contains(&format!("(it has 7: {first} (198.51.0.0/24), "))
            && text.contains(&format!("{fifth} (198.51.4.0/24) and 2 more)")),
        "{text}"
    );
    now.set_account_prefixes(
        (0..5u8)
            .map(|i| prefix(&format!("{i:032x}"), &format!("198.51.{i}.0/24"), ""))
            .collect(),
    );
    let text = plan(&parse(&file(false, &[])), &now, &services())
        .unwrap_err()
        .to_string();
    assert!(
        text.contains(&format!("(it has 5: {first} (198.51.0.0/24), "))
            && text.contains(&format!("{fifth} (198.51.4.0/24)): check the id")),
        "all five named, none more: {text}"
    );
}

/// A prefix with no binding: Cloudflare takes only its CIDR as its first binding.
/// The file need not give `cidr`: the account's prefixes do.
#[test]
fn the_first_binding_is_checked_against_the_real_cidr() {
    let child = b("10.0.0.0/25", "CDN");
    let e = plan(&parse(&without_cidr(&[&child])), &account(&[]), &services()).unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::MissingBase, 2, 6));
    assert!(
        e.to_string().contains(
            "has no binding yet, and Cloudflare accepts a prefix's first binding only when it is exactly the prefix's CIDR 10.0.0.0/24"
        ),
        "{e}"
    );
    // Without the account's prefixes, the /25 would have been taken for the prefix.
    let guessed = plan(&parse(&without_cidr(&[&child])), &live(&[]), &services()).unwrap();
    assert_eq!(guessed.prefixes[0].cidr, None, "a guess is never recorded");

    // Outside the real prefix, and no base: both said, each at its place.
    let outside = b("10.0.9.0/25", "CDN");
    let e = plan(
        &parse(&without_cidr(&[&outside])),
        &account(&[]),
        &services(),
    )
    .unwrap_err();
    assert_eq!(
        found(&e),
        [
            (DiagnosticKind::MissingBase, 2, 6),
            (DiagnosticKind::OutsidePrefix, 4, 12)
        ]
    );

    let good = without_cidr(&[&b(BASE, "Magic Transit"), &child]);
    let p = plan(&parse(&good), &account(&[]), &services()).unwrap();
    assert_eq!(p.prefixes[0].cidr, Some(cidr(BASE)));
    let first = p.steps().next().map(|(_, s)| s.to_string());
    assert_eq!(first.as_deref(), Some("create 10.0.0.0/24 (Magic Transit)"));
    assert_eq!(p.verify(&account(&[]), &services()), Ok(()));

    // Pruning every live binding makes the next one a first binding again.
    let e = plan(
        &parse(&file(true, &[&child])),
        &account(&[(BASE, MT)]),
        &services(),
    )
    .unwrap_err();
    assert_eq!(found(&e)[0].0, DiagnosticKind::MissingBase, "{e}");
}

#[test]
fn saved_plans_record_and_verify_the_real_cidr() {
    let d = parse(&without_cidr(&[
        &b(BASE, "Magic Transit"),
        &b("10.0.0.7/32", "CDN"),
    ]));
    let p = plan(&d, &account(&[]), &services()).unwrap();
    let saved = serde_json::to_value(&p).unwrap();
    assert_eq!(saved["prefixes"][0]["cidr"], BASE);

    // An edited CIDR: consistent in itself (no live binding to compare), refused
    // against the account's prefixes.
    let mut edited = saved.clone();
    edited["prefixes"][0]["cidr"] = "10.0.1.0/24".into();
    let edited: Plan = serde_json::from_value(edited).unwrap();
    assert_eq!(edited.check(), Ok(()));
    let e = edited.verify(&account(&[]), &services()).unwrap_err();
    assert_eq!(
        e.kind(),
        &MismatchKind::PrefixCidr {
            planned: Some(cidr("10.0.1.0/24")),
            actual: cidr(BASE)
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "prefix {PREFIX}: the plan gives its CIDR as 10.0.1.0/24, but the prefix is 10.0.0.0/24"
        )
    );
    // Without the account's prefixes, nothing to compare with.
    assert_eq!(edited.verify(&live(&[]), &services()), Ok(()));

    // A prefix the account no longer has.
    let mut gone = live(&[]);
    gone.set_account_prefixes(vec![prefix(OTHER, "2001:db8:1000::/48", "")]);
    let e = p.verify(&gone, &services()).unwrap_err();
    assert_eq!(e.kind(), &MismatchKind::UnknownPrefix);

    // A plan without a CIDR passes where it changes nothing, and only there.
    let mut unknown = saved.clone();
    unknown["prefixes"][0]["cidr"] = serde_json::Value::Null;
    let unknown: Plan = serde_json::from_value(unknown).unwrap();
    assert!(matches!(
        unknown
            .verify(&account(&[]), &services())
            .unwrap_err()
            .kind(),
        MismatchKind::PrefixCidr { planned: None, .. }
    ));
    let empty = plan(&parse(&without_cidr(&[])), &live(&[]), &services()).unwrap();
    assert_eq!(empty.prefixes[0].cidr, None);
    assert_eq!(empty.verify(&account(&[]), &services()), Ok(()));
}

#[test]
fn export_writes_each_prefix_with_its_cidr_and_description() {
    let mut now: Live = [
        (
            PREFIX.parse::<PrefixId>().unwrap(),
            Vec::<ServiceBinding>::new(),
        ),
        (OTHER.parse().unwrap(), Vec::new()),
    ]
    .into_iter()
    .collect();
    now.set_account_prefixes(vec![
        prefix(PREFIX, BASE, "  Lab \"west\"\n# not a key\n"),
        prefix(OTHER, "2001:db8:1000::/48", ""),
    ]);
    let desired = export(None, &now, &services());
    assert_eq!(
        desired.prefixes[0].description.as_deref(),
        Some("Lab \"west\"\n# not a key")
    );
    let text = desired.to_toml();
    assert_eq!(
        text,
        format!(
            "# Lab \"west\"\\n# not a key\n[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"10.0.0.0/24\"\nprune = false\nbindings = []\n\n\
             [[prefix]]\nid = \"{OTHER}\"\ncidr = \"2001:db8:1000::/48\"\nprune = false\nbindings = []\n"
        )
    );
    let back = parse(&text);
    assert_eq!(back.prefixes[0].cidr, Some(cidr(BASE)));
    assert_eq!(back.prefixes[0].description, None, "a comment is not data");
    assert!(back.validate().is_empty());
    assert!(!plan(&back, &now, &services()).unwrap().has_drift());

    // Bindings only: the base binding tells the CIDR, and there is no description.
    let bindings_only = live(&[(BASE, MT), ("10.0.0.7/32", CDN)]);
    let desired = export(None, &bindings_only, &services());
    assert_eq!(desired.prefixes[0].cidr, Some(cidr(BASE)));
    assert_eq!(desired.prefixes[0].description, None);
}
