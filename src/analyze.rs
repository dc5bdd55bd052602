//! Stage 2, analyze: one article in, its [`Analysis`] out — sentences, names, dates, event
//! mentions and the facts each rests on. Never looks at other articles, so it runs in parallel.

use chrono::NaiveDate;
use serde::Serialize;

use crate::dates::{DateExpr, Precision, find_dates};
use crate::gazetteer::{EntityRef, Gazetteer};
use crate::load::{Article, Extraction};
use crate::text::{fold_key, split_sentences, words};
use crate::weapons::{Count, Weapon, WeaponMention, find_weapons};

#[derive(Debug, Clone, Serialize)]
pub struct Sentence {
    /// 1-based number across the article; the anchor `#s<n>` on the source page.
    pub n: usize,
    /// Index of the block (paragraph) it belongs to.
    pub block: usize,
    pub text: String,
}

/// A gazetteer name found in a sentence (or an anaphor such as "the base" resolved to one).
#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    pub sentence: usize,
    pub entity: EntityRef,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// True when the name is not written but inferred ("the base" → the last base named).
    pub inferred: bool,
}

/// Whether a date says when the attack happened or when somebody spoke about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateRole {
    Event,
    Report,
}

#[derive(Debug, Clone, Serialize)]
pub struct DateMention {
    pub sentence: usize,
    #[serde(flatten)]
    pub expr: DateExpr,
    pub role: DateRole,
}

/// How an event mention got its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "how")]
pub enum DateBasis {
    /// The sentence says it.
    Stated { phrase: String },
    /// An earlier sentence of the article about the same place or the same events says it.
    Carried { phrase: String, from_sentence: usize },
    /// The text does not say; the incident is found by place near `anchor`.
    Unstated,
    /// The attack is background to another dated event ("following a drone attack that…"):
    /// no date may be taken from the sentence or its neighbours.
    Background,
}

/// What kind of statement a fact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FactKind {
    Count,
    Outcome,
    Casualties,
    Claim,
    Confirmation,
    Denial,
    Report,
}

impl FactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FactKind::Count => "count",
            FactKind::Outcome => "outcome",
            FactKind::Casualties => "casualties",
            FactKind::Claim => "claim",
            FactKind::Confirmation => "confirmation",
            FactKind::Denial => "denial",
            FactKind::Report => "report",
        }
    }
}

/// One thing a source says about an attack, tied to the sentence that says it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Fact {
    pub kind: FactKind,
    /// Normalised value ("2 drones", "intercepted", "no injuries", a group id…).
    pub value: String,
    /// For counts: the weapon; for claims, confirmations and reports: who.
    pub subject: Option<String>,
    pub sentence: usize,
    /// The words the fact was read from.
    pub phrase: String,
}

/// A sentence (or clause) that reports an attack at a place.
#[derive(Debug, Clone, Serialize)]
pub struct EventMention {
    pub sentence: usize,
    pub place: String,
    /// True for a region or country ("western Iraq"): it can join a site's incident but does
    /// not make one of its own.
    pub area: bool,
    pub date: Option<NaiveDate>,
    pub precision: Precision,
    pub basis: DateBasis,
    /// The date an undated mention is looked up near: when it was reported, else publication.
    pub anchor: Option<NaiveDate>,
    pub weapons: Vec<WeaponMention>,
    /// The sentence names a weapon or its own date: specific enough for a region-level
    /// mention to join an incident at a site in that region.
    pub specific: bool,
    pub claimants: Vec<String>,
    pub facts: Vec<Fact>,
    /// Other sentences whose facts were attached to this mention.
    pub supporting: Vec<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub article: String,
    pub published: Option<NaiveDate>,
    pub sentences: Vec<Sentence>,
    pub mentions: Vec<Mention>,
    pub dates: Vec<DateMention>,
    pub events: Vec<EventMention>,
}

// ---------------------------------------------------------------------------------------------
// Cue words. Matched on lowercase word tokens.

