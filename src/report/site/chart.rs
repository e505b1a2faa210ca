//! The score chart of an assessment: its geometry computed here (numbers and labels
//! only), the SVG elements written by the template.
//!
//! Invariants:
//! - A time scale: a commit's point sits at its date (the axis is labelled with dates at
//!   calendar boundaries), except that points closer than [`DOT_GAP`] are pushed apart
//!   just enough to stay distinct, keeping their order.
//! - Readable: every label is at least [`FONT`] px at the size the SVG is drawn, and
//!   date labels never overlap (fewer ticks rather than crowded ones).
//! - The same facts in text: a row per commit (date, commit, score, progress) for the
//!   table behind the chart, and a one-line summary for its accessible name.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use super::data::{Chart, ChartRow, Dot, Tick};
use super::filters::percent;
use crate::ops::history::ScorePoint;

/// The size of the SVG label text, in px (the SVG is drawn at its own size or wider).
pub(super) const FONT: f64 = 11.0;
/// More commits than this draw a line without a dot per commit.
pub(super) const CHART_DOTS: usize = 40;
/// The least distance between two dots' centres.
pub(super) const DOT_GAP: f64 = 8.0;
/// A character of a label, at most, in px (digits and capitals of a sans-serif face).
const CHAR_W: f64 = 0.62 * FONT;

/// Where a chart is drawn: in a dashboard tile or across an assessment page.
#[derive(Clone, Copy, Debug)]
pub(super) enum Size {
    Tile,
    Page,
}

impl Size {
    /// (width, height) of the SVG, in px.
    fn dimensions(self) -> (f64, f64) {
        match self {
            Size::Tile => (236.0, 110.0),
            Size::Page => (720.0, 200.0),
        }
    }
}

/// The plot area inside the SVG: left of it the score labels, below it the dates.
struct Frame {
    width: f64,
    height: f64,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn of(size: Size) -> Frame {
        let (width, height) = size.dimensions();
        Frame {
            width,
            height,
            // Room for a four-digit score left of the axis, a date below it.
            x0: 8.0 + 4.0 * CHAR_W + 6.0,
            x1: width - 12.0,
            y0: 10.0,
            y1: height - (FONT + 12.0),
        }
    }
}

pub(super) fn chart(points: &[ScorePoint], size: Size) -> Option<Chart> {
    let (first, last) = (points.first()?, points.last()?);
    let frame = Frame::of(size);
    let (t0, t1) = (first.time, last.time);
    let lo = points.iter().map(|p| p.score).min().unwrap_or(0);
    let hi = points.iter().map(|p| p.score).max().unwrap_or(0);
    let x_of_time = |t: DateTime<Utc>| -> f64 {
        let span = (t1 - t0).num_seconds() as f64;
        if span <= 0.0 {
            (frame.x0 + frame.x1) / 2.0
        } else {
            frame.x0 + (t - t0).num_seconds() as f64 / span * (frame.x1 - frame.x0)
        }
    };
    let y_of = |v: u32| -> f64 {
        if hi == lo {
            (frame.y0 + frame.y1) / 2.0
        } else {
            frame.y0 + f64::from(hi - v) / f64::from(hi - lo) * (frame.y1 - frame.y0)
        }
    };
    let mut xs: Vec<f64> = points.iter().map(|p| x_of_time(p.time)).collect();
    let with_dots = points.len() <= CHART_DOTS;
    if with_dots {
        spread(&mut xs, DOT_GAP, frame.x0, frame.x1);
    }
    let ys: Vec<f64> = points.iter().map(|p| y_of(p.score)).collect();
    let y_ticks = if hi == lo {
        vec![tick(y_of(hi), hi.to_string())]
    } else {
        vec![
            tick(y_of(hi), hi.to_string()),
            tick(y_of(lo), lo.to_string()),
        ]
    };
    Some(Chart {
        width: frame.width as u32,
        height: frame.height as u32,
        left: fmt(frame.x0),
        right: fmt(frame.x1),
        top: fmt(frame.y0),
        bottom: fmt(frame.y1),
        y_label_x: fmt(frame.x0 - 6.0),
        x_label_y: fmt(frame.y1 + FONT + 5.0),
        points: line(&xs, &ys, &frame),
        y_ticks,
        x_ticks: date_ticks(t0, t1, &frame, &x_of_time),
        dots: if with_dots {
            dots(points, &xs, &ys)
        } else {
            Vec::new()
        },
        rows: rows(points),
        summary: summary(points)?,
    })
}

