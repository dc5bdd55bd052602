//! `serve`'s incremental updates: after every kind of edit, the site an updated session
//! renders is byte for byte the site a fresh build of the same files renders, and only the
//! work the edit needs is redone.

mod util;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sitrep::build::{BuildOptions, build_site};
use sitrep::render::render;
use sitrep::session::{Session, Updated};
use util::Project;

type Site = BTreeMap<String, Vec<u8>>;

fn rendered(session: &Session) -> Site {
    let pages = render(&session.corpus, &session.briefing, &session.analyses).expect("the session renders");
    pages.into_iter().map(|p| (p.path, p.bytes)).collect()
}

fn fresh(root: &Path) -> Site {
    let site = build_site(root, &BuildOptions::default()).unwrap_or_else(|d| panic!("fresh build failed: {d:#?}"));
    site.pages.into_iter().map(|p| (p.path, p.bytes)).collect()
}

/// The pages whose bytes differ between two sites (added, removed or changed).
fn changed(a: &Site, b: &Site) -> Vec<String> {
    let mut out: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    out.extend(b.keys().filter(|k| !a.contains_key(*k)).cloned());
    out.sort();
    out
}

fn text(site: &Site, path: &str) -> String {
    String::from_utf8_lossy(site.get(path).unwrap_or_else(|| panic!("{path} is missing"))).into_owned()
}

/// Apply an edit, update the session, and check it against a fresh build.
fn update(session: &mut Session, root: &Path, rel: &str, expected: Updated) -> Site {
    let what = session.update(&[root.join(rel)]);
    assert_eq!(what, expected, "after changing {rel}");
    assert!(!session.has_errors(), "{:#?}", session.diagnostics());
    let site = rendered(session);
    let full = fresh(root);
    assert_eq!(changed(&site, &full), Vec::<String>::new(), "after changing {rel}");
    site
}

const ARTICLE: &str = "content/articles/003-drone-attacks-on-us-bases-in-syria.md";

#[test]
fn each_kind_of_edit_gives_the_site_a_fresh_build_gives() {
    let p = Project::fixture("seeds");
    let root = p.path();
    let mut session = Session::open(root, &BuildOptions::default()).expect("open");
    let start = rendered(&session);
    assert_eq!(changed(&start, &fresh(root)), Vec::<String>::new());

    // An article's body edited: a new attack at another base.
    let body = std::fs::read_to_string(root.join(ARTICLE)).expect("article");
    p.write(
        ARTICLE,
        &format!("{body}\n\nThree rockets struck Erbil Air Base on 9 March 2024, officials said.\n"),
    );
    let edited = update(&mut session, root, ARTICLE, Updated::Articles(1));
    let diff = changed(&start, &edited);
    assert!(
        diff.iter().any(|p| p.starts_with("sources/003-")),
        "the article's page changes: {diff:?}"
    );
    assert!(
        diff.iter().any(|p| p.starts_with("incidents/2024-03-09-erbil")),
        "a new incident appears: {diff:?}"
    );

    // A sentence an incident cites, reworded: the incident's quotes and weapons follow.
    let body = std::fs::read_to_string(root.join(ARTICLE)).expect("article");
    p.write(ARTICLE, &body.replace("drone", "rocket"));
    let reworded = update(&mut session, root, ARTICLE, Updated::Articles(1));
    assert!(
        changed(&edited, &reworded).iter().any(|p| p.starts_with("incidents/")),
        "an incident page changes"
    );
    p.write(ARTICLE, &body);
    update(&mut session, root, ARTICLE, Updated::Articles(1));

    // A new article, then the same article removed.
    let new = "content/articles/005-new-report.md";
    p.write(
        new,
        "+++\ntitle = \"New report\"\ndate = 2024-03-10\npublisher = \"Wire\"\n+++\nTwo drones targeted the al-Tanf garrison on Sunday, the US military said.\n",
    );
    let added = update(&mut session, root, new, Updated::Articles(1));
    assert!(added.contains_key("sources/005-new-report/index.html"));
    std::fs::remove_file(root.join(new)).expect("remove");
    let removed = update(&mut session, root, new, Updated::Articles(1));
    assert!(!removed.contains_key("sources/005-new-report/index.html"));
    assert_eq!(changed(&edited, &removed), Vec::<String>::new());

    // An analyst's note on an incident.
    let id = session.briefing.incidents[0].id.clone();
    let note = format!("content/incidents/{id}.md");
    p.write(
        &note,
        "+++\ntitle = \"Named by the analyst\"\n+++\nAssessed as one attack.\n",
    );
    let noted = update(&mut session, root, &note, Updated::Notes);
    assert!(text(&noted, &format!("incidents/{id}/index.html")).contains("Named by the analyst"));

    // A template of the theme overridden.
    let base = std::fs::read_to_string(util::repo().join("templates/base.html")).expect("base template");
    p.write(
        "templates/base.html",
        &base.replace("</footer>", "<p>Custom footer</p></footer>"),
    );
    let themed = update(&mut session, root, "templates/base.html", Updated::Theme);
    assert!(text(&themed, "index.html").contains("Custom footer"));

    // site.toml: everything is read again.
    let config = std::fs::read_to_string(root.join("site.toml")).expect("site.toml");
    p.write("site.toml", &config.replacen("title = ", "title = \"Renamed\" # ", 1));
    let renamed = update(&mut session, root, "site.toml", Updated::Everything);
    assert!(text(&renamed, "index.html").contains("Renamed"));

    // Files the build does not read change nothing.
    p.write("content/articles/.draft.md.swp", "x");
    assert_eq!(
        session.update(&[root.join("content/articles/.draft.md.swp")]),
        Updated::Nothing
    );
}