const ATTACK_CUES: &[&str] = &[
    "attack",
    "attacks",
    "attacked",
    "attacking",
    "strike",
    "strikes",
    "struck",
    "hit",
    "hits",
    "target",
    "targeted",
    "targeting",
    "targets",
    "launched",
    "intercepted",
    "downed",
    "explosion",
    "explosions",
    "blast",
    "blasts",
    "bombarded",
    "bombardment",
    "shelled",
    "fired",
    "assault",
    "raid",
    "offensives",
    "airstrikes",
    "airstrike",
    "repelled",
    "thwarted",
    "shot",
    "came",
    "defended",
    "wounded",
    "killed",
];

const SPEECH_CUES: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "spoke",
    "speaking",
    "claimed",
    "claim",
    "claims",
    "announced",
    "stated",
    "declared",
    "reported",
    "confirmed",
    "confirm",
    "statement",
    "revealed",
    "added",
    "noted",
    "published",
    "posted",
    "released",
    "issued",
    "according",
    "quoted",
    "briefing",
    "denied",
    "explained",
    "warned",
];

/// Words that make the place after them the background of another event.
const BACKGROUND_CONNECTIVES: &[&str] = &["following", "after", "before", "since", "prior"];

/// Words before a group name that mean it is not the one speaking or acting.
const NOT_SUBJECT: &[&str] = &["with", "of", "by", "against", "to", "from", "for", "backed", "than"];

fn lower_words(s: &str) -> Vec<(String, usize, usize)> {
    words(s)
        .into_iter()
        .map(|t| (t.text.to_lowercase(), t.start, t.end))
        .collect()
}

fn has_any(ws: &[(String, usize, usize)], cues: &[&str]) -> bool {
    ws.iter().any(|(w, _, _)| cues.contains(&w.as_str()))
}

