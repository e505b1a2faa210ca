//! `assure assessment new | migrate | scope | archive | delete | list | show`.

use std::io::{BufRead, IsTerminal, Write};

use serde::Serialize;

use super::editing::{EditFlags, finish, refuse, report, start};
use super::{Cli, DataFormat, ExitStatus, Failure, Outcome, bar, print_json, truncate};
use crate::model::Status;
use crate::ops::assessment_view::{AssessmentPage, Counts};
use crate::ops::permissions::Permission;
use crate::ops::score::score;
use crate::ops::{Project, commands, migrate};
use crate::text::{Medium, empty};

/// Show, list, create, migrate, archive and delete assessments (creating, migrating, archiving and deleting: administrator role).
///
/// An assessment is one service assessed against one certification, in one group:
/// groups/<group>/<service>--<certification>.yaml. It is named `group/service--certification`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: AssessmentCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum AssessmentCommand {
    /// Create an assessment in a group.
    ///
    /// Its customer-managed controls are filled from the same and related controls of the
    /// group's other assessments. With --copy-from, a new group's first assessment is
    /// filled from another group's assessments instead.
    New {
        /// The group's id (default: the built-in group `initial-group`, "Initial Group",
        /// which `assure init` creates; other groups: `assure group new`).
        #[arg(long)]
        group: Option<String>,
        /// Service id, e.g. office-365 (`assure catalog list`).
        #[arg(long)]
        service: String,
        /// Certification id, e.g. gdpr.
        #[arg(long)]
        certification: String,
        /// Copy the work of this group's assessments (same or related controls). Controls
        /// of other certifications the crosswalks relate are suggested, never copied
        /// (`assessment migrate` carries them).
        #[arg(long, value_name = "GROUP")]
        copy_from: Option<String>,
        /// An optional category of the certification to cover, e.g. availability for a
        /// SOC 2 report on security and availability (repeat for more; `assure catalog
        /// show CERT` lists them). Required categories are always covered.
        #[arg(long, value_name = "CATEGORY")]
        category: Vec<String>,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Change the optional categories an assessment covers (administrator role).
    ///
    /// A certification may group its families in categories that an assessment chooses
    /// (SOC 2: availability, confidentiality, processing-integrity, privacy; Security is
    /// always in). The controls of a category not chosen are not part of the assessment:
    /// not listed, scored or synced. Choosing changes the maximum score, so it needs the
    /// role that creates assessments. A category whose controls hold work is not removed:
    /// the command lists those controls.
    Scope {
        /// The assessment, group/service--certification.
        assessment: String,
        /// A category to cover (repeatable).
        #[arg(long, value_name = "CATEGORY")]
        add: Vec<String>,
        /// A category to stop covering (repeatable).
        #[arg(long, value_name = "CATEGORY")]
        remove: Vec<String>,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Create an assessment against another certification, carrying an assessment's work.
    ///
    /// The new assessment has the same service and group. For each of its
    /// customer-managed controls, the controls of the old one the crosswalks
    /// (`informative` mappings, either direction) link to it give their work:
    /// implementation text (with a note naming the old controls and file), documents
    /// (each once) and the assignment (when the old controls name one person; priority
    /// the highest, notes joined). The status is the old controls' when they all agree,
    /// else `planned`. Test results, test dates, test plans and management responses do
    /// not carry: a new standard needs a new test. Then the group's shared and related
    /// controls fill it as `assessment new` does; where the group already holds work for
    /// a control, the group's values win (reported). The old assessment is not changed
    /// (an archived one can be migrated): archive it with `assure assessment archive`
    /// when the new one takes over.
    Migrate {
        /// The assessment to carry the work of, group/service--certification.
        assessment: String,
        /// The certification of the new assessment (`assure catalog list`).
        #[arg(long, value_name = "CERT")]
        to: String,
        /// Output format: human (readable text) or json (for scripts).
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Archive an assessment: it becomes read-only forever and leaves every sync class.
    ///
    /// Archiving cannot be undone. Export the assessment first if you need a snapshot
    /// for auditors (`assure report excel`, when available).
    Archive {
        /// The assessment, group/service--certification.
        assessment: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Delete an assessment's file (it stays in git history).
    Delete {
        /// The assessment, group/service--certification.
        assessment: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// List assessments with score and progress.
    List {
        /// Include archived assessments.
        #[arg(long)]
        archived: bool,
        /// Output format: human (readable text) or json (for scripts).
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
    },
    /// Show an assessment as the portal's assessment page does.
    ///
    /// Its group, service, certification, when it was created, last changed (the last
    /// commit that changed its file) and archived, its score and progress, the services in
    /// scope, the provider-managed controls with their test results, and per control
    /// family (in the certification's own word: clause, family, article…) how many
    /// controls are not started, planned, implemented, not in scope, assessed and passed.
    Show {
        /// The assessment, group/service--certification.
        assessment: String,
        /// Output format: human (readable text) or json (for scripts).
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
        #[command(flatten)]
        as_of: super::asof::AsOfArg,
    },
}

#[derive(Serialize)]
struct Row {
    assessment: String,
    name: String,
    group: String,
    archived: bool,
    /// The ids of the certification's categories it covers (required and chosen).
    categories: Vec<String>,
    score: u32,
    max: u32,
    assessed: usize,
    total: usize,
}

/// Asks on the terminal; without one, `--yes` is required.
fn confirm(question: &str, yes: bool) -> Result<bool, Failure> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!(
            "{question} — there is no terminal to ask on; pass --yes to confirm"
        )));
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    if let AssessmentCommand::Show {
        assessment,
        format,
        as_of,
    } = &args.command
    {
        return show(cli, assessment, *format, as_of, out);
    }
    let project = cli.project()?;
    match &args.command {
        AssessmentCommand::New {
            group,
            service,
            certification,
            copy_from,
            category,
            flags,
        } => new(
            cli,
            &project,
            (group.as_deref(), service, certification),
            (copy_from.as_deref(), category),
            flags,
            out,
        ),
        AssessmentCommand::Migrate {
            assessment,
            to,
            format,
            flags,
        } => migrate(cli, &project, assessment, to, *format, flags, out),
        AssessmentCommand::Scope {
            assessment,
            add,
            remove,
            flags,
        } => {
            if add.is_empty() && remove.is_empty() {
                return Err(Failure::Usage(
                    "say what to change: --add CATEGORY or --remove CATEGORY".into(),
                ));
            }
            let mut s = start(cli, &project)?;
            match commands::scope(&mut s, assessment, add, remove) {
                Ok(()) => finish(s, flags, out),
                Err(e) => refuse(e),
            }
        }
        AssessmentCommand::Archive {
            assessment,
            yes,
            flags,
        } => archive(cli, &project, assessment, *yes, flags, out),
        AssessmentCommand::Delete {
            assessment,
            yes,
            flags,
        } => delete(cli, &project, assessment, *yes, flags, out),
        AssessmentCommand::List { archived, format } => list(&project, *archived, *format, out),
        AssessmentCommand::Show {
            assessment,
            format,
            as_of,
        } => show(cli, assessment, *format, as_of, out),
    }
}

/// `assessment new`: the assessment of (group, service, certification); without a
/// group, in the built-in group.
fn new(
    cli: &Cli,
    project: &Project,
    (group, service, certification): (Option<&str>, &str, &str),
    (copy_from, categories): (Option<&str>, &[String]),
    flags: &EditFlags,
    out: &mut dyn Write,
) -> Outcome {
    let group = match group {
        Some(g) => g,
        None => {
            let id = crate::ops::init::INITIAL_GROUP;
            if !project.ws.groups.iter().any(|g| g.id == id) {
                return Err(Failure::Usage(format!(
                    "no --group given, and this repository has no built-in group `{id}` (repositories made by `assure init` before it created one have none); pass --group GROUP (`assure group list`), or create it: `assure group new \"{}\"`",
                    crate::ops::init::INITIAL_GROUP_NAME
                )));
            }
            id
        }
    };
    let mut s = start(cli, project)?;
    let key = match commands::new_assessment(
        &mut s,
        group,
        service,
        certification,
        copy_from,
        categories,
    ) {
        Ok(key) => key,
        Err(e) => return refuse(e),
    };
    let suggested = copy_from.map_or_else(Vec::new, |g| migrate::suggestions(&s, &key, g));
    let note = commands::no_template_note(&project.catalog, service, certification);
    let status = finish(s, flags, out)?;
    if status == ExitStatus::Ok
        && let Some(note) = note
    {
        eprintln!("{}", crate::text::escape(&note));
    }
    if status == ExitStatus::Ok && !suggested.is_empty() {
        writeln!(
            out,
            "\nnot copied: controls of other certifications in {} the crosswalks relate to empty controls of {key}",
            copy_from.unwrap_or_default()
        )?;
        for g in &suggested {
            writeln!(out, "  {} ~ {}", g.control, g.related.join(", "))?;
        }
        writeln!(
            out,
            "review them and enter what applies (`assure control set`), or carry an assessment's work across with `assure assessment migrate ASSESSMENT --to {certification}`"
        )?;
    }
    Ok(status)
}

/// `assessment migrate`: the new assessment, what carried and what did not, and the
/// files written (or, with `--dry-run`, their diff).
fn migrate(
    cli: &Cli,
    project: &Project,
    assessment: &str,
    to: &str,
    format: DataFormat,
    flags: &EditFlags,
    out: &mut dyn Write,
) -> Outcome {
    let mut s = start(cli, project)?;
    let m = match migrate::migrate(&mut s, assessment, to) {
        Ok(m) => m,
        Err(e) => return refuse(e),
    };
    let done = match s.finish(flags.dry_run) {
        Ok(done) => done,
        Err(e) => return refuse(e),
    };
    if format == DataFormat::Json {
        let files = done
            .files
            .iter()
            .map(|f| MigratedFile {
                path: f.path.clone(),
                change: match (&f.before, &f.after) {
                    (None, Some(_)) => "created",
                    (Some(_), None) => "deleted",
                    _ => "updated",
                },
            })
            .collect();
        print_json(
            out,
            &MigrateReport {
                migration: &m,
                dry_run: flags.dry_run,
                written: !flags.dry_run && !done.files.is_empty(),
                files,
                synced: done
                    .synced
                    .iter()
                    .map(|u| format!("{} {} from {}", u.assessment, u.control, u.source))
                    .collect(),
            },
        )?;
        return Ok(ExitStatus::Ok);
    }
    render_migration(out, &m)?;
    report(&done, flags.dry_run, out)?;
    let archived = if m.from_archived {
        " (it is archived, and stays so)".to_owned()
    } else {
        format!(
            "; archive it when {} takes over: assure assessment archive {}",
            m.assessment, m.from
        )
    };
    writeln!(out, "{} is unchanged{archived}", m.from)?;
    Ok(ExitStatus::Ok)
}

#[derive(Serialize)]
struct MigrateReport<'a> {
    #[serde(flatten)]
    migration: &'a migrate::Migration,
    dry_run: bool,
    written: bool,
    files: Vec<MigratedFile>,
    synced: Vec<String>,
}

