//! A generator of large, valid compliance repositories (DESIGN.md §10), for benchmarks
//! and scale tests: `assure generate` (hidden).
//!
//! The repository has its own catalog, so the size of control sets is free: `services`
//! services, `certifications` certifications of `controls` controls each, a template for
//! every pair (one control in ten provider-managed) and a `related` mapping joining one
//! control in fifty across the certifications. Every group holds `assessments` assessments
//! (distinct service × certification pairs). A control's values depend only on its group
//! and its sync class, so shared and related controls are in sync by construction.
//! Output is deterministic for a seed.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{Duration, TimeZone, Utc};

use crate::git::{Git, GitError};

#[derive(Debug, Clone)]
pub struct Spec {
    pub groups: usize,
    pub assessments: usize,
    /// Control records per assessment (about; as many customer-managed controls again
    /// as a third of these are not started, so have none).
    pub controls: usize,
    pub seed: u64,
    /// Commits of history to make (0: no git repository).
    pub commits: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{0}")]
    Invalid(String),
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Git(#[from] GitError),
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn hash(parts: &[u64]) -> u64 {
    let mut r = Rng(0x5EED);
    for p in parts {
        r.0 ^= *p;
        r.next();
    }
    r.next()
}

const PEOPLE: &[(&str, &str, &str)] = &[
    ("admin@example.com", "Ada Admin", "administrator"),
    ("portal@example.com", "Pat Portal", "portal-admin"),
    ("assessor1@example.com", "Sam Assessor", "assessor"),
    ("assessor2@example.com", "Kim Assessor", "assessor"),
    ("contrib1@example.com", "Lee Contributor", "contributor"),
    ("contrib2@example.com", "Max Contributor", "contributor"),
    ("contrib3@example.com", "Noa Contributor", "contributor"),
    ("reader@example.com", "Ray Reader", "reader"),
];

const STATUSES: &[&str] = &[
    "implemented",
    "implemented",
    "implemented",
    "alternative-implementation",
    "planned",
    "not-in-scope",
];
const RESULTS: &[&str] = &[
    "passed",
    "passed",
    "passed",
    "failed-low-risk",
    "failed-medium-risk",
    "failed-high-risk",
];

/// Pairs per group need distinct (service, certification): services × certifications.
fn shape(spec: &Spec) -> (usize, usize) {
    let certs = 4usize;
    let services = spec.assessments.div_ceil(certs).max(1);
    (services, certs)
}

/// Writes the repository into `dir` (which must be empty or absent).
pub fn generate(dir: &Path, spec: &Spec) -> Result<(), GenerateError> {
    if spec.groups == 0 || spec.assessments == 0 || spec.controls == 0 {
        return Err(GenerateError::Invalid(
            "groups, assessments and controls must be at least 1".into(),
        ));
    }
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(GenerateError::Invalid(format!(
            "{} is not empty",
            dir.display()
        )));
    }
    let (services, certs) = shape(spec);
    // One control in four is not started (has no record): a third more customer-managed
    // controls than records asked for, and one in ten of all provider-managed.
    let customer = spec.controls + spec.controls / 3;
    let per_cert = customer + customer / 9 + 1;
    std::fs::create_dir_all(dir.join("catalog/certifications"))?;
    std::fs::create_dir_all(dir.join("catalog/templates"))?;
    std::fs::create_dir_all(dir.join("catalog/mappings"))?;
    std::fs::create_dir_all(dir.join("evidence"))?;
    write_config(dir)?;
    write_catalog(dir, services, certs, per_cert)?;
    let evidence = write_evidence(dir)?;
    write_groups(dir, spec, certs, per_cert, &evidence)?;

    if spec.commits > 0 {
        history(dir, spec, services, certs, per_cert, &evidence)?;
    }
    Ok(())
}

/// Writes `assure.yaml`: the generated people and the global admin.
fn write_config(dir: &Path) -> Result<(), GenerateError> {
    let mut config = String::from("organization: Generated Corp\npeople:\n");
    for (email, name, role) in PEOPLE {
        let _ = write!(
            config,
            "  - email: {email}\n    name: {name}\n    roles: [{role}]\n"
        );
    }
    config.push_str("global_admins: [portal@example.com]\n");
    std::fs::write(dir.join("assure.yaml"), config)?;
    Ok(())
}

/// Writes the catalog: the services, `certs` certifications of `per_cert` controls each,
/// a template per (service, certification), and one mapping of related controls.
fn write_catalog(
    dir: &Path,
    services: usize,
    certs: usize,
    per_cert: usize,
) -> Result<(), GenerateError> {
    let mut services_yaml = String::from("services:\n");
    for s in 0..services {
        let _ = write!(services_yaml, "  - id: svc-{s}\n    name: Service {s}\n");
    }
    std::fs::write(dir.join("catalog/services.yaml"), services_yaml)?;
    for c in 0..certs {
        let mut y = format!("id: gen-cert-{c}\nname: Generated {c}\nversion: \"1\"\nfamilies:\n");
        for f in 0..per_cert.div_ceil(50) {
            let _ = write!(y, "  - name: Family {f}\n    controls:\n");
            for i in (f * 50)..((f + 1) * 50).min(per_cert) {
                let _ = write!(
                    y,
                    "      - id: C{c}-{i:05}\n        title: Generated control {i}\n        articles: [\"Article ({})\"]\n        score: {}\n",
                    i % 40 + 1,
                    [1, 3, 5, 8][i % 4]
                );
            }
        }
        std::fs::write(
            dir.join(format!("catalog/certifications/gen-cert-{c}.yaml")),
            y,
        )?;
        for s in 0..services {
            let mut t = format!(
                "service: svc-{s}\ncertification: gen-cert-{c}\nin_scope_services: [Part A, Part B]\nprovider_controls:\n"
            );
            for i in (0..per_cert).filter(|i| i % 10 == 9) {
                let _ = write!(
                    t,
                    "  C{c}-{i:05}:\n    status: implemented\n    test_date: 2019-01-10\n    test_result: passed\n    tested_by: Auditor\n    description: Provider control.\n"
                );
            }
            std::fs::write(
                dir.join(format!("catalog/templates/svc-{s}--gen-cert-{c}.yaml")),
                t,
            )?;
        }
    }
    let mut mapping = String::from("description: Generated related controls.\nrelated:\n");
    for i in (0..per_cert).filter(|i| i % 50 == 0 && i % 10 != 9) {
        let members: Vec<String> = (0..certs)
            .map(|c| format!("gen-cert-{c}:C{c}-{i:05}"))
            .collect();
        let _ = writeln!(mapping, "  - [{}]", members.join(", "));
    }
    std::fs::write(dir.join("catalog/mappings/generated.yaml"), mapping)?;
    Ok(())
}

/// Writes the evidence documents, returning each path with its hash (assessments
/// reference them with their real hashes).
fn write_evidence(dir: &Path) -> Result<Vec<(String, String)>, GenerateError> {
    let mut evidence = Vec::new();
    for e in 0..8 {
        let text = format!("Generated evidence document {e}.\n");
        let path = format!("evidence/doc-{e}.txt");
        std::fs::write(dir.join(&path), &text)?;
        evidence.push((
            path,
            crate::rules::evidence::hash_file(&dir.join(format!("evidence/doc-{e}.txt")))?,
        ));
    }
    Ok(evidence)
}

/// Writes each group's `group.yaml` and assessments.
fn write_groups(
    dir: &Path,
    spec: &Spec,
    certs: usize,
    per_cert: usize,
    evidence: &[(String, String)],
) -> Result<(), GenerateError> {
    for g in 0..spec.groups {
        let gdir = dir.join(format!("groups/group-{g:03}"));
        std::fs::create_dir_all(&gdir)?;
        std::fs::write(
            gdir.join("group.yaml"),
            format!("name: Group {g:03}\ndescription: Generated group {g}.\n"),
        )?;
        for a in 0..spec.assessments {
            let (s, c) = (a / certs, a % certs);
            let text = assessment_text(spec, g, s, c, per_cert, evidence, 0);
            std::fs::write(gdir.join(format!("svc-{s}--gen-cert-{c}.yaml")), text)?;
        }
    }
    Ok(())
}

/// The text of one assessment; `revision` changes some values (for history).
fn assessment_text(
    spec: &Spec,
    g: usize,
    s: usize,
    c: usize,
    per_cert: usize,
    evidence: &[(String, String)],
    revision: u64,
) -> String {
    let created = Utc
        .with_ymd_and_hms(2019, 1, 1, 9, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::minutes((g * 100 + s * 4 + c) as i64);
    let mut y = format!(
        "service: svc-{s}\ncertification: gen-cert-{c}\ncreated: {}\ncreated_by: admin@example.com\ncontrols:\n",
        created.format("%Y-%m-%dT%H:%M:%SZ")
    );
    for i in (0..per_cert).filter(|i| i % 10 != 9) {
        // The sync class: related controls (i % 50 == 0) share values across certifications.
        let class = if i % 50 == 0 {
            i as u64
        } else {
            (c as u64) << 32 | i as u64
        };
        let h = hash(&[
            spec.seed,
            g as u64,
            class,
            revision * u64::from(i % 97 == 0),
        ]);
        if h.is_multiple_of(4) {
            continue; // not started
        }
        control_record(&mut y, c, i, Rng(h), evidence);
    }
    y
}

/// Appends the record of control `C<c>-<i>` to `y`: a status and text as long as a real
/// record's (about 600 bytes in all), and at random a test, an action item and evidence.
fn control_record(y: &mut String, c: usize, i: usize, mut rng: Rng, evidence: &[(String, String)]) {
    let status = STATUSES[rng.below(STATUSES.len() as u64) as usize];
    let _ = write!(y, "  C{c}-{i:05}:\n    status: {status}\n");
    // Free text as long as a real record's (about 600 bytes a record in all).
    let _ = writeln!(
        y,
        "    implementation: Implemented by team {} following procedure P-{}. Access is reviewed {} by the {}; exceptions are tracked in queue Q-{} and approved by the control owner before they take effect. Records are kept for {} months.",
        rng.below(12),
        rng.below(500),
        ["monthly", "quarterly", "every week", "twice a year"][rng.below(4) as usize],
        [
            "service owner",
            "security team",
            "platform lead",
            "compliance office"
        ][rng.below(4) as usize],
        rng.below(900) + 100,
        [12, 24, 36, 84][rng.below(4) as usize]
    );
    if rng.below(3) > 0 {
        let _ = writeln!(
            y,
            "    test_plan: Sample {} items and check the records. Each needs an approved request, a reviewer other than the requester, and a closing date within the agreed service level.",
            rng.below(50) + 5
        );
        if rng.below(3) == 0 {
            let _ = writeln!(
                y,
                "    management_response: Accepted. Remediation is planned for Q{} with team {} as owner.",
                rng.below(4) + 1,
                rng.below(12)
            );
        }
        let (month, day) = (rng.below(12) + 1, rng.below(28) + 1);
        let result = RESULTS[rng.below(RESULTS.len() as u64) as usize];
        // A control out of scope is not tested (`tested-not-in-scope`); the draws are
        // made all the same, so the rest of the repository does not change.
        if status != "not-in-scope" {
            let _ = write!(
                y,
                "    test_date: 2019-{month:02}-{day:02}\n    test_result: {result}\n"
            );
        }
    }
    if rng.below(4) == 0 {
        let who = PEOPLE[4 + rng.below(3) as usize].0;
        let _ = write!(
            y,
            "    assigned_to: {who}\n    action:\n      priority: {}\n      notes: Follow up by end of quarter.\n",
            ["low", "medium", "high"][rng.below(3) as usize]
        );
    }
    if rng.below(10) == 0 {
        let (path, sha) = &evidence[rng.below(evidence.len() as u64) as usize];
        let _ = write!(
            y,
            "    documents:\n      - path: {path}\n        sha256: \"{sha}\"\n        purpose: testing\n"
        );
    }
}

/// Commits the repository, then `commits - 1` changes by rotating authors, each
/// rewriting one group's assessments of one certification (with a new revision of some
/// values, the same in every member of a class).
fn history(
    dir: &Path,
    spec: &Spec,
    services: usize,
    certs: usize,
    per_cert: usize,
    evidence: &[(String, String)],
) -> Result<(), GenerateError> {
    let git = Git::init(dir)?;
    let start = Utc
        .with_ymd_and_hms(2019, 1, 1, 8, 0, 0)
        .single()
        .unwrap_or_default();
    git.commit_all(
        "Ada Admin",
        "admin@example.com",
        start,
        "Generated repository",
    )?;
    let mut rng = Rng(spec.seed ^ 0xC0FFEE);
    for n in 1..spec.commits {
        let g = rng.below(spec.groups as u64) as usize;
        let revision = n as u64;
        // Related controls span certifications: rewrite every assessment of the group.
        for a in 0..spec.assessments {
            let (s, c) = (a / certs, a % certs);
            if s >= services {
                continue;
            }
            let text = assessment_text(spec, g, s, c, per_cert, evidence, revision);
            std::fs::write(
                dir.join(format!("groups/group-{g:03}/svc-{s}--gen-cert-{c}.yaml")),
                text,
            )?;
        }
        let (email, name, _) = PEOPLE[[0, 2, 3][n % 3]];
        git.commit_all(
            name,
            email,
            start + Duration::hours(n as i64),
            &format!("Update group {g:03} (revision {n})"),
        )?;
    }
    Ok(())
}
