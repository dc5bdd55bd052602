//! `sitrep diff`: what changed between two build outputs, in plain words.
//!
//! Reads `data/incidents.json`, `groups.json`, `places.json` and `sources.json` of both
//! outputs (unknown extra fields are ignored, so older and newer sitrep versions can be
//! compared), compares every file of the two trees byte for byte, and reports incidents,
//! groups, places and sources that were added, removed, merged or changed, field by field.
//! Every list in the report is sorted, so the same two trees always give the same report.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why two outputs could not be compared. Each error names the side (OLD or NEW) and the path.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{side}: {} does not exist or is not a folder", path.display())]
    NotAFolder { side: &'static str, path: PathBuf },
    #[error("{side}: {} has no data/{file} — is it a sitrep build output?", path.display())]
    NoData {
        side: &'static str,
        path: PathBuf,
        file: &'static str,
    },
    #[error("{side}: cannot read {}: {source}", path.display())]
    Read {
        side: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{side}: {} is not sitrep data: {source}", path.display())]
    Data {
        side: &'static str,
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// Everything that differs between two build outputs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DiffReport {
    pub incidents: IncidentDiff,
    pub groups: EntityDiff,
    pub places: EntityDiff,
    pub sources: EntityDiff,
    pub files: FileDiff,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IncidentDiff {
    pub added: Vec<IncidentSummary>,
    pub removed: Vec<IncidentSummary>,
    /// Old ids that a new incident lists in its `merged` ids.
    pub merged: Vec<Merge>,
    pub changed: Vec<EntityChange>,
}

/// An added or removed incident, as the side it exists on shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentSummary {
    pub id: String,
    pub title: String,
    pub date: Option<String>,
    pub date_precision: String,
    pub place: String,
    pub status: String,
    pub claimed_by: Vec<String>,
    pub weapons: Vec<String>,
    pub sources: Vec<SourceRef>,
    pub facts: Vec<Fact>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merge {
    pub id: String,
    pub title: String,
    pub into: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EntityDiff {
    pub added: Vec<EntityRef>,
    pub removed: Vec<EntityRef>,
    pub changed: Vec<EntityChange>,
}

/// An entity's id and its name (a source's title).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityRef {
    pub id: String,
    pub name: String,
}

/// One incident, group, place or source present on both sides, with what changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityChange {
    pub id: String,
    /// The new name (or title).
    pub name: String,
    pub changes: Vec<Change>,
}

/// One field's change. Serialized with a `change` tag: `value`, `list`, `date`, `facts`,
/// `sources`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// A single value (title, place, status, kind, …); `None` when absent on that side.
    Value {
        field: String,
        old: Option<String>,
        new: Option<String>,
    },
    /// A list of ids or names (claimed_by, weapons, aliases, member_of, incidents, …).
    List {
        field: String,
        added: Vec<String>,
        removed: Vec<String>,
    },
    Date {
        old: Option<String>,
        old_precision: String,
        new: Option<String>,
        new_precision: String,
    },
    Facts {
        added: Vec<Fact>,
        removed: Vec<Fact>,
        /// Same kind, subject, source and sentence, another value.
        changed: Vec<FactChange>,
        /// Same kind, subject, source and value, another sentence.
        moved: Vec<FactMove>,
    },
    Sources {
        added: Vec<SourceRef>,
        removed: Vec<SourceRef>,
    },
}

/// A fact as `data/incidents.json` has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(default)]
pub struct Fact {
    pub kind: String,
    pub value: String,
    pub source: String,
    pub sentence: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactChange {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub source: String,
    pub sentence: usize,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactMove {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub value: String,
    pub source: String,
    pub old_sentence: usize,
    pub new_sentence: usize,
}

/// A source id with its title and publisher from `data/sources.json` (of NEW for an added
/// source, of OLD for a dropped one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRef {
    pub id: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
}

/// Files compared byte for byte: pages (`.html`) and everything else.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FileDiff {
    pub pages: FileChanges,
    pub other: FileChanges,
}

/// Relative paths, `/`-separated, sorted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FileChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

impl FileChanges {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

impl EntityDiff {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

impl IncidentDiff {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.merged.is_empty() && self.changed.is_empty()
    }
}

impl DiffReport {
    /// True when the two outputs are identical.
    pub fn is_empty(&self) -> bool {
        self.incidents.is_empty()
            && self.groups.is_empty()
            && self.places.is_empty()
            && self.sources.is_empty()
            && self.files.pages.is_empty()
            && self.files.other.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IncidentData {
    id: String,
    title: String,
    date: Option<String>,
    date_precision: String,
    place: String,
    weapons: Vec<String>,
    claimed_by: Vec<String>,
    status: String,
    sources: Vec<IncidentSourceData>,
    facts: Vec<Fact>,
    contradictions: Vec<String>,
    assessment: Option<String>,
    merged: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IncidentSourceData {
    source: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IncidentsFile {
    incidents: Vec<IncidentData>,
}

/// One side's data: incidents by id, and groups, places and sources as JSON objects by id.
struct Side {
    incidents: BTreeMap<String, IncidentData>,
    groups: BTreeMap<String, Value>,
    places: BTreeMap<String, Value>,
    sources: BTreeMap<String, Value>,
}

const DATA_FILES: [&str; 4] = ["incidents.json", "groups.json", "places.json", "sources.json"];

fn read_side(side: &'static str, root: &Path) -> Result<Side, DiffError> {
    if !root.is_dir() {
        return Err(DiffError::NotAFolder {
            side,
            path: root.to_path_buf(),
        });
    }
    let mut texts = Vec::new();
    for file in DATA_FILES {
        let path = root.join("data").join(file);
        if !path.is_file() {
            return Err(DiffError::NoData {
                side,
                path: root.to_path_buf(),
                file,
            });
        }
        let text = fs::read_to_string(&path).map_err(|source| DiffError::Read {
            side,
            path: path.clone(),
            source,
        })?;
        texts.push((path, text));
    }
    let parse_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DiffError::Data { side, path, source }
    };
    let (p, t) = &texts[0];
    let incidents: IncidentsFile = serde_json::from_str(t).map_err(parse_err(p))?;
    let mut lists = Vec::new();
    for ((path, text), key) in texts[1..].iter().zip(["groups", "places", "sources"]) {
        let value: Value = serde_json::from_str(text).map_err(parse_err(path))?;
        let by_id: BTreeMap<String, Value> = value
            .get(key)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| Some((v.get("id")?.as_str()?.to_string(), v.clone())))
                    .collect()
            })
            .unwrap_or_default();
        lists.push(by_id);
    }
    let mut lists = lists.into_iter();
    Ok(Side {
        incidents: incidents.incidents.into_iter().map(|i| (i.id.clone(), i)).collect(),
        groups: lists.next().unwrap_or_default(),
        places: lists.next().unwrap_or_default(),
        sources: lists.next().unwrap_or_default(),
    })
}

/// Every file under `root`: relative `/`-separated path → full path.
fn files(side: &'static str, root: &Path) -> Result<BTreeMap<String, PathBuf>, DiffError> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| DiffError::Read {
            side,
            path: e.path().unwrap_or(root).to_path_buf(),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("file system loop")),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        out.insert(rel, entry.path().to_path_buf());
    }
    Ok(out)
}

