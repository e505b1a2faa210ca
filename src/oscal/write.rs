//! A certification as the YAML text of `catalog/certifications/<id>.yaml`.
//!
//! The layout is that of docs/format.md, key for key, so a generated file reads like a
//! hand-written one. Every string is double-quoted with JSON-style escapes, which YAML
//! reads the same way: no title can turn into a number, a boolean, a comment or a
//! mapping, whatever it holds. The output is a function of the certification alone.

use std::fmt::Write as _;

use crate::model::Certification;
use crate::repo::yaml::quote;

/// The YAML text of `cert`, optionally preceded by `# yaml-language-server: $schema=…`.
pub fn certification_yaml(cert: &Certification, schema_line: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(schema) = schema_line {
        // A newline in the schema reference would end the comment early.
        let schema = schema.replace(['\n', '\r'], " ");
        let _ = writeln!(out, "# yaml-language-server: $schema={schema}");
    }
    let _ = writeln!(out, "id: {}", quote(&cert.id));
    let _ = writeln!(out, "name: {}", quote(&cert.name));
    if let Some(title) = &cert.title {
        let _ = writeln!(out, "title: {}", quote(title));
    }
    let _ = writeln!(out, "version: {}", quote(&cert.version));
    if let Some(description) = &cert.description {
        let _ = writeln!(out, "description: {}", quote(description));
    }
    if let Some(source) = &cert.source {
        let _ = writeln!(out, "source: {}", quote(source));
    }
    if let Some(term) = &cert.family_term {
        let _ = writeln!(out, "family_term: {}", quote(term));
    }
    if let Some(term) = &cert.reference_term {
        let _ = writeln!(out, "reference_term: {}", quote(term));
    }
    if !cert.categories.is_empty() {
        out.push_str("categories:\n");
        for category in &cert.categories {
            let _ = writeln!(out, "  - id: {}", quote(&category.id));
            let _ = writeln!(out, "    name: {}", quote(&category.name));
            if category.required {
                out.push_str("    required: true\n");
            }
        }
    }
    if cert.families.is_empty() {
        out.push_str("families: []\n");
        return out;
    }
    out.push_str("families:\n");
    for family in &cert.families {
        let _ = writeln!(out, "  - name: {}", quote(&family.name));
        if let Some(category) = &family.category {
            let _ = writeln!(out, "    category: {}", quote(category));
        }
        if family.controls.is_empty() {
            out.push_str("    controls: []\n");
            continue;
        }
        out.push_str("    controls:\n");
        for control in &family.controls {
            let _ = writeln!(out, "      - id: {}", quote(&control.id));
            let _ = writeln!(out, "        title: {}", quote(&control.title));
            if !control.articles.is_empty() {
                let articles: Vec<String> = control.articles.iter().map(|a| quote(a)).collect();
                let _ = writeln!(out, "        articles: [{}]", articles.join(", "));
            }
            let _ = writeln!(out, "        score: {}", control.score);
            if let Some(description) = &control.description {
                let _ = writeln!(out, "        description: {}", quote(description));
            }
            if !control.attributes.is_empty() {
                out.push_str("        attributes:\n");
                for (name, values) in &control.attributes {
                    let values: Vec<String> = values.iter().map(|v| quote(v)).collect();
                    let _ = writeln!(out, "          {}: [{}]", quote(name), values.join(", "));
                }
            }
            if !control.examples.is_empty() {
                out.push_str("        examples:\n");
                for example in &control.examples {
                    let _ = writeln!(out, "          - {}", quote(example));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CatalogControl, Family};

    fn tricky() -> Certification {
        Certification {
            id: "tricky".into(),
            name: "yes".into(),
            title: Some("# not a comment: {really} [no] & *anchor".into()),
            version: "1.10".into(),
            description: Some("two\nlines\twith \"quotes\" and \\ backslash".into()),
            source: None,
            family_term: Some("Clause: \"x\"".into()),
            reference_term: None,
            categories: Vec::new(),
            families: vec![
                Family {
                    name: "null".into(),
                    category: None,
                    controls: vec![
                        CatalogControl {
                            id: "5.1".into(),
                            title: "- dash, é, 漢字, \u{1F600}, \u{7f}\u{85}\u{2028}\u{feff}\u{1}"
                                .into(),
                            articles: vec!["Article (5)(1)(f)".into(), "a, b: c".into()],
                            score: 8,
                            description: None,
                            attributes: Default::default(),
                            examples: vec!["one: two".into(), "- three\nfour".into()],
                        },
                        CatalogControl {
                            id: "AC-2(1)".into(),
                            title: "  leading and trailing  ".into(),
                            articles: vec![],
                            score: 1,
                            description: Some(String::new()),
                            attributes: Default::default(),
                            examples: vec![],
                        },
                    ],
                },
                Family {
                    name: "empty".into(),
                    category: None,
                    controls: vec![],
                },
            ],
        }
    }

    #[test]
    fn round_trips() {
        let cert = tricky();
        let text = certification_yaml(&cert, Some("../../schemas/certification.json"));
        assert!(text.starts_with(
            "# yaml-language-server: $schema=../../schemas/certification.json\nid: \"tricky\"\n"
        ));
        let json = crate::repo::yaml::parse_to_json(&text).expect(&text);
        let back: Certification = serde_json::from_value(json).expect(&text);
        assert_eq!(back, cert);
        assert_eq!(
            certification_yaml(&cert, None),
            certification_yaml(&back, None)
        );
    }

    #[test]
    fn categories_and_attributes_round_trip() {
        let mut cert = tricky();
        cert.categories = vec![
            crate::model::Category {
                id: "security".into(),
                name: "Security: \"common\"".into(),
                required: true,
            },
            crate::model::Category {
                id: "privacy".into(),
                name: "Privacy".into(),
                required: false,
            },
        ];
        cert.families[1].category = Some("privacy".into());
        cert.families[0].controls[0].attributes = [
            ("control-type".to_string(), vec!["preventive".to_string()]),
            ("a: b".to_string(), vec!["x".to_string(), "- y".to_string()]),
        ]
        .into();
        let text = certification_yaml(&cert, None);
        assert!(text.contains("categories:\n  - id: \"security\"\n    name: \"Security: \\\"common\\\"\"\n    required: true\n  - id: \"privacy\"\n    name: \"Privacy\"\nfamilies:\n"), "{text}");
        assert!(text.contains("        attributes:\n          \"a: b\": [\"x\", \"- y\"]\n          \"control-type\": [\"preventive\"]\n"), "{text}");
        let json = crate::repo::yaml::parse_to_json(&text).expect(&text);
        let back: Certification = serde_json::from_value(json).expect(&text);
        assert_eq!(back, cert);
    }

    #[test]
    fn layout() {
        let mut cert = tricky();
        cert.families.truncate(1);
        cert.families[0].controls.truncate(1);
        cert.title = None;
        cert.description = None;
        cert.families[0].controls[0].title = "Title".into();
        assert_eq!(
            certification_yaml(&cert, None),
            "id: \"tricky\"\nname: \"yes\"\nversion: \"1.10\"\nfamily_term: \"Clause: \\\"x\\\"\"\nfamilies:\n  - name: \"null\"\n    controls:\n      \
             - id: \"5.1\"\n        title: \"Title\"\n        articles: [\"Article (5)(1)(f)\", \"a, b: c\"]\n        \
             score: 8\n        examples:\n          - \"one: two\"\n          - \"- three\\nfour\"\n"
        );
    }
}
