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
    let (first, last) = (points.first()?, points.last()?);
    let t0 = first.time.timestamp() as f64;
    let span = (last.time.timestamp() as f64 - t0).max(0.0);
    let lo = points.iter().map(|p| p.score).min().unwrap_or(0);
    let hi = points.iter().map(|p| p.score).max().unwrap_or(0);
    let (x0, x1) = (CHART_LEFT + CHART_PAD, CHART_W - CHART_PAD);
    let x = |p: &ScorePoint| {
        if span == 0.0 {
            (x0 + x1) / 2.0
        } else {
            x0 + (p.time.timestamp() as f64 - t0) / span * (x1 - x0)
        }
    };
    let y = |v: u32| {
        if hi == lo {
            CHART_H / 2.0
        } else {
            CHART_PAD + f64::from(hi - v) / f64::from(hi - lo) * (CHART_H - 2.0 * CHART_PAD)
        }
    };
    let mut line: Vec<String> = Vec::new();
    if points.len() == 1 {
        // One commit: a flat line so it shows.
        line.push(format!("{x0:.1},{:.1}", y(first.score)));
        line.push(format!("{x1:.1},{:.1}", y(first.score)));
    } else {
        let mut prev: Option<u32> = None;
        for p in points {
            if let Some(v) = prev {
                line.push(format!("{:.1},{:.1}", x(p), y(v)));
            }
            line.push(format!("{:.1},{:.1}", x(p), y(p.score)));
            prev = Some(p.score);
        }
    }
    let dots = if points.len() <= CHART_DOTS {
        points
            .iter()
            .map(|p| Dot {
                x: format!("{:.1}", x(p)),
                y: format!("{:.1}", y(p.score)),
                label: format!(
                    "{}: {} of {} (commit {})",
                    p.time.format("%Y-%m-%d"),
                    p.score,
                    p.max,
                    p.commit
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let summary = if points.len() == 1 {
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
    };
    Some(Chart {
        width: CHART_W as u32,
        height: CHART_H as u32,
        left: CHART_LEFT as u32,
        points: line.join(" "),
        top_label: hi.to_string(),
        bottom_label: if hi == lo {
            String::new()
        } else {
            lo.to_string()
        },
        dots,
        summary,
    })
}
