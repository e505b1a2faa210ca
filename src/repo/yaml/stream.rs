//! The fast route from YAML text to the typed model: serde reads the parser's events
//! directly, and the schema's [`Plan`] is checked on the way, so no tree and no JSON value
//! is built for a valid file.
//!
//! The route gives up ([`Bail`]) at the first thing it does not take on: a schema
//! violation, a YAML error, a duplicate key, an anchor, alias or tag, a second document, a
//! value serde refuses. Then the file is read the usual way
//! ([`yaml::parse_to_json`], the jsonschema crate, serde from
//! the JSON value), which finds and explains what is wrong. So this route only ever says
//! "valid, and here is the model" — and then it is what the usual route says (tested
//! against it on every file of the project and on generated files).

use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use saphyr_parser::{Event, Parser, StrInput};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::Value as Json;

use super::{self as yaml, MAX_DEPTH};
use crate::schema::{Plan, Shape, ShapeId};

/// Reads `text` into `T`, checking it against `plan` on the way; `None` if the file is
/// not plainly valid (read it the usual way to find out why).
pub fn read<T: DeserializeOwned>(text: &str, plan: &Plan) -> Option<T> {
    yaml::check_printable(text).ok()?;
    let mut stream = Stream {
        parser: Parser::new_from_str(text),
        peeked: None,
        depth: 0,
        plan,
    };
    let typed = (|| {
        stream.expect_start()?;
        let typed = T::deserialize(Place {
            stream: &mut stream,
            shape: 0,
        })?;
        stream.expect_end()?;
        Ok::<_, Bail>(typed)
    })();
    typed.ok()
}

/// Why the fast route gave up: not said, as the usual route will say it better.
#[derive(Debug)]
pub struct Bail;

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not on the fast route")
    }
}

impl std::error::Error for Bail {}

impl de::Error for Bail {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Bail
    }
}

struct Stream<'t> {
    parser: Parser<'t, StrInput<'t>>,
    peeked: Option<Event<'t>>,
    depth: usize,
    plan: &'t Plan,
}

impl<'t> Stream<'t> {
    /// The next event; anchors, aliases and tags are left to the usual route.
    fn next(&mut self) -> Result<Event<'t>, Bail> {
        if let Some(event) = self.peeked.take() {
            return Ok(event);
        }
        loop {
            let (event, _) = self.parser.next_event().ok_or(Bail)?.map_err(|_| Bail)?;
            match event {
                Event::Nothing => {}
                Event::Alias(_)
                | Event::Scalar(_, _, 1.., _)
                | Event::Scalar(_, _, _, Some(_))
                | Event::SequenceStart(1.., _)
                | Event::SequenceStart(_, Some(_))
                | Event::MappingStart(1.., _)
                | Event::MappingStart(_, Some(_)) => return Err(Bail),
                event => return Ok(event),
            }
        }
    }

    fn peek(&mut self) -> Result<&Event<'t>, Bail> {
        if self.peeked.is_none() {
            self.peeked = Some(self.next()?);
        }
        Ok(self.peeked.as_ref().expect("just set"))
    }

    fn expect_start(&mut self) -> Result<(), Bail> {
        match (self.next()?, self.next()?) {
            (Event::StreamStart, Event::DocumentStart(_)) => Ok(()),
            _ => Err(Bail),
        }
    }

    /// The rest of the file: the end of the one document, nothing more.
    fn expect_end(&mut self) -> Result<(), Bail> {
        loop {
            match self.next()? {
                Event::DocumentEnd => {}
                Event::StreamEnd => return Ok(()),
                _ => return Err(Bail),
            }
        }
    }

    fn enter(&mut self) -> Result<(), Bail> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }
}

fn hash(key: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(key)
}

/// One value to read, at `shape` of the plan.
struct Place<'s, 't> {
    stream: &'s mut Stream<'t>,
    shape: ShapeId,
}

