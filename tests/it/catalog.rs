//! The built-in catalog and schemas: they compile, validate clean, and hold what
//! DESIGN.md §2 promises.

use assure::ops::Project;

use crate::support::TestRepo;

fn catalog_project() -> (TestRepo, Project) {
    let repo = TestRepo::base();
    let project = Project::work_tree(repo.path()).expect("open");
    (repo, project)
}

#[test]
fn built_in_catalog_and_schemas_load_without_findings() {
    let (_repo, project) = catalog_project();
    assert_eq!(
        project.diagnostics,
        vec![],
        "the built-in catalog loads clean"
    );
    for kind in assure::schema::Kind::ALL {
        let (name, text) = (kind.name(), kind.schema());
        let schema: serde_json::Value = serde_json::from_str(text).expect("json");
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("compiles");
    }
}

#[test]
fn built_in_catalog_has_what_the_design_promises() {
    let (_repo, project) = catalog_project();
    let cat = &project.catalog;
    for s in ["office-365", "azure", "dynamics-365"] {
        assert!(cat.services.contains_key(s), "{s}");
        for c in ["gdpr", "iso-27001-2013", "iso-27018-2014", "nist-800-53-r5"] {
            assert!(cat.template(s, c).is_some(), "template {s}--{c}");
        }
    }
    let gdpr = &cat.certifications["gdpr"];
    assert!(gdpr.controls().count() >= 40);
    assert!(
        gdpr.controls().all(|(_, c)| !c.articles.is_empty()
            && c.articles.iter().all(|a| a.starts_with("Article (")))
    );
    let (_, shared) = gdpr.control("6.10.1.2").expect("the seed's control");
    assert_eq!(shared.score, 8);
    assert_eq!(cat.certifications["iso-27001-2013"].controls().count(), 114);
    let nist = &cat.certifications["nist-800-53-r5"];
    assert_eq!(
        nist.controls().count(),
        1014,
        "every non-withdrawn control and enhancement"
    );
    let (family, sc13) = nist.control("SC-13").expect("SC-13");
    assert_eq!(
        (family.name.as_str(), sc13.title.as_str(), sc13.score),
        (
            "System and Communications Protection",
            "Cryptographic Protection",
            8
        )
    );
    assert!(nist.control("AC-2(1)").is_some());
    // The seed's related controls form one sync class; the crosswalk is informative only.
    assert_eq!(
        cat.related("gdpr", "6.10.1.2")
            .iter()
            .filter(|r| r.starts_with("nist-800-53-r5:"))
            .collect::<Vec<_>>(),
        vec![&"nist-800-53-r5:SC-13"]
    );
    assert!(!cat.informative("nist-800-53-r5", "SC-13").is_empty());
    assert!(cat.related("nist-800-53-r5", "SC-13").len() < assure::catalog::MAX_SYNC_CLASS);
    // 6.10.1.2 and SC-13 are customer-managed everywhere.
    for s in ["office-365", "azure", "dynamics-365"] {
        assert!(
            !cat.template(s, "gdpr")
                .expect("t")
                .template
                .provider_controls
                .contains_key("6.10.1.2")
        );
        assert!(
            !cat.template(s, "nist-800-53-r5")
                .expect("t")
                .template
                .provider_controls
                .contains_key("SC-13")
        );
    }
}

#[test]
fn schema_command_prints_each_schema() {
    let root = crate::support::project_root();
    let out = crate::support::assure(&["schema"], &root);
    assert!(
        out.stdout
            .contains("assessment     groups/<group-id>/<service>--<certification>.yaml"),
        "{}",
        out.stdout
    );
    for kind in assure::schema::Kind::ALL {
        let out = crate::support::assure(&["schema", kind.name()], &root);
        assert_eq!(out.code, 0);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        assert!(v["title"].is_string());
    }
    let out = crate::support::assure(&["schema", "assesment"], &root);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("did you mean `assessment`?"));
}