/// Analyse one article against the gazetteer.
pub fn analyze(article: &Article, gazetteer: &Gazetteer, settings: &Extraction) -> Analysis {
    let sentences = sentences_of(article);
    let published = article.date;
    let mut mentions = Vec::new();
    let mut dates = Vec::new();
    let mut events: Vec<EventMention> = Vec::new();

    // State carried from sentence to sentence within the article.
    let mut last_site: Option<(String, usize)> = None;
    let mut current_date: Option<(NaiveDate, Precision, String, usize)> = None;
    let mut last_claimant: Option<String> = None;
    let mut last_event_sentence: Option<usize> = None;

    for s in &sentences {
        let ws = lower_words(&s.text);
        let mut found: Vec<Mention> = gazetteer
            .find_names(&s.text)
            .into_iter()
            .map(|m| Mention {
                sentence: s.n,
                entity: m.entity,
                text: s.text[m.start..m.end].to_string(),
                start: m.start,
                end: m.end,
                inferred: false,
            })
            .collect();

        let mut sites: Vec<&Mention> = Vec::new();
        let mut areas: Vec<&Mention> = Vec::new();
        for m in &found {
            if let EntityRef::Place(id) = &m.entity
                && let Some(p) = gazetteer.places.get(id)
            {
                if p.is_area() { areas.push(m) } else { sites.push(m) }
            }
        }
        // "the base" / "the garrison" with no site named: the last installation named nearby.
        let mut inferred = None;
        if sites.is_empty()
            && let Some((id, at)) = &last_site
            && s.n - at <= 5
            && let Some((start, end)) = find_anaphor(&s.text)
        {
            inferred = Some(Mention {
                sentence: s.n,
                entity: EntityRef::Place(id.clone()),
                start,
                end,
                text: s.text[start..end].to_string(),
                inferred: true,
            });
        }
        let site_ids: Vec<(String, usize)> = sites
            .iter()
            .copied()
            .chain(inferred.iter())
            .filter_map(|m| match &m.entity {
                EntityRef::Place(id) => Some((id.clone(), m.start)),
                EntityRef::Group(_) => None,
            })
            .collect();
        let area_ids: Vec<(String, usize)> = areas
            .iter()
            .filter_map(|m| match &m.entity {
                EntityRef::Place(id) => Some((id.clone(), m.start)),
                EntityRef::Group(_) => None,
            })
            .collect();

        let exprs = find_dates(&s.text, published);
        let sentence_dates: Vec<DateMention> = exprs
            .into_iter()
            .map(|e| {
                let role = date_role(&s.text, &ws, &e);
                DateMention {
                    sentence: s.n,
                    expr: e,
                    role,
                }
            })
            .collect();

        let weapons = find_weapons(&s.text);
        let is_attack = has_any(&ws, ATTACK_CUES) || !weapons.is_empty();
        let facts = sentence_facts(s, &ws, &found, gazetteer, &weapons, &mut last_claimant);

        let event_dates: Vec<&DateMention> = sentence_dates
            .iter()
            .filter(|d| d.role == DateRole::Event && d.expr.date.is_some())
            .collect();
        let report_date = sentence_dates
            .iter()
            .find(|d| d.role == DateRole::Report)
            .and_then(|d| d.expr.date);

        if is_attack {
            // Sites make events; areas only when no site is named in the sentence.
            let targets: Vec<(String, usize, bool)> = if site_ids.is_empty() {
                area_ids.iter().map(|(id, at)| (id.clone(), *at, true)).collect()
            } else {
                site_ids.iter().map(|(id, at)| (id.clone(), *at, false)).collect()
            };
            let mut dedup = std::collections::BTreeSet::new();
            let mut made_event = false;
            for (place, at, area) in targets {
                if !dedup.insert(place.clone()) {
                    continue;
                }
                let background = is_background(&ws, at);
                let applicable: Vec<&&DateMention> = event_dates
                    .iter()
                    .filter(|d| !connective_between(&ws, d.expr.start, at))
                    .collect();
                let (date, precision, basis) = if background {
                    (None, Precision::Unknown, DateBasis::Background)
                } else if let Some(d) = applicable.first() {
                    (
                        d.expr.date,
                        d.expr.precision,
                        DateBasis::Stated {
                            phrase: d.expr.phrase.clone(),
                        },
                    )
                } else if let Some(prev) = events
                    .iter()
                    .rev()
                    .find(|e| !area && e.place == place && e.basis != DateBasis::Background)
                {
                    // The same place again in the same article: the same attack, dated or not.
                    match &prev.basis {
                        DateBasis::Stated { phrase } | DateBasis::Carried { phrase, .. } => {
                            let basis = DateBasis::Carried {
                                phrase: phrase.clone(),
                                from_sentence: prev.sentence,
                            };
                            (prev.date, prev.precision, basis)
                        }
                        _ => (None, Precision::Unknown, DateBasis::Unstated),
                    }
                } else if let Some((d, p, phrase, from)) = &current_date
                    && s.n - from <= settings.carry_sentences
                    && event_dates.is_empty()
                {
                    (
                        Some(*d),
                        *p,
                        DateBasis::Carried {
                            phrase: phrase.clone(),
                            from_sentence: *from,
                        },
                    )
                } else {
                    (None, Precision::Unknown, DateBasis::Unstated)
                };
                let mut claimants: Vec<String> = facts
                    .iter()
                    .filter(|f| f.kind == FactKind::Claim)
                    .map(|f| f.value.clone())
                    .collect();
                claimants.sort();
                claimants.dedup();
                events.push(EventMention {
                    sentence: s.n,
                    place,
                    area,
                    date,
                    precision,
                    basis,
                    anchor: report_date.or(published),
                    weapons: weapons.clone(),
                    specific: !weapons.is_empty() || !applicable.is_empty(),
                    claimants,
                    facts: facts.clone(),
                    supporting: Vec::new(),
                });
                made_event = true;
            }
            if made_event {
                last_event_sentence = Some(s.n);
            }
            // The sentence's own event date carries to the sentences that follow it.
            if let Some(d) = event_dates.first()
                && let Some(date) = d.expr.date
                && !events
                    .last()
                    .is_some_and(|e| e.sentence == s.n && e.basis == DateBasis::Background)
            {
                current_date = Some((date, d.expr.precision, d.expr.phrase.clone(), s.n));
            } else if let Some(cur) = current_date.as_mut()
                && made_event
                && events
                    .last()
                    .is_some_and(|e| matches!(e.basis, DateBasis::Carried { .. }))
            {
                cur.3 = s.n;
            }
            if !made_event {
                attach_facts(&mut events, last_event_sentence, s.n, &facts);
            }
        } else if !facts.is_empty() {
            attach_facts(&mut events, last_event_sentence, s.n, &facts);
        }

        if let Some((id, _)) = sites.iter().rev().find_map(|m| match &m.entity {
            EntityRef::Place(id) if gazetteer.places.get(id).is_some_and(|p| p.is_installation()) => {
                Some((id.clone(), m.start))
            }
            _ => None,
        }) {
            last_site = Some((id, s.n));
        }
        found.extend(inferred);
        found.sort_by_key(|m| (m.start, m.end));
        mentions.extend(found);
        dates.extend(sentence_dates);
    }
    Analysis {
        article: article.id.clone(),
        published,
        sentences,
        mentions,
        dates,
        events,
    }
}

