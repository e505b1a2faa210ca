//! What the site is made of besides its pages: the minijinja templates (HTML,
//! auto-escaped because their names end in `.html`), the style sheet and the filter
//! script, compiled into the binary and written beside the pages.

use minijinja::{Environment, UndefinedBehavior};

use super::ReportError;
use crate::text::{Medium, empty};

pub(super) const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
    (
        "assessment.html",
        include_str!("../templates/assessment.html"),
    ),
    ("actions.html", include_str!("../templates/actions.html")),
    (
        "action_row.html",
        include_str!("../templates/action_row.html"),
    ),
    (
        "public_index.html",
        include_str!("../templates/public_index.html"),
    ),
    (
        "public_certification.html",
        include_str!("../templates/public_certification.html"),
    ),
    (
        "public_template.html",
        include_str!("../templates/public_template.html"),
    ),
];
pub(super) const STYLE: &str = include_str!("../templates/style.css");
pub(super) const SCRIPT: &str = include_str!("../templates/app.js");

pub(super) fn environment() -> Result<Environment<'static>, ReportError> {
    let mut env = Environment::new();
    // A misspelt variable is a bug, not an empty string.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Templates spell an empty value as the pages' code does.
    env.add_global("empty", empty(Medium::Html));
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .map_err(|e| ReportError::Template(format!("{name}: {e}")))?;
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_compile() {
        environment().expect("templates compile");
    }
}
