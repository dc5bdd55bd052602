//! Stage 3, derive: all analyses in, a [`Briefing`] out — incidents clustered by place and
//! date, what each source says about each, and profiles of groups, places and sources.
//!
//! Dated mentions at a site found incidents; undated ones join the nearest incident at the
//! same site shortly before they were reported; mentions of a region join an incident at a
//! site inside it. A date is never guessed: what the text does not date stays undated.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::text::FastMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::analyze::{Analysis, DateBasis, EventMention, FactKind};
use crate::dates::Precision;
use crate::gazetteer::{EntityRef, Gazetteer};
use crate::load::{Article, Corpus, IncidentNote};

#[derive(Debug, Clone, Serialize)]
pub struct IncidentSource {
    pub source: String,
    /// The sentences (from 1) the incident rests on; their text stays in the article's
    /// analysis, where pages and `data/incidents.json` read it.
    pub sentences: Vec<usize>,
    /// True when the source does not name the site (only a region, or a shared statement).
    pub indirect: bool,
    /// The phrases the date was read from ("on Sunday night"), if any.
    pub date_phrases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct IncidentFact {
    /// One of the fact kinds' names ("claim", "count"…).
    pub kind: &'static str,
    pub value: String,
    /// The article's id, shared by every fact read from it (there are about a million facts
    /// at 100k articles).
    pub source: Arc<str>,
    pub sentence: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub date: Option<NaiveDate>,
    pub date_precision: Precision,
    pub place: String,
    pub weapons: Vec<String>,
    pub claimed_by: Vec<String>,
    pub status: String,
    pub status_reasons: Vec<String>,
    /// Shared, like `facts`: `serve` copies every unchanged incident between derivations, and
    /// only the few that later steps change are copied deeply.
    pub sources: Arc<Vec<IncidentSource>>,
    pub facts: Arc<Vec<IncidentFact>>,
    pub contradictions: Vec<String>,
    /// The analyst's assessment from content/incidents/<id>.md.
    pub assessment: Option<String>,
    /// Ids folded into this one by a `merge` note (their pages redirect here).
    pub merged: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupProfile {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: String,
    pub member_of: Vec<String>,
    pub members: Vec<String>,
    pub country: Option<String>,
    pub incidents: Vec<String>,
    /// The articles that name the group, as positions in [`Briefing::sources`], in article
    /// order. Positions, not ids: at scale these lists hold millions of entries.
    #[serde(skip)]
    pub sources: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlaceProfile {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: String,
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub within: Option<String>,
    pub incidents: Vec<String>,
    /// The articles that name the place, as positions in [`Briefing::sources`].
    #[serde(skip)]
    pub sources: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceProfile {
    pub id: String,
    pub title: String,
    pub date: Option<NaiveDate>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub path: String,
    pub incidents: Vec<String>,
    pub sentences: usize,
}

/// Where a statement is made: a source and its sentence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    pub source: String,
    pub sentence: usize,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub phrase: String,
}

/// "member belongs to umbrella", with every sentence that says so.
#[derive(Debug, Clone, Serialize)]
pub struct StatedMembership {
    pub member: String,
    pub umbrella: String,
    pub evidence: Vec<Evidence>,
}

/// A name the gazetteer does not know, for an analyst to review.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateName {
    pub name: String,
    pub kind: String,
    pub evidence: Vec<Evidence>,
}

/// Everything the site shows, sorted and ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Briefing {
    /// Newest first; undated last.
    pub incidents: Vec<Incident>,
    pub groups: Vec<GroupProfile>,
    pub places: Vec<PlaceProfile>,
    pub sources: Vec<SourceProfile>,
    /// Old incident id → new id, from `merge` notes.
    pub redirects: BTreeMap<String, String>,
    /// Group memberships stated in the sources.
    pub memberships: Vec<StatedMembership>,
    /// Names to review.
    pub candidates: Vec<CandidateName>,
}

/// One event mention with the article it came from.
struct Found<'a> {
    article: &'a str,
    /// The same id, shared with the facts the incident keeps.
    id: &'a Arc<str>,
    event: &'a EventMention,
    /// The article's facts, which `event.facts` points into.
    facts: &'a [crate::analyze::Fact],
}

/// Incident under construction: its key and the mentions that support it.
struct Cluster<'a> {
    place: &'a str,
    date: Option<NaiveDate>,
    precision: Precision,
    members: Vec<(&'a Found<'a>, bool)>,
}

/// The incidents under construction, indexed by place and by their exact key, so each mention
/// finds its candidates without scanning every cluster.
#[derive(Default)]
struct Clusters<'a> {
    list: Vec<Cluster<'a>>,
    /// Place → positions in `list`, in order of founding.
    by_place: FastMap<&'a str, Vec<usize>>,
    by_key: FastMap<(&'a str, Option<NaiveDate>, Precision), usize>,
}

