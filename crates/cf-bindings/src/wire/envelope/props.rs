//! Property tests of the envelope rules: the decoder never panics, on any bytes or
//! on near-envelopes cut anywhere, and sorts each near-envelope by the rules.

use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;

use super::decode_envelope;
use crate::{Error, error::Operation};

fn headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("cf-ray", HeaderValue::from_static("8c2f-PROP"));
    h.insert("retry-after", HeaderValue::from_static("3"));
    h
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        Just(Operation::ListBindings),
        Just(Operation::GetBinding),
        Just(Operation::CreateBinding),
        Just(Operation::DeleteBinding),
        Just(Operation::ListServices),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn envelope_decoder_never_panics_on_bytes(
        op in operation(),
        status in any::<u16>(),
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let _ = decode_envelope(op, status, &headers(), &body);
    }

    #[test]
    fn envelope_decoder_never_panics_on_near_envelopes(
        op in operation(),
        status in prop_oneof![Just(200u16), Just(201), Just(400), Just(404), Just(429), Just(502), 100u16..600],
        success in any::<bool>(),
        codes in prop::collection::vec(any::<i64>(), 0..4),
        message in ".{0,20}",
        result in prop_oneof![Just(json!(null)), Just(json!([])), Just(json!({"id": 1})), ".{0,8}".prop_map(|s| json!(s))],
        cut in any::<prop::sample::Index>(),
    ) {
        let errors: Vec<_> = codes.iter().map(|c| json!({"code": c, "message": message})).collect();
        let body = json!({"success": success, "errors": errors, "messages": [], "result": result}).to_string();
        let decoded = decode_envelope(op, status, &headers(), body.as_bytes());
        if (300..400).contains(&status) {
            // Never followed, whatever the body says.
            let err = decoded.unwrap_err();
            prop_assert!(matches!(err, Error::Redirected { .. }), "{err:?}");
            prop_assert_eq!(err.status(), Some(status));
        } else if !success || !(200..300).contains(&status) {
            let err = decoded.unwrap_err();
            prop_assert!(matches!(err, Error::Api(_)), "{err:?}");
            prop_assert_eq!(err.codes(), codes);
            prop_assert_eq!(err.status(), Some(status));
        } else {
            prop_assert!(decoded.is_ok());
        }
        // Any prefix of it (a truncated body) never panics either.
        let end = cut.index(body.len() + 1);
        let _ = decode_envelope(op, status, &headers(), &body.as_bytes()[..end]);
    }
}
