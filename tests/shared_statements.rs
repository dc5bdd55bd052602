//! A statement quoted in several articles ties them to the same incident, even where one
//! quotes only the part that names no place.

mod util;

use util::Project;

#[test]
fn a_shared_quotation_links_an_article_that_names_no_place() {
    let p = Project::fixture("mini");
    p.write(
        "content/articles/d-statement.md",
        "+++\ndate = 2024-03-12\npublisher = \"Militia channel\"\n+++\n\
         \u{201C}We launched three rockets at Camp Example at dawn and we will keep striking the occupiers until they leave,\u{201D} Saraya al-Mithal said on Monday.\n",
    );
    p.write(
        "content/articles/e-echo.md",
        "+++\ndate = 2024-03-12\npublisher = \"Echo\"\n+++\n\
         The statement was defiant.\n\n\
         \u{201C}Three rockets at dawn and we will keep striking the occupiers until they leave,\u{201D} it added, without naming a target.\n",
    );
    p.sitrep(&["build"]).assert().success();
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("public/data/incidents.json")).expect("json"))
            .expect("valid");
    let incident = data["incidents"]
        .as_array()
        .expect("list")
        .iter()
        .find(|i| {
            i["sources"]
                .as_array()
                .is_some_and(|s| s.iter().any(|x| x["source"] == "d-statement"))
        })
        .expect("the statement's incident");
    let echo = incident["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|s| s["source"] == "e-echo");
    let echo = echo.unwrap_or_else(|| panic!("e-echo not linked: {incident:#}"));
    assert_eq!(echo["indirect"], true);
    assert_eq!(echo["sentences"], serde_json::json!([2]));
}