impl<'a> Clusters<'a> {
    /// Positions of the clusters at `place`, oldest first.
    fn at(&self, place: &str) -> impl Iterator<Item = usize> + '_ {
        self.by_place.get(place).into_iter().flatten().copied()
    }

    /// Add the mention to the cluster with exactly this key, founding it if there is none.
    fn join_or_found(&mut self, place: &'a str, date: Option<NaiveDate>, precision: Precision, f: &'a Found<'a>) {
        let key = (place, date, precision);
        if let Some(&i) = self.by_key.get(&key) {
            self.list[i].members.push((f, false));
            return;
        }
        let i = self.list.len();
        self.list.push(Cluster {
            place,
            date,
            precision,
            members: vec![(f, false)],
        });
        self.by_key.insert(key, i);
        self.by_place.entry(place).or_default().push(i);
    }
}

/// Build the briefing from the corpus and each article's analysis.
pub fn derive(corpus: &Corpus, analyses: &[Analysis]) -> Briefing {
    derive_with(corpus, analyses, None)
}

/// Incidents as built from their clusters, kept between derivations of a briefing whose
/// articles change a few at a time (`serve`): a cluster whose members are the same mentions
/// of unchanged articles builds the same incident, so it is copied instead of built again.
#[derive(Default)]
pub struct IncidentCache {
    /// Fingerprint of a cluster → the clusters with that fingerprint and their incidents. A
    /// cluster is looked up by its fingerprint and then compared whole, so finding the
    /// thousands of unchanged ones copies none of their keys.
    built: HashMap<u64, Vec<(ClusterKey, Incident)>>,
}

/// A cluster's identity: its key and each member mention (article, sentence, place, and
/// whether it joined from a region).
type ClusterKey = (String, Option<NaiveDate>, Precision, Vec<(String, usize, String, bool)>);

impl IncidentCache {
    /// Forget every incident that rests on this article (it changed or is gone).
    pub fn forget(&mut self, article: &str) {
        for bucket in self.built.values_mut() {
            bucket.retain(|(key, _)| !key.3.iter().any(|m| m.0 == article));
        }
        self.built.retain(|_, bucket| !bucket.is_empty());
    }

    /// Where the incident of this cluster is kept: its fingerprint and place in the bucket.
    fn find(&self, c: &Cluster<'_>) -> (u64, Option<usize>) {
        let print = fingerprint(c);
        let at = self
            .built
            .get(&print)
            .and_then(|bucket| bucket.iter().position(|(key, _)| is_key_of(key, c)));
        (print, at)
    }
}

/// A hash of a cluster's place, date, precision and size. No two clusters of one derivation share
/// a place, date and precision, so this separates them; members are compared only on a match.
fn fingerprint(c: &Cluster<'_>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::text::Fnv1a::default();
    (c.place, c.date, c.precision, c.members.len()).hash(&mut h);
    h.finish()
}

fn is_key_of(key: &ClusterKey, c: &Cluster<'_>) -> bool {
    key.0 == c.place
        && key.1 == c.date
        && key.2 == c.precision
        && key.3.len() == c.members.len()
        && key.3.iter().zip(&c.members).all(|(k, (f, indirect))| {
            k.0 == f.article && k.1 == f.event.sentence && k.2 == f.event.place && k.3 == *indirect
        })
}

fn cluster_key(c: &Cluster<'_>) -> ClusterKey {
    let members = c
        .members
        .iter()
        .map(|(f, indirect)| {
            (
                f.article.to_string(),
                f.event.sentence,
                f.event.place.clone(),
                *indirect,
            )
        })
        .collect();
    (c.place.to_string(), c.date, c.precision, members)
}

