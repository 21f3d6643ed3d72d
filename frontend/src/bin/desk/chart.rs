//! The statistics page's pure parts (native tests): bar scaling and the
//! period presets.

use chrono::Datelike;
use shared::stats::MonthRange;

/// The bar heights of a chart `h` high for `values`, scaled to the largest
/// (at least 1, so an empty chart draws no bars).
pub fn bar_heights(values: &[i64], h: f64) -> Vec<f64> {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    values.iter().map(|v| (*v).max(0) as f64 / max * h).collect()
}

/// 本月, 本季度, 本年, 近 12 个月 as month ranges ending with `today`'s month.
pub fn presets(today: chrono::NaiveDate) -> Vec<(&'static str, MonthRange)> {
    let y = today.year();
    let m = today.month();
    let this = shared::stats::month_of(today);
    let back = chrono::NaiveDate::from_ymd_opt(if m == 12 { y } else { y - 1 }, if m == 12 { 1 } else { m + 1 }, 1)
        .unwrap_or(today);
    vec![
        ("本月", MonthRange { from: this.clone(), to: this.clone() }),
        ("本季度", MonthRange::quarter(y, (m - 1) / 3 + 1)),
        ("本年", MonthRange { from: format!("{y:04}-01"), to: this.clone() }),
        ("近12个月", MonthRange { from: shared::stats::month_of(back), to: this }),
    ]
}

/// The month before `today`'s (`YYYY-MM`): the monthly bulletin's default.
pub fn last_month(today: chrono::NaiveDate) -> String {
    let (y, m) = if today.month() == 1 { (today.year() - 1, 12) } else { (today.year(), today.month() - 1) };
    format!("{y:04}-{m:02}")
}

/// A value of at most 10 points as "7.50" (the assessment's points).
pub fn points(d: rust_decimal::Decimal) -> String {
    format!("{:.2}", d.round_dp(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest() {
        assert_eq!(bar_heights(&[0, 5, 10], 100.0), vec![0.0, 50.0, 100.0]);
        assert_eq!(bar_heights(&[0, 0], 100.0), vec![0.0, 0.0]);
        assert!(bar_heights(&[], 100.0).is_empty());
    }

    #[test]
    fn last_month_crosses_the_year() {
        assert_eq!(last_month(chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()), "2026-10");
        assert_eq!(last_month(chrono::NaiveDate::from_ymd_opt(2026, 1, 3).unwrap()), "2025-12");
    }

    #[test]
    fn points_have_two_decimals() {
        assert_eq!(points(rust_decimal::Decimal::new(4658, 2)), "46.58");
        assert_eq!(points(rust_decimal::Decimal::from(20)), "20.00");
        assert_eq!(points(rust_decimal::Decimal::new(12, 1)), "1.20");
        assert_eq!(points(rust_decimal::Decimal::new(43755, 4)), "4.38");
    }

    #[test]
    fn presets_end_with_this_month() {
        let p = presets(chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(p[0].1, MonthRange { from: "2026-11".into(), to: "2026-11".into() });
        assert_eq!(p[1].1, MonthRange { from: "2026-10".into(), to: "2026-12".into() });
        assert_eq!(p[2].1.from, "2026-01");
        assert_eq!(p[3].1, MonthRange { from: "2025-12".into(), to: "2026-11".into() });
        let dec = presets(chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
        assert_eq!(dec[3].1, MonthRange { from: "2026-01".into(), to: "2026-12".into() });
    }
}