fn read_bytes(side: &'static str, path: &Path) -> Result<Vec<u8>, DiffError> {
    fs::read(path).map_err(|source| DiffError::Read {
        side,
        path: path.to_path_buf(),
        source,
    })
}

// ---------------------------------------------------------------------------------------------
// Comparing

/// Compare two sitrep build outputs.
pub fn diff_outputs(old: &Path, new: &Path) -> Result<DiffReport, DiffError> {
    let o = read_side("OLD", old)?;
    let n = read_side("NEW", new)?;
    let mut report = diff_data(&o, &n);
    report.files = diff_files(old, new)?;
    Ok(report)
}

fn diff_files(old: &Path, new: &Path) -> Result<FileDiff, DiffError> {
    let o = files("OLD", old)?;
    let n = files("NEW", new)?;
    let mut diff = FileDiff::default();
    for (rel, path) in &o {
        let target = if rel.ends_with(".html") {
            &mut diff.pages
        } else {
            &mut diff.other
        };
        match n.get(rel) {
            None => target.removed.push(rel.clone()),
            Some(new_path) => {
                if read_bytes("OLD", path)? != read_bytes("NEW", new_path)? {
                    target.changed.push(rel.clone());
                }
            }
        }
    }
    for rel in n.keys().filter(|rel| !o.contains_key(*rel)) {
        let target = if rel.ends_with(".html") {
            &mut diff.pages
        } else {
            &mut diff.other
        };
        target.added.push(rel.clone());
    }
    Ok(diff)
}

fn diff_data(o: &Side, n: &Side) -> DiffReport {
    DiffReport {
        incidents: diff_incidents(o, n),
        groups: diff_entities(&o.groups, &n.groups, &GROUP_FIELDS, o, n),
        places: diff_entities(&o.places, &n.places, &PLACE_FIELDS, o, n),
        sources: diff_entities(&o.sources, &n.sources, &SOURCE_FIELDS, o, n),
        files: FileDiff::default(),
    }
}

fn source_ref(sources: &BTreeMap<String, Value>, id: &str) -> SourceRef {
    let s = sources.get(id);
    let text = |key: &str| s.and_then(|s| s.get(key)).and_then(Value::as_str).map(str::to_string);
    SourceRef {
        id: id.to_string(),
        title: text("title"),
        publisher: text("publisher"),
    }
}