/// [`derive`], reusing (and refreshing) the incidents of `cache` when given one.
pub fn derive_with(corpus: &Corpus, analyses: &[Analysis], cache: Option<&mut IncidentCache>) -> Briefing {
    let g = &corpus.gazetteer;
    let window = corpus.config.extraction.attach_window_days;
    // One shared copy of each article's id for the facts to point to.
    let ids: Vec<Arc<str>> = analyses.iter().map(|a| Arc::from(a.article.as_str())).collect();
    let mut found: Vec<Found<'_>> = Vec::new();
    for (a, id) in analyses.iter().zip(&ids) {
        for e in &a.events {
            found.push(Found {
                article: &a.article,
                id,
                event: e,
                facts: &a.facts,
            });
        }
    }
    // A total order, so the result does not depend on input order.
    found.sort_by(|a, b| {
        (a.article, a.event.sentence, &a.event.place).cmp(&(b.article, b.event.sentence, &b.event.place))
    });

    let mut clusters = Clusters::default();

    // 1. Site mentions dated to the day found incidents.
    for f in found
        .iter()
        .filter(|f| !f.event.area && f.event.date.is_some() && f.event.precision == Precision::Day)
    {
        let e = f.event;
        clusters.join_or_found(&e.place, e.date, Precision::Day, f);
    }
    // 2. Site mentions dated to a week, month or year join a day incident in that period.
    for f in found
        .iter()
        .filter(|f| !f.event.area && f.event.date.is_some() && f.event.precision != Precision::Day)
    {
        let e = f.event;
        let (start, p) = (e.date.unwrap_or_default(), e.precision);
        let inside: Vec<usize> = clusters
            .at(&e.place)
            .filter(|&i| {
                let c = &clusters.list[i];
                c.precision == Precision::Day && c.date.is_some_and(|d| in_period(d, start, p))
            })
            .collect();
        if inside.len() == 1 {
            clusters.list[inside[0]].members.push((f, false));
        } else {
            clusters.join_or_found(&e.place, e.date, p, f);
        }
    }
    // 3. Undated site mentions join the nearest incident at the site shortly before the anchor.
    for f in found.iter().filter(|f| !f.event.area && f.event.date.is_none()) {
        let e = f.event;
        let background = e.basis == DateBasis::Background;
        let candidate = nearest_before(&clusters, &e.place, e.anchor, if background { 3650 } else { window });
        match candidate {
            Some(i) => clusters.list[i].members.push((f, false)),
            None => {
                let (date, precision) = match (background, e.anchor) {
                    (false, Some(anchor)) => (Some(anchor), Precision::Week),
                    _ => (None, Precision::Unknown),
                };
                clusters.join_or_found(&e.place, date, precision, f);
            }
        }
    }
    // Each article's analysis and the places it names, for lookups below.
    let by_article: BTreeMap<&str, &Analysis> = analyses.iter().map(|a| (a.article.as_str(), a)).collect();
    // 4. Region mentions join one incident at a site inside the region in their period,
    // preferring sites the same article names.
    for f in found.iter().filter(|f| f.event.area && f.event.specific) {
        let e = f.event;
        let Some(date) = e.date else { continue };
        let inside: Vec<usize> = clusters
            .list
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                g.is_within(c.place, &e.place)
                    && c.date.is_some_and(|d| {
                        if e.precision == Precision::Day {
                            d == date
                        } else {
                            in_period(d, date, e.precision)
                        }
                    })
            })
            .map(|(i, _)| i)
            .collect();
        let named_here: Vec<usize> = inside
            .iter()
            .copied()
            .filter(|&i| {
                let place = EntityRef::Place(clusters.list[i].place.into());
                by_article.get(f.article).is_some_and(|a| a.names(&place))
            })
            .collect();
        let pick = if named_here.len() == 1 {
            Some(named_here[0])
        } else if inside.len() == 1 {
            Some(inside[0])
        } else {
            None
        };
        if let Some(i) = pick {
            clusters.list[i].members.push((f, true));
        }
    }

    let articles: BTreeMap<&str, &Article> = corpus.articles.iter().map(|a| (a.id.as_str(), a)).collect();

    // Sources are named by publisher where known, else by id, in the reasons people read.
    let source_label = |id: &str| -> String {
        articles
            .get(id)
            .and_then(|a| a.publisher.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let kept = clusters
        .list
        .par_iter()
        .filter(|c| !c.members.iter().all(|(_, indirect)| *indirect));
    let mut incidents: Vec<Incident> = match cache {
        None => kept.map(|c| build_incident(c, g, &source_label)).collect(),
        Some(cache) => {
            // Clusters seen before are only found here; new ones are built and keyed.
            let known: &IncidentCache = cache;
            type Made<'c, 'a> = (u64, &'c Cluster<'a>, Result<usize, (ClusterKey, Incident)>);
            let made: Vec<Made<'_, '_>> = kept
                .map(|c| match known.find(c) {
                    (print, Some(at)) => (print, c, Ok(at)),
                    (print, None) => (print, c, Err((cluster_key(c), build_incident(c, g, &source_label)))),
                })
                .collect();
            let mut old: HashMap<u64, Vec<Option<(ClusterKey, Incident)>>> = std::mem::take(&mut cache.built)
                .into_iter()
                .map(|(print, bucket)| (print, bucket.into_iter().map(Some).collect()))
                .collect();
            let mut order = Vec::with_capacity(made.len());
            for (print, c, found) in made {
                let entry = match found {
                    Err(new) => new,
                    Ok(at) => match old.get_mut(&print).and_then(|b| b.get_mut(at)).and_then(Option::take) {
                        Some(kept) => kept,
                        // Taken already (two clusters with one key): built again, never lost.
                        None => (cluster_key(c), build_incident(c, g, &source_label)),
                    },
                };
                order.push((print, entry));
            }
            // The briefing takes copies (it is changed below); the cache keeps the originals.
            let incidents = order.par_iter().map(|(_, (_, i))| i.clone()).collect();
            for (print, entry) in order {
                cache.built.entry(print).or_default().push(entry);
            }
            incidents
        }
    };
    link_shared_statements(&mut incidents, analyses);
    assign_ids(&mut incidents);
    let redirects = apply_notes(&mut incidents, &corpus.notes, g);
    incidents.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    // Undated incidents go last rather than first.
    incidents.sort_by_key(|i| i.date.is_none());

    let mut index = Index::new(corpus, &by_article, &incidents);
    let sources = source_profiles(corpus, &by_article, &index);
    let groups = group_profiles(g, &incidents, &mut index);
    let places = place_profiles(g, &incidents, &mut index);
    let (memberships, candidates) = statements(analyses);
    Briefing {
        incidents,
        groups,
        places,
        sources,
        redirects,
        memberships,
        candidates,
    }
}

/// A statement quoted in an incident's source and, word for word, in another article ties
/// that article to the incident as an indirect source, citing its copy of the statement.
fn link_shared_statements(incidents: &mut [Incident], analyses: &[Analysis]) {
    let quoted = analyses.iter().flat_map(|a| {
        a.quoted
            .iter()
            .filter_map(move |&n| a.sentence_text(n).map(|text| (a.article.as_str(), n, text)))
    });
    let links = crate::quotes::shared_statements(quoted);
    if links.is_empty() {
        return;
    }
    for inc in incidents.iter_mut() {
        let mut extra: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for src in inc.sources.iter() {
            for &n in &src.sentences {
                for (other, m) in links.get(&(src.source.clone(), n)).into_iter().flatten() {
                    extra.entry(other.clone()).or_default().insert(*m);
                }
            }
        }
        if extra.is_empty() {
            continue;
        }
        let sources = Arc::make_mut(&mut inc.sources);
        for (article, sentences) in extra {
            match sources.iter_mut().find(|s| s.source == article) {
                Some(existing) => {
                    let all: BTreeSet<usize> = existing.sentences.iter().copied().chain(sentences).collect();
                    existing.sentences = all.into_iter().collect();
                }
                None => sources.push(IncidentSource {
                    sentences: sentences.into_iter().collect(),
                    source: article,
                    indirect: true,
                    date_phrases: Vec::new(),
                }),
            }
        }
        sources.sort_by(|a, b| a.source.cmp(&b.source));
    }
}

/// `d` falls in the period of `precision` that starts at `start`.
fn in_period(d: NaiveDate, start: NaiveDate, precision: Precision) -> bool {
    d >= start && d < start + Duration::days(precision.span_days())
}

fn nearest_before(clusters: &Clusters<'_>, place: &str, anchor: Option<NaiveDate>, window: i64) -> Option<usize> {
    let anchor = anchor?;
    clusters
        .at(place)
        .filter_map(|i| {
            let c = &clusters.list[i];
            let d = c.date?;
            let back = (anchor - d).num_days();
            (-1..=window)
                .contains(&back)
                .then_some((back.abs(), c.precision != Precision::Day, i))
        })
        .min()
        .map(|(_, _, i)| i)
}

fn build_incident(c: &Cluster<'_>, g: &Gazetteer, source_label: &(dyn Fn(&str) -> String + Sync)) -> Incident {
    let mut per_source: BTreeMap<&str, (BTreeSet<usize>, bool, BTreeSet<String>)> = BTreeMap::new();
    let mut weapons = BTreeSet::new();
    let mut claimed = BTreeSet::new();
    let mut facts = BTreeSet::new();
    for (f, indirect) in &c.members {
        let e = f.event;
        let entry = per_source
            .entry(f.article)
            .or_insert_with(|| (BTreeSet::new(), true, BTreeSet::new()));
        entry.0.insert(e.sentence);
        entry.0.extend(e.supporting.iter().copied());
        entry.1 &= *indirect;
        if let DateBasis::Stated { phrase } | DateBasis::Carried { phrase, .. } = &e.basis
            && !phrase.is_empty()
        {
            entry.2.insert(phrase.clone());
        }
        for w in &e.weapons {
            weapons.insert(w.weapon.as_str().to_string());
        }
        // Only sources that name the site say who claimed this attack; a claim read from a
        // region-level mention stays in the ledger as a fact.
        if !*indirect {
            for cl in &e.claimants {
                claimed.insert(cl.clone());
            }
        }
        for fact in e.facts.iter().filter_map(|&k| f.facts.get(k)) {
            if fact.kind == FactKind::Count
                && let Some(w) = &fact.subject
            {
                weapons.insert(w.clone());
            }
            facts.insert(IncidentFact {
                kind: fact.kind.as_str(),
                value: fact.value.clone(),
                source: Arc::clone(f.id),
                sentence: fact.sentence,
                subject: fact.subject.clone(),
            });
        }
    }
    // "Airstrikes" by a militia that flies drones are the drone strikes themselves.
    if weapons.contains("drone") {
        weapons.remove("airstrike");
    }
    if weapons.is_empty() {
        weapons.insert("unknown".to_string());
    }
    let sources: Vec<IncidentSource> = per_source
        .into_iter()
        .map(|(src, (sentences, indirect, phrases))| IncidentSource {
            sentences: sentences.into_iter().collect(),
            source: src.to_string(),
            indirect,
            date_phrases: phrases.into_iter().collect(),
        })
        .collect();
    let facts: Vec<IncidentFact> = facts.into_iter().collect();
    let (status, status_reasons) = status_of(&facts, g, source_label);
    let contradictions = contradictions_of(&facts, g);
    let place_name = g.places.get(c.place).map_or(c.place, |p| p.name.as_str());
    let weapons: Vec<String> = weapons.into_iter().collect();
    let title = incident_title(&weapons, place_name);
    Incident {
        id: String::new(),
        title,
        date: c.date,
        date_precision: c.precision,
        place: c.place.to_string(),
        weapons,
        claimed_by: claimed.into_iter().collect(),
        status,
        status_reasons,
        sources: Arc::new(sources),
        facts: Arc::new(facts),
        contradictions,
        assessment: None,
        merged: Vec::new(),
    }
}

fn incident_title(weapons: &[String], place: &str) -> String {
    let known: Vec<&str> = weapons.iter().map(String::as_str).filter(|w| *w != "unknown").collect();
    if known.is_empty() {
        return format!("Attack on {place}");
    }
    let mut what = known.join(" and ");
    if let Some(first) = what.get(..1) {
        what = first.to_uppercase() + &what[1..];
    }
    format!("{what} attack on {place}")
}

/// Claimed, confirmed, denied, disputed or merely reported — with the reasons.
fn status_of(facts: &[IncidentFact], g: &Gazetteer, label: &dyn Fn(&str) -> String) -> (String, Vec<String>) {
    let join = |set: &BTreeSet<&str>| set.iter().map(|s| label(s)).collect::<Vec<_>>().join(", ");
    let name = |id: &str| g.groups.get(id).map_or(id.to_string(), |x| x.name.clone());
    let mut reasons = Vec::new();
    let claims: BTreeSet<&str> = facts
        .iter()
        .filter(|f| f.kind == "claim")
        .map(|f| f.value.as_str())
        .collect();
    let confirmed: Vec<&IncidentFact> = facts
        .iter()
        .filter(|f| f.kind == "confirmation" && f.value == "confirmed")
        .collect();
    let denied: Vec<&IncidentFact> = facts.iter().filter(|f| f.kind == "denial").collect();
    for c in &claims {
        let srcs: BTreeSet<&str> = facts
            .iter()
            .filter(|f| f.kind == "claim" && f.value == *c)
            .map(|f| &*f.source)
            .collect();
        reasons.push(format!("claimed by {} (per {})", name(c), join(&srcs)));
    }
    for (list, verb) in [(&confirmed, "confirmed"), (&denied, "not confirmed")] {
        let srcs: BTreeSet<&str> = list.iter().map(|f| &*f.source).collect();
        if !srcs.is_empty() {
            let who: BTreeSet<String> = list.iter().filter_map(|f| f.subject.as_deref()).map(name).collect();
            let who = if who.is_empty() {
                "officials".to_string()
            } else {
                who.into_iter().collect::<Vec<_>>().join(", ")
            };
            reasons.push(format!("{verb} by {who} (per {})", join(&srcs)));
        }
    }
    let status = match (!claims.is_empty(), !confirmed.is_empty(), !denied.is_empty()) {
        (_, true, true) => "disputed",
        (_, true, false) => "confirmed",
        (true, false, true) => "disputed",
        (false, false, true) => "denied",
        (true, false, false) => "claimed",
        (false, false, false) => "reported",
    };
    if reasons.is_empty() {
        reasons.push("reported; no claim or official confirmation found".into());
    }
    (status.to_string(), reasons)
}

fn join(set: &BTreeSet<&str>) -> String {
    set.iter().copied().collect::<Vec<_>>().join(", ")
}

/// Facts of one kind on which sources give different values.
fn contradictions_of(facts: &[IncidentFact], g: &Gazetteer) -> Vec<String> {
    let mut out = Vec::new();
    // An account that changed within one source.
    for f in facts.iter().filter(|f| f.kind == "revision") {
        out.push(format!(
            "account changed ({}, sentence {}): {}",
            f.source, f.sentence, f.value
        ));
    }
    // A claim that officials do not confirm.
    let claimants: BTreeSet<(&str, &str)> = facts
        .iter()
        .filter(|f| f.kind == "claim")
        .map(|f| (f.value.as_str(), &*f.source))
        .collect();
    let unconfirmed: BTreeSet<&str> = facts
        .iter()
        .filter(|f| f.kind == "denial")
        .map(|f| &*f.source)
        .collect();
    if !claimants.is_empty() && !unconfirmed.is_empty() {
        let who: Vec<String> = claimants
            .iter()
            .map(|(c, s)| format!("{} ({s})", g.group_name(c)))
            .collect();
        out.push(format!(
            "claimed by {} vs not confirmed by officials ({})",
            who.join(", "),
            unconfirmed.iter().copied().collect::<Vec<_>>().join(", ")
        ));
    }
    // Counts per weapon.
    let mut counts: BTreeMap<&str, BTreeMap<&str, BTreeSet<&str>>> = BTreeMap::new();
    for f in facts.iter().filter(|f| f.kind == "count") {
        let w = f.subject.as_deref().unwrap_or("?");
        counts
            .entry(w)
            .or_default()
            .entry(f.value.as_str())
            .or_default()
            .insert(&*f.source);
    }
    for (w, values) in counts {
        if values.len() > 1 && distinct_sources(&values) {
            out.push(format!("{w} count: {}", describe_values(&values)));
        }
    }
    // Casualties: "no injuries" against reported injuries, or differing figures.
    let mut cas: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for f in facts
        .iter()
        .filter(|f| f.kind == "casualties" && !f.value.ends_with("unknown"))
    {
        cas.entry(f.value.as_str()).or_default().insert(&*f.source);
    }
    let none = cas.keys().any(|v| v.starts_with("no "));
    let some = cas.keys().any(|v| !v.starts_with("no "));
    if none && some && distinct_sources(&cas) {
        out.push(format!("casualties: {}", describe_values(&cas)));
    }
    // Official confirmation against "no reports" / denial.
    let conf: BTreeSet<&str> = facts
        .iter()
        .filter(|f| f.kind == "confirmation" && f.value == "confirmed")
        .map(|f| &*f.source)
        .collect();
    let den: BTreeSet<&str> = facts
        .iter()
        .filter(|f| f.kind == "denial")
        .map(|f| &*f.source)
        .collect();
    if conf.iter().any(|c| den.iter().any(|d| c != d)) {
        out.push(format!(
            "confirmation: confirmed ({}) vs not confirmed ({})",
            join(&conf),
            join(&den)
        ));
    }
    // Claimants: different groups claim the same attack.
    let mut claims: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for f in facts.iter().filter(|f| f.kind == "claim") {
        claims.entry(f.value.as_str()).or_default().insert(&*f.source);
    }
    // A member and its umbrella claiming the same attack agree rather than contradict.
    let related = |a: &str, b: &str| {
        let parents = |x: &str| g.groups.get(x).map(|gr| gr.member_of.clone()).unwrap_or_default();
        parents(a).iter().any(|p| p == b) || parents(b).iter().any(|p| p == a)
    };
    let ids: Vec<&str> = claims.keys().copied().collect();
    let unrelated = ids
        .iter()
        .enumerate()
        .any(|(i, a)| ids[i + 1..].iter().any(|b| !related(a, b)));
    if claims.len() > 1 && unrelated && distinct_sources(&claims) {
        out.push(format!("claimed by: {}", describe_values(&claims)));
    }
    out
}

/// Two sources disagree: neither gives any value the other gives. (One source giving several
/// values, such as three drones launched and two intercepted, is not a contradiction.)
fn distinct_sources(values: &BTreeMap<&str, BTreeSet<&str>>) -> bool {
    let mut by_source: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (v, sources) in values {
        for s in sources {
            by_source.entry(s).or_default().insert(v);
        }
    }
    let sets: Vec<&BTreeSet<&str>> = by_source.values().collect();
    sets.iter()
        .enumerate()
        .any(|(i, a)| sets[i + 1..].iter().any(|b| a.is_disjoint(b)))
}

fn describe_values(values: &BTreeMap<&str, BTreeSet<&str>>) -> String {
    values
        .iter()
        .map(|(v, s)| format!("{v} ({})", join(s)))
        .collect::<Vec<_>>()
        .join(" vs ")
}

/// `YYYY-MM-DD-<place>` or `undated-<place>`, with `-2`, `-3`… for a second incident.
fn assign_ids(incidents: &mut [Incident]) {
    let mut order: Vec<usize> = (0..incidents.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&incidents[a], &incidents[b]);
        (
            x.date,
            &x.place,
            x.date_precision,
            &x.sources.first().map(|s| (&s.source, s.sentences.first())),
        )
            .cmp(&(
                y.date,
                &y.place,
                y.date_precision,
                &y.sources.first().map(|s| (&s.source, s.sentences.first())),
            ))
    });
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for i in order {
        let inc = &mut incidents[i];
        let base = match inc.date {
            Some(d) => format!("{}-{}", d.format("%Y-%m-%d"), inc.place),
            None => format!("undated-{}", inc.place),
        };
        let n = used.entry(base.clone()).or_insert(0);
        *n += 1;
        inc.id = if *n == 1 { base } else { format!("{base}-{n}") };
    }
}

