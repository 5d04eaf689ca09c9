//! The values of options and their parsers: durations (`--timeout`,
//! `--wait-timeout`) and request rates (`--rate`).

use std::time::Duration;

/// A `--rate`: requests per second, or none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// No client-side limit.
    Off,
    /// At most this many requests per second (more than zero, finite).
    PerSecond(f64),
}

/// Parses a duration as humantime reads it (`500ms`, `30s`, `2m`, `1h 30m`), or a
/// plain number of seconds (`1.5`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let plain_seconds = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.');
    let parsed = if plain_seconds {
        humantime::parse_duration(&format!("{text}s"))
    } else {
        humantime::parse_duration(text)
    };
    parsed.map_err(|e| format!("`{text}` is not a duration ({e}): try 30s, 2m, 1h 30m or 500ms"))
}

/// A `--rate`: `off`, or a number of requests per second above zero (`4`, `0.5`).
pub fn parse_rate(text: &str) -> Result<Rate, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(Rate::Off);
    }
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(Rate::PerSecond(rate)),
        _ => Err(format!(
            "`{text}` is not a rate: give requests per second above zero (4, 0.5), or off"
        )),
    }
}

/// A `--timeout`: a duration longer than zero (a zero timeout fails every request).
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let timeout = parse_duration(text)?;
    if timeout.is_zero() {
        return Err(format!(
            "`{text}` is no time at all: every request would time out; try 30s"
        ));
    }
    Ok(timeout)
}

/// A `--wait-timeout`: a duration longer than zero (a zero wait fails at once).
pub fn parse_wait_timeout(text: &str) -> Result<Duration, String> {
    let timeout = parse_duration(text)?;
    if timeout.is_zero() {
        return Err(format!(
            "`{text}` is no time at all: the wait would give up at once; try 6h"
        ));
    }
    Ok(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("5d"), Ok(Duration::from_secs(5 * 86_400)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1.2.3").is_err());
        assert_eq!(parse_timeout("1ms"), Ok(Duration::from_millis(1)));
        for zero in ["0", "0s", "0ms", "0.0"] {
            assert!(parse_timeout(zero).unwrap_err().contains("no time at all"));
            assert!(
                parse_wait_timeout(zero)
                    .unwrap_err()
                    .contains("the wait would give up at once")
            );
        }
        assert_eq!(parse_wait_timeout("6h"), Ok(Duration::from_secs(6 * 3600)));
        assert_eq!(parse_wait_timeout("90m"), Ok(Duration::from_secs(5400)));
        assert!(
            parse_duration("5x")
                .unwrap_err()
                .contains("`5x` is not a duration")
        );
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("4"), Ok(Rate::PerSecond(4.0)));
        assert_eq!(parse_rate("0.5"), Ok(Rate::PerSecond(0.5)));
        assert_eq!(parse_rate("OFF"), Ok(Rate::Off));
        for bad in ["0", "-1", "inf", "NaN", "fast", ""] {
            assert!(
                parse_rate(bad).unwrap_err().contains("is not a rate"),
                "{bad}"
            );
        }
    }
}
