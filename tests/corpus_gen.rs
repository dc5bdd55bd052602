//! The benchmark corpus generator: deterministic, and its projects build into briefings.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use sitrep::build::{BuildOptions, build_site};
use sitrep::corpus_gen::{GenOptions, generate};

/// Every file under `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).expect("prefix");
            out.insert(
                rel.to_string_lossy().into_owned(),
                fs::read(entry.path()).expect("read"),
            );
        }
    }
    out
}

#[test]
fn same_seed_gives_identical_files_and_another_seed_does_not() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    generate(a.path(), &GenOptions::new(60, 7)).unwrap();
    generate(b.path(), &GenOptions::new(60, 7)).unwrap();
    generate(c.path(), &GenOptions::new(60, 8)).unwrap();
    let (ta, tb, tc) = (tree(a.path()), tree(b.path()), tree(c.path()));
    assert_eq!(ta.len(), 1 + 60 + 24 + 30, "site.toml, articles, groups and places");
    assert!(ta == tb, "the same seed must give the same files");
    assert!(ta != tc, "another seed must give another corpus");
}

#[test]
fn generated_articles_are_news_sized_and_varied() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(dir.path(), &GenOptions::new(50, 1)).unwrap();
    assert_eq!(summary.articles, 50);
    let per_article = summary.words / summary.articles;
    assert!((400..=1200).contains(&per_article), "{per_article} words per article");
    let files = tree(&dir.path().join("content/articles"));
    let all: String = files
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(files.keys().any(|k| k.ends_with(".txt")), "some .txt articles");
    assert!(
        all.contains("\n---\n") || all.starts_with("---\n"),
        "some YAML front matter"
    );
    assert!(all.contains("date = "), "dated articles");
}

#[test]
fn a_generated_project_builds_with_incidents_and_cross_links() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &GenOptions::new(50, 1)).unwrap();
    let site = match build_site(dir.path(), &BuildOptions::default()) {
        Ok(s) => s,
        Err(diags) => panic!(
            "the generated project does not build: {:?}",
            diags.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
        ),
    };
    assert_eq!(site.corpus.articles.len(), 50);
    let incidents = &site.briefing.incidents;
    assert!(incidents.len() >= 5, "only {} incidents", incidents.len());
    assert!(
        incidents.iter().any(|i| i.sources.len() > 1),
        "some incident should rest on several sources"
    );
    assert!(
        incidents.iter().any(|i| !i.claimed_by.is_empty()),
        "some incident is claimed"
    );
    assert!(
        site.pages
            .iter()
            .any(|p| p.path.starts_with("incidents/") && p.path.ends_with("/index.html")),
        "incident pages"
    );
}

/// At scale a group's page lists its newest sources, not every article that names it, and
/// says where the full list is.
#[test]
fn group_and_place_pages_list_the_newest_sources_of_many() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &GenOptions::new(400, 3)).unwrap();
    let site = build_site(dir.path(), &BuildOptions::default()).unwrap_or_else(|d| panic!("{d:#?}"));
    let busiest = site
        .briefing
        .groups
        .iter()
        .max_by_key(|g| g.sources.len())
        .expect("groups");
    assert!(busiest.sources.len() > 100, "{} sources", busiest.sources.len());
    let page = site
        .pages
        .iter()
        .find(|p| p.path == format!("groups/{}/index.html", busiest.id))
        .expect("group page");
    let html = String::from_utf8_lossy(&page.bytes);
    let section = &html[html.find("id=\"mentioned\"").expect("sources section")..];
    assert_eq!(section.matches("<li><a href=\"../../sources/").count(), 100);
    assert!(
        section.contains(&format!("The 100 newest of {} sources", busiest.sources.len())),
        "{section}"
    );
    // Newest first: the first listed source is one of the latest-dated that names the group.
    let newest = busiest
        .sources
        .iter()
        .filter_map(|&i| site.briefing.sources.get(i as usize))
        .filter_map(|s| s.date)
        .max()
        .expect("dated sources");
    let first = section
        .split("../../sources/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("first source");
    let first_date = site
        .briefing
        .sources
        .iter()
        .find(|s| s.id == first)
        .and_then(|s| s.date);
    assert_eq!(first_date, Some(newest));
}