/// Give the facts of a sentence that names no place to the event mentions of the most recent
/// event sentence, when it is close enough to be about the same attack.
fn attach_facts(events: &mut [EventMention], last: Option<usize>, n: usize, facts: &[Fact]) {
    // Facts reach back only a few sentences: further on, a sentence without a place is more
    // often a summary of several attacks than a detail of the last one.
    const FACT_WINDOW: usize = 3;
    let Some(last) = last else { return };
    if n - last > FACT_WINDOW || facts.is_empty() {
        return;
    }
    for e in events.iter_mut().filter(|e| e.sentence == last) {
        for f in facts {
            if !e.facts.contains(f) {
                e.facts.push(f.clone());
            }
            if f.kind == FactKind::Claim && !e.claimants.contains(&f.value) {
                e.claimants.push(f.value.clone());
                e.claimants.sort();
            }
        }
        if !e.supporting.contains(&n) {
            e.supporting.push(n);
        }
    }
}

/// Split the article's blocks into numbered sentences.
pub fn sentences_of(article: &Article) -> Vec<Sentence> {
    let mut out = Vec::new();
    for (bi, block) in article.blocks.iter().enumerate() {
        for span in split_sentences(&block.text) {
            out.push(Sentence {
                n: out.len() + 1,
                block: bi,
                text: block.text[span.start..span.end].to_string(),
            });
        }
    }
    out
}

/// "the base", "the garrison", "the outpost", "the airbase", "the facility" (not "a base").
fn find_anaphor(text: &str) -> Option<(usize, usize)> {
    let toks = words(text);
    toks.windows(2).find_map(|w| {
        let noun = w[1].text.to_ascii_lowercase();
        (w[0].text.eq_ignore_ascii_case("the")
            && matches!(
                noun.as_str(),
                "base" | "garrison" | "outpost" | "airbase" | "facility" | "installation"
            ))
        .then_some((w[0].start, w[1].end))
    })
}

/// A date right after a speech verb ("said Monday", "in a statement on Thursday", "spoke with
/// Shafaq News on Wednesday") dates the report, not the attack — unless it modifies an attack
/// noun ("last week's attacks").
fn date_role(text: &str, ws: &[(String, usize, usize)], e: &DateExpr) -> DateRole {
    let after = &text[e.end..];
    let after_words = lower_words(after);
    let possessive = after.starts_with("'s") || after.starts_with("\u{2019}s");
    if possessive
        && after_words
            .get(1)
            .is_some_and(|(w, _, _)| ATTACK_CUES.contains(&w.as_str()) || w == "attack")
    {
        return DateRole::Event;
    }
    let idx = ws.iter().position(|(_, s, _)| *s >= e.start).unwrap_or(ws.len());
    let from = idx.saturating_sub(6);
    for (w, _, _) in ws[from..idx].iter().rev() {
        if ATTACK_CUES.contains(&w.as_str()) && !SPEECH_CUES.contains(&w.as_str()) {
            return DateRole::Event;
        }
        if SPEECH_CUES.contains(&w.as_str()) {
            return DateRole::Report;
        }
    }
    DateRole::Event
}

