//! Spec-style extractor tests: each case in `tests/spec/*.txt` is a sentence and its expected
//! reading. A failure names the file and line of the case, so a new phrasing is one block away.

use std::path::Path;

use chrono::NaiveDate;
use sitrep::dates::find_dates;
use sitrep::weapons::find_weapons;

/// One case: the line it starts on, its publication date (dates only), the sentence and the
/// expected lines.
struct Case {
    line: usize,
    published: Option<NaiveDate>,
    text: String,
    expected: Vec<String>,
}

fn cases(file: &str) -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec").join(file);
    let body = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let mut current: Option<Case> = None;
    let mut published = None;
    for (i, raw) in body.lines().enumerate() {
        let line = raw.trim_end();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            out.extend(current.take());
            continue;
        }
        if let Some(d) = line.strip_prefix("pub ") {
            published = Some(
                NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                    .unwrap_or_else(|e| panic!("{file}:{}: bad pub date: {e}", i + 1)),
            );
        } else if let Some(t) = line.strip_prefix("> ") {
            out.extend(current.take());
            current = Some(Case {
                line: i + 1,
                published,
                text: t.to_string(),
                expected: Vec::new(),
            });
        } else if let Some(e) = line.strip_prefix("= ") {
            let case = current
                .as_mut()
                .unwrap_or_else(|| panic!("{file}:{}: expectation without a sentence", i + 1));
            if e.trim() != "none" {
                case.expected.push(e.trim().to_string());
            }
        } else {
            panic!("{file}:{}: unexpected line: {line}", i + 1);
        }
    }
    out.extend(current);
    out
}

fn run(file: &str, read: impl Fn(&Case) -> Vec<String>) {
    let cases = cases(file);
    assert!(cases.len() >= 50, "{file} has only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = read(case);
        if got != case.expected {
            failures.push(format!(
                "tests/spec/{file}:{}: {}\n    expected: {:?}\n    got:      {:?}",
                case.line, case.text, case.expected, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn date_expressions_resolve_as_specified() {
    run("dates.txt", |case| {
        find_dates(&case.text, case.published)
            .into_iter()
            .map(|d| {
                let date = d
                    .date
                    .map_or_else(|| "unresolved".to_string(), |x| x.format("%Y-%m-%d").to_string());
                format!("{date} {} | {}", d.precision.as_str(), d.phrase)
            })
            .collect()
    });
}

#[test]
fn weapons_and_counts_read_as_specified() {
    run("weapons.txt", |case| {
        find_weapons(&case.text)
            .into_iter()
            .map(|w| format!("{} {}", w.weapon.as_str(), w.count.label()))
            .collect()
    });
}

#[test]
fn names_match_the_bundled_gazetteer_as_specified() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (corpus, diags) = sitrep::load::load(root, &sitrep::load::LoadOptions::default());
    assert!(!diags.iter().any(|d| d.is_error()), "{diags:#?}");
    let g = &corpus.gazetteer;
    run("names.txt", |case| {
        g.find_names(&case.text)
            .into_iter()
            .map(|m| {
                let (kind, id) = match &m.entity {
                    sitrep::gazetteer::EntityRef::Group(id) => ("group", id),
                    sitrep::gazetteer::EntityRef::Place(id) => ("place", id),
                };
                format!("{kind} {id} | {}", &case.text[m.start..m.end])
            })
            .collect()
    });
}

/// What one sentence, analysed alone, says: its event mentions and its facts, in the spec's
/// line format.
fn sentence_reading(g: &sitrep::gazetteer::Gazetteer, case: &Case) -> Vec<String> {
    use sitrep::analyze::FactKind;
    let article = sitrep::load::Article {
        id: "case".into(),
        path: "case.md".into(),
        title: "case".into(),
        title_derived: false,
        date: case.published,
        publisher: None,
        url: None,
        author: None,
        tags: Vec::new(),
        draft: false,
        blocks: vec![sitrep::load::Block {
            kind: sitrep::load::BlockKind::Paragraph,
            text: case.text.clone(),
            line: 1,
        }],
        repeated_blocks: 0,
    };
    let settings = sitrep::load::Config::default().extraction;
    let a = sitrep::analyze::analyze(&article, g, &settings);
    let mut lines = std::collections::BTreeSet::new();
    for e in &a.events {
        let date = e
            .date
            .map_or_else(|| "-".to_string(), |d| d.format("%Y-%m-%d").to_string());
        lines.insert(format!("event {} {date} {}", e.place, e.precision.as_str()));
    }
    for f in &a.facts {
        let line = match f.kind {
            FactKind::Count => {
                let n = f.value.split(' ').next().unwrap_or("?");
                format!("count {} {n}", f.subject.as_deref().unwrap_or("?"))
            }
            FactKind::Claim => match &f.subject {
                Some(channel) => format!("claim {} {channel}", f.value),
                None => format!("claim {}", f.value),
            },
            FactKind::Confirmation | FactKind::Denial => match &f.subject {
                Some(who) => format!("{} {} {who}", f.kind.as_str(), f.value),
                None => format!("{} {}", f.kind.as_str(), f.value),
            },
            _ => format!("{} {}", f.kind.as_str(), f.value),
        };
        lines.insert(line);
    }
    lines.into_iter().collect()
}

#[test]
fn sentences_yield_the_specified_events_and_facts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (corpus, diags) = sitrep::load::load(root, &sitrep::load::LoadOptions::default());
    assert!(!diags.iter().any(|d| d.is_error()), "{diags:#?}");
    let g = &corpus.gazetteer;
    let cases = cases("facts.txt");
    assert!(cases.len() >= 150, "facts.txt has only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = sentence_reading(g, case);
        let mut expected = case.expected.clone();
        expected.sort();
        expected.dedup();
        if got != expected {
            let missing: Vec<&String> = expected.iter().filter(|e| !got.contains(e)).collect();
            let extra: Vec<&String> = got.iter().filter(|e| !expected.contains(e)).collect();
            failures.push(format!(
                "tests/spec/facts.txt:{}: {}\n    missing: {missing:?}\n    extra:   {extra:?}",
                case.line, case.text
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
