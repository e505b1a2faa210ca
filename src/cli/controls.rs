//! `assure controls A [filters]`: an assessment's customer-managed controls, filtered.

use std::io::Write;

use serde::Serialize;

use super::{Cli, DataFormat, ExitStatus, Failure, Outcome, print_json, truncate};
use crate::model::{Status, TestResult};
use crate::ops::filter::{Filter, ResultIs, StatusIs};
use crate::ops::score::{Managed, controls};
use crate::text::{Medium, empty, or_empty};

/// List an assessment's customer-managed controls by family, with filters.
///
/// Several values of one filter match any of them (OR); different filters must all match
/// (AND). `--control AC-2` is that control alone, `--control 'AC-2*'` every id that starts
/// with AC-2. `--reference "Article (5)"` matches every reference containing the text.
/// `--attribute control-type=preventive` matches controls whose catalog entry has that
/// attribute value.
/// A value that names nothing (a control, reference or person the assessment does not
/// know) is an error with the closest known names; known values that match no control
/// give an empty list.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The assessment, `group/service--certification` (e.g. default-group/office-365--gdpr).
    pub assessment: String,
    /// A reference of the control (GDPR's articles) contains this text, e.g. "Article
    /// (32)".
    #[arg(long = "reference", visible_alias = "article", value_name = "TEXT")]
    pub articles: Vec<String>,
    /// The control with this id (e.g. AC-2), or with ids starting so when it ends in `*`
    /// (e.g. 'AC-2*': AC-2, AC-2(1), AC-20…).
    #[arg(long = "control", value_name = "ID")]
    pub controls: Vec<String>,
    /// Assigned to this person (email).
    #[arg(long = "assigned", value_name = "EMAIL")]
    pub assigned: Vec<String>,
    /// Has this status (not-started: nothing recorded yet).
    #[arg(long = "status", value_enum, value_name = "STATUS")]
    pub statuses: Vec<StatusIs>,
    /// Has this test result (not-tested: none recorded).
    #[arg(long = "result", value_enum, value_name = "RESULT")]
    pub results: Vec<ResultIs>,
    /// Has this value of a catalog attribute, e.g. control-type=preventive or
    /// security-property=availability (ISO/IEC 27001:2022's controls carry ISO/IEC
    /// 27002's; `assure catalog show CERT` lists them). Values of one name OR, names AND.
    #[arg(long = "attribute", value_name = "NAME=VALUE")]
    pub attributes: Vec<String>,
    /// Output format: human (readable text) or json (for scripts).
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,

    #[command(flatten)]
    pub as_of: super::asof::AsOfArg,
}

#[derive(Serialize)]
struct Row<'a> {
    family: &'a str,
    id: &'a str,
    title: &'a str,
    articles: &'a [String],
    score: u32,
    status: Option<Status>,
    test_date: Option<chrono::NaiveDate>,
    test_result: Option<TestResult>,
    assigned_to: Option<&'a str>,
}

#[derive(Serialize)]
struct Listing<'a> {
    assessment: String,
    name: String,
    filter: &'a Filter,
    customer_controls: usize,
    matches: Vec<Row<'a>>,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let (project, as_of) = args.as_of.project(cli)?;
    let a = project.assessment(&args.assessment)?;
    let v = &a.doc.value;
    let filter = Filter {
        articles: args.articles.clone(),
        controls: args.controls.clone(),
        assigned: args.assigned.clone(),
        statuses: args.statuses.clone(),
        results: args.results.clone(),
        attributes: args.attributes.clone(),
    };
    let views = controls(v, &project.catalog).ok_or_else(|| {
        Failure::Usage(format!(
            "{} names an unknown certification or template; run `assure validate`",
            args.assessment
        ))
    })?;
    if let Some(cert) = project.catalog.certifications.get(&v.certification) {
        let people = project
            .ws
            .config
            .as_ref()
            .map_or(&[][..], |c| &c.value.people);
        filter
            .check(cert, (&a.key(), &v.categories), people)
            .map_err(Failure::Usage)?;
    }
    let customer: Vec<_> = views
        .iter()
        .filter_map(|view| match view.managed {
            Managed::Customer(record) => Some((view, record)),
            Managed::Provider(_) => None,
        })
        .collect();
    let matches: Vec<Row> = customer
        .iter()
        .filter(|(view, record)| filter.matches(view.control, *record))
        .map(|(view, record)| Row {
            family: view.family,
            id: &view.control.id,
            title: &view.control.title,
            articles: &view.control.articles,
            score: view.control.score,
            status: record.and_then(|r| r.status),
            test_date: record.and_then(|r| r.test_date),
            test_result: record.and_then(|r| r.test_result),
            assigned_to: record.and_then(|r| r.assigned_to.as_deref()),
        })
        .collect();
    let listing = Listing {
        assessment: a.key(),
        name: project
            .catalog
            .assessment_name(&v.service, &v.certification),
        filter: &filter,
        customer_controls: customer.len(),
        matches,
    };
    if args.format == DataFormat::Json {
        let view = super::asof::Json {
            view: &listing,
            as_of,
        };
        print_json(out, &view)?;
        return Ok(ExitStatus::Ok);
    }
    super::asof::headline(out, as_of)?;
    render_human(out, &listing)?;
    Ok(ExitStatus::Ok)
}

/// The listing as text: the controls that match, family by family.
fn render_human(out: &mut dyn Write, listing: &Listing) -> std::io::Result<()> {
    writeln!(out, "{} ({})", listing.name, listing.assessment)?;
    if listing.filter.is_empty() {
        writeln!(
            out,
            "{} customer-managed controls",
            listing.customer_controls
        )?;
    } else {
        writeln!(
            out,
            "{} of {} customer-managed controls match",
            listing.matches.len(),
            listing.customer_controls
        )?;
    }
    let mut family = "";
    for row in &listing.matches {
        if row.family != family {
            family = row.family;
            writeln!(out, "\n{family}")?;
        }
        let result = match (row.test_result, row.test_date) {
            (Some(r), Some(d)) => format!("{} {d}", r.label()),
            (Some(r), None) => r.label().to_owned(),
            _ => empty(Medium::Column).to_owned(),
        };
        writeln!(
            out,
            "  {:<12} {:<44} {:<26} {:<30} {}",
            row.id,
            truncate(row.title, 44),
            Status::label_of(row.status),
            result,
            or_empty(row.assigned_to, Medium::Column)
        )?;
    }
    if listing.matches.is_empty() && !listing.filter.is_empty() {
        writeln!(out, "\nno control matches these filters")?;
    }
    Ok(())
}