/// A connective word lies between two byte offsets of the sentence.
fn connective_between(ws: &[(String, usize, usize)], a: usize, b: usize) -> bool {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    ws.iter()
        .any(|(w, s, _)| *s > lo && *s < hi && BACKGROUND_CONNECTIVES.contains(&w.as_str()))
}

/// "…, following a drone attack that killed three soldiers at Tower 22": the place sits in a
/// clause introduced by a connective, so the attack is background to the sentence's news.
fn is_background(ws: &[(String, usize, usize)], place_at: usize) -> bool {
    let before = ws.iter().take_while(|(_, s, _)| *s < place_at).count();
    let from = before.saturating_sub(20);
    (from..before).any(|i| {
        let next = ws.get(i + 1).map_or("", |x| x.0.as_str());
        match ws[i].0.as_str() {
            // "following a drone attack", not "with a small following".
            "following" => DETERMINERS.contains(&next),
            "prior" => next == "to",
            _ => false,
        }
    })
}

const DETERMINERS: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "its", "their", "his", "her", "two", "three", "several",
    "last", "recent", "repeated", "multiple",
];

// ---------------------------------------------------------------------------------------------
// Facts.

fn group_kind<'g>(g: &'g Gazetteer, e: &EntityRef) -> Option<&'g str> {
    match e {
        EntityRef::Group(id) => g.groups.get(id).map(|x| x.kind.as_str()),
        EntityRef::Place(_) => None,
    }
}

fn is_armed(kind: &str) -> bool {
    matches!(kind, "armed-group" | "militia" | "umbrella")
}

fn is_official(kind: &str) -> bool {
    matches!(kind, "state-force" | "government" | "coalition")
}

fn is_press(kind: &str) -> bool {
    matches!(kind, "media" | "monitor")
}

fn contains_seq(ws: &[(String, usize, usize)], seq: &[&str]) -> Option<usize> {
    ws.windows(seq.len())
        .position(|w| w.iter().zip(seq).all(|((a, _, _), b)| a == b))
}