/// Apply analysts' notes: titles, assessments, merges and exclusions.
fn apply_notes(incidents: &mut Vec<Incident>, notes: &[IncidentNote], g: &Gazetteer) -> BTreeMap<String, String> {
    let mut redirects = BTreeMap::new();
    for note in notes {
        if note.exclude {
            incidents.retain(|i| i.id != note.id);
            continue;
        }
        let Some(target) = incidents.iter().position(|i| i.id == note.id) else {
            continue;
        };
        for old in &note.merge {
            let Some(from) = incidents.iter().position(|i| &i.id == old) else {
                continue;
            };
            let absorbed = incidents.remove(from);
            let target = if from < target { target - 1 } else { target };
            merge_into(&mut incidents[target], absorbed, g);
            redirects.insert(old.clone(), note.id.clone());
        }
        let target = incidents.iter().position(|i| i.id == note.id).unwrap_or(target);
        let inc = &mut incidents[target];
        if let Some(t) = &note.title {
            inc.title = t.clone();
        }
        if !note.body.is_empty() {
            inc.assessment = Some(note.body.clone());
        }
    }
    redirects
}

fn merge_into(into: &mut Incident, from: Incident, g: &Gazetteer) {
    into.merged.push(from.id.clone());
    into.merged.extend(from.merged);
    let sources = Arc::make_mut(&mut into.sources);
    for s in Arc::unwrap_or_clone(from.sources) {
        match sources.iter_mut().find(|x| x.source == s.source) {
            Some(x) => {
                let set: BTreeSet<usize> = x.sentences.iter().chain(s.sentences.iter()).copied().collect();
                x.sentences = set.into_iter().collect();
                x.indirect &= s.indirect;
            }
            None => sources.push(s),
        }
    }
    sources.sort_by(|a, b| a.source.cmp(&b.source));
    for list in [
        (&mut into.weapons, from.weapons),
        (&mut into.claimed_by, from.claimed_by),
    ] {
        list.0.extend(list.1);
        list.0.sort();
        list.0.dedup();
    }
    if into.weapons.len() > 1 {
        into.weapons.retain(|w| w != "unknown");
    }
    let facts = Arc::make_mut(&mut into.facts);
    facts.extend(Arc::unwrap_or_clone(from.facts));
    facts.sort();
    facts.dedup();
    into.contradictions = contradictions_of(&into.facts, g);
}