fn summary(i: &IncidentData, sources: &BTreeMap<String, Value>) -> IncidentSummary {
    let ids: BTreeSet<&str> = i.sources.iter().map(|s| s.source.as_str()).collect();
    let mut facts = i.facts.clone();
    facts.sort();
    IncidentSummary {
        id: i.id.clone(),
        title: i.title.clone(),
        date: i.date.clone(),
        date_precision: i.date_precision.clone(),
        place: i.place.clone(),
        status: i.status.clone(),
        claimed_by: sorted(&i.claimed_by),
        weapons: sorted(&i.weapons),
        sources: ids.into_iter().map(|id| source_ref(sources, id)).collect(),
        facts,
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let set: BTreeSet<&String> = v.iter().collect();
    set.into_iter().cloned().collect()
}

fn diff_incidents(o: &Side, n: &Side) -> IncidentDiff {
    let mut d = IncidentDiff::default();
    let merged_into: BTreeMap<&str, &str> = n
        .incidents
        .values()
        .flat_map(|i| i.merged.iter().map(move |m| (m.as_str(), i.id.as_str())))
        .collect();
    for (id, old) in &o.incidents {
        match n.incidents.get(id) {
            Some(new) => {
                let changes = incident_changes(old, new, o, n);
                if !changes.is_empty() {
                    d.changed.push(EntityChange {
                        id: id.clone(),
                        name: new.title.clone(),
                        changes,
                    });
                }
            }
            None => match merged_into.get(id.as_str()) {
                Some(into) => d.merged.push(Merge {
                    id: id.clone(),
                    title: old.title.clone(),
                    into: (*into).to_string(),
                }),
                None => d.removed.push(summary(old, &o.sources)),
            },
        }
    }
    for (id, new) in &n.incidents {
        if !o.incidents.contains_key(id) {
            d.added.push(summary(new, &n.sources));
        }
    }
    d
}

fn value_change(field: &str, old: Option<&str>, new: Option<&str>) -> Option<Change> {
    (old != new).then(|| Change::Value {
        field: field.to_string(),
        old: old.map(str::to_string),
        new: new.map(str::to_string),
    })
}

fn list_change(field: &str, old: &[String], new: &[String]) -> Option<Change> {
    let o: BTreeSet<&String> = old.iter().collect();
    let n: BTreeSet<&String> = new.iter().collect();
    let added: Vec<String> = n.difference(&o).map(|s| (*s).clone()).collect();
    let removed: Vec<String> = o.difference(&n).map(|s| (*s).clone()).collect();
    (!added.is_empty() || !removed.is_empty()).then(|| Change::List {
        field: field.to_string(),
        added,
        removed,
    })
}

fn sources_change(old: &[String], new: &[String], o: &Side, n: &Side) -> Option<Change> {
    let os: BTreeSet<&String> = old.iter().collect();
    let ns: BTreeSet<&String> = new.iter().collect();
    let added: Vec<SourceRef> = ns.difference(&os).map(|id| source_ref(&n.sources, id)).collect();
    let removed: Vec<SourceRef> = os.difference(&ns).map(|id| source_ref(&o.sources, id)).collect();
    (!added.is_empty() || !removed.is_empty()).then_some(Change::Sources { added, removed })
}

fn incident_changes(old: &IncidentData, new: &IncidentData, o: &Side, n: &Side) -> Vec<Change> {
    let mut out = Vec::new();
    out.extend(value_change("title", Some(&old.title), Some(&new.title)));
    if old.date != new.date || old.date_precision != new.date_precision {
        out.push(Change::Date {
            old: old.date.clone(),
            old_precision: old.date_precision.clone(),
            new: new.date.clone(),
            new_precision: new.date_precision.clone(),
        });
    }
    out.extend(value_change("place", Some(&old.place), Some(&new.place)));
    out.extend(value_change("status", Some(&old.status), Some(&new.status)));
    out.extend(list_change("claimed_by", &old.claimed_by, &new.claimed_by));
    out.extend(list_change("weapons", &old.weapons, &new.weapons));
    let ids = |i: &IncidentData| i.sources.iter().map(|s| s.source.clone()).collect::<Vec<_>>();
    out.extend(sources_change(&ids(old), &ids(new), o, n));
    out.extend(facts_change(&old.facts, &new.facts));
    out.extend(list_change("contradictions", &old.contradictions, &new.contradictions));
    out.extend(list_change("merged", &old.merged, &new.merged));
    out.extend(value_change(
        "assessment",
        old.assessment.as_deref(),
        new.assessment.as_deref(),
    ));
    out
}

/// Facts added and removed, with removed/added pairs that differ only in value ("changed")
/// or only in sentence ("moved") shown as one change.
fn facts_change(old: &[Fact], new: &[Fact]) -> Option<Change> {
    let o: BTreeSet<&Fact> = old.iter().collect();
    let n: BTreeSet<&Fact> = new.iter().collect();
    let mut removed: Vec<Fact> = o.difference(&n).map(|f| (*f).clone()).collect();
    let mut added: Vec<Fact> = n.difference(&o).map(|f| (*f).clone()).collect();
    if removed.is_empty() && added.is_empty() {
        return None;
    }
    let mut changed = Vec::new();
    let mut moved = Vec::new();
    removed.retain(|r| {
        let same_place =
            |a: &Fact| a.kind == r.kind && a.subject == r.subject && a.source == r.source && a.sentence == r.sentence;
        if let Some(i) = added.iter().position(same_place) {
            let a = added.remove(i);
            changed.push(FactChange {
                kind: r.kind.clone(),
                subject: r.subject.clone(),
                source: r.source.clone(),
                sentence: r.sentence,
                old: r.value.clone(),
                new: a.value,
            });
            return false;
        }
        true
    });
    removed.retain(|r| {
        let same_value =
            |a: &Fact| a.kind == r.kind && a.subject == r.subject && a.source == r.source && a.value == r.value;
        if let Some(i) = added.iter().position(same_value) {
            let a = added.remove(i);
            moved.push(FactMove {
                kind: r.kind.clone(),
                subject: r.subject.clone(),
                value: r.value.clone(),
                source: r.source.clone(),
                old_sentence: r.sentence,
                new_sentence: a.sentence,
            });
            return false;
        }
        true
    });
    Some(Change::Facts {
        added,
        removed,
        changed,
        moved,
    })
}

/// Which fields of a group, place or source are compared, and how.
struct Fields {
    /// The field holding the display name.
    name: &'static str,
    values: &'static [&'static str],
    lists: &'static [&'static str],
    /// Lists of source ids, shown with title and publisher.
    source_lists: &'static [&'static str],
}

