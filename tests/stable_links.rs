//! Published incident links keep working: merged and re-dated incidents leave redirects.

mod util;

use util::Project;

fn read(p: &Project, rel: &str) -> String {
    std::fs::read_to_string(p.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn a_corrected_date_leaves_a_redirect_at_the_old_url_across_builds() {
    let p = Project::fixture("mini");
    p.sitrep(&["build"]).assert().success();
    assert!(
        p.path()
            .join("public/incidents/2024-03-11-camp-example/index.html")
            .is_file()
    );
    // The analyst corrects the publication date: the attack moves a week, and so does its id.
    let article = read(&p, "content/articles/a-wire.md").replace("date = 2024-03-12", "date = 2024-03-19");
    p.write("content/articles/a-wire.md", &article);
    p.sitrep(&["build"]).assert().success();
    assert!(
        p.path()
            .join("public/incidents/2024-03-18-camp-example/index.html")
            .is_file()
    );
    let redirect = read(&p, "public/incidents/2024-03-11-camp-example/index.html");
    assert!(
        redirect.contains("<meta http-equiv=\"refresh\" content=\"0; url=../2024-03-18-camp-example/\">"),
        "{redirect}"
    );
    assert!(
        read(&p, "public/data/redirects.json").contains("\"2024-03-11-camp-example\": \"2024-03-18-camp-example\"")
    );
    // A third build still knows the retired id, though the previous build no longer had it.
    p.sitrep(&["build"]).assert().success();
    assert!(
        read(&p, "public/incidents/2024-03-11-camp-example/index.html").contains("url=../2024-03-18-camp-example/")
    );
}

#[test]
fn a_merge_note_folds_an_incident_and_redirects_its_url() {
    let p = Project::fixture("seeds");
    p.write(
        "content/incidents/2023-10-23-al-tanf.md",
        "+++\ntitle = \"Drone attacks on al-Tanf and al-Rukban\"\nmerge = [\"2023-10-23-al-rukban\"]\n+++\nThe analyst judges these one wave of attacks.\n",
    );
    p.sitrep(&["build"]).assert().success();
    let redirect = read(&p, "public/incidents/2023-10-23-al-rukban/index.html");
    assert!(redirect.contains("url=../2023-10-23-al-tanf/"), "{redirect}");
    let merged = read(&p, "public/incidents/2023-10-23-al-tanf/index.html");
    assert!(merged.contains("<h1>Drone attacks on al-Tanf and al-Rukban</h1>"));
    assert!(merged.contains("The analyst judges these one wave of attacks."));
    let data: serde_json::Value = serde_json::from_str(&read(&p, "public/data/incidents.json")).expect("json");
    let ids: Vec<&str> = data["incidents"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert!(!ids.contains(&"2023-10-23-al-rukban"));
    p.sitrep(&["check"]).assert().success();
}

#[test]
fn builds_into_differently_named_folders_are_identical() {
    let p = Project::fixture("seeds");
    for out in ["one", "two"] {
        p.sitrep(&["build", "--output", &p.path().join(out).to_string_lossy()])
            .assert()
            .success();
    }
    assert_eq!(util::tree(&p.path().join("one")), util::tree(&p.path().join("two")));
}