/// Memberships and unknown names gathered over all articles, each with its evidence.
fn statements(analyses: &[Analysis]) -> (Vec<StatedMembership>, Vec<CandidateName>) {
    let mut members: BTreeMap<(String, String), BTreeSet<Evidence>> = BTreeMap::new();
    let mut names: BTreeMap<(String, String), BTreeSet<Evidence>> = BTreeMap::new();
    for a in analyses {
        for m in &a.memberships {
            let e = Evidence {
                source: a.article.clone(),
                sentence: m.sentence,
                phrase: String::new(),
            };
            members
                .entry((m.member.clone(), m.umbrella.clone()))
                .or_default()
                .insert(e);
        }
        for c in &a.candidates {
            let e = Evidence {
                source: a.article.clone(),
                sentence: c.sentence,
                phrase: c.phrase.clone(),
            };
            names.entry((c.name.clone(), c.kind.clone())).or_default().insert(e);
        }
    }
    let memberships = members
        .into_iter()
        .map(|((member, umbrella), ev)| StatedMembership {
            member,
            umbrella,
            evidence: ev.into_iter().collect(),
        })
        .collect();
    let candidates = names
        .into_iter()
        .map(|((name, kind), ev)| CandidateName {
            name,
            kind,
            evidence: ev.into_iter().collect(),
        })
        .collect();
    (memberships, candidates)
}