const GROUP_FIELDS: Fields = Fields {
    name: "name",
    values: &["kind", "country"],
    lists: &["aliases", "member_of", "incidents"],
    source_lists: &["sources"],
};

const PLACE_FIELDS: Fields = Fields {
    name: "name",
    values: &["kind", "country", "within", "lat", "lon"],
    lists: &["aliases", "incidents"],
    source_lists: &["sources"],
};

const SOURCE_FIELDS: Fields = Fields {
    name: "title",
    values: &["date", "publisher", "author", "url", "path", "sentences"],
    lists: &["incidents", "groups", "places"],
    source_lists: &[],
};

/// A scalar JSON value as text (`None` for null or missing).
fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| scalar(Some(x))).collect())
        .unwrap_or_default()
}

fn entity_ref(id: &str, v: &Value, f: &Fields) -> EntityRef {
    EntityRef {
        id: id.to_string(),
        name: scalar(v.get(f.name)).unwrap_or_default(),
    }
}

fn diff_entities(
    old: &BTreeMap<String, Value>,
    new: &BTreeMap<String, Value>,
    f: &Fields,
    o: &Side,
    n: &Side,
) -> EntityDiff {
    let mut d = EntityDiff::default();
    for (id, ov) in old {
        let Some(nv) = new.get(id) else {
            d.removed.push(entity_ref(id, ov, f));
            continue;
        };
        let mut changes = Vec::new();
        for field in std::iter::once(&f.name).chain(f.values) {
            let (a, b) = (scalar(ov.get(*field)), scalar(nv.get(*field)));
            changes.extend(value_change(field, a.as_deref(), b.as_deref()));
        }
        for field in f.lists {
            changes.extend(list_change(field, &strings(ov.get(*field)), &strings(nv.get(*field))));
        }
        for field in f.source_lists {
            changes.extend(sources_change(&strings(ov.get(*field)), &strings(nv.get(*field)), o, n));
        }
        if !changes.is_empty() {
            d.changed.push(EntityChange {
                id: id.clone(),
                name: scalar(nv.get(f.name)).unwrap_or_default(),
                changes,
            });
        }
    }
    for (id, nv) in new {
        if !old.contains_key(id) {
            d.added.push(entity_ref(id, nv, f));
        }
    }
    d
}

// ---------------------------------------------------------------------------------------------
// Markdown

/// Count with a noun: "1 incident", "3 incidents".
fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// "3 incidents changed, 1 added" — the first count carries the noun; zeros are left out.
fn clause(parts: &[(usize, &str)], singular: &str, plural: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    for (n, verb) in parts.iter().filter(|(n, _)| *n > 0) {
        if words.is_empty() {
            words.push(format!("{} {verb}", count(*n, singular, plural)));
        } else {
            words.push(format!("{n} {verb}"));
        }
    }
    (!words.is_empty()).then(|| words.join(", "))
}

/// The one-line summary: "3 incidents changed, 1 added; 12 pages changed", or "No changes.".
pub fn summary_line(r: &DiffReport) -> String {
    let i = &r.incidents;
    let entity = |d: &EntityDiff, s: &str, p: &str| {
        clause(
            &[
                (d.changed.len(), "changed"),
                (d.added.len(), "added"),
                (d.removed.len(), "removed"),
            ],
            s,
            p,
        )
    };
    let files = |f: &FileChanges, s: &str, p: &str| {
        clause(
            &[
                (f.changed.len(), "changed"),
                (f.added.len(), "added"),
                (f.removed.len(), "removed"),
            ],
            s,
            p,
        )
    };
    let parts: Vec<String> = [
        clause(
            &[
                (i.changed.len(), "changed"),
                (i.added.len(), "added"),
                (i.removed.len(), "removed"),
                (i.merged.len(), "merged"),
            ],
            "incident",
            "incidents",
        ),
        entity(&r.groups, "group", "groups"),
        entity(&r.places, "place", "places"),
        entity(&r.sources, "source", "sources"),
        files(&r.files.pages, "page", "pages"),
        files(&r.files.other, "other file", "other files"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "No changes.".to_string()
    } else {
        parts.join("; ")
    }
}

/// Escape text for Markdown so titles and quotes cannot turn into markup.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

struct Md<'a> {
    base: Option<&'a str>,
    /// Sources with title and publisher (incidents), or by id only (groups, places), where
    /// the same new source would otherwise repeat its long title on every line.
    full_sources: bool,
}

