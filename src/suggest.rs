//! "Did you mean": the closest known name to a word that is not one, for the help of a
//! finding or an error (an unknown control, person, property, schema, command option).
//!
//! One rule everywhere: a candidate is close when its edit distance (Levenshtein, over
//! characters, case ignored) is at most 2 or a quarter of its length; among close ones
//! the nearest wins, ties broken by the distance with case, then by name.

/// The closest of `candidates` to `word`, if it is close enough to be a typo.
pub fn closest<S: AsRef<str>>(word: &str, candidates: &[S]) -> Option<String> {
    // Case counts least: `sc-13` means `SC-13` (not `AU-13`, as far off by case alone).
    let lower = word.to_lowercase();
    candidates
        .iter()
        .map(|c| {
            let c = c.as_ref();
            let d = strsim::levenshtein(&lower, &c.to_lowercase());
            (d, strsim::levenshtein(word, c), c)
        })
        .filter(|(d, _, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, _, c)| c.to_owned())
}

/// "did you mean `x`?" when one candidate is close, else the list of candidates (up to 12).
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = candidates.collect();
    match closest(word, &all) {
        Some(s) => format!("did you mean `{s}`?"),
        None if all.len() <= 12 => format!("known: {}", all.join(", ")),
        None => format!("known: {}, … ({} in all)", all[..12].join(", "), all.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_counts_least() {
        assert_eq!(
            closest("sc-13", &["AU-13", "SC-13"]).as_deref(),
            Some("SC-13")
        );
    }

    #[test]
    fn far_words_are_not_suggested() {
        assert_eq!(closest("status", &["documents", "action"]), None);
        assert_eq!(
            closest("stauts", &["documents", "status"]).as_deref(),
            Some("status")
        );
    }

    #[test]
    fn without_a_close_one_the_known_names_are_listed() {
        assert_eq!(
            did_you_mean("xyz", ["alpha", "beta"].into_iter()),
            "known: alpha, beta"
        );
        let many: Vec<String> = (0..20).map(|i| format!("name-{i:02}")).collect();
        let text = did_you_mean("zzzzzzzz", many.iter().map(String::as_str));
        assert!(text.ends_with(", … (20 in all)"), "{text}");
        assert_eq!(
            did_you_mean("nmae-07", many.iter().map(String::as_str)),
            "did you mean `name-07`?"
        );
    }
}
