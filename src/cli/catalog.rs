//! `assure catalog list | show CERT | import-oscal FILE`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Cli, DataFormat, ExitStatus, Failure, Outcome, print_json, truncate};
use crate::ops::import_oscal::{ImportRequest, import_oscal};
use crate::oscal::ImportOptions;
use crate::suggest::did_you_mean;

/// Browse the catalog (services, certifications, templates, mappings) and import OSCAL.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: CatalogCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum CatalogCommand {
    /// List services and certifications, with their templates.
    List {
        /// Output format: human (readable text) or json (for scripts).
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
    },
    /// Show a certification's families and controls (id, score, title, articles).
    Show {
        /// Certification id, e.g. gdpr or nist-800-53-r5.
        cert: String,
        /// Output format: human (readable text) or json (for scripts).
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
    },
    /// Import an OSCAL catalog or profile (JSON or YAML) as a certification.
    ///
    /// FILE is an OSCAL catalog, or a profile: a profile imports the subset of its catalog
    /// that it selects (its catalog is found by file name next to the profile, or given
    /// with --catalog). Withdrawn controls are left out. Control ids are the labels the
    /// standard prints (SC-13, AC-2(1)) when a label is an identifier (letters, digits
    /// and . - _ ( ), starting with a letter or digit), else the OSCAL ids (the CSF's
    /// category labelled "Organizational Context (GV.OC)" is GV.OC). A control with an
    /// empty title, or one that only repeats its id (the CSF's GV.OC-01), is titled by
    /// its label if that says more, else by the first sentence of its statement (cut at a
    /// word boundary to 80 characters), else by its id; an untitled group by its id, an
    /// untitled document by its file name. `example` parts (implementation examples) are
    /// kept as examples. Writes catalog/certifications/<id>.yaml in the repository, or the
    /// file given with -o (replacing it); with --template, also a template per service.
    /// A catalog written by `assure export oscal --catalog` reads back as the certification
    /// it was (ids, titles, scores, references, attributes, categories as written).
    ///
    /// NIST CSF 2.0: --families-from category makes its categories the families and its
    /// subcategories the controls (catalog/README.md has the command of the built-in).
    ImportOscal(Box<ImportArgs>),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The OSCAL catalog or profile. Every file read must be a regular file of at most
    /// 64 MiB (a device, a named pipe or a folder is refused unopened).
    pub file: PathBuf,
    /// The catalog a profile imports, when it is not next to the profile.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Import only what this profile selects from the catalog FILE.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Certification id, e.g. nist-csf-2 (default: the document's title as lower-case
    /// words joined by `-`, or, when that is over 40 characters, the file name's).
    #[arg(long)]
    pub id: Option<String>,
    /// Short name used in assessment names (default: the document's title).
    #[arg(long)]
    pub name: Option<String>,
    /// Long title (default: the document's title).
    #[arg(long)]
    pub title: Option<String>,
    /// Score value of controls no --score-from profile selects.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub default_score: u32,
    /// Controls selected by the profile FILE score N (repeatable; highest wins),
    /// e.g. --score-from LOW-profile.json=8.
    #[arg(long = "score-from", value_name = "FILE=N", value_parser = parse_score_from)]
    pub score_from: Vec<(PathBuf, u32)>,
    /// Leave out control statements and examples (keep ids, titles, families and scores).
    #[arg(long)]
    pub no_statements: bool,
    /// Controls of this OSCAL class are families, not controls: each holds the controls
    /// under it and is named "<id> <title> (<group>)"; the family term is the class
    /// ("Category"). E.g. `category` for NIST CSF 2.0. Default: OSCAL groups are families.
    #[arg(long, value_name = "CLASS")]
    pub families_from: Option<String>,
    /// The certification's version (default: the document's metadata version, which for
    /// NIST's CSF 2.0 file is that of the OSCAL document, not of the framework).
    #[arg(long, value_name = "VERSION")]
    pub cert_version: Option<String>,
    /// The certification's `source:` text (default: names the OSCAL document and its
    /// version).
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
    /// Where to write (default: catalog/certifications/<id>.yaml in the repository). In the
    /// repository, never through a symbolic link (a linked file or folder is refused).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write catalog/templates/<SERVICE>--<id>.yaml in the repository (repeatable):
    /// SERVICE is a service of the catalog, in scope alone, and the template names no
    /// provider-managed control, so an assessment of it holds every control as
    /// customer-managed. The certification and its templates are written all together or
    /// not at all; an existing template is never overwritten (one that already says
    /// exactly this is left as it is). Without it, `assessment new` treats a service
    /// without a template the same way, and says so.
    #[arg(long, value_name = "SERVICE")]
    pub template: Vec<String>,
    /// Start the file with `# yaml-language-server: $schema=URL`, so editors check it
    /// (default: the path from the file's folder to schemas/certification.schema.json of
    /// the repository the file lands in; no such line when it lands in none).
    #[arg(long, value_name = "URL")]
    pub schema_url: Option<String>,
}

