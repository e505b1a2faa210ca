//! `assure diff`: the compliance summary of a change, for a pull request comment.

use std::io::Write;

use clap::ValueEnum;
use serde_json::Value as J;

use super::{Cli, ExitStatus, Outcome, print_json};
use crate::ops::review::{AssessmentReview, Review, review};
use crate::ops::score::Progress;
use crate::text::{Medium, empty};

/// Summarize a change for review: per assessment, score and progress before → after,
/// the controls whose status, test result, assignment or documents changed; new,
/// archived and deleted assessments; new and renamed groups; sync classes left out of
/// sync; permission findings; and every compliance regression (a score that falls, a
/// passed control that fails) with the reason the change's commits state in a
/// `Compliance-Regression: <reason>` trailer, or "no reason given".
///
/// BASE defaults to the merge base with the default branch (origin/HEAD, main or
/// master); HEAD defaults to the work tree. Prints nothing when nothing changed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// BASE or BASE..HEAD (revisions).
    pub range: Option<String>,
    /// markdown (for a pull-request comment) or json.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let root = cli.root()?;
    let (base, head) = match args.range.as_deref() {
        None => (None, None),
        Some(r) => match r.split_once("..") {
            Some((b, h)) => (
                Some(b).filter(|b| !b.is_empty()),
                Some(h).filter(|h| !h.is_empty()),
            ),
            None => (Some(r), None),
        },
    };
    let bar = super::progress::bar(true, "reviewing the change", "groups");
    let r = review(&root, base, head, &super::progress::callback(&bar))?;
    bar.finish_and_clear();
    match args.format {
        Format::Json => print_json(out, &r)?,
        Format::Markdown => markdown(out, &r)?,
    }
    Ok(ExitStatus::Ok)
}

fn show(v: &J) -> String {
    match v {
        J::Null => empty(Medium::Markdown).to_owned(),
        J::String(s) => s.clone(),
        J::Array(a) => format!("{} document(s)", a.len()),
        other => other.to_string(),
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn progress(p: &Option<Progress>) -> (String, String) {
    match p {
        Some(p) => (
            format!("{} / {}", p.score, p.max),
            format!("{} / {}", p.assessed, p.total),
        ),
        None => (
            empty(Medium::Markdown).into(),
            empty(Medium::Markdown).into(),
        ),
    }
}

/// Markdown fit to paste as a pull-request comment; nothing when nothing changed.
pub fn markdown(out: &mut dyn Write, r: &Review) -> std::io::Result<()> {
    if r.is_empty() {
        return Ok(());
    }
    // The base the user named is in the range; the one chosen for them is said.
    let chosen = if r.base_from.starts_with("merge base") {
        format!(", {}", r.base_from)
    } else {
        String::new()
    };
    writeln!(
        out,
        "## Compliance changes ({}..{}{chosen})\n",
        r.base, r.head
    )?;
    for g in &r.groups {
        match &g.previous_name {
            Some(prev) => writeln!(
                out,
                "- Group `{}` renamed: \"{}\" → \"{}\"",
                g.group,
                cell(prev),
                cell(&g.name)
            )?,
            None => writeln!(out, "- New group `{}`: \"{}\"", g.group, cell(&g.name))?,
        }
    }
    if !r.groups.is_empty() {
        writeln!(out)?;
    }
    for a in &r.assessments {
        markdown_assessment(out, a)?;
    }
    if !r.regressions.is_empty() {
        writeln!(out, "### 📉 Compliance regressions\n")?;
        for g in &r.regressions {
            let why = if g.reasons.is_empty() {
                "**no reason given**".to_owned()
            } else {
                let stated: Vec<String> = g
                    .reasons
                    .iter()
                    .map(|s| format!("\"{}\" (commit {})", cell(&s.reason), s.commit))
                    .collect();
                format!("reason: {}", stated.join("; "))
            };
            writeln!(out, "- {} — {why}", cell(&g.regression.describe()))?;
        }
        writeln!(out)?;
    }
    if !r.out_of_sync.is_empty() {
        writeln!(out, "### ⚠️ Out of sync\n")?;
        for s in &r.out_of_sync {
            writeln!(out, "- {}", cell(s))?;
        }
        writeln!(out)?;
    }
    if !r.permission_findings.is_empty() {
        writeln!(out, "### ❌ Permission findings\n")?;
        for s in &r.permission_findings {
            writeln!(out, "- {}", cell(s))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// One assessment's section: its score and progress before and after, and its changed
/// controls.
fn markdown_assessment(out: &mut dyn Write, a: &AssessmentReview) -> std::io::Result<()> {
    let state = match a.state.as_str() {
        "new" => " — **new**",
        "archived" => " — **archived**",
        "deleted" => " — **deleted**",
        "moved" => " — **moved from another group**",
        _ => "",
    };
    writeln!(out, "### {} (`{}`){state}\n", a.name, a.assessment)?;
    let (sb, pb) = progress(&a.before);
    let (sa, pa) = progress(&a.after);
    writeln!(out, "| | before | after |\n|---|---|---|")?;
    writeln!(out, "| Compliance score | {sb} | {sa} |")?;
    writeln!(out, "| Progress (assessed) | {pb} | {pa} |\n")?;
    if !a.controls.is_empty() {
        writeln!(out, "| Control | Change |\n|---|---|")?;
        for c in &a.controls {
            let changes: Vec<String> = c
                .changes
                .iter()
                .map(|f| {
                    format!(
                        "{}: {} → {}",
                        f.field.replace('_', " "),
                        cell(&show(&f.old)),
                        cell(&show(&f.new))
                    )
                })
                .collect();
            writeln!(
                out,
                "| {} {} | {} |",
                c.control,
                cell(&c.title),
                changes.join("; ")
            )?;
        }
        writeln!(out)?;
    }
    if a.text_edits > 0 {
        writeln!(
            out,
            "{} control(s) with edited implementation, test plan, response or action notes.\n",
            a.text_edits
        )?;
    }
    Ok(())
}
