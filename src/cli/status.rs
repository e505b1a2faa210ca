//! `assure status`: the dashboard in the terminal.

use std::io::Write;

use super::{Cli, DataFormat, ExitStatus, Outcome, bar, print_json};
use crate::ops::status::{Tile, dashboard_wise};

/// Show the dashboard: each group with its assessments' score and progress.
///
/// Score is the sum of the score values of controls implemented (or alternatively
/// implemented) and passed; the maximum sums every control not marked not-in-scope.
/// Progress counts customer-managed controls that have a test result. Under a tile,
/// "evidence: N expired, M expiring soon" counts its documents past valid_until and
/// within evidence.warn_days of it, on --today (shown when any is).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also list archived assessments.
    #[arg(long)]
    pub archived: bool,

    /// Output format: human (readable text) or json (for scripts).

    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,

    #[command(flatten)]
    pub as_of: super::asof::AsOfArg,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let (wise, as_of) = args.as_of.group_wise(cli)?;
    let bar = super::progress::bar(true, "reading", "groups");
    let (board, broken) = dashboard_wise(
        &wise,
        args.archived,
        cli.today()?,
        &super::progress::callback(&bar),
    );
    bar.finish_and_clear();
    left_out(&broken);
    if args.format == DataFormat::Json {
        let view = super::asof::Json {
            view: &board,
            as_of,
        };
        print_json(out, &view)?;
        return Ok(ExitStatus::Ok);
    }
    super::asof::headline(out, as_of)?;
    render(out, &board, args.archived)?;
    Ok(ExitStatus::Ok)
}

/// Says on stderr which assessment files do not load (`broken`: a syntax error, a merge
/// conflict left in them, a folder in their place), since the dashboard cannot show them.
fn left_out(broken: &std::collections::BTreeSet<String>) {
    if !broken.is_empty() {
        let list: Vec<&str> = broken.iter().map(String::as_str).collect();
        eprintln!(
            "note: left out, because {} not load: {} (`assure validate` shows why)",
            if list.len() == 1 {
                "this file does"
            } else {
                "these files do"
            },
            crate::text::escape_line(&list.join(", "))
        );
    }
}

/// The dashboard as text.
pub fn render(
    out: &mut dyn Write,
    board: &crate::ops::status::Dashboard,
    archived: bool,
) -> std::io::Result<()> {
    let active: usize = board.groups.iter().map(|g| g.tiles.len()).sum();
    writeln!(
        out,
        "{} — {} groups, {} active assessments",
        board.organization,
        board.groups.len(),
        active
    )?;
    for g in &board.groups {
        writeln!(out, "\n{} ({})", g.name, g.id)?;
        if g.tiles.is_empty() {
            writeln!(out, "  no active assessments")?;
        }
        for t in &g.tiles {
            tile(out, t)?;
        }
    }
    if archived && !board.archived.is_empty() {
        writeln!(out, "\nArchived Assessments")?;
        for t in &board.archived {
            tile(out, t)?;
        }
    } else if board.archived_count > 0 {
        writeln!(
            out,
            "\n{} archived assessment(s) hidden; --archived shows them",
            board.archived_count
        )?;
    }
    Ok(())
}

fn tile(out: &mut dyn Write, t: &Tile) -> std::io::Result<()> {
    let p = &t.progress;
    let pct = (p.assessed * 100).checked_div(p.total).unwrap_or(0);
    writeln!(out, "  {:<40} {}", t.name, t.assessment)?;
    let mut dates = format!("created {}", t.created.format("%Y-%m-%d"));
    if let Some(m) = t.modified {
        dates.push_str(&format!("  modified {}", m.format("%Y-%m-%d")));
    }
    if let Some(a) = t.archived {
        dates.push_str(&format!("  archived {}", a.format("%Y-%m-%d")));
    }
    writeln!(out, "    {dates}")?;
    writeln!(
        out,
        "    score {} / {}   progress {} {}/{} assessed ({pct}%)",
        p.score,
        p.max,
        bar(p.assessed, p.total, 20),
        p.assessed,
        p.total
    )?;
    let e = &t.evidence;
    if e.expired + e.expiring > 0 {
        writeln!(
            out,
            "    evidence: {} expired, {} expiring soon",
            e.expired, e.expiring
        )?;
    }
    Ok(())
}