fn parse_score_from(s: &str) -> Result<(PathBuf, u32), String> {
    let (file, n) = s
        .rsplit_once('=')
        .ok_or("expected FILE=N, e.g. low-profile.json=8")?;
    let n: u32 = n
        .parse()
        .map_err(|_| format!("`{n}` is not a positive whole number"))?;
    if n == 0 {
        return Err("score values are positive".into());
    }
    Ok((PathBuf::from(file), n))
}

#[derive(Serialize)]
struct CertSummary<'a> {
    id: &'a str,
    name: &'a str,
    version: &'a str,
    controls: usize,
    families: usize,
    templates: Vec<&'a str>,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    match &args.command {
        CatalogCommand::List { format } => list(cli, *format, out),
        CatalogCommand::Show { cert, format } => show(cli, cert, *format, out),
        CatalogCommand::ImportOscal(a) => import(cli, a, out),
    }
}

fn list(cli: &Cli, format: DataFormat, out: &mut dyn Write) -> Outcome {
    let project = cli.project()?;
    let cat = &project.catalog;
    let services: Vec<_> = cat.services.values().map(|(s, _)| s).collect();
    let certs: Vec<CertSummary> = cat
        .certifications
        .values()
        .map(|c| CertSummary {
            id: &c.cert.id,
            name: &c.cert.name,
            version: &c.cert.version,
            controls: c.controls().count(),
            families: c.cert.families.len(),
            templates: cat
                .templates
                .keys()
                .filter(|(_, cert)| *cert == c.cert.id)
                .map(|(s, _)| s.as_str())
                .collect(),
        })
        .collect();
    if format == DataFormat::Json {
        print_json(
            out,
            &serde_json::json!({ "services": services, "certifications": certs }),
        )?;
        return Ok(ExitStatus::Ok);
    }
    writeln!(out, "Services")?;
    for s in &services {
        writeln!(out, "  {:<16} {}", s.id, s.name)?;
    }
    writeln!(out, "\nCertifications")?;
    for c in &certs {
        let families_term = cat
            .certifications
            .get(c.id)
            .map_or_else(|| "families".to_owned(), |i| i.cert.families_term());
        writeln!(
            out,
            "  {:<16} {:<22} {:<14} {:>5} controls in {} {}",
            c.id,
            c.name,
            c.version,
            c.controls,
            c.families,
            families_term.to_lowercase()
        )?;
        writeln!(
            out,
            "  {:<16} templates: {}",
            "",
            if c.templates.is_empty() {
                "none".to_owned()
            } else {
                c.templates.join(", ")
            }
        )?;
    }
    Ok(ExitStatus::Ok)
}