#[derive(Serialize)]
struct MigratedFile {
    path: String,
    change: &'static str,
}

/// What a migration carried, what gave way to the group, and what has no source.
fn render_migration(out: &mut dyn Write, m: &migrate::Migration) -> std::io::Result<()> {
    writeln!(
        out,
        "{} ({}) from {} ({})",
        m.assessment, m.certification, m.from, m.from_certification
    )?;
    writeln!(out, "\ncarried ({}):", m.carried.len())?;
    for c in &m.carried {
        let status = Status::label_of(c.status);
        writeln!(
            out,
            "  {} <- {}  ({}; status: {status})",
            c.control,
            c.sources.join(", "),
            c.fields.join(", ")
        )?;
    }
    if !m.kept.is_empty() {
        writeln!(
            out,
            "\nthe group's values kept ({}): the group already holds work for these controls",
            m.kept.len()
        )?;
        for k in &m.kept {
            writeln!(
                out,
                "  {} <- {} (not carried from {})",
                k.control,
                k.group_source,
                k.sources.join(", ")
            )?;
        }
    }
    if !m.unassigned.is_empty() {
        writeln!(out, "\nleft unassigned ({}):", m.unassigned.len())?;
        for u in &m.unassigned {
            let people: Vec<String> = u
                .people
                .iter()
                .map(|a| format!("{} {}", a.control, a.person))
                .collect();
            writeln!(out, "  {}: {} ({})", u.control, u.reason, people.join(", "))?;
        }
    }
    if !m.not_started.is_empty() {
        writeln!(
            out,
            "\nnothing to carry, the linked controls are not started ({}):",
            m.not_started.len()
        )?;
        for l in &m.not_started {
            writeln!(out, "  {} <- {}", l.control, l.sources.join(", "))?;
        }
    }
    writeln!(
        out,
        "\nno source in {} ({}):{}",
        m.from_certification,
        m.without_source.len(),
        if m.without_source.is_empty() {
            " none"
        } else {
            ""
        }
    )?;
    for chunk in m.without_source.chunks(10) {
        writeln!(out, "  {}", chunk.join(", "))?;
    }
    writeln!(
        out,
        "\nnot carried: test results, test dates, test plans and management responses (a new standard needs a new test)\n"
    )
}