impl<'s, 't> Place<'s, 't> {
    fn shape(&self) -> &'t Shape {
        self.stream.plan.shape(self.shape)
    }

    /// Reads a scalar and checks it; `Err` if the next value is not an allowed scalar.
    fn scalar(&mut self) -> Result<Json, Bail> {
        let Event::Scalar(text, style, ..) = self.stream.next()? else {
            return Err(Bail);
        };
        // Resolved as the usual route resolves it (a tagged scalar never comes here).
        let value = yaml::resolve_json(text, style);
        match self.shape() {
            Shape::Any => Ok(value),
            Shape::Leaf(leaf) if leaf.accepts(&value) => Ok(value),
            _ => Err(Bail),
        }
    }
}

fn visit_json<'de, V: Visitor<'de>>(value: Json, visitor: V) -> Result<V::Value, Bail> {
    match value {
        Json::Null => visitor.visit_unit(),
        Json::Bool(b) => visitor.visit_bool(b),
        Json::Number(n) => {
            if let Some(u) = n.as_u64() {
                visitor.visit_u64(u)
            } else if let Some(i) = n.as_i64() {
                visitor.visit_i64(i)
            } else {
                visitor.visit_f64(n.as_f64().ok_or(Bail)?)
            }
        }
        Json::String(s) => visitor.visit_string(s),
        Json::Array(_) | Json::Object(_) => Err(Bail),
    }
}