fn show(cli: &Cli, id: &str, format: DataFormat, out: &mut dyn Write) -> Outcome {
    let project = cli.project()?;
    let cat = &project.catalog;
    let cert = cat.certifications.get(id).ok_or_else(|| {
        Failure::Usage(format!(
            "no certification `{id}`; {}",
            did_you_mean(id, cat.certifications.keys().map(String::as_str))
        ))
    })?;
    if format == DataFormat::Json {
        print_json(out, &cert.cert)?;
        return Ok(ExitStatus::Ok);
    }
    let c = &cert.cert;
    writeln!(
        out,
        "{} — {} (version {})",
        c.name,
        c.title.as_deref().unwrap_or(&c.name),
        c.version
    )?;
    if !c.categories.is_empty() {
        writeln!(
            out,
            "\nCategories (an assessment covers the required ones and those it chooses: `assure assessment new … --category ID`)"
        )?;
        for category in &c.categories {
            let required = if category.required {
                "  (required)"
            } else {
                ""
            };
            writeln!(out, "  {:<22} {}{required}", category.id, category.name)?;
        }
    }
    for family in &c.families {
        let category = family
            .category
            .as_deref()
            .map(|id| format!(", category {id}"))
            .unwrap_or_default();
        writeln!(
            out,
            "\n{} ({} controls{category})",
            family.name,
            family.controls.len()
        )?;
        for control in &family.controls {
            let mut articles = if control.articles.is_empty() {
                String::new()
            } else {
                format!("  [{}]", control.articles.join(", "))
            };
            if !control.attributes.is_empty() {
                articles.push_str("  ");
                articles.push_str(&crate::model::catalog::attributes_line(&control.attributes));
            }
            writeln!(
                out,
                "  {:<12} {:>2}  {}{}",
                control.id,
                control.score,
                truncate(&control.title, 60),
                articles
            )?;
        }
    }
    Ok(ExitStatus::Ok)
}

fn import(cli: &Cli, a: &ImportArgs, out: &mut dyn Write) -> Outcome {
    let request = ImportRequest {
        input: a.file.clone(),
        catalog: a.catalog.clone(),
        profile: a.profile.clone(),
        score_profiles: a.score_from.clone(),
        options: ImportOptions {
            id: a.id.clone(),
            name: a.name.clone(),
            title: a.title.clone(),
            default_score: a.default_score,
            statements: !a.no_statements,
            score_profiles: Vec::new(),
            families_from: a.families_from.clone(),
            version: a.cert_version.clone(),
            source: a.source.clone(),
        },
    };
    let cert = import_oscal(&request)?;
    let path = match &a.output {
        Some(p) => p.clone(),
        None => cli
            .root()?
            .join("catalog/certifications")
            .join(format!("{}.yaml", cert.id)),
    };
    // By default, the line names the schema copy of the repository the file lands in.
    let schema = a
        .schema_url
        .clone()
        .or_else(|| crate::repo::modeline::ref_for(&path, crate::schema::Kind::Certification));
    let text = crate::oscal::write::certification_yaml(&cert, schema.as_deref());
    let templates = match templates(cli, a, &cert.id)? {
        Ok(templates) => templates,
        Err(refusal) => {
            eprintln!("error: {}", crate::text::escape(&refusal));
            return Ok(ExitStatus::Findings);
        }
    };
    write(cli, &path, text, &templates)?;
    let count: usize = cert.families.iter().map(|f| f.controls.len()).sum();
    writeln!(
        out,
        "imported {} ({}): {count} controls in {} families → {}",
        cert.name,
        cert.id,
        cert.families.len(),
        path.display()
    )?;
    for t in &templates {
        let how = if t.text.is_some() {
            "written"
        } else {
            "unchanged"
        };
        writeln!(
            out,
            "template for {}: every control customer-managed → {} ({how})",
            t.service, t.path
        )?;
    }
    Ok(ExitStatus::Ok)
}

