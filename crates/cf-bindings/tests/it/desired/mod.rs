//! Bindings as code (`cf_bindings::desired`): parse errors and validation rules with
//! their locations, aggregation warnings (`checks`), planning errors, the order of a
//! plan's steps, staleness, and property tests that applying a plan in memory, step
//! by step under the API's rules, yields exactly the desired state. The helpers
//! below build live states and files of one prefix. `desired::apply` against the
//! emulator is tested at the top level (`tests/it/wrapper/apply.rs`).

mod checks;
mod plans;
mod prefixes;
mod props;
mod rules;
mod traffic;
mod verify;

use cf_bindings::{
    Cidr, ProvisioningState, Service, ServiceBinding,
    desired::{Desired, Diagnostic, DiagnosticKind, Diagnostics, Live},
};

const PREFIX: &str = "2af39739cc4e3b5910c918468bb89828";
const MT: &str = "2db684ee7ca04e159946fd05b99e1bcd";
const CDN: &str = "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b";
const SPECTRUM: &str = "c4e8a2f6b0d14e3a9c7b5d2f8e6a4c1d";
const BASE: &str = "10.0.0.0/24";

fn cidr(s: &str) -> Cidr {
    s.parse().unwrap()
}

fn services() -> Vec<Service> {
    vec![
        Service::new(MT.parse().unwrap(), "Magic Transit"),
        Service::new(CDN.parse().unwrap(), "CDN"),
        Service::new(SPECTRUM.parse().unwrap(), "Spectrum"),
    ]
}

fn name_of(id: &str) -> &'static str {
    match id {
        MT => "Magic Transit",
        CDN => "CDN",
        _ => "Spectrum",
    }
}

fn binding(n: usize, c: &Cidr, service: &str) -> ServiceBinding {
    ServiceBinding::new(
        format!("b{n:031x}").parse().unwrap(),
        *c,
        service.parse().unwrap(),
        name_of(service),
        ProvisioningState::Active,
    )
}

/// Live bindings of the prefix from `(cidr, service id)` pairs.
fn live(pairs: &[(&str, &str)]) -> Live {
    let bindings = pairs
        .iter()
        .enumerate()
        .map(|(i, (c, s))| binding(i, &cidr(c), s))
        .collect();
    [(PREFIX.parse().unwrap(), bindings)].into_iter().collect()
}

/// A file of one prefix with `cidr = BASE` and the given binding lines.
fn file(prune: bool, bindings: &[&str]) -> String {
    format!(
        "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"{BASE}\"\nprune = {prune}\nbindings = [\n{}]\n",
        bindings
            .iter()
            .map(|b| format!("  {b},\n"))
            .collect::<String>()
    )
}

fn b(c: &str, s: &str) -> String {
    format!("{{ cidr = \"{c}\", service = \"{s}\" }}")
}

fn parse(text: &str) -> Desired {
    Desired::parse("bindings.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

/// The diagnostics' `(kind, line, column)`.
fn found(diagnostics: &Diagnostics) -> Vec<(DiagnosticKind, usize, usize)> {
    diagnostics
        .iter()
        .map(|d: &Diagnostic| {
            let at = d.location.as_ref().expect("a location");
            assert_eq!(at.file, "bindings.toml");
            (d.kind.clone(), at.line, at.column)
        })
        .collect()
}

fn only(diagnostics: &Diagnostics) -> (DiagnosticKind, usize, usize) {
    let all = found(diagnostics);
    assert_eq!(all.len(), 1, "{diagnostics}");
    all.into_iter().next().unwrap()
}
