//! The shop's business calendar: working hours per weekday, holidays, and make-up working days
//! (调休), in the shop's fixed UTC offset. SLA targets count only business minutes.

use crate::clock::Millis;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// Opening hours of one day, in minutes after local midnight (`open < close <= 1440`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hours {
    /// Opening, minutes after midnight.
    #[cfg_attr(feature = "openapi", schema(maximum = 1439))]
    pub open: u32,
    /// Closing, minutes after midnight.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1440))]
    pub close: u32,
}

/// Working hours and holidays of a shop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Calendar {
    /// The shop's offset from UTC in minutes (China: 480).
    #[cfg_attr(feature = "openapi", schema(minimum = -840, maximum = 840))]
    pub utc_offset_minutes: i32,
    /// Hours for Monday … Sunday; `null` for a closed day (at least one day is open).
    #[cfg_attr(feature = "openapi", schema(min_items = 7, max_items = 7))]
    pub weekdays: [Option<Hours>; 7],
    /// Closed dates (YYYY-MM-DD), e.g. 国庆节.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<CalendarDate>))]
    pub holidays: Vec<NaiveDate>,
    /// Weekend dates that are working days (调休), with Monday's hours.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<CalendarDate>))]
    pub extra_workdays: Vec<NaiveDate>,
}

/// A date, `YYYY-MM-DD` (describes the calendar's dates in the OpenAPI document).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(format = Date)]
#[allow(dead_code)]
struct CalendarDate(String);

/// A calendar that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CalendarError {
    /// Hours out of order or past midnight.
    #[error("{day}: opening hours must satisfy open < close <= 1440 minutes")]
    BadHours {
        /// Which weekday (1 = Monday).
        day: usize,
    },
    /// No working time at all.
    #[error("the calendar has no working hours on any weekday")]
    NeverOpen,
    /// Offset beyond ±14 h.
    #[error("UTC offset must be within ±14 hours")]
    BadOffset,
}

impl Default for Calendar {
    /// Monday to Friday 09:00–18:00, Beijing time.
    fn default() -> Self {
        let day = Some(Hours { open: 9 * 60, close: 18 * 60 });
        Calendar { utc_offset_minutes: 480, weekdays: [day, day, day, day, day, None, None], holidays: vec![], extra_workdays: vec![] }
    }
}

/// How far ahead the calendar walks before giving up (ten years of closed days is a bug).
const MAX_DAYS: i64 = 3660;

impl Calendar {
    /// Round the clock, every day (for emergency SLAs).
    pub fn always_open() -> Self {
        let day = Some(Hours { open: 0, close: 24 * 60 });
        Calendar { utc_offset_minutes: 0, weekdays: [day; 7], holidays: vec![], extra_workdays: vec![] }
    }

    /// Check the calendar is usable.
    pub fn validate(&self) -> Result<(), CalendarError> {
        if self.utc_offset_minutes.abs() > 14 * 60 {
            return Err(CalendarError::BadOffset);
        }
        for (i, h) in self.weekdays.iter().enumerate() {
            if let Some(h) = h {
                if h.open >= h.close || h.close > 24 * 60 {
                    return Err(CalendarError::BadHours { day: i + 1 });
                }
            }
        }
        if self.weekdays.iter().all(Option::is_none) {
            return Err(CalendarError::NeverOpen);
        }
        Ok(())
    }

    fn local(&self, t: Millis) -> NaiveDateTime {
        let utc = DateTime::from_timestamp_millis(t).map(|d| d.naive_utc()).unwrap_or_default();
        utc + Duration::minutes(self.utc_offset_minutes as i64)
    }

    fn utc_millis(&self, local: NaiveDateTime) -> Millis {
        (local - Duration::minutes(self.utc_offset_minutes as i64)).and_utc().timestamp_millis()
    }

    /// The working window of a local date, if it is a working day.
    fn window(&self, date: NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
        let hours = if self.extra_workdays.contains(&date) {
            self.weekdays[0].or_else(|| self.weekdays.iter().flatten().next().copied())
        } else if self.holidays.contains(&date) {
            None
        } else {
            self.weekdays[date.weekday().num_days_from_monday() as usize]
        }?;
        let midnight = date.and_time(NaiveTime::MIN);
        Some((midnight + Duration::minutes(hours.open as i64), midnight + Duration::minutes(hours.close as i64)))
    }

