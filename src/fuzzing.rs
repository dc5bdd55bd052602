//! The checks the fuzz targets (`fuzz/fuzz_targets/`) and their regression test
//! (`tests/fuzz_regressions.rs`) run on one input: no panic, and the same answer twice. Kept in
//! the library so both run exactly the same code.
#![doc(hidden)]

use chrono::NaiveDate;

use crate::gazetteer::{Gazetteer, Group, Place};

// ---------------------------------------------------------------------------------------------
// load

fn parse(rel: &str, text: &str) -> String {
    let mut diags = Vec::new();
    let article = crate::load::parse_article(rel, text, &mut diags);
    format!("{article:?}\n{diags:?}")
}

pub fn load(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for rel in ["content/articles/x.md", "content/articles/x.txt"] {
        assert_eq!(
            parse(rel, &text),
            parse(rel, &text),
            "parse_article({rel}) is not deterministic"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// dates

fn pub_date(head: &[u8]) -> Option<NaiveDate> {
    if head[0].is_multiple_of(4) {
        return None;
    }
    let year = i32::from(u16::from_le_bytes([head[1], head[2]]) % 11_000) - 999;
    let month = u32::from(head[3] % 12) + 1;
    let day = u32::from(head[4] % 31) + 1;
    NaiveDate::from_ymd_opt(year, month, day).or_else(|| NaiveDate::from_ymd_opt(year, month, 28))
}

pub fn dates(data: &[u8]) {
    if data.len() < 5 {
        return;
    }
    let date = pub_date(&data[..5]);
    let text = String::from_utf8_lossy(&data[5..]);
    let found = crate::dates::find_dates(&text, date);
    for d in &found {
        assert!(
            d.start <= d.end && d.end <= text.len(),
            "range {}..{} out of bounds",
            d.start,
            d.end
        );
        assert_eq!(d.phrase, &text[d.start..d.end], "phrase is not the text at its range");
    }
    assert_eq!(
        found,
        crate::dates::find_dates(&text, date),
        "find_dates is not deterministic"
    );
}

// ---------------------------------------------------------------------------------------------
// analyze

fn group(id: &str, name: &str, aliases: &[&str], member_of: &[&str]) -> Group {
    Group {
        id: id.into(),
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        kind: "armed-group".into(),
        member_of: member_of.iter().map(|m| m.to_string()).collect(),
        country: Some("Iraq".into()),
        description: String::new(),
        path: format!("content/groups/{id}.md"),
    }
}

fn place(id: &str, name: &str, aliases: &[&str], kind: &str, within: Option<&str>) -> Place {
    Place {
        id: id.into(),
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        kind: kind.into(),
        country: Some("Syria".into()),
        lat: Some(33.5),
        lon: Some(38.6),
        within: within.map(str::to_string),
        description: String::new(),
        path: format!("content/places/{id}.md"),
    }
}

/// The small gazetteer the analyser is fuzzed against.
pub fn gazetteer() -> Gazetteer {
    let groups = vec![
        group(
            "islamic-resistance-in-iraq",
            "Islamic Resistance in Iraq",
            &["IRI"],
            &[],
        ),
        group(
            "kataib-hezbollah",
            "Kataib Hezbollah",
            &["Kata'ib Hezbollah", "Hezbollah Brigades"],
            &["islamic-resistance-in-iraq"],
        ),
        group("hezbollah", "Hezbollah", &["Hizballah"], &[]),
    ];
    let places = vec![
        place("syria", "Syria", &[], "country", None),
        place("southeastern-syria", "southeastern Syria", &[], "region", Some("syria")),
        place(
            "al-tanf",
            "al-Tanf",
            &["Tanf", "al-Tanf garrison", "At-Tanf"],
            "base",
            Some("southeastern-syria"),
        ),
        place(
            "al-omar",
            "al-Omar",
            &["al-Omar oil field", "Omar field"],
            "oil-field",
            Some("syria"),
        ),
    ];
    let mut diags = Vec::new();
    let g = Gazetteer::new(groups, places, &mut diags);
    assert!(diags.is_empty(), "the fuzz gazetteer is invalid: {diags:?}");
    g
}

pub fn analyze(g: &Gazetteer, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    let text = String::from_utf8_lossy(&data[1..]);
    let mut diags = Vec::new();
    let rel = if data[0] & 1 == 0 {
        "content/articles/x.md"
    } else {
        "content/articles/x.txt"
    };
    let Some(mut article) = crate::load::parse_article(rel, &text, &mut diags) else {
        return;
    };
    if data[0] & 2 != 0 {
        article.date = NaiveDate::from_ymd_opt(2024, 10, 28);
    }
    let settings = crate::load::Config::default().extraction;
    let first = crate::analyze::analyze(&article, g, &settings);
    for m in &first.mentions {
        let sentence = first
            .sentences
            .iter()
            .find(|s| s.n == m.sentence())
            .map(|s| first.sentences.text(s))
            .expect("mention's sentence exists");
        assert!(
            sentence.get(m.range()).is_some_and(|t| !t.trim().is_empty()),
            "mention range {:?} is not a slice of words of its sentence",
            m.range()
        );
    }
    let second = crate::analyze::analyze(&article, g, &settings);
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "analyze is not deterministic"
    );
}
