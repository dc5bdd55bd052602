//! Past fuzz crashers and tricky inputs, replayed through the same functions as the cargo-fuzz
//! targets in `fuzz/fuzz_targets/`: no panic, and the same answer twice.
//!
//! Each file under `tests/fuzz_regressions/<target>/` is one raw input, exactly as libFuzzer
//! would hand it to `<target>` (for `dates` the first five bytes choose the publication date,
//! for `analyze` the first byte chooses the file kind and date). To add a crasher, minimise it
//! with `cargo fuzz tmin <target> <artifact>` and copy the result into that target's folder.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sitrep::gazetteer::{Gazetteer, Group, Place};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no regression inputs in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// load

fn parse(rel: &str, text: &str) -> String {
    let mut diags = Vec::new();
    let article = sitrep::load::parse_article(rel, text, &mut diags);
    format!("{article:?}\n{diags:?}")
}

fn load_one(data: &[u8]) {
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

fn dates_one(data: &[u8]) {
    if data.len() < 5 {
        return;
    }
    let date = pub_date(&data[..5]);
    let text = String::from_utf8_lossy(&data[5..]);
    let found = sitrep::dates::find_dates(&text, date);
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
        sitrep::dates::find_dates(&text, date),
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

/// The same gazetteer as `fuzz/fuzz_targets/analyze.rs`.
fn gazetteer() -> Gazetteer {
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

fn analyze_one(g: &Gazetteer, data: &[u8]) {
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
    let Some(mut article) = sitrep::load::parse_article(rel, &text, &mut diags) else {
        return;
    };
    if data[0] & 2 != 0 {
        article.date = NaiveDate::from_ymd_opt(2024, 10, 28);
    }
    let settings = sitrep::load::Config::default().extraction;
    let first = sitrep::analyze::analyze(&article, g, &settings);
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
    let second = sitrep::analyze::analyze(&article, g, &settings);
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "analyze is not deterministic"
    );
}

// ---------------------------------------------------------------------------------------------

/// Run each input on a thread with the stack a fuzz target gets (the main thread's 8 MiB),
/// naming the file when it fails.
fn replay(target: &str, run: impl Fn(&[u8]) + Sync) {
    for (path, bytes) in inputs(target) {
        let outcome = std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn_scoped(s, || run(&bytes))
                .unwrap()
                .join()
        });
        assert!(outcome.is_ok(), "{target}: {} panicked", path.display());
    }
}

#[test]
fn load_regressions() {
    replay("load", load_one);
}

#[test]
fn dates_regressions() {
    replay("dates", dates_one);
}

#[test]
fn analyze_regressions() {
    let g = gazetteer();
    replay("analyze", |data| analyze_one(&g, data));
}
