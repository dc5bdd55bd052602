//! An article analysed against a small gazetteer built once in code.
#![no_main]

use std::sync::LazyLock;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use sitrep::gazetteer::{Gazetteer, Group, Place};

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

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
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
});

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    // The first byte chooses whether the article keeps its own date or gets a fixed one.
    let text = String::from_utf8_lossy(&data[1..]);
    let mut diags = Vec::new();
    let rel = if data[0] & 1 == 0 {
        "content/articles/x.md"
    } else {
        "content/articles/x.txt"
    };
    let Some(mut article) = sitrep::load::parse_article(rel, &text, &mut diags) else {
        return;
    };
    if data[0] & 2 != 0 {
        article.date = NaiveDate::from_ymd_opt(2024, 10, 28);
    }
    let settings = sitrep::load::Config::default().extraction;
    let first = sitrep::analyze::analyze(&article, &GAZETTEER, &settings);
    for m in &first.mentions {
        let sentence = &first
            .sentences
            .iter()
            .find(|s| s.n == m.sentence)
            .expect("mention's sentence exists")
            .text;
        assert_eq!(
            sentence.get(m.start..m.end),
            Some(m.text.as_str()),
            "mention text is not the sentence slice {}..{}",
            m.start,
            m.end
        );
    }
    let second = sitrep::analyze::analyze(&article, &GAZETTEER, &settings);
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "analyze is not deterministic"
    );
});