/// A dot per commit at `xs`, `ys`, its tooltip naming the commit.
fn dots(points: &[ScorePoint], xs: &[f64], ys: &[f64]) -> Vec<Dot> {
    points
        .iter()
        .zip(xs.iter().zip(ys))
        .map(|(p, (x, y))| Dot {
            x: fmt(*x),
            y: fmt(*y),
            label: format!(
                "{}: score {} of {}, {} of {} assessed (commit {})",
                p.time.format("%Y-%m-%d"),
                p.score,
                p.max,
                p.assessed,
                p.total,
                p.commit
            ),
        })
        .collect()
}

/// The table behind the chart: a row per commit, newest first.
fn rows(points: &[ScorePoint]) -> Vec<ChartRow> {
    points
        .iter()
        .rev()
        .map(|p| ChartRow {
            date: p.time.format("%Y-%m-%d %H:%M UTC").to_string(),
            commit: p.commit.clone(),
            score: p.score,
            max: p.max,
            assessed: p.assessed,
            total: p.total,
            percent: percent(p.assessed, p.total),
        })
        .collect()
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

fn tick(pos: f64, label: String) -> Tick {
    Tick {
        pos: fmt(pos),
        label_pos: fmt(pos),
        label,
    }
}

/// Pushes positions (sorted) apart to at least `gap`, within `[lo, hi]`, moving each as
/// little as a forward then a backward pass allows; order is kept. Too many for the
/// width: spaced evenly.
fn spread(xs: &mut [f64], gap: f64, lo: f64, hi: f64) {
    let n = xs.len();
    if n < 2 {
        return;
    }
    let gap = gap.min((hi - lo) / (n - 1) as f64);
    for i in 1..n {
        xs[i] = xs[i].max(xs[i - 1] + gap);
    }
    xs[n - 1] = xs[n - 1].min(hi);
    for i in (0..n - 1).rev() {
        xs[i] = xs[i].min(xs[i + 1] - gap);
    }
}

/// The score line: a step at each commit (one commit: a flat line across the plot).
fn line(xs: &[f64], ys: &[f64], frame: &Frame) -> String {
    let mut line: Vec<String> = Vec::new();
    if let ([_], [y]) = (xs, ys) {
        line.push(format!("{},{}", fmt(frame.x0), fmt(*y)));
        line.push(format!("{},{}", fmt(frame.x1), fmt(*y)));
        return line.join(" ");
    }
    let mut prev: Option<f64> = None;
    for (x, y) in xs.iter().zip(ys) {
        if let Some(py) = prev {
            line.push(format!("{},{}", fmt(*x), fmt(py)));
        }
        line.push(format!("{},{}", fmt(*x), fmt(*y)));
        prev = Some(*y);
    }
    line.join(" ")
}

/// A calendar step between date ticks.
#[derive(Clone, Copy)]
enum Step {
    Days(i64),
    Months(u32),
    Years(i32),
}

impl Step {
    const ALL: [Step; 10] = [
        Step::Days(1),
        Step::Days(7),
        Step::Months(1),
        Step::Months(2),
        Step::Months(3),
        Step::Months(6),
        Step::Years(1),
        Step::Years(2),
        Step::Years(5),
        Step::Years(10),
    ];

    /// The first boundary of this step at or after `d`.
    fn first(self, d: NaiveDate) -> NaiveDate {
        match self {
            Step::Days(1) => d,
            // Weeks start on Monday.
            Step::Days(n) => {
                let back = i64::from(d.weekday().num_days_from_monday());
                let monday = d - Duration::days(back);
                if monday == d {
                    d
                } else {
                    monday + Duration::days(n)
                }
            }
            Step::Months(n) => {
                let mut m = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
                if m < d {
                    m = add_months(m, 1);
                }
                while !(m.month() - 1).is_multiple_of(n) {
                    m = add_months(m, 1);
                }
                m
            }
            Step::Years(n) => {
                let mut y = d.year();
                if NaiveDate::from_ymd_opt(y, 1, 1).is_some_and(|j| j < d) {
                    y += 1;
                }
                while y.rem_euclid(n) != 0 {
                    y += 1;
                }
                NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(d)
            }
        }
    }

    fn next(self, d: NaiveDate) -> NaiveDate {
        match self {
            Step::Days(n) => d + Duration::days(n),
            Step::Months(n) => add_months(d, n),
            Step::Years(n) => add_months(d, 12 * n.unsigned_abs()),
        }
    }

    fn label(self, d: NaiveDate) -> String {
        match self {
            Step::Days(_) => d.format("%Y-%m-%d").to_string(),
            Step::Months(_) => d.format("%b %Y").to_string(),
            Step::Years(_) => d.format("%Y").to_string(),
        }
    }
}

fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(n)).unwrap_or(d)
}