impl<'de> de::Deserializer<'de> for Place<'_, '_> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Bail> {
        match self.stream.peek()? {
            Event::Scalar(..) => {
                let value = self.scalar()?;
                visit_json(value, visitor)
            }
            Event::MappingStart(..) => {
                if !matches!(self.shape(), Shape::Object { .. } | Shape::Any) {
                    return Err(Bail);
                };
                self.stream.next()?;
                self.stream.enter()?;
                let mut map = Map {
                    stream: &mut *self.stream,
                    shape: self.shape,
                    seen: 0,
                    others: Vec::new(),
                    value: None,
                    done: false,
                };
                let value = visitor.visit_map(&mut map)?;
                if !map.done {
                    return Err(Bail);
                }
                self.stream.depth -= 1;
                Ok(value)
            }
            Event::SequenceStart(..) => {
                let (items, min_items) = match self.shape() {
                    Shape::Array { items, min_items } => (*items, *min_items),
                    Shape::Any => (self.shape, 0),
                    _ => return Err(Bail),
                };
                self.stream.next()?;
                self.stream.enter()?;
                let mut seq = Seq {
                    stream: &mut *self.stream,
                    items,
                    min_items,
                    count: 0,
                    done: false,
                };
                let value = visitor.visit_seq(&mut seq)?;
                if !seq.done {
                    return Err(Bail);
                }
                self.stream.depth -= 1;
                Ok(value)
            }
            _ => Err(Bail),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Bail> {
        if let Event::Scalar(..) = self.stream.peek()? {
            let value = self.scalar()?;
            return match value {
                Json::Null => visitor.visit_none(),
                value => visitor.visit_some(Scalar(value)),
            };
        }
        visitor.visit_some(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        Scalar(self.scalar()?).deserialize_enum(name, variants, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Bail> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

/// A scalar already read and checked (the value of an `Option`).
struct Scalar(Json);

impl<'de> de::Deserializer<'de> for Scalar {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        visit_json(self.0, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        // Unit variants, written as strings, are all the model has.
        match self.0 {
            Json::String(s) => visitor.visit_enum(s.into_deserializer()),
            _ => Err(Bail),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Bail> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// The entries of a mapping, checked against an object shape (or anything).
struct Map<'s, 't> {
    stream: &'s mut Stream<'t>,
    shape: ShapeId,
    /// The named properties met so far, a bit each.
    seen: u64,
    /// Hashes of the other keys met so far: two equal (a key written twice, or by
    /// chance two keys) send the file the usual way.
    others: Vec<u64>,
    /// Where the value of the key just read goes.
    value: Option<ShapeId>,
    done: bool,
}

impl<'de, 't> de::MapAccess<'de> for Map<'_, 't> {
    type Error = Bail;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Bail> {
        let shape = self.stream.plan.shape(self.shape);
        let key = match self.stream.next()? {
            Event::MappingEnd => {
                if let Shape::Object { required, .. } = shape
                    && self.seen & required != *required
                {
                    return Err(Bail);
                }
                self.others.sort_unstable();
                if self.others.windows(2).any(|w| w[0] == w[1]) {
                    return Err(Bail);
                }
                self.done = true;
                return Ok(None);
            }
            Event::Scalar(key, ..) => key,
            _ => return Err(Bail),
        };
        let value = match shape {
            Shape::Object {
                properties,
                additional,
                names,
                ..
            } => {
                if let Some(names) = names
                    && !names.accepts(&Json::String(key.clone().into_owned()))
                {
                    return Err(Bail);
                }
                match properties.iter().position(|(name, _)| *name == *key) {
                    Some(at) => {
                        if self.seen & (1 << at) != 0 {
                            return Err(Bail);
                        }
                        self.seen |= 1 << at;
                        properties[at].1
                    }
                    None => {
                        let value = additional.ok_or(Bail)?;
                        self.others.push(hash(&key));
                        value
                    }
                }
            }
            _ => {
                self.others.push(hash(&key));
                self.shape
            }
        };
        self.value = Some(value);
        seed.deserialize(de::value::CowStrDeserializer::<Bail>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Bail> {
        let shape = self.value.take().ok_or(Bail)?;
        seed.deserialize(Place {
            stream: &mut *self.stream,
            shape,
        })
    }
}

/// The items of a list, checked against an array shape (or anything).
struct Seq<'s, 't> {
    stream: &'s mut Stream<'t>,
    items: ShapeId,
    min_items: usize,
    count: usize,
    done: bool,
}

impl<'de> de::SeqAccess<'de> for Seq<'_, '_> {
    type Error = Bail;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Bail> {
        if let Event::SequenceEnd = self.stream.peek()? {
            self.stream.next()?;
            if self.count < self.min_items {
                return Err(Bail);
            }
            self.done = true;
            return Ok(None);
        }
        self.count += 1;
        seed.deserialize(Place {
            stream: &mut *self.stream,
            shape: self.items,
        })
        .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::list::{Entry, classify};
    use crate::repo::read::{Typed, checked, fast_typed};
    use crate::repo::source::FileId;
    use crate::schema::{self, Kind};
    use proptest::prelude::*;
    use std::sync::OnceLock;

    /// The usual route: JSON, the jsonschema crate, serde from the JSON. `None` if the
    /// file has any finding.
    fn usual(kind: Kind, text: &str) -> Option<Typed> {
        let value = yaml::parse_to_json(text).ok()?;
        let node = yaml::Node::new(0..0, yaml::Value::Null);
        let mut out = Vec::new();
        let (_, typed) = checked(kind, FileId(0), node, value, &mut out)?;
        out.is_empty().then_some(typed)
    }

    /// The fast route only ever accepts what the usual route accepts, with the same model.
    fn agree(kind: Kind, text: &str) -> bool {
        let fast = fast_typed(kind, text);
        if let Some(fast) = &fast {
            assert_eq!(
                usual(kind, text).as_ref(),
                Some(fast),
                "{kind:?} file the fast route accepts:\n{text}"
            );
        }
        fast.is_some()
    }

    fn kind_of(path: &str) -> Option<Kind> {
        match classify(path) {
            Entry::Config => Some(Kind::Config),
            Entry::Group { .. } => Some(Kind::Group),
            Entry::Assessment { .. } => Some(Kind::Assessment),
            Entry::Catalog(kind) => Some(kind),
            _ => None,
        }
    }

    /// Every YAML file of the project, with its kind: the built-in catalog and example,
    /// the test fixtures (valid and invalid), and a generated repository.
    fn corpus() -> &'static [(Kind, String)] {
        static CORPUS: OnceLock<Vec<(Kind, String)>> = OnceLock::new();
        CORPUS.get_or_init(|| {
            let mut files = Vec::new();
            let mut add = |path: &str, text: &str| {
                if let Some(kind) = kind_of(path) {
                    files.push((kind, text.to_owned()));
                }
            };
            for (path, text) in crate::assets::CATALOG_FILES {
                add(path, text);
            }
            for (path, bytes) in crate::assets::EXAMPLE_FILES {
                if let Ok(text) = std::str::from_utf8(bytes) {
                    add(path, text);
                }
            }
            let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
            let generated = tempfile::tempdir().expect("temporary folder");
            crate::ops::generate::generate(
                generated.path(),
                &crate::ops::generate::Spec {
                    groups: 2,
                    assessments: 3,
                    controls: 40,
                    seed: 7,
                    commits: 0,
                },
            )
            .expect("generated");
            for root in [fixtures.as_path(), generated.path()] {
                for entry in walkdir::WalkDir::new(root)
                    .into_iter()
                    .filter_map(Result::ok)
                {
                    let path = entry.path().to_string_lossy().replace('\\', "/");
                    let Ok(text) = std::fs::read_to_string(entry.path()) else {
                        continue;
                    };
                    // The path inside its repository: after `files/` in an invalid
                    // fixture, else after the fixture's or generated folder's root.
                    let relative = path
                        .rsplit_once("/files/")
                        .map(|(_, r)| r.to_owned())
                        .or_else(|| {
                            let inner = entry.path().strip_prefix(root).ok()?;
                            let inner = inner.to_string_lossy().replace('\\', "/");
                            Some(if root == fixtures.as_path() {
                                inner.split_once('/')?.1.to_owned()
                            } else {
                                inner
                            })
                        });
                    if let Some(relative) = relative {
                        add(&relative, &text);
                    }
                }
            }
            files
        })
    }

    #[test]
    fn the_plan_covers_the_kinds_that_matter_at_scale() {
        // Assessments are nearly all of a large repository's bytes.
        for kind in [
            Kind::Assessment,
            Kind::Group,
            Kind::Services,
            Kind::Certification,
        ] {
            assert!(schema::plan(kind).is_some(), "{kind:?}");
        }
        // `uniqueItems` is not in the plan: these few files take the usual route.
        for kind in [Kind::Config, Kind::Template, Kind::Mapping] {
            assert!(schema::plan(kind).is_none(), "{kind:?}");
        }
    }

    #[test]
    fn on_every_file_of_the_project_the_routes_agree_and_valid_files_are_fast() {
        let corpus = corpus();
        let mut fast = 0;
        for (kind, text) in corpus {
            let plain = !text.contains(['&', '*', '!']);
            if agree(*kind, text) {
                fast += 1;
            } else if plain && schema::plan(*kind).is_some() {
                // A plain valid file of a planned kind must not miss the fast route.
                assert!(
                    usual(*kind, text).is_none(),
                    "{kind:?} file not taken fast:\n{text}"
                );
            }
        }
        assert!(corpus.len() > 100, "{}", corpus.len());
        assert!(
            fast > 50,
            "{fast} of {} files took the fast route",
            corpus.len()
        );
    }

    #[test]
    fn what_the_fast_route_leaves_to_the_usual_one() {
        let valid = "service: office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\n";
        assert!(agree(Kind::Assessment, valid));
        for text in [
            // schema findings
            "service: office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\n",
            "service: Office\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\n",
            "service: office-365\ncertification: gdpr\ncreated: yesterday\ncreated_by: a@example.com\n",
            "service: office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: nobody\n",
            "service: office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\nextra: 1\n",
            "service: office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\ncontrols:\n  c1:\n    status: done\n",
            "service: office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\ncontrols:\n  '':\n    status: planned\n",
            "service: 5\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\n",
            // YAML the fast route does not take on: duplicates, anchors, tags, documents
            "service: office-365\nservice: office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\n",
            "service: office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\ncontrols:\n  c1: {}\n  c1: {}\n",
            "service: &s office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\n",
            "service: !!str office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\n",
            "service: office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: a@example.com\n---\na: 1\n",
            "service: [office-365\n",
            "",
        ] {
            assert!(!agree(Kind::Assessment, text), "taken fast:\n{text}");
        }
    }

    /// The same on every input of a fuzzing corpus (`fuzz/corpus/load_file` or
    /// `validate_repo`: a selector byte picking the kind, then the file), which coverage
    /// guidance drove into the parser's and schema's corners:
    /// `ASSURE_FUZZ_CORPUS=fuzz/corpus/load_file cargo test --release --lib -- --ignored corpus`.
    #[test]
    #[ignore = "needs a fuzzing corpus (ASSURE_FUZZ_CORPUS)"]
    fn on_a_fuzzing_corpus_the_routes_agree() {
        let dir = std::env::var("ASSURE_FUZZ_CORPUS").expect("ASSURE_FUZZ_CORPUS=folder");
        let kinds = Kind::ALL;
        let (mut inputs, mut fast) = (0, 0);
        for entry in std::fs::read_dir(&dir).expect("a folder") {
            let bytes = std::fs::read(entry.expect("listed").path()).expect("readable");
            let Some((&selector, rest)) = bytes.split_first() else {
                continue;
            };
            let Ok(text) = std::str::from_utf8(rest) else {
                continue;
            };
            inputs += 1;
            if agree(kinds[usize::from(selector) % kinds.len()], text) {
                fast += 1;
            }
        }
        eprintln!("{inputs} inputs, {fast} taken by the fast route, all agreeing");
        assert!(inputs > 0, "no input in {dir}");
    }

    /// Values that are wrong, or right, in tricky ways.
    const VALUES: &[&str] = &[
        "",
        "~",
        "null",
        "1",
        "-1",
        "1.5",
        "1e3",
        ".inf",
        ".nan",
        "0x1F",
        "true",
        "\"x\"",
        "'x'",
        "[]",
        "[a]",
        "{}",
        "{a: 1}",
        "2019-04-02",
        "2019-13-02",
        "2019-04-02T10:00:00Z",
        "2019-04-02 10:00:00",
        "a@example.com",
        "not an email",
        "planned",
        "Planned",
        "implemented",
        "passed",
        "failed-low-risk",
        "high",
        "evidence/a.pdf",
        "/etc/passwd",
        "'6.10.1.2'",
        "office-365",
        "Office 365",
        "|\n  block\n  text",
        ">-\n  folded",
        "&a x",
        "*a",
        "!!str 5",
        "\"\\u00e9\"",
        "\"a\\tb\"",
        "99999999999999999999",
    ];
    const KEYS: &[&str] = &[
        "status",
        "implementation",
        "test_date",
        "test_result",
        "assigned_to",
        "action",
        "documents",
        "priority",
        "notes",
        "notify",
        "path",
        "sha256",
        "purpose",
        "unknown",
        "''",
        "\"status\"",
        "service",
        "created_by",
        "controls",
        "1",
        "null",
    ];

    fn mutate(text: &str, edits: &[(usize, u8, usize)]) -> String {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        for &(at, op, pick) in edits {
            if lines.is_empty() {
                break;
            }
            let i = at % lines.len();
            let line = lines[i].clone();
            let indent = line.len() - line.trim_start().len();
            match op % 6 {
                // a new value
                0 => {
                    if let Some((key, _)) = line.split_once(':') {
                        lines[i] = format!("{key}: {}", VALUES[pick % VALUES.len()]);
                    }
                }
                // a new key
                1 => {
                    if let Some((_, value)) = line.split_once(':') {
                        let key = KEYS[pick % KEYS.len()];
                        lines[i] = format!("{}{key}:{value}", &line[..indent]);
                    }
                }
                2 => {
                    lines.remove(i);
                }
                3 => lines.insert(i, line),
                4 => lines[i] = format!("  {line}"),
                _ => lines[i] = line.get(2.min(indent)..).unwrap_or_default().to_owned(),
            }
        }
        lines.join("\n") + "\n"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn on_mutated_files_the_fast_route_never_accepts_what_the_usual_one_refuses(
            file in any::<prop::sample::Index>(),
            edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..4),
        ) {
            let corpus = corpus();
            let (kind, text) = &corpus[file.index(corpus.len())];
            agree(*kind, &mutate(text, &edits));
        }

        /// Small texts of YAML's punctuation, as a file of any kind.
        #[test]
        fn on_any_small_text_the_fast_route_never_accepts_what_the_usual_one_refuses(
            kind in 0..7usize,
            text in "[a-c0-9:\\-\\[\\]{}&*!#'\" \n,?|>.~]{0,60}",
        ) {
            let kind = Kind::ALL[kind];
            agree(kind, &text);
            // and as the value of a group's name (its one required field)
            agree(Kind::Group, &format!("name: {text}"));
        }
    }
}
