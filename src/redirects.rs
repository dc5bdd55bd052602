//! Stable links: an incident id that a previous build published keeps working as a redirect
//! when the incident's id changes (a corrected date, a merge). Retired ids are learned from
//! the previous build in the output folder and carried from build to build in
//! `data/redirects.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use crate::derive::Briefing;
use crate::render::{Page, redirect_html};

/// What a previous build published, as far as links are concerned.
#[derive(Debug, Default)]
pub struct Previous {
    /// Incident id → (place, date, source ids).
    pub incidents: BTreeMap<String, (String, Option<String>, BTreeSet<String>)>,
    /// Redirects it already carried: old id → id it pointed to.
    pub redirects: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct IncidentsFile {
    incidents: Vec<OldIncident>,
}

#[derive(Deserialize)]
struct OldIncident {
    id: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    sources: Vec<OldSource>,
}

#[derive(Deserialize)]
struct OldSource {
    source: String,
}

impl Previous {
    /// Read the previous build; a missing or unreadable one is simply no history.
    pub fn read(out: &Path) -> Previous {
        let mut prev = Previous::default();
        if let Ok(text) = std::fs::read_to_string(out.join("data/incidents.json"))
            && let Ok(file) = serde_json::from_str::<IncidentsFile>(&text)
        {
            for i in file.incidents {
                let sources = i.sources.into_iter().map(|s| s.source).collect();
                prev.incidents.insert(i.id, (i.place, i.date, sources));
            }
        }
        if let Ok(text) = std::fs::read_to_string(out.join("data/redirects.json"))
            && let Ok(map) = serde_json::from_str::<BTreeMap<String, BTreeMap<String, String>>>(&text)
            && let Some(r) = map.get("redirects")
        {
            prev.redirects = r.clone();
        }
        prev
    }
}

/// Add a redirect page for every incident id published before that no longer exists, to the
/// incident that now holds its evidence, and write the full map to `data/redirects.json`.
pub fn keep_links(briefing: &Briefing, files: &mut Vec<Page>, language: &str, previous: &Previous) {
    let current: BTreeMap<&str, &crate::derive::Incident> =
        briefing.incidents.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut map: BTreeMap<String, String> = briefing.redirects.clone();
    for (old, (place, date, sources)) in &previous.incidents {
        if current.contains_key(old.as_str()) || map.contains_key(old) {
            continue;
        }
        // The incident now holding most of its sources at the same place, then the nearest date.
        let best = briefing
            .incidents
            .iter()
            .filter(|i| &i.place == place)
            .map(|i| {
                let shared = i.sources.iter().filter(|s| sources.contains(&s.source)).count();
                let same_date = i.date.map(|d| d.format("%Y-%m-%d").to_string()) == *date;
                (shared, same_date, std::cmp::Reverse(i.id.clone()))
            })
            .filter(|(shared, same_date, _)| *shared > 0 || *same_date)
            .max();
        if let Some((_, _, std::cmp::Reverse(id))) = best {
            map.insert(old.clone(), id);
        }
    }
    // Redirects from earlier builds stay, re-pointed if their target moved again.
    for (old, target) in &previous.redirects {
        if current.contains_key(old.as_str()) || map.contains_key(old) {
            continue;
        }
        let target = map.get(target).cloned().unwrap_or_else(|| target.clone());
        if current.contains_key(target.as_str()) {
            map.insert(old.clone(), target);
        }
    }
    let existing: BTreeSet<String> = files.iter().map(|p| p.path.clone()).collect();
    for (old, new) in &map {
        let path = format!("incidents/{old}/index.html");
        if !existing.contains(&path) && crate::load::safe_relative(&path).is_some() {
            files.push(Page {
                path,
                bytes: redirect_html(&format!("../{new}/"), language).into_bytes(),
            });
        }
    }
    let json = serde_json::json!({ "redirects": map });
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    files.retain(|p| p.path != "data/redirects.json");
    files.push(Page {
        path: "data/redirects.json".into(),
        bytes: text.into_bytes(),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
}
