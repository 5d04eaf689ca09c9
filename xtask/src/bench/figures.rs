//! Figures: what the benchmark programs print (one JSON line per figure, one value
//! per run), read back, summarized and formatted.

use std::collections::BTreeMap;

/// A figure: a unit and one value per run.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The unit, e.g. `req/s`.
    pub unit: String,
    /// One value per run.
    pub values: Vec<f64>,
}

impl Figure {
    /// The median of the values (NaN when there is none).
    pub fn median(&self) -> f64 {
        median(&self.values)
    }
}

/// The median of `values` (NaN when empty).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Parses the JSON lines of a benchmark program; other lines are ignored.
pub fn parse_figures(output: &str) -> BTreeMap<String, Figure> {
    let mut out = BTreeMap::new();
    for line in output.lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line.trim()) else {
            continue;
        };
        let (Some(name), Some(unit), Some(values)) = (
            value.get("name").and_then(|v| v.as_str()),
            value.get("unit").and_then(|v| v.as_str()),
            value.get("values").and_then(|v| v.as_array()),
        ) else {
            continue;
        };
        out.insert(
            name.to_owned(),
            Figure {
                unit: unit.to_owned(),
                values: values
                    .iter()
                    .filter_map(serde_json::Value::as_f64)
                    .collect(),
            },
        );
    }
    out
}

/// Formats a number with 3 significant digits, thousands grouped.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    let abs = x.abs();
    let decimals = if abs >= 100.0 {
        0
    } else if abs >= 10.0 {
        1
    } else if abs >= 1.0 {
        2
    } else {
        3
    };
    let text = format!("{x:.decimals$}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// `median (min–max)` of a figure.
pub fn fmt_figure(f: &Figure) -> String {
    let finite: Vec<f64> = f.values.iter().copied().filter(|x| x.is_finite()).collect();
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match finite.len() {
        0 => "n/a".to_owned(),
        1 => format!("{} {}", fmt_num(finite[0]), f.unit),
        n => format!(
            "{} {} ({}–{}, n={n})",
            fmt_num(f.median()),
            f.unit,
            fmt_num(min),
            fmt_num(max)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(fmt_num(1234567.8), "1,234,568");
        assert_eq!(fmt_num(12.345), "12.3");
        assert_eq!(fmt_num(0.1234), "0.123");
        assert_eq!(fmt_num(-1500.0), "-1,500");
        let f = Figure {
            unit: "req/s".to_owned(),
            values: vec![3.0, 1.0, 2.0],
        };
        assert_eq!(fmt_figure(&f), "2.00 req/s (1.00–3.00, n=3)");
    }

    #[test]
    fn parses_figures() {
        let out = "noise\n{\"name\":\"a.b\",\"unit\":\"ms\",\"values\":[1,2.5]}\n";
        let figures = parse_figures(out);
        assert_eq!(figures["a.b"].values, vec![1.0, 2.5]);
        assert_eq!(figures.len(), 1);
    }
}
