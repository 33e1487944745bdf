//! Periods a dashboard or hotspot view covers, in the shop's local time, and the period
//! before each (for comparisons).

use super::HOUR_MS;
use crate::clock::Millis;
use crate::CoreError;
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

const DAY_MS: Millis = 24 * HOUR_MS;

/// A half-open time range `[from, to)` in unix ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    /// Start (inclusive).
    pub from: Millis,
    /// End (exclusive).
    pub to: Millis,
}

impl Period {
    /// Length in whole days, at least 1 (for per-day figures).
    pub fn days(&self) -> f64 {
        ((self.to - self.from) as f64 / DAY_MS as f64).max(1.0 / 24.0)
    }

    /// The same length immediately before.
    pub fn before(&self) -> Period {
        Period { from: self.from - (self.to - self.from), to: self.from }
    }
}

/// How a view names its period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeriodSpec {
    /// Since local midnight, until now.
    Today,
    /// The previous local day.
    Yesterday,
    /// The last 7 whole local days before today.
    Last7,
    /// The last 30 whole local days before today.
    Last30,
    /// A natural day (`day:2026-11-20`).
    Day(NaiveDate),
    /// The natural week (Monday to Sunday) containing a date (`week:2026-11-20`).
    Week(NaiveDate),
    /// The natural month containing a date (`month:2026-11`).
    Month(NaiveDate),
    /// Explicit unix ms range (`range:FROM-TO`), e.g. a promotion window (大促).
    Range(Period),
}

impl PeriodSpec {
    /// Parse `today`, `yesterday`, `last7`, `last30`, `day:YYYY-MM-DD`, `week:YYYY-MM-DD`,
    /// `month:YYYY-MM`, `range:FROM-TO`.
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        let bad = || CoreError::Invalid(crate::error::msg("error-analytics-period").arg("period", s.to_string()));
        let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad());
        Ok(match s.split_once(':') {
            None => match s {
                "today" => PeriodSpec::Today,
                "yesterday" => PeriodSpec::Yesterday,
                "last7" => PeriodSpec::Last7,
                "last30" => PeriodSpec::Last30,
                _ => return Err(bad()),
            },
            Some(("day", d)) => PeriodSpec::Day(date(d)?),
            Some(("week", d)) => PeriodSpec::Week(date(d)?),
            Some(("month", m)) => PeriodSpec::Month(date(&format!("{m}-01"))?),
            Some(("range", r)) => {
                let (a, b) = r.split_once('-').ok_or_else(bad)?;
                let (from, to) = (a.parse::<Millis>().map_err(|_| bad())?, b.parse::<Millis>().map_err(|_| bad())?);
                if to <= from || to - from > 400 * DAY_MS {
                    return Err(CoreError::Invalid(crate::error::msg("error-analytics-range")));
                }
                PeriodSpec::Range(Period { from, to })
            }
            Some(_) => return Err(bad()),
        })
    }

    /// The period itself and the one it is compared with, for a shop `offset_min` minutes
    /// ahead of UTC at time `now`. "Today" is compared with yesterday up to the same time.
    pub fn resolve(&self, now: Millis, offset_min: i32) -> (Period, Period) {
        let off = i64::from(offset_min) * 60_000;
        let midnight = (now + off).div_euclid(DAY_MS) * DAY_MS - off;
        let day_start = |d: NaiveDate| -> Millis { i64::from(d.num_days_from_ce() - EPOCH_DAYS) * DAY_MS - off };
        match self {
            PeriodSpec::Today => {
                let p = Period { from: midnight, to: now.max(midnight + 1) };
                (p, Period { from: p.from - DAY_MS, to: p.to - DAY_MS })
            }
            PeriodSpec::Yesterday => days_back(midnight, 1),
            PeriodSpec::Last7 => days_back(midnight, 7),
            PeriodSpec::Last30 => days_back(midnight, 30),
            PeriodSpec::Day(d) => {
                let p = Period { from: day_start(*d), to: day_start(*d) + DAY_MS };
                (p, p.before())
            }
            PeriodSpec::Week(d) => {
                let monday = *d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
                let p = Period { from: day_start(monday), to: day_start(monday) + 7 * DAY_MS };
                (p, p.before())
            }
            PeriodSpec::Month(d) => {
                let first = d.with_day(1).unwrap_or(*d);
                let next = if first.month() == 12 {
                    NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
                }
                .unwrap_or(first);
                let prev = if first.month() == 1 {
                    NaiveDate::from_ymd_opt(first.year() - 1, 12, 1)
                } else {
                    NaiveDate::from_ymd_opt(first.year(), first.month() - 1, 1)
                }
                .unwrap_or(first);
                (Period { from: day_start(first), to: day_start(next) }, Period { from: day_start(prev), to: day_start(first) })
            }
            PeriodSpec::Range(p) => (*p, p.before()),
        }
    }
}

/// Days from 0001-01-01 (CE day 1) to 1970-01-01.
const EPOCH_DAYS: i32 = 719_163;

fn days_back(midnight: Millis, n: i64) -> (Period, Period) {
    let p = Period { from: midnight - n * DAY_MS, to: midnight };
    (p, p.before())
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-21 10:00 in UTC+8 is 02:00 UTC.
    const NOW: Millis = 1_795_219_200_000 + 2 * HOUR_MS;

    #[test]
    fn periods_in_local_time() {
        let midnight_local = 1_795_219_200_000 - 8 * HOUR_MS; // 2026-11-21 00:00 +08:00
        let (p, prev) = PeriodSpec::Today.resolve(NOW, 480);
        assert_eq!(p, Period { from: midnight_local, to: NOW });
        assert_eq!(prev, Period { from: midnight_local - DAY_MS, to: NOW - DAY_MS });
        let (y, _) = PeriodSpec::Yesterday.resolve(NOW, 480);
        assert_eq!(y, Period { from: midnight_local - DAY_MS, to: midnight_local });
        let (w, _) = PeriodSpec::Last7.resolve(NOW, 480);
        assert_eq!(w.to - w.from, 7 * DAY_MS);
        let (d, _) = PeriodSpec::parse("day:2026-11-21").unwrap().resolve(NOW, 480);
        assert_eq!(d.from, midnight_local);
        // 2026-11-21 is a Saturday: its week starts on Monday the 16th.
        let (wk, prev) = PeriodSpec::parse("week:2026-11-21").unwrap().resolve(NOW, 480);
        assert_eq!(wk.from, midnight_local - 5 * DAY_MS);
        assert_eq!(prev.to, wk.from);
        let (m, prev) = PeriodSpec::parse("month:2026-11").unwrap().resolve(NOW, 480);
        assert_eq!(m.to - m.from, 30 * DAY_MS);
        assert_eq!(prev.to - prev.from, 31 * DAY_MS);
        assert!(PeriodSpec::parse("fortnight").is_err());
        assert!(PeriodSpec::parse("range:5-3").is_err());
    }
}