impl Md<'_> {
    /// `**id**`, or `**[id](<base>/<section>/<id>/)**` with a base URL.
    fn id(&self, section: &str, id: &str) -> String {
        match self.base {
            Some(b) => format!("**[{id}]({b}/{section}/{id}/)**"),
            None => format!("**{id}**"),
        }
    }

    /// A source with title and publisher; `link` only where the source exists in NEW.
    fn source(&self, s: &SourceRef, link: bool) -> String {
        let id = match self.base.filter(|_| link) {
            Some(b) => format!("[{}]({b}/sources/{}/)", s.id, s.id),
            None => format!("`{}`", s.id),
        };
        if !self.full_sources {
            return id;
        }
        let mut out = match &s.title {
            Some(t) => format!("*{}*", esc(t)),
            None => String::new(),
        };
        if let Some(p) = &s.publisher {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&esc(p));
        }
        if out.is_empty() { id } else { format!("{out} ({id})") }
    }

    /// "`003-…` sentence 17", linked to the sentence with a base URL.
    fn sentence(&self, source: &str, n: usize, link: bool) -> String {
        match self.base.filter(|_| link) {
            Some(b) => format!("[{source} sentence {n}]({b}/sources/{source}/#s{n})"),
            None => format!("`{source}` sentence {n}"),
        }
    }

    fn fact(&self, f: &Fact, link: bool) -> String {
        format!(
            "{}: {} ({})",
            fact_kind(&f.kind, &f.subject),
            esc(&f.value),
            self.sentence(&f.source, f.sentence, link)
        )
    }
}

fn fact_kind(kind: &str, subject: &Option<String>) -> String {
    match subject {
        Some(s) => format!("{kind} ({s})"),
        None => kind.to_string(),
    }
}

fn label(field: &str) -> String {
    field.replace('_', " ")
}

fn date_text(date: &Option<String>, precision: &str) -> String {
    match date {
        None => "undated".to_string(),
        Some(d) if precision == "day" || precision.is_empty() => d.clone(),
        Some(d) => format!("{d} ({precision})"),
    }
}

/// Inline words for a change, and nested lines (facts, contradictions) to list under it.
fn describe(md: &Md<'_>, c: &Change, inline: &mut Vec<String>, nested: &mut Vec<String>) {
    match c {
        Change::Value { field, old, new } if field == "assessment" => inline.push(
            match (old, new) {
                (None, _) => "assessment added",
                (_, None) => "assessment removed",
                _ => "assessment edited",
            }
            .to_string(),
        ),
        Change::Value { field, old, new } => {
            let quote = |s: &str| {
                if field == "title" {
                    format!("“{}”", esc(s))
                } else {
                    esc(s)
                }
            };
            inline.push(match (old, new) {
                (Some(o), Some(n)) => format!("{} {} → {}", label(field), quote(o), quote(n)),
                (None, Some(n)) => format!("{} set to {}", label(field), quote(n)),
                (Some(o), None) => format!("{} {} removed", label(field), quote(o)),
                (None, None) => format!("{} changed", label(field)),
            });
        }
        Change::List { field, added, removed } if field == "contradictions" => {
            nested.extend(added.iter().map(|t| format!("new contradiction: {}", esc(t))));
            nested.extend(removed.iter().map(|t| format!("contradiction gone: {}", esc(t))));
        }
        Change::List { field, added, removed } => {
            let list = |v: &[String]| v.iter().map(|s| esc(s)).collect::<Vec<_>>().join(", ");
            if !added.is_empty() {
                inline.push(format!("{} added: {}", label(field), list(added)));
            }
            if !removed.is_empty() {
                inline.push(format!("{} removed: {}", label(field), list(removed)));
            }
        }
        Change::Date {
            old,
            old_precision,
            new,
            new_precision,
        } => inline.push(format!(
            "date {} → {}",
            date_text(old, old_precision),
            date_text(new, new_precision)
        )),
        Change::Sources { added, removed } => {
            inline.extend(added.iter().map(|s| format!("new source {}", md.source(s, true))));
            inline.extend(
                removed
                    .iter()
                    .map(|s| format!("source dropped: {}", md.source(s, false))),
            );
        }
        Change::Facts {
            added,
            removed,
            changed,
            moved,
        } => {
            nested.extend(added.iter().map(|f| format!("new fact: {}", md.fact(f, true))));
            nested.extend(removed.iter().map(|f| format!("fact dropped: {}", md.fact(f, false))));
            nested.extend(changed.iter().map(|f| {
                format!(
                    "fact changed: {} {} → {} ({})",
                    fact_kind(&f.kind, &f.subject),
                    esc(&f.old),
                    esc(&f.new),
                    md.sentence(&f.source, f.sentence, true)
                )
            }));
            if !moved.is_empty() {
                inline.push(format!(
                    "{} now read from another sentence",
                    count(moved.len(), "fact", "facts")
                ));
            }
        }
    }
}