/// Writes the certification's `text` at `path`, and the templates to write with it.
fn write(cli: &Cli, path: &Path, text: String, templates: &[TemplateFile]) -> Result<(), Failure> {
    if templates.iter().any(|t| t.text.is_some()) {
        // The certification and its templates, all together or none: the transaction
        // looks at every target (links, folders) before it writes any, and rolls back.
        // The command holds the repository's edit lock (`Command::edits`), which the
        // transaction's journal needs.
        let root = cli.root()?;
        let mut tx = crate::edit::Transaction::in_repository(&root);
        tx.write(path, text.into_bytes());
        for t in templates {
            if let Some(text) = &t.text {
                tx.write(root.join(&t.path), text.as_bytes());
            }
        }
        tx.commit()?;
    } else {
        // Into the repository, never through a link in it (a linked `catalog/` would
        // send the file elsewhere); a path outside it is written as given.
        let written = match cli.root() {
            Ok(root) => crate::edit::write_atomic_in(&root, path, text.as_bytes()),
            Err(_) => crate::edit::write_atomic(path, text.as_bytes()),
        };
        written.map_err(|source| Failure::Write {
            path: path.to_owned(),
            source,
        })?;
    }
    Ok(())
}

/// A template `--template` asks for: its repository path, and its text (`None`: the file
/// already says exactly this).
struct TemplateFile {
    service: String,
    path: String,
    text: Option<String>,
}

/// The templates of `--template`, each checked: its service in the repository's catalog
/// (else a usage error with the closest ids), and no other template for the pair (a
/// file that differs, or a built-in one: the inner `Err` says why nothing is written).
fn templates(
    cli: &Cli,
    a: &ImportArgs,
    cert: &str,
) -> Result<Result<Vec<TemplateFile>, String>, Failure> {
    if a.template.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let root = cli.root()?;
    let project = crate::ops::Project::load(
        &root,
        crate::repo::Source::WorkTree,
        crate::repo::Scope::Catalog,
    )?;
    let catalog = &project.catalog;
    let mut out: Vec<TemplateFile> = Vec::new();
    for service in &a.template {
        let service = service.trim();
        if out.iter().any(|t| t.service == service) {
            continue;
        }
        let (svc, _) = catalog.services.get(service).ok_or_else(|| {
            Failure::Usage(format!(
                "--template {service}: no service `{service}` in the catalog; {}",
                did_you_mean(service, catalog.services.keys().map(String::as_str))
            ))
        })?;
        let rel = crate::ops::import_oscal::template_path(service, cert);
        let full = root.join(&rel);
        let schema = crate::repo::modeline::ref_for(&full, crate::schema::Kind::Template);
        let text =
            crate::ops::import_oscal::template_yaml(service, &svc.name, cert, schema.as_deref());
        let existing = match std::fs::symlink_metadata(&full) {
            Ok(m) if m.is_file() => Some(std::fs::read(&full)?),
            // A link, folder or anything else: the transaction refuses it by name.
            Ok(_) => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(Failure::Write {
                    path: full,
                    source: e,
                });
            }
        };
        match existing {
            Some(bytes) if bytes == text.as_bytes() => out.push(TemplateFile {
                service: service.to_owned(),
                path: rel,
                text: None,
            }),
            Some(_) => {
                return Ok(Err(format!(
                    "{rel} exists, and import-oscal never overwrites a template (its provider-managed controls are someone's work); nothing was written. Leave out --template {service}, or delete the file first (git keeps it)"
                )));
            }
            None if catalog
                .templates
                .get(&(service.to_owned(), cert.to_owned()))
                .is_some_and(|t| !t.implicit)
                && !full.exists() =>
            {
                return Ok(Err(format!(
                    "the catalog already has a template for {service} and {cert} ({}); nothing was written. Leave out --template {service}",
                    project
                        .ws
                        .sources
                        .path(catalog.templates[&(service.to_owned(), cert.to_owned())].file)
                )));
            }
            None => out.push(TemplateFile {
                service: service.to_owned(),
                path: rel,
                text: Some(text),
            }),
        }
    }
    Ok(Ok(out))
}