/// Date ticks at calendar boundaries between `t0` and `t1`: the finest step whose labels
/// fit without overlapping. No boundary inside (one day, or one commit): one tick at the
/// first commit, labelled with its date.
fn date_ticks(
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
    frame: &Frame,
    x_of: &dyn Fn(DateTime<Utc>) -> f64,
) -> Vec<Tick> {
    let label_w = |s: &str| s.chars().count() as f64 * CHAR_W;
    let place = |x: f64, label: String| {
        // A label stays inside the SVG, even at the plot's ends.
        let half = label_w(&label) / 2.0;
        let at = x.clamp(half + 2.0, frame.width - half - 2.0);
        Tick {
            pos: fmt(x),
            label_pos: fmt(at),
            label,
        }
    };
    let (d0, d1) = (t0.date_naive(), t1.date_naive());
    for step in Step::ALL {
        let mut dates = Vec::new();
        let mut d = step.first(d0);
        while d <= d1 && dates.len() <= 64 {
            dates.push(d);
            d = step.next(d);
        }
        if dates.is_empty() || dates.len() > 64 {
            continue;
        }
        let ticks: Vec<Tick> = dates
            .into_iter()
            .map(|d| {
                let t = Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
                place(x_of(t.max(t0)), step.label(d))
            })
            .collect();
        let fits = ticks.windows(2).all(|w| {
            let (a, b) = (&w[0], &w[1]);
            let (xa, xb) = (
                a.label_pos.parse::<f64>().unwrap_or(0.0),
                b.label_pos.parse::<f64>().unwrap_or(0.0),
            );
            xb - xa >= (label_w(&a.label) + label_w(&b.label)) / 2.0 + FONT
        });
        if fits {
            return ticks;
        }
    }
    vec![place(x_of(t0), t0.format("%Y-%m-%d").to_string())]
}