/// `assessment archive`, confirmed first by someone who may archive.
fn archive(
    cli: &Cli,
    project: &Project,
    assessment: &str,
    yes: bool,
    flags: &EditFlags,
    out: &mut dyn Write,
) -> Outcome {
    let mut s = start(cli, project)?;
    if let Err(e) = commands::archive(&mut s, assessment) {
        return refuse(e);
    }
    // Ask only someone who may archive; anyone else is refused by `finish`.
    if !flags.dry_run && s.actor.may(Permission::ManageAssessments) {
        eprintln!(
            "note: archiving is final. Export the assessment first if auditors need a snapshot; its evidence stays in git history."
        );
        if !confirm(&format!("archive {assessment}?"), yes)? {
            writeln!(out, "not archived")?;
            return Ok(ExitStatus::Findings);
        }
    }
    finish(s, flags, out)
}

/// `assessment delete`, confirmed first by someone who may delete.
fn delete(
    cli: &Cli,
    project: &Project,
    assessment: &str,
    yes: bool,
    flags: &EditFlags,
    out: &mut dyn Write,
) -> Outcome {
    let mut s = start(cli, project)?;
    if let Err(e) = commands::delete(&mut s, assessment) {
        return refuse(e);
    }
    if !flags.dry_run
        && s.actor.may(Permission::ManageAssessments)
        && !confirm(&format!("delete {assessment}?"), yes)?
    {
        writeln!(out, "not deleted")?;
        return Ok(ExitStatus::Findings);
    }
    finish(s, flags, out)
}

