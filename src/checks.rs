//! `sitrep check`: problems a build does not fail on but an analyst wants to see — broken
//! internal links (named with the content file they come from) and gazetteer entries that no
//! article mentions.

use std::collections::BTreeSet;

use crate::build::Site;
use crate::diagnostics::Diagnostic;
use crate::gazetteer::EntityRef;
use crate::links::check_links;

/// The content file or template a page is made from, for pointing at the cause of a problem.
pub fn origin(site: &Site, page: &str) -> String {
    let parts: Vec<&str> = page.split('/').collect();
    let g = &site.corpus.gazetteer;
    match parts.as_slice() {
        ["groups", id, "index.html"] => g
            .groups
            .get(*id)
            .map_or_else(|| "templates/group.html".into(), |x| x.path.clone()),
        ["places", id, "index.html"] => g
            .places
            .get(*id)
            .map_or_else(|| "templates/place.html".into(), |x| x.path.clone()),
        ["sources", id, "index.html"] => site
            .corpus
            .articles
            .iter()
            .find(|a| a.id == *id)
            .map_or_else(|| "templates/source.html".into(), |a| a.path.clone()),
        ["incidents", id, "index.html"] => site
            .corpus
            .notes
            .iter()
            .find(|n| n.id == *id)
            .map_or_else(|| "templates/incident.html".into(), |n| n.path.clone()),
        [name] if name.ends_with(".html") => format!("templates/{name}"),
        [section, "index.html"] => format!("templates/{section}.html"),
        _ => page.to_string(),
    }
}

/// Every broken internal link as an error naming the page, its source file and the target.
pub fn link_errors(site: &Site) -> Vec<Diagnostic> {
    check_links(&site.pages)
        .into_iter()
        .map(|b| {
            let from = origin(site, &b.page);
            Diagnostic::error(from, format!("broken link on {}: `{}` ({})", b.page, b.href, b.reason))
        })
        .collect()
}

/// Gazetteer entries that no article mentions (a typo in an alias, or an entry to drop).
pub fn unmentioned(site: &Site) -> Vec<Diagnostic> {
    let mentioned: BTreeSet<&EntityRef> = site
        .analyses
        .iter()
        .flat_map(|a| a.mentions.iter().map(|m| &m.entity))
        .collect();
    let g = &site.corpus.gazetteer;
    let groups = g
        .groups
        .values()
        .filter(|x| !mentioned.contains(&EntityRef::Group(x.id.as_str().into())))
        .map(|x| (&x.path, &x.name));
    let places = g
        .places
        .values()
        .filter(|x| !mentioned.contains(&EntityRef::Place(x.id.as_str().into())))
        .map(|x| (&x.path, &x.name));
    groups
        .chain(places)
        .map(|(path, name)| Diagnostic::warning(path, format!("\"{name}\" is not mentioned in any article")))
        .collect()
}

/// Names the sources introduce that the gazetteer does not know: never silently dropped.
pub fn unknown_names(site: &Site) -> Vec<Diagnostic> {
    let path_of = |id: &str| {
        site.corpus
            .articles
            .iter()
            .find(|a| a.id == id)
            .map_or_else(|| id.to_string(), |a| a.path.clone())
    };
    site.briefing
        .candidates
        .iter()
        .flat_map(|c| {
            c.evidence.iter().map(move |e| {
                Diagnostic::warning(
                    path_of(&e.source),
                    format!(
                        "unknown {} name \"{}\" in sentence {} (\"{}\"); add it to content/{}s/ if it is one",
                        c.kind,
                        c.name,
                        e.sentence,
                        e.phrase,
                        if c.kind == "group" { "group" } else { "place" }
                    ),
                )
            })
        })
        .collect()
}