/// The chart in words: its caption and accessible name.
fn summary(points: &[ScorePoint]) -> Option<String> {
    let (first, last) = (points.first()?, points.last()?);
    Some(if points.len() == 1 {
        format!(
            "Score {} of {} at its only commit ({}).",
            first.score,
            first.max,
            first.time.format("%Y-%m-%d")
        )
    } else {
        format!(
            "Score {} \u{2192} {} of {} over {} commits, {} to {}.",
            first.score,
            last.score,
            last.max,
            points.len(),
            first.time.format("%Y-%m-%d"),
            last.time.format("%Y-%m-%d")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, score: u32) -> ScorePoint {
        ScorePoint {
            time: format!("{date}T12:00:00Z").parse().expect("a time"),
            commit: format!("c{date}"),
            score,
            max: 300,
            assessed: score as usize / 10,
            total: 40,
        }
    }

    fn num(s: &str) -> f64 {
        s.parse().expect("a number")
    }

    /// The demo's shape: two commits a few days apart, then one months later.
    fn demo_like() -> Vec<ScorePoint> {
        vec![
            at("2019-01-15", 68),
            at("2019-01-17", 68),
            at("2019-01-21", 70),
            at("2019-05-21", 76),
        ]
    }

    #[test]
    fn points_sit_at_their_dates_on_a_time_scale() {
        let c = chart(&demo_like(), Size::Page).expect("a chart");
        let xs: Vec<f64> = c.dots.iter().map(|d| num(&d.x)).collect();
        // Not evenly spaced: the last gap (four months) is far wider than the first ones.
        assert!(xs[3] - xs[2] > 10.0 * (xs[2] - xs[1]), "{xs:?}");
        // Distinct dots, in order, at least DOT_GAP apart.
        assert!(
            xs.windows(2).all(|w| w[1] - w[0] >= DOT_GAP - 0.05),
            "{xs:?}"
        );
        // The ends of the plot are the first and last commits.
        assert_eq!(c.dots[0].x, c.left);
        assert_eq!(c.dots[3].x, c.right);
    }

    #[test]
    fn the_date_axis_has_readable_non_overlapping_labels() {
        for size in [Size::Tile, Size::Page] {
            let c = chart(&demo_like(), size).expect("a chart");
            assert!(c.x_ticks.len() >= 2, "{size:?}: {:?}", labels(&c));
            for w in c.x_ticks.windows(2) {
                let gap = num(&w[1].label_pos) - num(&w[0].label_pos);
                let need = (w[0].label.len() + w[1].label.len()) as f64 * CHAR_W / 2.0;
                assert!(gap >= need, "{size:?}: {:?} overlap", labels(&c));
            }
            for t in &c.x_ticks {
                let half = t.label.len() as f64 * CHAR_W / 2.0;
                let x = num(&t.label_pos);
                assert!(x - half >= 0.0 && x + half <= f64::from(c.width), "{t:?}");
            }
        }
        // Four months: month ticks on the page.
        let c = chart(&demo_like(), Size::Page).expect("a chart");
        assert_eq!(labels(&c), ["Feb 2019", "Mar 2019", "Apr 2019", "May 2019"]);
    }

    fn labels(c: &Chart) -> Vec<String> {
        c.x_ticks.iter().map(|t| t.label.clone()).collect()
    }

    #[test]
    fn one_commit_or_one_day_has_one_date_label() {
        let c = chart(&[at("2019-12-20", 47)], Size::Tile).expect("a chart");
        assert_eq!(labels(&c), ["2019-12-20"]);
        assert_eq!(c.rows.len(), 1);
        assert!(c.summary.contains("only commit"));
    }

    #[test]
    fn a_row_per_commit_newest_first_with_progress() {
        let c = chart(&demo_like(), Size::Tile).expect("a chart");
        assert_eq!(c.rows.len(), 4);
        assert_eq!(c.rows[0].commit, "c2019-05-21");
        assert_eq!((c.rows[0].assessed, c.rows[0].total), (7, 40));
        assert_eq!(c.rows[0].percent, "17.5");
        assert!(c.dots[1].label.contains("commit c2019-01-17"));
    }

    #[test]
    fn many_commits_draw_a_line_without_dots() {
        let points: Vec<ScorePoint> = (0..60)
            .map(|i| {
                let mut p = at("2019-01-01", i);
                p.time += Duration::days(i64::from(i));
                p
            })
            .collect();
        let c = chart(&points, Size::Page).expect("a chart");
        assert!(c.dots.is_empty());
        assert_eq!(c.rows.len(), 60);
    }

    #[test]
    fn spread_keeps_order_and_bounds() {
        let mut xs = vec![10.0, 10.0, 10.0, 100.0, 100.0];
        spread(&mut xs, 8.0, 10.0, 100.0);
        assert_eq!(xs, [10.0, 18.0, 26.0, 92.0, 100.0]);
        let mut crowded = vec![0.0; 20];
        spread(&mut crowded, 8.0, 0.0, 19.0);
        assert!(crowded.windows(2).all(|w| (w[1] - w[0] - 1.0).abs() < 1e-9));
    }
}
