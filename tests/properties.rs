//! Property tests: arbitrary input never panics the loader, the date resolver, the name
//! matcher or the analyser, and the same input always gives the same result.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use sitrep::gazetteer::Gazetteer;

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        sitrep::load::load(root, &sitrep::load::LoadOptions::default())
            .0
            .gazetteer
    })
}

/// Text that looks like news more often than random strings do, with hostile bits mixed in.
fn newsy() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "on Monday",
        "Sunday night",
        "on 23 October",
        "Oct. 22, 2018",
        "In February",
        "last week",
        "yesterday",
        "al-Tanf",
        "Kata'ib Hezbollah",
        "the base",
        "three drones",
        "a pair of",
        "U.S.",
        "Brig. Gen.",
        "said",
        "claimed responsibility",
        "killed",
        "injured more than 40",
        "CENTCOM",
        "—",
        "“",
        "”",
        "'s",
        ". ",
        ", ",
        "\n",
        "\n\n",
        "+++",
        "---",
        "<script>alert(1)</script>",
        "\u{0}",
        "\u{202e}",
        "é",
        "ḥ",
        "日本",
        "🙂",
        "2023-13-45",
        "date = ",
        "title: x",
        "[a](javascript:alert(1))",
        "# ",
        "> ",
        "- ",
        "0",
        "99999999999",
    ]);
    prop::collection::vec(
        prop_oneof![
            pieces.prop_map(str::to_string),
            "[ -~]{0,12}",
            any::<char>().prop_map(|c| c.to_string())
        ],
        0..60,
    )
    .prop_map(|v| v.concat())
}

fn date() -> impl Strategy<Value = Option<chrono::NaiveDate>> {
    prop::option::of(
        (1990i32..2100, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn loader_never_panics_and_is_deterministic(text in newsy(), md in any::<bool>()) {
        let rel = if md { "content/articles/x.md" } else { "content/articles/x.txt" };
        let mut d1 = Vec::new();
        let mut d2 = Vec::new();
        let a = sitrep::load::parse_article(rel, &text, &mut d1);
        let b = sitrep::load::parse_article(rel, &text, &mut d2);
        prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
        prop_assert_eq!(d1, d2);
    }

    #[test]
    fn loader_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let mut d = Vec::new();
        let _ = sitrep::load::parse_article("content/articles/x.md", &text, &mut d);
    }

    #[test]
    fn front_matter_of_any_shape_is_reported_not_panicked(key in "[a-z_]{1,10}", value in "[ -~]{0,30}", toml in any::<bool>()) {
        let text = if toml { format!("+++\n{key} = {value}\n+++\nBody.\n") } else { format!("---\n{key}: {value}\n---\nBody.\n") };
        let mut d = Vec::new();
        let article = sitrep::load::parse_article("content/articles/x.md", &text, &mut d);
        // Every diagnostic points into the file.
        for diag in &d {
            prop_assert!(diag.line.is_none_or(|l| (1..=4).contains(&l)), "{diag}");
        }
        prop_assert!(article.is_some() || d.iter().any(|x| x.is_error()));
    }

    #[test]
    fn dates_are_found_where_they_are(text in newsy(), published in date()) {
        let found = sitrep::dates::find_dates(&text, published);
        for d in &found {
            prop_assert_eq!(&text[d.start..d.end], d.phrase.as_str());
        }
        prop_assert_eq!(found, sitrep::dates::find_dates(&text, published));
    }

    #[test]
    fn names_map_back_to_the_text(text in newsy()) {
        for m in gazetteer().find_names(&text) {
            prop_assert!(m.start < m.end && m.end <= text.len());
            prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        }
    }

    #[test]
    fn analysis_never_panics_and_is_deterministic(text in newsy(), published in date()) {
        let mut d = Vec::new();
        let Some(mut article) = sitrep::load::parse_article("content/articles/x.md", &text, &mut d) else { return Ok(()) };
        article.date = published;
        let settings = sitrep::load::Config::default().extraction;
        let a = sitrep::analyze::analyze(&article, gazetteer(), &settings);
        let b = sitrep::analyze::analyze(&article, gazetteer(), &settings);
        prop_assert_eq!(serde_json::to_string(&a).ok(), serde_json::to_string(&b).ok());
        for m in &a.mentions {
            let s = a.sentence_text(m.sentence()).unwrap_or_default();
            let name = s.get(m.range());
            prop_assert!(name.is_some_and(|t| !t.trim().is_empty()), "{:?} in {:?}", m.range(), s);
        }
    }
}

/// Builds of the same content are byte-identical whatever order its files were created in.
mod shuffled_builds {
    use std::collections::BTreeMap;
    use std::path::Path;

    use proptest::prelude::*;
    use sitrep::build::{BuildOptions, build_site};

    fn files() -> Vec<(String, Vec<u8>)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = vec![(
            "site.toml".to_string(),
            std::fs::read(root.join("site.toml")).expect("site.toml"),
        )];
        for entry in walkdir::WalkDir::new(root.join("content")).sort_by_file_name() {
            let entry = entry.expect("walk");
            if entry.file_type().is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(root)
                    .expect("prefix")
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(entry.path()).expect("read")));
            }
        }
        out
    }

    fn build(order: &[usize], files: &[(String, Vec<u8>)]) -> BTreeMap<String, Vec<u8>> {
        let dir = tempfile::tempdir().expect("temp");
        for &i in order {
            let (rel, bytes) = &files[i];
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, bytes).expect("write");
        }
        let site = build_site(dir.path(), &BuildOptions::default()).expect("build");
        site.pages.into_iter().map(|p| (p.path, p.bytes)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4, .. ProptestConfig::default() })]

        #[test]
        fn any_creation_order_gives_the_same_site(seed in any::<u64>()) {
            let files = files();
            let baseline = build(&(0..files.len()).collect::<Vec<_>>(), &files);
            // A permutation from the seed (Fisher-Yates with a small LCG: no extra crate).
            let mut order: Vec<usize> = (0..files.len()).collect();
            let mut x = seed | 1;
            for i in (1..order.len()).rev() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (x >> 33) as usize % (i + 1));
            }
            let shuffled = build(&order, &files);
            prop_assert_eq!(baseline.keys().collect::<Vec<_>>(), shuffled.keys().collect::<Vec<_>>());
            for (path, bytes) in &baseline {
                prop_assert!(shuffled[path] == *bytes, "{} differs", path);
            }
        }
    }
}
