//! Shared helpers of the benchmark programs run by `cargo xtask bench`.
//!
//! Every program prints one JSON line per figure on standard output,
//! `{"name": ..., "unit": ..., "values": [...]}`, one value per run, and asserts
//! nothing: speed is reported, never tested.
#![forbid(unsafe_code)]

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// The raw baseline: what a hand-written reqwest + serde_json client decodes of a
/// response. The same fields the wrapper returns, into plain structs, with no checks
/// beyond `success`.
pub mod baseline {
    use serde::Deserialize;

    use super::BoxError;

    /// Cloudflare's envelope.
    #[derive(Debug, Deserialize)]
    struct Envelope<T> {
        success: bool,
        #[serde(default)]
        errors: Vec<serde_json::Value>,
        result: Option<T>,
    }

    /// A binding, as plain strings.
    #[derive(Debug, Deserialize)]
    pub struct Binding {
        /// The binding's id.
        pub id: String,
        /// Its CIDR, unparsed.
        pub cidr: String,
        /// The service's id.
        pub service_id: String,
        /// The service's name.
        pub service_name: String,
        /// Its provisioning.
        pub provisioning: Provisioning,
    }

    /// A binding's provisioning.
    #[derive(Debug, Deserialize)]
    pub struct Provisioning {
        /// Its state, unparsed.
        pub state: String,
    }

    /// The `result` of a successful envelope.
    ///
    /// # Errors
    /// When the body is not the envelope, or says `success: false`.
    pub fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, BoxError> {
        let envelope: Envelope<T> = serde_json::from_slice(body)?;
        match envelope.result {
            Some(result) if envelope.success => Ok(result),
            _ => Err(format!("success: false: {:?}", envelope.errors).into()),
        }
    }
}

/// Anything that can go wrong in a benchmark program.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One figure, one value per run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Figure {
    /// A stable name, e.g. `requests.wrapper.sequential`.
    pub name: String,
    /// The unit of the values, e.g. `req/s`.
    pub unit: String,
    /// One value per run.
    pub values: Vec<f64>,
}

/// Prints a figure as one JSON line.
///
/// # Errors
/// When the figure cannot be serialized (never, for finite values).
pub fn emit(name: &str, unit: &str, values: Vec<f64>) -> Result<(), BoxError> {
    let figure = Figure {
        name: name.to_owned(),
        unit: unit.to_owned(),
        values,
    };
    println!("{}", serde_json::to_string(&figure)?);
    Ok(())
}

/// `--key value` pairs from the command line.
#[derive(Debug, Default)]
pub struct Args(HashMap<String, String>);

impl Args {
    /// Parses `--key value` pairs.
    ///
    /// # Errors
    /// When an argument is not `--key` or has no value.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, BoxError> {
        let mut map = HashMap::new();
        let mut args = args.into_iter();
        while let Some(key) = args.next() {
            let Some(name) = key.strip_prefix("--") else {
                return Err(format!("unexpected argument `{key}`").into());
            };
            let value = args.next().ok_or_else(|| format!("{key} needs a value"))?;
            map.insert(name.to_owned(), value);
        }
        Ok(Self(map))
    }

    /// A string argument.
    ///
    /// # Errors
    /// When it is missing.
    pub fn string(&self, name: &str) -> Result<String, BoxError> {
        self.0
            .get(name)
            .cloned()
            .ok_or_else(|| format!("missing --{name}").into())
    }

    /// A numeric argument, or `default`.
    ///
    /// # Errors
    /// When it is not a number.
    pub fn number(&self, name: &str, default: usize) -> Result<usize, BoxError> {
        match self.0.get(name) {
            Some(v) => v.parse().map_err(|e| format!("--{name} {v:?}: {e}").into()),
            None => Ok(default),
        }
    }

    /// A count of at least 1 (runs, calls, sizes), or `default`.
    ///
    /// # Errors
    /// When it is not a number, or is 0.
    pub fn count(&self, name: &str, default: usize) -> Result<usize, BoxError> {
        match self.number(name, default)? {
            0 => Err(format!("--{name} must be at least 1").into()),
            n => Ok(n),
        }
    }
}

/// The CPU time (user + system, every thread) this process has used so far, in
/// seconds, from the operating system's accounting (`CLOCK_PROCESS_CPUTIME_ID`,
/// nanoseconds): what a client costs, whatever the wire and the server cost.
pub fn cpu_seconds() -> f64 {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    time.tv_sec as f64 + time.tv_nsec as f64 / 1e9
}

/// The median of `values` (reordered), NaN when there are none.
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The list envelope of `count` service bindings, as the API sends it: three in
/// four IPv4 /32s of 10.0.0.0/8, one in four IPv6 /64s of 2001:db8::/32.
pub fn list_envelope(count: usize) -> Vec<u8> {
    let result: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            let cidr = if i % 4 == 3 {
                format!("2001:db8:{:x}:{:x}::/64", (i >> 16) & 0xffff, i & 0xffff)
            } else {
                let n = 0x0a00_0000u32 | (i as u32 & 0x00ff_ffff);
                format!("{}/32", std::net::Ipv4Addr::from(n))
            };
            serde_json::json!({
                "id": format!("{:032x}", i as u128 * 0x9e37_79b9_7f4a_7c15),
                "cidr": cidr,
                "service_id": "2db684ee7ca04e159946fd05b99e1bcd",
                "service_name": "Magic Transit",
                "provisioning": {"state": "active"},
            })
        })
        .collect();
    let envelope = serde_json::json!({
        "success": true,
        "errors": [],
        "messages": [],
        "result": result,
    });
    serde_json::to_vec(&envelope).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::{hint::black_box, time::Instant};

    use super::*;

    #[test]
    fn envelope_decodes_into_the_generated_type() {
        let body = list_envelope(8);
        let decoded: cf_bindings_generated::types::IpAddressManagementServiceBindingsListServiceBindingsResponse =
            serde_json::from_slice(&body).expect("generated type");
        assert_eq!(decoded.result.len(), 8);
    }

    #[test]
    fn cpu_time_grows_with_work() {
        // Spin until the clock shows 30 ms more of CPU, for 20 s at most; then
        // sleeping adds (almost) none.
        let before = cpu_seconds();
        let started = Instant::now();
        let mut x = 0u64;
        let mut after = before;
        while after < before + 0.03 && started.elapsed().as_secs() < 20 {
            for _ in 0..100_000 {
                x = black_box(x.wrapping_mul(31).wrapping_add(7));
            }
            after = cpu_seconds();
        }
        assert!(after >= before + 0.03, "{before} → {after}");
        let asleep = cpu_seconds();
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(cpu_seconds() - asleep < 0.025);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }

    #[test]
    fn args_parse() {
        let args = Args::parse(["--n".to_owned(), "3".to_owned()]).expect("args");
        assert_eq!(args.number("n", 1).expect("n"), 3);
        assert_eq!(args.number("m", 7).expect("m"), 7);
        assert!(args.string("x").is_err());
        let zero = Args::parse(["--n".to_owned(), "0".to_owned()]).expect("args");
        assert_eq!(zero.number("n", 1).expect("n"), 0);
        let refused = zero.count("n", 1).expect_err("0 is refused");
        assert_eq!(refused.to_string(), "--n must be at least 1");
        assert_eq!(args.count("n", 1).expect("n"), 3);
        assert_eq!(args.count("m", 7).expect("m"), 7);
        assert!(args.count("m", 0).is_err());
        assert!(Args::parse(["x".to_owned()]).is_err());
    }
}
