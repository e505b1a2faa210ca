//! The score chart of an assessment: its geometry computed here (numbers only), the
//! SVG elements written by the template.

use super::data::{Chart, Dot};
use crate::ops::history::ScorePoint;

pub(super) const CHART_W: f64 = 240.0;
pub(super) const CHART_H: f64 = 64.0;
pub(super) const CHART_LEFT: f64 = 34.0;
pub(super) const CHART_PAD: f64 = 6.0;
/// More commits than this draw a line without a dot per commit.
pub(super) const CHART_DOTS: usize = 40;

pub(super) fn chart(points: &[ScorePoint]) -> Option<Chart> {
    let scale = Scale::of(points)?;
    let (hi, lo) = (scale.hi, scale.lo);
    Some(Chart {
        width: CHART_W as u32,
        height: CHART_H as u32,
        left: CHART_LEFT as u32,
        points: line(points, &scale).join(" "),
        top_label: hi.to_string(),
        bottom_label: if hi == lo {
            String::new()
        } else {
            lo.to_string()
        },
        dots: dots(points, &scale),
        summary: summary(points)?,
    })
}

/// Where a score point goes: time across, score up, within the chart's padding.
struct Scale {
    t0: f64,
    span: f64,
    lo: u32,
    hi: u32,
    x0: f64,
    x1: f64,
}

impl Scale {
    /// The scale that fits `points` (`None`: no points).
    fn of(points: &[ScorePoint]) -> Option<Scale> {
        let (first, last) = (points.first()?, points.last()?);
        let t0 = first.time.timestamp() as f64;
        Some(Scale {
            t0,
            span: (last.time.timestamp() as f64 - t0).max(0.0),
            lo: points.iter().map(|p| p.score).min().unwrap_or(0),
            hi: points.iter().map(|p| p.score).max().unwrap_or(0),
            x0: CHART_LEFT + CHART_PAD,
            x1: CHART_W - CHART_PAD,
        })
    }

    fn x(&self, p: &ScorePoint) -> f64 {
        if self.span == 0.0 {
            (self.x0 + self.x1) / 2.0
        } else {
            self.x0 + (p.time.timestamp() as f64 - self.t0) / self.span * (self.x1 - self.x0)
        }
    }

    fn y(&self, v: u32) -> f64 {
        let (hi, lo) = (self.hi, self.lo);
        if hi == lo {
            CHART_H / 2.0
        } else {
            CHART_PAD + f64::from(hi - v) / f64::from(hi - lo) * (CHART_H - 2.0 * CHART_PAD)
        }
    }
}

/// The points of the score line: a step at each commit (one commit: a flat line so it
/// shows).
fn line(points: &[ScorePoint], scale: &Scale) -> Vec<String> {
    let (x, y) = (|p: &ScorePoint| scale.x(p), |v: u32| scale.y(v));
    let (x0, x1) = (scale.x0, scale.x1);
    let mut line: Vec<String> = Vec::new();
    match points {
        [first] => {
            line.push(format!("{x0:.1},{:.1}", y(first.score)));
            line.push(format!("{x1:.1},{:.1}", y(first.score)));
        }
        _ => {
            let mut prev: Option<u32> = None;
            for p in points {
                if let Some(v) = prev {
                    line.push(format!("{:.1},{:.1}", x(p), y(v)));
                }
                line.push(format!("{:.1},{:.1}", x(p), y(p.score)));
                prev = Some(p.score);
            }
        }
    }
    line
}

/// A dot per commit with its score as a label, up to [`CHART_DOTS`] commits.
fn dots(points: &[ScorePoint], scale: &Scale) -> Vec<Dot> {
    if points.len() > CHART_DOTS {
        return Vec::new();
    }
    points
        .iter()
        .map(|p| Dot {
            x: format!("{:.1}", scale.x(p)),
            y: format!("{:.1}", scale.y(p.score)),
            label: format!(
                "{}: {} of {} (commit {})",
                p.time.format("%Y-%m-%d"),
                p.score,
                p.max,
                p.commit
            ),
        })
        .collect()
}

/// The chart in words: its caption and accessible label.
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