fn change_item(out: &mut String, md: &Md<'_>, section: &str, c: &EntityChange) {
    let (mut inline, mut nested) = (Vec::new(), Vec::new());
    for ch in &c.changes {
        describe(md, ch, &mut inline, &mut nested);
    }
    let _ = write!(out, "- {} {}", md.id(section, &c.id), esc(&c.name));
    if !inline.is_empty() {
        let _ = write!(out, ": {}", inline.join("; "));
    }
    out.push('\n');
    for line in nested {
        let _ = writeln!(out, "  - {line}");
    }
}

fn incident_item(out: &mut String, md: &Md<'_>, i: &IncidentSummary, link: bool) {
    let id = if link {
        md.id("incidents", &i.id)
    } else {
        format!("**{}**", i.id)
    };
    let mut about = vec![date_text(&i.date, &i.date_precision), format!("place {}", i.place)];
    about.push(format!("status {}", i.status));
    if !i.claimed_by.is_empty() {
        about.push(format!("claimed by {}", i.claimed_by.join(", ")));
    }
    if !i.weapons.is_empty() {
        about.push(format!("weapons: {}", i.weapons.join(", ")));
    }
    let _ = write!(out, "- {id} {}: {}", esc(&i.title), about.join("; "));
    if !i.sources.is_empty() {
        let sources: Vec<String> = i.sources.iter().map(|s| md.source(s, link)).collect();
        let _ = write!(
            out,
            "; {} {}",
            if sources.len() == 1 { "source" } else { "sources" },
            sources.join(", ")
        );
    }
    out.push('\n');
    if link {
        for f in &i.facts {
            let _ = writeln!(out, "  - {}", md.fact(f, true));
        }
    }
}

fn entity_section(out: &mut String, base: Option<&str>, heading: &str, section: &str, d: &EntityDiff) {
    if d.is_empty() {
        return;
    }
    let md = &Md {
        base,
        full_sources: false,
    };
    let _ = writeln!(out, "\n### {heading}\n");
    for e in &d.added {
        let _ = writeln!(out, "- {} {} (added)", md.id(section, &e.id), esc(&e.name));
    }
    for e in &d.removed {
        let _ = writeln!(out, "- **{}** {} (removed)", e.id, esc(&e.name));
    }
    for c in &d.changed {
        change_item(out, md, section, c);
    }
}

/// At most this many paths are listed in Markdown (a pull-request comment has a size limit);
/// the JSON report lists them all.
const MAX_LISTED_FILES: usize = 100;

fn file_list(out: &mut String, f: &FileDiff) {
    let mut lines = Vec::new();
    for (what, c) in [("page", &f.pages), ("file", &f.other)] {
        for (verb, list) in [("added", &c.added), ("removed", &c.removed), ("changed", &c.changed)] {
            lines.extend(list.iter().map(|p| format!("- {what} {verb}: `{p}`")));
        }
    }
    let total = lines.len();
    for line in lines.into_iter().take(MAX_LISTED_FILES) {
        let _ = writeln!(out, "{line}");
    }
    if total > MAX_LISTED_FILES {
        let _ = writeln!(
            out,
            "- … and {} more (`--format json` lists them all)",
            total - MAX_LISTED_FILES
        );
    }
}

