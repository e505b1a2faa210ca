//! `assure.yaml` and `groups/<id>/group.yaml`.

use serde::{Deserialize, Serialize};

/// `assure.yaml`: the organization, its people and settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub organization: String,
    pub people: Vec<Person>,
    #[serde(default)]
    pub global_admins: Vec<String>,
    #[serde(default)]
    pub sync: SyncSettings,
    #[serde(default)]
    pub report: ReportSettings,
    #[serde(default)]
    pub notifications: Option<Notifications>,
    /// Every commit of a checked change must carry an SSH signature by one of its
    /// author's `signing_keys` (as listed at the base).
    #[serde(default)]
    pub require_signed_commits: bool,
    #[serde(default)]
    pub limits: Limits,
    /// Testing rules the organization switches on; each is off by default.
    #[serde(default)]
    pub rules: Rules,
    #[serde(default)]
    pub evidence: EvidenceSettings,
    /// `validate --base` refuses a change that lowers an assessment's compliance score or
    /// fails a passed control, unless a commit of the change states why in a
    /// `Compliance-Regression:` trailer (as set at the base): `compliance-regression`.
    #[serde(default)]
    pub ratchet: bool,
}

/// `rules:`: testing rules as data. Each switched-on rule is a finding code of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The author of the commit that set a control's test result wrote none of its
    /// implementation text (`validate --base`, from git): `tester-is-implementer`.
    #[serde(default)]
    pub tester_is_not_implementer: bool,
    /// A failed-high-risk control has `assigned_to` and `action.priority`:
    /// `high-risk-without-action`.
    #[serde(default)]
    pub failed_high_risk_needs_action: bool,
    /// A not-in-scope control has a `management_response`: `not-in-scope-without-reason`.
    #[serde(default)]
    pub not_in_scope_needs_reason: bool,
}

/// `evidence:` in assure.yaml: how evidence freshness is judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSettings {
    /// Documents whose `valid_until` lies at most this many days ahead are reported as
    /// expiring soon.
    #[serde(default = "default_warn_days")]
    pub warn_days: u32,
}

impl Default for EvidenceSettings {
    fn default() -> Self {
        EvidenceSettings {
            warn_days: default_warn_days(),
        }
    }
}

fn default_warn_days() -> u32 {
    30
}

/// Bounds on what assure reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Files in git history larger than this are a finding, never read whole.
    #[serde(default = "default_max_blob")]
    pub max_blob_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_blob_bytes: default_max_blob(),
        }
    }
}

fn default_max_blob() -> u64 {
    crate::git::DEFAULT_MAX_BLOB
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// The person's GitHub login, which CI's `--actor` may name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    /// OpenSSH public keys (`ssh-ed25519 AAAA… comment`) that sign the person's commits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signing_keys: Vec<String>,
}

/// The roles of DESIGN.md §3, from least to most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Reader,
    Contributor,
    Assessor,
    Administrator,
    PortalAdmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Reader,
        Role::Contributor,
        Role::Assessor,
        Role::Administrator,
        Role::PortalAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Contributor => "contributor",
            Role::Assessor => "assessor",
            Role::Administrator => "administrator",
            Role::PortalAdmin => "portal-admin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncSettings {
    #[serde(default = "SyncField::all")]
    pub fields: Vec<SyncField>,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            fields: SyncField::all(),
        }
    }
}

/// The fields of a customer-managed control that sync keeps equal across a sync class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncField {
    Status,
    Implementation,
    TestPlan,
    ManagementResponse,
    TestDate,
    TestResult,
    AssignedTo,
    Documents,
}

impl SyncField {
    pub fn all() -> Vec<SyncField> {
        use SyncField::*;
        vec![
            Status,
            Implementation,
            TestPlan,
            ManagementResponse,
            TestDate,
            TestResult,
            AssignedTo,
            Documents,
        ]
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SyncField::Status => "status",
            SyncField::Implementation => "implementation",
            SyncField::TestPlan => "test_plan",
            SyncField::ManagementResponse => "management_response",
            SyncField::TestDate => "test_date",
            SyncField::TestResult => "test_result",
            SyncField::AssignedTo => "assigned_to",
            SyncField::Documents => "documents",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// A URL pattern with `{commit}` and `{path}` for links to documents.
    #[serde(default)]
    pub link_base: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notifications {
    pub smtp: Smtp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    pub from: String,
    /// How the connection is encrypted. `None`: STARTTLS when the server offers it,
    /// and required when credentials are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<SmtpTls>,
}

/// `notifications.smtp.tls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS; a server without it is an error.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Implicit,
}

fn default_smtp_port() -> u16 {
    25
}

/// `groups/<id>/group.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