/// Who is mentioned where and which incidents cite which source, built in one pass so the
/// profiles need no nested scans.
struct Index<'a> {
    /// Entity → the articles that name it, as positions in the corpus (and so in the
    /// briefing's sources), in article order.
    mentioned: FastMap<&'a EntityRef, Vec<u32>>,
    incidents_of_source: FastMap<&'a str, Vec<&'a str>>,
}

impl<'a> Index<'a> {
    fn new(corpus: &Corpus, by_article: &BTreeMap<&str, &'a Analysis>, incidents: &'a [Incident]) -> Self {
        let mut mentioned: FastMap<&EntityRef, Vec<u32>> = FastMap::default();
        for (pos, article) in (0u32..).zip(&corpus.articles) {
            for e in by_article.get(article.id.as_str()).into_iter().flat_map(|a| a.named()) {
                mentioned.entry(e).or_default().push(pos);
            }
        }
        let mut incidents_of_source: FastMap<&str, Vec<&str>> = FastMap::default();
        for i in incidents {
            for s in i.sources.iter() {
                incidents_of_source
                    .entry(s.source.as_str())
                    .or_default()
                    .push(i.id.as_str());
            }
        }
        for list in incidents_of_source.values_mut() {
            list.sort();
            list.dedup();
        }
        Index {
            mentioned,
            incidents_of_source,
        }
    }