#[test]
fn a_broken_edit_keeps_the_last_good_version_until_it_is_fixed() {
    let p = Project::fixture("seeds");
    let root = p.path();
    let mut session = Session::open(root, &BuildOptions::default()).expect("open");
    let before = rendered(&session);
    let good = std::fs::read_to_string(root.join(ARTICLE)).expect("article");

    p.write(ARTICLE, "+++\ndate = 2024-13-45\n+++\nBroken.\n");
    assert_eq!(session.update(&[root.join(ARTICLE)]), Updated::Articles(1));
    assert!(session.has_errors());
    let errors: Vec<String> = session
        .diagnostics()
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    assert!(
        errors.iter().any(|e| e.contains(ARTICLE) && e.contains("month 13")),
        "{errors:#?}"
    );
    assert_eq!(changed(&before, &rendered(&session)), Vec::<String>::new());

    // Another article with the same id (same file name in a sub-folder) is refused.
    let twin = "content/articles/more/003-drone-attacks-on-us-bases-in-syria.md";
    p.write(twin, &good);
    session.update(&[root.join(twin)]);
    assert!(
        session
            .diagnostics()
            .iter()
            .any(|d| d.is_error() && d.to_string().contains("is also the id of")),
        "{:#?}",
        session.diagnostics()
    );
    std::fs::remove_file(root.join(twin)).expect("remove twin");
    session.update(&[root.join(twin)]);

    p.write(ARTICLE, &good);
    assert_eq!(session.update(&[PathBuf::from(ARTICLE)]), Updated::Articles(1));
    assert!(!session.has_errors(), "{:#?}", session.diagnostics());
    assert_eq!(changed(&before, &rendered(&session)), Vec::<String>::new());
}

#[test]
fn a_broken_project_file_is_retried_on_the_next_change() {
    let p = Project::fixture("seeds");
    let root = p.path();
    let mut session = Session::open(root, &BuildOptions::default()).expect("open");
    let config = std::fs::read_to_string(root.join("site.toml")).expect("site.toml");
    p.write("site.toml", "title = [unclosed\n");
    assert_eq!(session.update(&[root.join("site.toml")]), Updated::Everything);
    assert!(session.has_errors());
    assert!(
        session
            .diagnostics()
            .iter()
            .any(|d| d.to_string().contains("site.toml")),
        "{:#?}",
        session.diagnostics()
    );
    // An article edit alone cannot clear a broken site.toml ...
    let body = std::fs::read_to_string(root.join(ARTICLE)).expect("article");
    p.write(ARTICLE, &format!("{body}\nOne more sentence.\n"));
    session.update(&[root.join(ARTICLE)]);
    assert!(session.has_errors());
    // ... fixing it does, and the article edit is in.
    p.write("site.toml", &config);
    assert_eq!(session.update(&[root.join("site.toml")]), Updated::Everything);
    assert!(!session.has_errors(), "{:#?}", session.diagnostics());
    assert_eq!(changed(&rendered(&session), &fresh(root)), Vec::<String>::new());
}

#[test]
fn changes_of_several_kinds_at_once_are_all_read() {
    let p = Project::fixture("seeds");
    let root = p.path();
    let mut session = Session::open(root, &BuildOptions::default()).expect("open");
    let base = std::fs::read_to_string(util::repo().join("templates/base.html")).expect("base template");
    p.write(
        "templates/base.html",
        &base.replace("</footer>", "<p>Footer and</p></footer>"),
    );
    p.write("static/extra.css", "p { margin: 0 }\n");
    let body = std::fs::read_to_string(root.join(ARTICLE)).expect("article");
    p.write(ARTICLE, &format!("{body}\n\nA sentence added with the rest.\n"));
    let what = session.update(&[
        root.join("templates/base.html"),
        root.join("static/extra.css"),
        root.join(ARTICLE),
    ]);
    assert_eq!(what, Updated::Articles(1));
    let site = rendered(&session);
    assert!(text(&site, "index.html").contains("Footer and"));
    assert!(site.contains_key("extra.css"));
    assert_eq!(changed(&site, &fresh(root)), Vec::<String>::new());
}

/// `serve` renders pages one at a time with lookups of their own; the pages are the same.
#[test]
fn pages_rendered_one_at_a_time_are_the_pages_of_a_build() {
    let p = Project::fixture("seeds");
    let session = Session::open(p.path(), &BuildOptions::default()).expect("open");
    let whole = sitrep::render::plan(&session.corpus, &session.briefing, &session.analyses).expect("plan");
    let mut single = sitrep::render::plan(&session.corpus, &session.briefing, &session.analyses).expect("plan");
    single.render_one_at_a_time();
    let mut cited = 0;
    for job in &whole.jobs {
        let (a, b) = (whole.render(*job).expect("page"), single.render(*job).expect("page"));
        assert_eq!(a.path, b.path);
        // `serve` finds each page and feed by its path.
        assert_eq!(single.job_at(&a.path), Some(*job), "{} is found by its path", a.path);
        assert!(a.bytes == b.bytes, "{} differs", a.path);
        cited += String::from_utf8_lossy(&a.bytes).matches("class=\"s cited\"").count();
    }
    assert!(cited > 10, "cited sentences are marked ({cited})");
    for path in [
        "sources/no-such-article/index.html",
        "groups/x/y/atom.xml",
        "incidents/index.htm",
        "",
    ] {
        assert_eq!(single.job_at(path), None, "{path:?} is no page");
    }
    let feeds = whole
        .jobs
        .iter()
        .filter(|j| matches!(j, sitrep::render::Job::Feed(_)))
        .count();
    assert_eq!(feeds, 1 + session.briefing.groups.len() + session.briefing.places.len());
}