/// `assessment list`: each assessment with its score and progress.
fn list(project: &Project, archived: bool, format: DataFormat, out: &mut dyn Write) -> Outcome {
    let rows: Vec<Row> = project
        .ws
        .assessments
        .iter()
        .filter(|a| archived || !a.is_archived())
        .map(|a| {
            let v = &a.doc.value;
            let p = score(v, &project.catalog)
                .map(|s| s.total)
                .unwrap_or_default();
            Row {
                assessment: a.key(),
                name: project
                    .catalog
                    .assessment_name(&v.service, &v.certification),
                group: a.group.clone(),
                archived: a.is_archived(),
                categories: project
                    .catalog
                    .certifications
                    .get(&v.certification)
                    .map(|c| {
                        c.categories_in(&v.categories)
                            .map(|c| c.id.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
                score: p.score,
                max: p.max,
                assessed: p.assessed,
                total: p.total,
            }
        })
        .collect();
    if format == DataFormat::Json {
        print_json(out, &rows)?;
    } else {
        for r in &rows {
            let mark = if r.archived { "  (archived)" } else { "" };
            writeln!(
                out,
                "{:<52} {:<36} {:>5} / {:<5} {:>4}/{:<4} assessed{mark}",
                r.assessment, r.name, r.score, r.max, r.assessed, r.total
            )?;
        }
    }
    Ok(ExitStatus::Ok)
}

/// `assessment show`: the assessment's page, loading only its group (as of a commit:
/// the whole commit, whose groups need not be the work tree's).
fn show(
    cli: &Cli,
    assessment: &str,
    format: DataFormat,
    as_of: &super::asof::AsOfArg,
    out: &mut dyn Write,
) -> Outcome {
    let (project, as_of) = match as_of.as_of {
        Some(_) => as_of.project(cli)?,
        None => (cli.project_of(assessment)?, None),
    };
    let page = crate::ops::assessment_view::show(&project, assessment)?;
    if format == DataFormat::Json {
        print_json(out, &super::asof::Json { view: &page, as_of })?;
    } else {
        super::asof::headline(out, as_of)?;
        render_page(out, &page)?;
    }
    Ok(ExitStatus::Ok)
}

/// The assessment page as text: summary, in-scope services, provider-managed controls,
/// and the counts per control family.
fn render_page(out: &mut dyn Write, p: &AssessmentPage) -> std::io::Result<()> {
    let day = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    let none = || empty(Medium::Text).to_owned();
    writeln!(out, "{}  ({})", p.name, p.assessment)?;
    if let Some(t) = p.archived {
        writeln!(
            out,
            "archived {}: read-only, and no longer synced with its group",
            day(t)
        )?;
    }
    writeln!(out)?;
    let t = &p.totals;
    let cert = &p.certification;
    let created_by = if p.created_by_name == p.created_by {
        p.created_by.clone()
    } else {
        format!("{} <{}>", p.created_by_name, p.created_by)
    };
    let pct = (t.progress.assessed * 100)
        .checked_div(t.progress.total)
        .unwrap_or(0);
    for (label, value) in [
        ("Group", format!("{} ({})", p.group.name, p.group.id)),
        ("Service", format!("{} ({})", p.service.name, p.service.id)),
        (
            "Certification",
            format!("{} ({}), version {}", cert.name, cert.id, cert.version),
        ),
        ("Created", format!("{} by {created_by}", day(p.created))),
        ("Modified", p.modified.map_or_else(none, day)),
        ("Archived", p.archived.map_or_else(|| "no".to_owned(), day)),
        (
            "Categories",
            if p.categories.is_empty() {
                String::new()
            } else {
                p.categories
                    .iter()
                    .map(|c| format!("{} ({})", c.name, c.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
        (
            "Score",
            format!("{} / {}", t.progress.score, t.progress.max),
        ),
        (
            "Progress",
            format!(
                "{} {} of {} customer-managed controls in scope assessed ({pct}%)",
                bar(t.progress.assessed, t.progress.total, 20),
                t.progress.assessed,
                t.progress.total
            ),
        ),
    ] {
        // Only certifications with categories have a line for them.
        if label == "Categories" && value.is_empty() {
            continue;
        }
        writeln!(out, "{label:<14} {value}")?;
    }

    in_scope(out, p)?;
    provider_table(out, p)?;
    family_table(out, p)
}

/// The services the template names as in scope.
fn in_scope(out: &mut dyn Write, p: &AssessmentPage) -> std::io::Result<()> {
    writeln!(out, "\nIn-scope services ({})", p.in_scope_services.len())?;
    if p.in_scope_services.is_empty() {
        writeln!(out, "  The template names no in-scope services.")?;
    }
    for s in &p.in_scope_services {
        writeln!(out, "  {s}")?;
    }

    Ok(())
}

/// The provider-managed controls with their test results.
fn provider_table(out: &mut dyn Write, p: &AssessmentPage) -> std::io::Result<()> {
    writeln!(
        out,
        "\nProvider-managed controls ({})",
        p.provider_controls.len()
    )?;
    if p.provider_controls.is_empty() {
        writeln!(out, "  none: the customer manages every control")?;
    } else {
        let id = width(p.provider_controls.iter().map(|c| c.id.as_str()), "Control");
        let status = width(
            p.provider_controls.iter().map(|c| c.status.label()),
            "Status",
        );
        let result = width(
            p.provider_controls.iter().map(|c| c.test_result.label()),
            "Result",
        );
        writeln!(
            out,
            "  {:<id$}  {:<36}  {:<status$}  {:<10}  {:<result$}  Tested by",
            "Control", "Title", "Status", "Test date", "Result"
        )?;
        for c in &p.provider_controls {
            writeln!(
                out,
                "  {:<id$}  {:<36}  {:<status$}  {}  {:<result$}  {}",
                c.id,
                truncate(&c.title, 36),
                c.status.label(),
                c.test_date,
                c.test_result.label(),
                c.tested_by
            )?;
        }
    }

    Ok(())
}

/// The counts per control family, named in the certification's word, and the totals.
fn family_table(out: &mut dyn Write, p: &AssessmentPage) -> std::io::Result<()> {
    let cert = &p.certification;
    let term = &cert.family_term;
    writeln!(out, "\nControls by {}", term.to_lowercase())?;
    writeln!(
        out,
        "  (statuses and test results of customer-managed controls; the score counts both kinds)"
    )?;
    let name = width(p.families.iter().map(|f| f.name.as_str()), term).min(40);
    writeln!(
        out,
        "  {term:<name$}  Controls Provider Not started Planned Implemented Alternative Not in scope Assessed Passed     Score"
    )?;
    for f in &p.families {
        family_row(out, &truncate(&f.name, name), &f.counts, name)?;
    }
    family_row(out, "Total", &p.totals, name)
}

/// One row of the family table.
fn family_row(out: &mut dyn Write, name: &str, c: &Counts, width: usize) -> std::io::Result<()> {
    let s = &c.status;
    writeln!(
        out,
        "  {name:<width$}  {:>8} {:>8} {:>11} {:>7} {:>11} {:>11} {:>12} {:>8} {:>6} {:>9}",
        c.controls,
        c.provider,
        s.not_started,
        s.planned,
        s.implemented,
        s.alternative_implementation,
        s.not_in_scope,
        c.progress.assessed,
        c.result.passed,
        format!("{} / {}", c.progress.score, c.progress.max)
    )
}

/// The width of a column: its widest value, at least its header's.
fn width<'a>(values: impl Iterator<Item = &'a str>, header: &str) -> usize {
    values
        .map(|v| v.chars().count())
        .chain(std::iter::once(header.chars().count()))
        .max()
        .unwrap_or(0)
}