    /// The articles naming this entity (each entity's list is handed out once).
    fn take_mentioned(&mut self, e: &EntityRef) -> Vec<u32> {
        self.mentioned.remove(e).unwrap_or_default()
    }
}

fn source_profiles(corpus: &Corpus, by_article: &BTreeMap<&str, &Analysis>, index: &Index) -> Vec<SourceProfile> {
    corpus
        .articles
        .par_iter()
        .map(|a| SourceProfile {
            id: a.id.clone(),
            title: a.title.clone(),
            date: a.date,
            publisher: a.publisher.clone(),
            url: a.url.clone(),
            author: a.author.clone(),
            path: a.path.clone(),
            incidents: index
                .incidents_of_source
                .get(a.id.as_str())
                .map(|list| list.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
            sentences: by_article.get(a.id.as_str()).map_or(0, |x| x.sentences.len()),
        })
        .collect()
}

fn group_profiles(g: &Gazetteer, incidents: &[Incident], index: &mut Index) -> Vec<GroupProfile> {
    g.groups
        .values()
        .map(|gr| {
            let mut inc: Vec<String> = incidents
                .iter()
                .filter(|i| i.claimed_by.contains(&gr.id))
                .map(|i| i.id.clone())
                .collect();
            inc.sort();
            let mut member_of = gr.member_of.clone();
            member_of.sort();
            GroupProfile {
                id: gr.id.clone(),
                name: gr.name.clone(),
                aliases: gr.aliases.clone(),
                kind: gr.kind.clone(),
                member_of,
                members: g.members_of(&gr.id).iter().map(|m| m.id.clone()).collect(),
                country: gr.country.clone(),
                incidents: inc,
                sources: index.take_mentioned(&EntityRef::Group(gr.id.as_str().into())),
            }
        })
        .collect()
}

fn place_profiles(g: &Gazetteer, incidents: &[Incident], index: &mut Index) -> Vec<PlaceProfile> {
    g.places
        .values()
        .map(|p| {
            let mut inc: Vec<String> = incidents
                .iter()
                .filter(|i| i.place == p.id || g.is_within(&i.place, &p.id))
                .map(|i| i.id.clone())
                .collect();
            inc.sort();
            PlaceProfile {
                id: p.id.clone(),
                name: p.name.clone(),
                aliases: p.aliases.clone(),
                kind: p.kind.clone(),
                country: p.country.clone(),
                lat: p.lat,
                lon: p.lon,
                within: p.within.clone(),
                incidents: inc,
                sources: index.take_mentioned(&EntityRef::Place(p.id.as_str().into())),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(id: &str, sentences: &[usize]) -> IncidentSource {
        IncidentSource {
            source: id.to_string(),
            sentences: sentences.to_vec(),
            indirect: false,
            date_phrases: Vec::new(),
        }
    }

    fn incident(id: &str, sources: Vec<IncidentSource>) -> Incident {
        Incident {
            id: id.to_string(),
            title: String::new(),
            date: None,
            date_precision: Precision::Unknown,
            place: "tower-22".to_string(),
            weapons: vec!["drone".to_string()],
            claimed_by: Vec::new(),
            status: String::new(),
            status_reasons: Vec::new(),
            sources: Arc::new(sources),
            facts: Arc::new(Vec::new()),
            contradictions: Vec::new(),
            assessment: None,
            merged: Vec::new(),
        }
    }

    /// Merging two incidents that cite one source cites each of its sentences once.
    #[test]
    fn a_merge_joins_the_sentences_of_a_shared_source() {
        let mut into = incident("a", vec![source("wire", &[3, 5])]);
        let from = incident("b", vec![source("wire", &[4, 5]), source("local", &[1])]);
        let kept = Arc::clone(&into.sources);
        merge_into(&mut into, from, &Gazetteer::empty());
        let wire = into.sources.iter().find(|s| s.source == "wire").expect("wire");
        assert_eq!(wire.sentences, vec![3, 4, 5]);
        assert_eq!(into.sources.len(), 2);
        assert_eq!(into.merged, vec!["b".to_string()]);
        // A copy shared before the merge (the cache's) is left as it was.
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].sentences, vec![3, 5]);
    }
}