    /// The instant `minutes` business minutes after `start`.
    pub fn add_business_minutes(&self, start: Millis, minutes: i64) -> Millis {
        self.add_business_millis(start, minutes * 60_000)
    }

    /// The instant `ms` business milliseconds after `start`.
    pub fn add_business_millis(&self, start: Millis, ms: i64) -> Millis {
        if ms <= 0 {
            return start;
        }
        let mut cursor = self.local(start);
        let mut left = Duration::milliseconds(ms);
        for _ in 0..MAX_DAYS {
            if let Some((open, close)) = self.window(cursor.date()) {
                let from = cursor.max(open);
                if from < close {
                    let available = close - from;
                    if left <= available {
                        return self.utc_millis(from + left);
                    }
                    left -= available;
                }
            }
            cursor = (cursor.date() + Duration::days(1)).and_time(NaiveTime::MIN);
        }
        // A calendar that never opens (validated against, but be total): count wall time.
        start + ms
    }

    /// Business milliseconds between two instants (0 when `to <= from`).
    pub fn business_millis_between(&self, from: Millis, to: Millis) -> i64 {
        if to <= from {
            return 0;
        }
        let (a, b) = (self.local(from), self.local(to));
        let mut total = Duration::zero();
        let mut day = a.date();
        for _ in 0..MAX_DAYS {
            if day > b.date() {
                break;
            }
            if let Some((open, close)) = self.window(day) {
                let lo = open.max(a);
                let hi = close.min(b);
                if hi > lo {
                    total += hi - lo;
                }
            }
            day += Duration::days(1);
        }
        total.num_milliseconds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix ms of a Beijing local time.
    fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> Millis {
        let local = NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap();
        (local - Duration::hours(8)).and_utc().timestamp_millis()
    }

    #[test]
    fn within_one_day() {
        let c = Calendar::default();
        // Thursday 2026-11-19 10:00 + 2 h = 12:00.
        assert_eq!(c.add_business_minutes(bj(2026, 11, 19, 10, 0), 120), bj(2026, 11, 19, 12, 0));
        // Before opening counts from 09:00.
        assert_eq!(c.add_business_minutes(bj(2026, 11, 19, 7, 30), 30), bj(2026, 11, 19, 9, 30));
    }

    #[test]
    fn across_a_weekend() {
        let c = Calendar::default();
        // Friday 2026-11-20 17:00 + 4 h: 1 h Friday, weekend closed, 3 h Monday → Mon 12:00.
        assert_eq!(c.add_business_minutes(bj(2026, 11, 20, 17, 0), 240), bj(2026, 11, 23, 12, 0));
        // Submitted on Saturday: starts Monday 09:00.
        assert_eq!(c.add_business_minutes(bj(2026, 11, 21, 15, 0), 60), bj(2026, 11, 23, 10, 0));
        assert_eq!(c.business_millis_between(bj(2026, 11, 20, 17, 0), bj(2026, 11, 23, 12, 0)), 4 * 3_600_000);
    }

    #[test]
    fn across_a_holiday_and_a_make_up_day() {
        let mut c = Calendar::default();
        // 2026-10-01..07 National Day holiday (Thu..Wed), Sunday 2026-09-27 a make-up working day.
        c.holidays = (1..=7).map(|d| NaiveDate::from_ymd_opt(2026, 10, d).unwrap()).collect();
        c.extra_workdays = vec![NaiveDate::from_ymd_opt(2026, 9, 27).unwrap()];
        // Wednesday 2026-09-30 16:00 + 5 h: 2 h Wed, holiday and weekend closed, 3 h on Thu 10-08.
        assert_eq!(c.add_business_minutes(bj(2026, 9, 30, 16, 0), 300), bj(2026, 10, 8, 12, 0));
        // Saturday 2026-09-26 + 1 h lands on the make-up Sunday.
        assert_eq!(c.add_business_minutes(bj(2026, 9, 26, 12, 0), 60), bj(2026, 9, 27, 10, 0));
    }

    #[test]
    fn always_open_is_wall_time_and_validation() {
        let c = Calendar::always_open();
        assert_eq!(c.add_business_minutes(1_000, 15), 1_000 + 15 * 60_000);
        assert!(Calendar::default().validate().is_ok());
        let mut bad = Calendar::default();
        bad.weekdays[2] = Some(Hours { open: 600, close: 500 });
        assert_eq!(bad.validate(), Err(CalendarError::BadHours { day: 3 }));
        bad.weekdays = [None; 7];
        assert!(bad.validate().is_err());
    }
}
