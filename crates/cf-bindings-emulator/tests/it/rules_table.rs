//! The emulator's rules against the table of binding-rule cases
//! (`cf_bindings_test_server::binding_rules`): seeded with a case's existing
//! bindings, the emulator creates the candidate, or refuses it with the error code of
//! exactly the case's rule.

use cf_bindings_emulator::{
    CDN_SERVICE_ID, DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, EmulatorConfig, MAGIC_TRANSIT_SERVICE_ID,
    SPECTRUM_SERVICE_ID, Seed, error_codes,
};
use cf_bindings_test_server::binding_rules::{CASES, Case, PREFIX, Rule, Service};

use crate::common::{config, start_with};

fn service_id(service: Service) -> &'static str {
    match service {
        Service::MagicTransit => MAGIC_TRANSIT_SERVICE_ID,
        Service::Cdn => CDN_SERVICE_ID,
        Service::Spectrum => SPECTRUM_SERVICE_ID,
    }
}

/// The emulator's error code for `rule`.
fn code_of(rule: Rule) -> u64 {
    match rule {
        Rule::FirstMustBePrefix => error_codes::FIRST_BINDING_MUST_MATCH_PREFIX,
        Rule::OutsidePrefix => error_codes::CIDR_OUTSIDE_PREFIX,
        Rule::Duplicate => error_codes::DUPLICATE_BINDING,
        Rule::CdnSpectrum => error_codes::CDN_SPECTRUM_CONFLICT,
        Rule::Overlap => error_codes::OVERLAPPING_BINDING,
    }
}

/// A seed of the demo account with one prefix, [`PREFIX`], holding `case`'s
/// existing bindings.
fn seed(case: &Case) -> Seed {
    let mut text = String::new();
    for (service, name) in [
        (Service::MagicTransit, "Magic Transit"),
        (Service::Cdn, "CDN"),
        (Service::Spectrum, "Spectrum"),
    ] {
        text += &format!(
            "[[services]]\nid = \"{}\"\nname = \"{name}\"\n\n",
            service_id(service)
        );
    }
    text += &format!(
        "[[accounts]]\nid = \"{DEMO_ACCOUNT_ID}\"\n\n[[accounts.prefixes]]\nid = \"{DEMO_IPV4_PREFIX_ID}\"\ncidr = \"{PREFIX}\"\n"
    );
    for (cidr, service) in case.existing {
        text += &format!(
            "\n[[accounts.prefixes.bindings]]\ncidr = \"{cidr}\"\nservice_id = \"{}\"\n",
            service_id(*service)
        );
    }
    Seed::from_toml(&text).unwrap_or_else(|e| panic!("{}: the seed: {e}", case.name))
}

#[tokio::test]
async fn the_emulator_agrees_with_every_case_of_the_rule_table() {
    for case in CASES {
        let emu = start_with(EmulatorConfig {
            seed: seed(case),
            ..config()
        })
        .await;
        let (cidr, service) = case.candidate;
        let answer = emu
            .create(DEMO_IPV4_PREFIX_ID, cidr, service_id(service))
            .await;
        match case.refused_by {
            None => assert!(
                answer.status.is_success(),
                "{}: {:?}",
                case.name,
                answer.body
            ),
            Some(rule) => {
                assert_eq!(answer.status, 400, "{}: {:?}", case.name, answer.body);
                assert_eq!(
                    answer.code(),
                    code_of(rule),
                    "{}: {:?}",
                    case.name,
                    answer.body
                );
            }
        }
        emu.shutdown().await;
    }
}
