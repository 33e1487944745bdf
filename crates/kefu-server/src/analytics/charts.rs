//! SVG charts drawn on the server with plotters (SVG backend, no font files: the browser
//! draws the `<text>` elements). Each bar and point carries its value as a label, so what
//! the chart says can be read (and tested) without measuring pixels.

use kefu_i18n::Lang;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

// The shell's palette (web/assets/shell.css: --chart-1, --ink): a light neutral surface that
// the chart card keeps in both themes, so the SVG reads the same in light and dark.
/// Chart background.
const SURFACE: RGBColor = RGBColor(0xfb, 0xfb, 0xfc);
/// The main series colour (`--chart-1`).
const SERIES: RGBColor = RGBColor(0x2f, 0x6f, 0xe4);
/// Labels (`--ink`).
const INK: RGBColor = RGBColor(0x16, 0x18, 0x23);

/// A line chart of counts per hour: `(hour start ms, count)`, x labels in local `HH:00`
/// (or the day in the reader's language, `11-21` / `Nov 21`, when the series spans days).
pub fn hourly(points: &[(i64, i64)], tz_offset_min: i32, caption: &str, lang: Lang) -> String {
    let mut svg = String::new();
    if let Err(e) = draw_hourly(&mut svg, points, tz_offset_min, caption, lang) {
        tracing::warn!(error = %e, "drawing a chart failed");
        return String::new();
    }
    svg
}

fn draw_hourly(svg: &mut String, points: &[(i64, i64)], tz: i32, caption: &str, lang: Lang) -> Result<(), String> {
    let root = SVGBackend::with_string(svg, (720, 260)).into_drawing_area();
    root.fill(&SURFACE).map_err(|e| e.to_string())?;
    let n = points.len().max(1) as i32;
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1) as i32;
    // Daily points (a long period) are a day apart: label them by date.
    let many_days = points.len() > 1 && points[1].0 - points[0].0 >= 86_400_000 || points.len() > 48;
    let label = |i: &i32| -> String {
        let Some((h, _)) = points.get(*i as usize) else { return String::new() };
        let local = h + i64::from(tz) * 60_000;
        let hour = local.div_euclid(3_600_000).rem_euclid(24);
        if many_days {
            let days = local.div_euclid(86_400_000);
            let (_, m, d) = civil(days);
            super::reading::short_day(lang, m, d)
        } else {
            format!("{hour:02}:00")
        }
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(36)
        .build_cartesian_2d(0..n, 0..(max + max / 5 + 1))
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_labels(12.min(n as usize))
        .x_label_formatter(&label)
        .y_labels(5)
        .light_line_style(SURFACE)
        .draw()
        .map_err(|e| e.to_string())?;
    let series: Vec<(i32, i32)> = points.iter().enumerate().map(|(i, p)| (i as i32, p.1 as i32)).collect();
    chart.draw_series(LineSeries::new(series.clone(), SERIES.stroke_width(2))).map_err(|e| e.to_string())?;
    chart
        .draw_series(series.iter().filter(|p| p.1 > 0).map(|&(x, y)| Text::new(format!("{y}"), (x, y + max / 20 + 1), ("sans-serif", 11))))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// A bar chart of labelled counts (categories, agents), bars in the given order.
pub fn bars(rows: &[(String, i64)], caption: &str) -> String {
    let mut svg = String::new();
    if let Err(e) = draw_bars(&mut svg, rows, caption) {
        tracing::warn!(error = %e, "drawing a chart failed");
        return String::new();
    }
    svg
}

fn draw_bars(svg: &mut String, rows: &[(String, i64)], caption: &str) -> Result<(), String> {
    let root = SVGBackend::with_string(svg, (720, 280)).into_drawing_area();
    root.fill(&SURFACE).map_err(|e| e.to_string())?;
    let n = rows.len().max(1) as i32;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as i32;
    // Segmented x: each bar owns a slot and its label sits at the slot's centre.
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(36)
        .build_cartesian_2d((0..n - 1).into_segmented(), 0..(max + max / 5 + 1))
        .map_err(|e| e.to_string())?;
    let label = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) => rows.get(*i as usize).map(|r| short(&r.0)).unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(rows.len().max(1))
        .x_label_formatter(&label)
        .y_labels(5)
        .light_line_style(SURFACE)
        .draw()
        .map_err(|e| e.to_string())?;
    let color = SERIES;
    chart
        .draw_series(rows.iter().enumerate().map(|(i, r)| {
            let i = i as i32;
            let mut bar = Rectangle::new([(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), r.1 as i32)], color.filled());
            bar.set_margin(0, 0, 6, 6);
            bar
        }))
        .map_err(|e| e.to_string())?;
    let font = ("sans-serif", 12).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Bottom));
    chart
        .draw_series(rows.iter().enumerate().map(|(i, r)| Text::new(format!("{}", r.1), (SegmentValue::CenterOf(i as i32), r.1 as i32), font.clone())))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// Keep axis labels short (category names can be long).
fn short(s: &str) -> String {
    // Ids (agents without a name) share their time prefix: show their tail instead.
    if s.len() == 36 && s.matches('-').count() == 4 {
        return format!("…{}", &s[30..]);
    }
    let tail = s.rsplit('/').next().unwrap_or(s);
    tail.chars().take(8).collect()
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's civil-from-days).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn charts_are_svg_with_their_numbers() {
        let svg = super::bars(&[("售后问题/退货退款".into(), 7), ("物流问题/物流查询".into(), 3)], "TOP");
        assert!(svg.starts_with("<svg") && svg.contains("退货退款") && svg.contains(">\n7\n<") && svg.contains(">\n3\n<"), "{svg}");
        let line = super::hourly(&[(0, 2), (3_600_000, 5)], 480, "per hour", kefu_i18n::Lang::En);
        assert!(line.contains("08:00") && line.contains(">\n5\n<"), "{line}");
        let days = [(0, 1), (86_400_000, 2)];
        assert!(super::hourly(&days, 0, "per day", kefu_i18n::Lang::En).contains("Jan 2"));
        assert!(super::hourly(&days, 0, "per day", kefu_i18n::Lang::ZhCn).contains("01-02"));
        assert_eq!(super::civil(20_413), (2025, 11, 21));
    }
}