/// The report as Markdown, ready to paste as a pull-request comment. With `base_url`, ids of
/// incidents, groups, places and sources that exist in NEW link to their pages there.
pub fn to_markdown(report: &DiffReport, base_url: Option<&str>) -> String {
    let summary = summary_line(report);
    if report.is_empty() {
        return format!("{summary}\n");
    }
    let base = base_url.map(|b| b.trim_end_matches('/'));
    let md = Md {
        base,
        full_sources: true,
    };
    let mut out = format!("{summary}\n");
    let i = &report.incidents;
    if !i.is_empty() {
        out.push_str("\n### Incidents\n");
        if !i.added.is_empty() {
            out.push_str("\nAdded:\n\n");
            for x in &i.added {
                incident_item(&mut out, &md, x, true);
            }
        }
        if !i.removed.is_empty() {
            out.push_str("\nRemoved:\n\n");
            for x in &i.removed {
                incident_item(&mut out, &md, x, false);
            }
        }
        if !i.merged.is_empty() {
            out.push_str("\nMerged:\n\n");
            for m in &i.merged {
                let _ = writeln!(
                    out,
                    "- **{}** {} merged into {}",
                    m.id,
                    esc(&m.title),
                    md.id("incidents", &m.into)
                );
            }
        }
        if !i.changed.is_empty() {
            out.push_str("\nChanged:\n\n");
            for c in &i.changed {
                change_item(&mut out, &md, "incidents", c);
            }
        }
    }
    entity_section(&mut out, base, "Groups", "groups", &report.groups);
    entity_section(&mut out, base, "Places", "places", &report.places);
    entity_section(&mut out, base, "Sources", "sources", &report.sources);
    let f = &report.files;
    if !f.pages.is_empty() || !f.other.is_empty() {
        out.push_str("\n<details><summary>Files</summary>\n\n");
        file_list(&mut out, f);
        out.push_str("\n</details>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A minimal build output: the four data files and one page.
    fn output(dir: &Path, incidents: Value, sources: Value, page: &str) {
        fs::create_dir_all(dir.join("data")).expect("mkdir");
        let write = |name: &str, v: Value| {
            fs::write(
                dir.join("data").join(name),
                serde_json::to_string_pretty(&v).expect("json"),
            )
            .expect("write")
        };
        write("incidents.json", json!({ "incidents": incidents }));
        write(
            "groups.json",
            json!({ "groups": [{ "id": "kh", "name": "Kataib Hezbollah", "aliases": ["KH"], "kind": "armed-group",
                                 "member_of": [], "incidents": [], "sources": [] }] }),
        );
        write("places.json", json!({ "places": [] }));
        write("sources.json", json!({ "sources": sources }));
        fs::write(dir.join("index.html"), page).expect("write");
    }

    fn incident(id: &str, status: &str, drones: &str, sources: &[&str]) -> Value {
        json!({
            "id": id, "title": "Drone attack on al-Tanf", "date": "2023-10-19", "date_precision": "day",
            "place": "al-tanf", "weapons": ["drone"], "claimed_by": ["kh"], "status": status,
            "sources": sources.iter().map(|s| json!({ "source": s, "sentences": [3], "quotes": ["…"] })).collect::<Vec<_>>(),
            "facts": [{ "kind": "count", "value": drones, "source": "001-a", "sentence": 3, "subject": "drone" }],
            "contradictions": [], "merged": [],
            "some_future_field": { "ignored": true }
        })
    }

    fn sources() -> Value {
        json!([
            { "id": "001-a", "title": "Drones hit al-Tanf", "publisher": "Shafaq News", "incidents": [] },
            { "id": "002-b", "title": "Base attacked", "publisher": null, "incidents": [] }
        ])
    }

    #[test]
    fn incident_changes_are_listed_field_by_field_in_plain_words() {
        let t = tempfile::tempdir().expect("tmp");
        let (old, new) = (t.path().join("old"), t.path().join("new"));
        output(
            &old,
            json!([incident("2023-10-19-al-tanf", "claimed", "3 drones", &["002-b"])]),
            sources(),
            "a",
        );
        output(
            &new,
            json!([incident(
                "2023-10-19-al-tanf",
                "disputed",
                "2 drones",
                &["001-a", "002-b"]
            )]),
            sources(),
            "b",
        );
        let r = diff_outputs(&old, &new).expect("diff");
        assert_eq!(r.incidents.changed.len(), 1);
        let changes = &r.incidents.changed[0].changes;
        assert!(changes.contains(&Change::Value {
            field: "status".into(),
            old: Some("claimed".into()),
            new: Some("disputed".into()),
        }));
        assert!(changes.contains(&Change::Sources {
            added: vec![SourceRef {
                id: "001-a".into(),
                title: Some("Drones hit al-Tanf".into()),
                publisher: Some("Shafaq News".into()),
            }],
            removed: vec![],
        }));
        let Some(Change::Facts {
            changed,
            added,
            removed,
            ..
        }) = changes.iter().find(|c| matches!(c, Change::Facts { .. }))
        else {
            panic!("no fact change in {changes:?}")
        };
        assert!(added.is_empty() && removed.is_empty(), "a changed value is one change");
        assert_eq!(
            (changed[0].old.as_str(), changed[0].new.as_str()),
            ("3 drones", "2 drones")
        );
        assert_eq!(r.files.pages.changed, vec!["index.html".to_string()]);
        assert_eq!(r.files.other.changed, vec!["data/incidents.json".to_string()]);

        let md = to_markdown(&r, Some("https://example.org/brief/"));
        assert!(
            md.starts_with("1 incident changed; 1 page changed; 1 other file changed\n"),
            "{md}"
        );
        assert!(
            md.contains(
                "- **[2023-10-19-al-tanf](https://example.org/brief/incidents/2023-10-19-al-tanf/)** \
                 Drone attack on al-Tanf: status claimed → disputed; new source *Drones hit al-Tanf*, \
                 Shafaq News ([001-a](https://example.org/brief/sources/001-a/))\n"
            ),
            "{md}"
        );
        assert!(
            md.contains(
                "  - fact changed: count (drone) 3 drones → 2 drones \
                 ([001-a sentence 3](https://example.org/brief/sources/001-a/#s3))"
            ),
            "{md}"
        );
    }

    #[test]
    fn merged_ids_are_not_reported_as_removed() {
        let t = tempfile::tempdir().expect("tmp");
        let (old, new) = (t.path().join("old"), t.path().join("new"));
        let a = incident("2023-10-19-al-tanf", "claimed", "3 drones", &["001-a"]);
        let b = incident("2023-10-20-al-tanf", "claimed", "3 drones", &["001-a"]);
        output(&old, json!([a.clone(), b]), sources(), "a");
        let mut merged = a;
        merged["merged"] = json!(["2023-10-20-al-tanf"]);
        output(&new, json!([merged]), sources(), "a");
        let r = diff_outputs(&old, &new).expect("diff");
        assert!(r.incidents.removed.is_empty());
        assert_eq!(
            r.incidents.merged,
            vec![Merge {
                id: "2023-10-20-al-tanf".into(),
                title: "Drone attack on al-Tanf".into(),
                into: "2023-10-19-al-tanf".into(),
            }]
        );
        let md = to_markdown(&r, None);
        assert!(md.starts_with("1 incident changed, 1 merged;"), "{md}");
        assert!(md.contains("- **2023-10-20-al-tanf** Drone attack on al-Tanf merged into **2023-10-19-al-tanf**"));
        assert!(md.contains("merged added: 2023-10-20-al-tanf"), "{md}");
    }

    #[test]
    fn identical_outputs_give_no_changes() {
        let t = tempfile::tempdir().expect("tmp");
        let (old, new) = (t.path().join("old"), t.path().join("new"));
        for dir in [&old, &new] {
            output(
                dir,
                json!([incident("x", "claimed", "3 drones", &["001-a"])]),
                sources(),
                "same",
            );
        }
        let r = diff_outputs(&old, &new).expect("diff");
        assert!(r.is_empty());
        assert_eq!(to_markdown(&r, Some("https://example.org")), "No changes.\n");
    }

    #[test]
    fn groups_report_names_aliases_and_kinds() {
        let old = BTreeMap::from([(
            "kh".to_string(),
            json!({ "id": "kh", "name": "Kataib Hezbollah", "aliases": ["KH"], "kind": "armed-group" }),
        )]);
        let new = BTreeMap::from([
            (
                "kh".to_string(),
                json!({ "id": "kh", "name": "Kata'ib Hizballah", "aliases": ["KH", "Kataeb Hezbollah"],
                        "kind": "armed-group", "member_of": ["pmf"] }),
            ),
            (
                "pmf".to_string(),
                json!({ "id": "pmf", "name": "Popular Mobilization Forces" }),
            ),
        ]);
        let side = |groups| Side {
            incidents: BTreeMap::new(),
            groups,
            places: BTreeMap::new(),
            sources: BTreeMap::new(),
        };
        let (o, n) = (side(old), side(new));
        let d = diff_entities(&o.groups, &n.groups, &GROUP_FIELDS, &o, &n);
        assert_eq!(
            d.added,
            vec![EntityRef {
                id: "pmf".into(),
                name: "Popular Mobilization Forces".into()
            }]
        );
        assert_eq!(
            d.changed[0].changes,
            vec![
                Change::Value {
                    field: "name".into(),
                    old: Some("Kataib Hezbollah".into()),
                    new: Some("Kata'ib Hizballah".into()),
                },
                Change::List {
                    field: "aliases".into(),
                    added: vec!["Kataeb Hezbollah".into()],
                    removed: vec![],
                },
                Change::List {
                    field: "member_of".into(),
                    added: vec!["pmf".into()],
                    removed: vec![],
                },
            ]
        );
    }

    #[test]
    fn facts_that_only_moved_sentence_are_not_added_and_removed() {
        let f = |value: &str, sentence| Fact {
            kind: "outcome".into(),
            value: value.into(),
            source: "001-a".into(),
            sentence,
            subject: None,
        };
        let Some(Change::Facts {
            added,
            removed,
            changed,
            moved,
        }) = facts_change(&[f("hit", 4), f("damage", 9)], &[f("hit", 5), f("intercepted", 2)])
        else {
            panic!("expected a fact change")
        };
        assert_eq!(moved.len(), 1);
        assert_eq!((moved[0].old_sentence, moved[0].new_sentence), (4, 5));
        assert!(changed.is_empty());
        assert_eq!(added, vec![f("intercepted", 2)]);
        assert_eq!(removed, vec![f("damage", 9)]);
        assert_eq!(facts_change(&[f("hit", 4)], &[f("hit", 4)]), None);
    }

    #[test]
    fn summary_line_counts_with_the_noun_on_the_first_count() {
        let mut r = DiffReport::default();
        assert_eq!(summary_line(&r), "No changes.");
        r.files.pages.changed = (0..12).map(|i| format!("p{i}.html")).collect();
        r.sources.added.push(EntityRef {
            id: "s".into(),
            name: "S".into(),
        });
        assert_eq!(summary_line(&r), "1 source added; 12 pages changed");
    }

    #[test]
    fn markdown_escapes_titles() {
        assert_eq!(esc("*bold* [link](x) <b>"), "\\*bold\\* \\[link\\](x) \\<b\\>");
    }

    #[test]
    fn a_folder_without_data_is_a_clear_error() {
        let t = tempfile::tempdir().expect("tmp");
        let good = t.path().join("good");
        output(&good, json!([]), json!([]), "x");
        let bare = t.path().join("public");
        fs::create_dir_all(&bare).expect("mkdir");
        let e = diff_outputs(&bare, &good).expect_err("no data");
        assert_eq!(
            e.to_string(),
            format!(
                "OLD: {} has no data/incidents.json — is it a sitrep build output?",
                bare.display()
            )
        );
        let missing = t.path().join("missing");
        let e = diff_outputs(&good, &missing).expect_err("missing");
        assert_eq!(
            e.to_string(),
            format!("NEW: {} does not exist or is not a folder", missing.display())
        );
        fs::write(good.join("data/sources.json"), "{ not json").expect("write");
        let e = diff_outputs(&good, &good).expect_err("bad json");
        assert!(e.to_string().starts_with(&format!(
            "OLD: {} is not sitrep data: ",
            good.join("data/sources.json").display()
        )));
    }
}