/// The facts one sentence states, before they are tied to an event mention.
fn sentence_facts(
    s: &Sentence,
    ws: &[(String, usize, usize)],
    found: &[Mention],
    g: &Gazetteer,
    weapons: &[WeaponMention],
    last_claimant: &mut Option<String>,
) -> Vec<Fact> {
    let mut facts = Vec::new();
    let text = &s.text;
    let folded = fold_key(text);
    let fact = |kind: FactKind, value: String, subject: Option<String>, phrase: &str| Fact {
        kind,
        value,
        subject,
        sentence: s.n,
        phrase: phrase.to_string(),
    };

    for w in weapons {
        // "a drone attack" counts attacks, not drones.
        let one_attack = w.count == Count::Exact(1)
            && (w.phrase.to_ascii_lowercase().starts_with("a ") || w.phrase.to_ascii_lowercase().starts_with("an "))
            && (w.phrase.ends_with("attack") || w.phrase.ends_with("strike"));
        if one_attack {
            continue;
        }
        if let Count::Exact(_) | Count::Several = w.count {
            let label = match w.count {
                Count::Exact(n) => format!("{n} {}", plural(w.weapon, n)),
                _ => format!("several {}", plural(w.weapon, 2)),
            };
            facts.push(fact(FactKind::Count, label, Some(w.weapon.as_str().into()), &w.phrase));
        }
    }

    // Outcome.
    let outcome = if folded.contains("intercepted")
        || folded.contains("shot down")
        || folded.contains("downed")
        || folded.contains("repelled")
        || folded.contains("thwarted")
        || folded.contains("destroying")
        || folded.contains("destroyed")
        || folded.contains("foiled")
    {
        Some("intercepted")
    } else if folded.contains("directly hit")
        || folded.contains("precisely hit")
        || folded.contains("managed to target")
        || folded.contains("successful")
        || folded.contains("hit their")
    {
        Some("hit")
    } else {
        None
    };
    if let Some(o) = outcome {
        facts.push(fact(FactKind::Outcome, o.into(), None, ""));
    }
    if folded.contains("severe damage") || folded.contains("material damage") || folded.contains("damaging") {
        facts.push(fact(FactKind::Outcome, "damage".into(), None, ""));
    } else if folded.contains("no damage")
        || folded.contains("no injuries or damage")
        || folded.contains("casualties or damages")
    {
        facts.push(fact(FactKind::Outcome, "no damage".into(), None, ""));
    }

    // Casualties: killed and injured apart.
    for (needle, value) in [
        ("no information on casualties", "casualties unknown"),
        ("no information regarding damage", "damage unknown"),
        ("without information about the extent of the losses", "losses unknown"),
        ("no injuries", "no injuries"),
        ("preventing any casualties", "no casualties"),
        ("no casualties", "no casualties"),
        ("minor injuries", "minor injuries"),
        ("wounded soldiers", "wounded"),
    ] {
        if folded.contains(needle) {
            facts.push(fact(FactKind::Casualties, value.into(), None, ""));
            break;
        }
    }
    for (i, (w, _, _)) in ws.iter().enumerate() {
        let kind = match w.as_str() {
            "killed" | "killing" | "dead" => "killed",
            "injured" | "injuring" | "wounded" | "wounding" => "injured",
            _ => continue,
        };
        // "killed three US soldiers", "injured more than 40", "two soldiers were injured".
        let hedges = [
            "more", "than", "at", "least", "about", "some", "over", "nearly", "around",
        ];
        let after = (i + 1..ws.len().min(i + 4)).find_map(|k| number_value(&ws[k].0).map(|n| (n, k)));
        let before = (i.saturating_sub(4)..i)
            .rev()
            .find_map(|k| number_value(&ws[k].0).map(|n| (n, k)));
        let found = match (after, before) {
            (Some(a), _) if ws[i + 1..a.1].iter().all(|(x, _, _)| hedges.contains(&x.as_str())) => Some(a),
            (_, Some(b)) => Some(b),
            _ => None,
        };
        if let Some((n, k)) = found {
            let more = ws[k.min(i)..k.max(i)]
                .iter()
                .any(|(x, _, _)| x == "more" || x == "least" || x == "over");
            let v = if more {
                format!("{kind} {n}+")
            } else {
                format!("{kind} {n}")
            };
            if !facts.iter().any(|f| f.kind == FactKind::Casualties && f.value == v) {
                facts.push(fact(FactKind::Casualties, v, None, ""));
            }
        }
    }

    // Who claimed, confirmed, denied, reported.
    let groups: Vec<&Mention> = found
        .iter()
        .filter(|m| matches!(m.entity, EntityRef::Group(_)))
        .collect();
    let id_of = |m: &Mention| match &m.entity {
        EntityRef::Group(id) => id.clone(),
        EntityRef::Place(id) => id.clone(),
    };
    let word_before = |start: usize| ws.iter().rev().find(|(_, _, e)| *e <= start).map(|x| x.0.as_str());
    let claim_at = [
        "claimed",
        "claim",
        "claims",
        "announced",
        "stated",
        "said",
        "confirmed",
        "declared",
    ]
    .iter()
    .filter_map(|c| ws.iter().find(|(w, _, _)| w == c).map(|(_, s, _)| *s))
    .min();
    let channel = if folded.contains("telegram") {
        "Telegram"
    } else if folded.contains("video") {
        "video"
    } else if folded.contains("statement") {
        "statement"
    } else {
        ""
    };
    let previous_claimant = last_claimant.clone();
    let mut claim_by = |id: String, facts: &mut Vec<Fact>, phrase: &str| {
        let value = id.clone();
        *last_claimant = Some(id);
        let how = if channel.is_empty() {
            None
        } else {
            Some(channel.to_string())
        };
        facts.push(Fact {
            kind: FactKind::Claim,
            value,
            subject: how,
            sentence: s.n,
            phrase: phrase.to_string(),
        });
    };
    if let Some(at) = contains_seq(ws, &["claimed", "by"]) {
        if let Some(m) = groups
            .iter()
            .find(|m| m.start > ws[at].1 && group_kind(g, &m.entity).is_some_and(is_armed))
        {
            claim_by(id_of(m), &mut facts, &m.text);
        }
    } else if let Some(cue) = claim_at {
        let subject = groups.iter().find(|m| {
            m.start < cue
                && group_kind(g, &m.entity).is_some_and(is_armed)
                && !word_before(m.start).is_some_and(|w| NOT_SUBJECT.contains(&w) || w == "with" || w == "affiliated")
        });
        let attack_follows = ws.iter().any(|(w, s, _)| *s > cue && ATTACK_CUES.contains(&w.as_str()))
            || folded.contains("responsibility")
            || !weapons.is_empty();
        if let Some(m) = subject
            && attack_follows
        {
            claim_by(id_of(m), &mut facts, &m.text);
        } else if subject.is_none()
            && attack_follows
            && (folded.starts_with("the group") || folded.contains(" the group ") || folded.starts_with("the militia"))
            && let Some(prev) = previous_claimant.clone()
        {
            claim_by(prev, &mut facts, "the group");
        }
    }

    let negated_confirm = folded.contains("has not confirmed")
        || folded.contains("have not confirmed")
        || folded.contains("did not confirm")
        || folded.contains("no intelligence or operational reports")
        || folded.contains("no reports supporting")
        || folded.contains("denied");
    let no_statement = folded.contains("not yet issued a statement")
        || folded.contains("no statement")
        || folded.contains("declined to comment");
    let official = groups
        .iter()
        .find(|m| group_kind(g, &m.entity).is_some_and(is_official));
    let official_words = folded.contains("officials")
        || folded.contains("official")
        || folded.contains("spokesman")
        || folded.contains("press secretary")
        || folded.contains("pentagon");
    if no_statement && !negated_confirm {
        let who = official.map(|m| id_of(m));
        facts.push(fact(FactKind::Confirmation, "no statement yet".into(), who, ""));
    } else if negated_confirm {
        let who = official.map(|m| id_of(m));
        facts.push(fact(FactKind::Denial, "not confirmed".into(), who, ""));
    } else if ws.iter().any(|(w, _, _)| w == "confirmed" || w == "confirm")
        && (official.is_some() || official_words)
        && !facts.iter().any(|f| f.kind == FactKind::Claim)
    {
        let who = official.map(|m| id_of(m));
        facts.push(fact(FactKind::Confirmation, "confirmed".into(), who, ""));
    }

    // Reporting chain: the press named in the sentence.
    for m in &groups {
        if group_kind(g, &m.entity).is_some_and(is_press) {
            let id = id_of(m);
            if !facts.iter().any(|f| f.kind == FactKind::Report && f.value == id) {
                facts.push(fact(FactKind::Report, id, None, &m.text));
            }
        }
    }
    facts
}

fn plural(w: Weapon, n: u32) -> String {
    let base = w.as_str();
    if n == 1 || matches!(w, Weapon::SmallArms | Weapon::Artillery) {
        base.to_string()
    } else {
        format!("{base}s")
    }
}

fn number_value(w: &str) -> Option<u32> {
    if let Ok(n) = w.parse::<u32>() {
        return (n < 100_000).then_some(n);
    }
    let words = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    words.iter().position(|x| *x == w).map(|i| i as u32)
}
