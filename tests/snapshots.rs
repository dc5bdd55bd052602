//! Snapshot tests: the rendered pages and JSON of a small fixture project, pinned byte for
//! byte. A change of output shows up as a reviewable snapshot diff.

use std::path::Path;

use sitrep::build::{BuildOptions, Site, build_site};

fn mini() -> Site {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    build_site(&root, &BuildOptions::default()).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn page(site: &Site, path: &str) -> String {
    let p = site
        .pages
        .iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("no page {path}"));
    String::from_utf8(p.bytes.clone()).expect("UTF-8")
}

#[test]
fn incidents_json() {
    insta::assert_snapshot!(page(&mini(), "data/incidents.json"));
}

#[test]
fn groups_json() {
    insta::assert_snapshot!(page(&mini(), "data/groups.json"));
}

#[test]
fn incident_page() {
    insta::assert_snapshot!(page(&mini(), "incidents/2024-03-11-camp-example/index.html"));
}

#[test]
fn source_page() {
    insta::assert_snapshot!(page(&mini(), "sources/a-wire/index.html"));
}

#[test]
fn index_page() {
    insta::assert_snapshot!(page(&mini(), "index.html"));
}

#[test]
fn page_list() {
    let list: Vec<String> = mini().pages.iter().map(|p| p.path.clone()).collect();
    insta::assert_snapshot!(list.join("\n"));
}
