//! The `desired` checks against the table of binding-rule cases
//! (`cf_bindings_test_server::binding_rules`): a file holding a case's existing
//! bindings and its candidate validates, or fails with exactly the case's rule.

use cf_bindings::desired::{Desired, DiagnosticKind, Severity};
use cf_bindings_test_server::binding_rules::{CASES, Case, PREFIX as PREFIX_CIDR, Rule};

use super::PREFIX;

/// The diagnostic kind the `desired` checks give for `rule`.
fn kind_of(rule: Rule) -> DiagnosticKind {
    match rule {
        Rule::FirstMustBePrefix => DiagnosticKind::MissingBase,
        Rule::OutsidePrefix => DiagnosticKind::OutsidePrefix,
        Rule::Duplicate => DiagnosticKind::DuplicateCidr,
        Rule::CdnSpectrum => DiagnosticKind::CdnSpectrum,
        Rule::Overlap => DiagnosticKind::Overlap,
    }
}

/// The file of `case`: its prefix, with its CIDR for the offline checks, and the
/// existing bindings then the candidate.
fn file(case: &Case) -> String {
    let bindings: Vec<String> = case
        .existing
        .iter()
        .chain(std::iter::once(&case.candidate))
        .map(|(cidr, service)| format!("{{ cidr = \"{cidr}\", service = \"{}\" }}", service.name()))
        .collect();
    format!(
        "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"{PREFIX_CIDR}\"\nbindings = [{}]\n",
        bindings.join(", ")
    )
}

#[test]
fn the_checks_agree_with_every_case_of_the_rule_table() {
    for case in CASES {
        let text = file(case);
        let diagnostics = match Desired::parse("rules.toml", &text) {
            Ok(desired) => desired.validate(),
            Err(diagnostics) => diagnostics,
        };
        let errors: Vec<&DiagnosticKind> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| &d.kind)
            .collect();
        let expected: Vec<DiagnosticKind> = case.refused_by.map(kind_of).into_iter().collect();
        assert_eq!(
            errors,
            expected.iter().collect::<Vec<_>>(),
            "{}: {text}",
            case.name
        );
    }
}
