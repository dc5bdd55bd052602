//! Stage 2, analyze: one article in, its [`Analysis`] out — sentences, names, dates, event
//! mentions and the facts each rests on. Never looks at other articles, so it runs in parallel.

use chrono::NaiveDate;
use serde::Serialize;

use crate::dates::{DateExpr, Precision, find_dates_in};
use crate::facts::{Reading, SentenceCues};
use crate::gazetteer::{EntityRef, Gazetteer};
use crate::load::{Article, Extraction};
use crate::text::{LowerWord, Token, lower_words, split_sentences, words_into};
use crate::weapons::{WeaponMention, find_weapons_in};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// 1-based number across the article; the anchor `#s<n>` on the source page.
    pub n: usize,
    /// Index of the block (paragraph) it belongs to.
    pub block: usize,
    /// Byte range of the sentence in the article's text (read it with [`Sentences::text`]):
    /// one copy of the text per article rather than a string per sentence.
    start: u32,
    end: u32,
}

/// An article's sentences, in order, over one copy of its blocks' text. Reads as a slice of
/// [`Sentence`]; each sentence's words come from [`Sentences::text`].
#[derive(Debug, Clone, Default)]
pub struct Sentences {
    /// The blocks' text, one after the other.
    text: String,
    list: Vec<Sentence>,
}

impl std::ops::Deref for Sentences {
    type Target = [Sentence];

    fn deref(&self) -> &[Sentence] {
        &self.list
    }
}

impl Sentences {
    /// The words of a sentence of this article.
    pub fn text(&self, s: &Sentence) -> &str {
        self.text.get(s.start as usize..s.end as usize).unwrap_or_default()
    }

    /// Byte range of a sentence in [`Sentences::whole_text`].
    pub fn span(&self, s: &Sentence) -> (usize, usize) {
        (s.start as usize, s.end as usize)
    }

    /// Every block's text, one after the other.
    pub fn whole_text(&self) -> &str {
        &self.text
    }

    /// The words of sentence number `n` (1-based), if the article has it.
    pub fn text_of(&self, n: usize) -> Option<&str> {
        self.list.get(n.wrapping_sub(1)).map(|s| self.text(s))
    }

    /// Give back spare capacity (kept for the whole build).
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.list.shrink_to_fit();
    }
}

/// A byte offset in an article's text (or a sentence number). Texts are far below 4 GiB (an article is read whole
/// into memory); a larger offset saturates and reads as an empty sentence, never panics.
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// As the analysis always showed them: number, block and words.
impl Serialize for Sentences {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            n: usize,
            block: usize,
            text: &'a str,
        }
        serializer.collect_seq(self.list.iter().map(|s| Shown {
            n: s.n,
            block: s.block,
            text: self.text(s),
        }))
    }
}

/// A gazetteer name found in a sentence (or an anaphor such as "the base" resolved to one).
#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    pub entity: EntityRef,
    /// Number and offsets are kept as `u32`, as in [`Sentence`]: a 100,000-article briefing
    /// holds millions of mentions. Read them with [`Mention::sentence`] and [`Mention::range`].
    sentence: u32,
    /// Byte range of the name in the sentence's text (see [`Mention::text`]).
    start: u32,
    end: u32,
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

pub use crate::facts::{Fact, FactKind};

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
    /// The facts about this attack: positions in [`Analysis::facts`] (its own sentence's and
    /// those of the sentences that follow it with no place of their own).
    pub facts: Vec<usize>,
    /// Other sentences whose facts were attached to this mention.
    pub supporting: Vec<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub article: String,
    pub published: Option<NaiveDate>,
    pub sentences: Sentences,
    pub mentions: Vec<Mention>,
    pub dates: Vec<DateMention>,
    pub events: Vec<EventMention>,
    /// Every fact read, sentence by sentence, whether or not it joined an event mention.
    pub facts: Vec<Fact>,
    /// Group memberships the text states.
    pub memberships: Vec<crate::relations::Membership>,
    /// Names introduced in the text that the gazetteer does not know.
    pub candidates: Vec<crate::relations::Candidate>,
    /// Sentences inside a long quotation (a statement other articles may quote too).
    pub quoted: Vec<usize>,
    /// Every group and place the article names, each once, sorted by entity, as positions in
    /// `mentions` (for the briefing's indexes, which would otherwise sort every article's
    /// mentions on every derivation). Read with [`Analysis::named`].
    #[serde(skip)]
    pub named: Vec<u32>,
}

impl Mention {
    fn new(sentence: usize, entity: EntityRef, (start, end): (usize, usize), inferred: bool) -> Mention {
        Mention {
            entity,
            sentence: offset(sentence),
            start: offset(start),
            end: offset(end),
            inferred,
        }
    }

    /// Number of the sentence the name is in (1-based).
    pub fn sentence(&self) -> usize {
        self.sentence as usize
    }

    /// Byte range of the name in its sentence's text.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The name as written: the sentence's text at the mention's byte range.
    pub fn text<'s>(&self, sentence: &'s str) -> &'s str {
        sentence.get(self.range()).unwrap_or_default()
    }
}

impl Analysis {
    /// The words of sentence number `n` (1-based), if the article has it.
    pub fn sentence_text(&self, n: usize) -> Option<&str> {
        self.sentences.text_of(n)
    }

    /// Every group and place the article names, each once, in entity order.
    pub fn named(&self) -> impl Iterator<Item = &EntityRef> {
        self.named
            .iter()
            .filter_map(|&i| self.mentions.get(i as usize))
            .map(|m| &m.entity)
    }

    /// Whether the article names this entity.
    pub fn names(&self, entity: &EntityRef) -> bool {
        self.named
            .binary_search_by(|&i| {
                self.mentions
                    .get(i as usize)
                    .map_or(std::cmp::Ordering::Less, |m| m.entity.cmp(entity))
            })
            .is_ok()
    }
}

// ---------------------------------------------------------------------------------------------
// Cue words. Matched on lowercase word tokens.

#[rustfmt::skip]
pub(crate) const ATTACK_CUES: &[&str] = &[
    "attack", "attacks", "attacked", "attacking", "strike", "strikes", "struck", "hit", "hits", "target",
    "targeted", "targeting", "targets", "launched", "intercepted", "downed", "explosion", "explosions",
    "blast", "blasts", "bombarded", "bombardment", "shelled", "fired", "assault", "raid", "offensives",
    "airstrikes", "airstrike", "repelled", "thwarted", "shot", "defended", "wounded", "killed", "ambush",
    "ambushed", "exploded", "bombing", "shelling", "barrage",
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

/// Analyse one article against the gazetteer.
pub fn analyze(article: &Article, gazetteer: &Gazetteer, settings: &Extraction) -> Analysis {
    let (sentences, blocks) = sentences_of(article);
    let published = article.date;
    let mut mentions = Vec::new();
    let mut dates = Vec::new();
    let mut events: Vec<EventMention> = Vec::new();
    let mut all_facts: Vec<Fact> = Vec::new();
    let mut memberships = Vec::new();
    let mut candidates = Vec::new();

    // State carried from sentence to sentence within the article.
    let mut last_site: Option<(std::sync::Arc<str>, usize)> = None;
    let mut current_date: Option<(NaiveDate, Precision, String, usize)> = None;
    let mut last_claimant: Option<String> = None;
    let mut last_event_sentence: Option<usize> = None;

    // One buffer for every sentence's lowercase words, one for its folded form.
    let mut lower_buf = String::new();
    let mut folded = crate::text::Folded::default();
    let mut tokens: Vec<Token<'_>> = Vec::new();

    for s in sentences.iter() {
        let text = sentences.text(s);
        // Split, lowercase, fold and scan for cues once; every reader below shares them.
        words_into(text, &mut tokens);
        let ws = lower_words(text, &tokens, &mut lower_buf);
        folded.refold_words(text, &tokens);
        let (names_found, cues) = gazetteer.read_sentence(&folded);
        let mut found: Vec<Mention> = names_found
            .into_iter()
            .map(|m| Mention::new(s.n, m.entity, (m.start, m.end), false))
            .collect();

        let mut sites: Vec<&Mention> = Vec::new();
        let mut areas: Vec<&Mention> = Vec::new();
        let dateline = dateline_end(text).unwrap_or(0);
        for m in found.iter().filter(|m| m.range().start >= dateline) {
            if let EntityRef::Place(id) = &m.entity
                && let Some(p) = gazetteer.places.get(&**id)
            {
                if p.is_area() { areas.push(m) } else { sites.push(m) }
            }
        }
        // "Union III in central Baghdad": the city only locates the site inside it.
        let site_places: Vec<&str> = sites.iter().filter_map(|m| place_id(&m.entity)).collect();
        sites.retain(|m| {
            let id = place_id(&m.entity).unwrap_or_default();
            !site_places
                .iter()
                .any(|other| *other != id && gazetteer.is_within(other, id))
        });
        // "the base" / "the garrison" with no site named: the last installation named nearby.
        let mut inferred = None;
        if sites.is_empty()
            && let Some((id, at)) = &last_site
            && s.n - at <= 5
            && let Some((start, end)) = find_anaphor(&tokens)
        {
            inferred = Some(Mention::new(s.n, EntityRef::Place(id.clone()), (start, end), true));
        }
        let site_ids: Vec<(String, usize)> = sites
            .iter()
            .copied()
            .chain(inferred.iter())
            .filter_map(|m| match &m.entity {
                EntityRef::Place(id) => Some((id.to_string(), m.range().start)),
                EntityRef::Group(_) => None,
            })
            .collect();
        let area_ids: Vec<(String, usize)> = areas
            .iter()
            .filter_map(|m| match &m.entity {
                EntityRef::Place(id) => Some((id.to_string(), m.range().start)),
                EntityRef::Group(_) => None,
            })
            .collect();

        let exprs = find_dates_in(text, &tokens, published);
        let sentence_dates: Vec<DateMention> = exprs
            .into_iter()
            .map(|e| {
                let role = date_role(text, &ws, &e);
                DateMention {
                    sentence: s.n,
                    expr: e,
                    role,
                }
            })
            .collect();

        let weapons = find_weapons_in(text, &tokens);
        let is_attack = cues.reports_attack() || !weapons.is_empty();
        let names: Vec<crate::facts::Name<'_>> = found
            .iter()
            .map(|m| crate::facts::Name {
                entity: &m.entity,
                start: m.range().start,
                end: m.range().end,
                text: m.text(text),
            })
            .collect();
        let reading = Reading {
            text,
            words: &ws,
            cues: &cues,
        };
        let facts = crate::facts::sentence_facts(s.n, &reading, &names, gazetteer, &weapons, last_claimant.as_deref());
        if let Some(c) = facts.iter().find(|f| f.kind == FactKind::Claim) {
            last_claimant = Some(c.value.clone());
        }

        let event_dates: Vec<&DateMention> = sentence_dates
            .iter()
            .filter(|d| d.role == DateRole::Event && d.expr.date.is_some() && !is_reference_date(&ws, &d.expr))
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
                let applicable: Vec<&DateMention> = event_dates
                    .iter()
                    .copied()
                    .filter(|d| !connective_between(&ws, d.expr.start, at))
                    .collect();
                let stated = dates_for_place(text, &applicable, at);
                let readings: Vec<(Option<NaiveDate>, Precision, DateBasis)> = if background {
                    vec![(None, Precision::Unknown, DateBasis::Background)]
                } else if !stated.is_empty() {
                    stated
                        .iter()
                        .map(|d| {
                            (
                                d.expr.date,
                                d.expr.precision,
                                DateBasis::Stated {
                                    phrase: d.expr.phrase.clone(),
                                },
                            )
                        })
                        .collect()
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
                            vec![(prev.date, prev.precision, basis)]
                        }
                        _ => vec![(None, Precision::Unknown, DateBasis::Unstated)],
                    }
                } else if let Some((d, p, phrase, from)) = &current_date
                    && s.n - from <= settings.carry_sentences
                    && event_dates.is_empty()
                {
                    vec![(
                        Some(*d),
                        *p,
                        DateBasis::Carried {
                            phrase: phrase.clone(),
                            from_sentence: *from,
                        },
                    )]
                } else {
                    vec![(None, Precision::Unknown, DateBasis::Unstated)]
                };
                let mut claimants: Vec<String> = facts
                    .iter()
                    .filter(|f| f.kind == FactKind::Claim)
                    .map(|f| f.value.clone())
                    .collect();
                claimants.sort();
                claimants.dedup();
                for (date, precision, basis) in readings {
                    events.push(EventMention {
                        sentence: s.n,
                        place: place.clone(),
                        area,
                        date,
                        precision,
                        basis,
                        anchor: report_date.or(published),
                        weapons: weapons.clone(),
                        specific: !weapons.is_empty() || !applicable.is_empty(),
                        claimants: claimants.clone(),
                        facts: (all_facts.len()..all_facts.len() + facts.len()).collect(),
                        supporting: Vec::new(),
                    });
                }
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
                attach_facts(&mut events, last_event_sentence, s.n, &facts, all_facts.len());
            }
        } else if !facts.is_empty() {
            attach_facts(&mut events, last_event_sentence, s.n, &facts, all_facts.len());
        }

        if let Some((id, _)) = sites.iter().rev().find_map(|m| match &m.entity {
            EntityRef::Place(id) if gazetteer.places.get(&**id).is_some_and(|p| p.is_installation()) => {
                Some((id.clone(), m.start))
            }
            _ => None,
        }) {
            last_site = Some((id, s.n));
        }
        all_facts.extend(facts);
        let groups = crate::relations::groups_at(
            found.iter().map(|m| (&m.entity, m.range().start, m.range().end)),
            gazetteer,
        );
        memberships.extend(crate::relations::memberships(s.n, text, &groups));
        candidates.extend(crate::relations::candidates_in(s.n, text, &tokens, &ws, gazetteer));
        found.extend(inferred);
        found.sort_by_key(|m| (m.start, m.end));
        mentions.extend(found);
        dates.extend(sentence_dates);
    }
    let quoted = crate::quotes::quoted_sentences(&sentences, &blocks);
    // Positions of each entity's first mention, in entity order.
    let mut named: Vec<u32> = (0..mentions.len() as u32).collect();
    named.sort_by(|&a, &b| {
        mentions[a as usize]
            .entity
            .cmp(&mentions[b as usize].entity)
            .then(a.cmp(&b))
    });
    named.dedup_by(|a, b| mentions[*a as usize].entity == mentions[*b as usize].entity);
    Analysis {
        article: article.id.clone(),
        published,
        sentences,
        mentions,
        dates,
        events,
        facts: all_facts,
        memberships,
        candidates,
        quoted,
        named,
    }
}

/// Give the facts of a sentence that names no place to the event mentions of the most recent
/// event sentence, when it is close enough to be about the same attack.
/// `first` is the position the sentence's facts will take in [`Analysis::facts`].
fn attach_facts(events: &mut [EventMention], last: Option<usize>, n: usize, facts: &[Fact], first: usize) {
    // Facts reach back only a few sentences: further on, a sentence without a place is more
    // often a summary of several attacks than a detail of the last one.
    const FACT_WINDOW: usize = 3;
    let Some(last) = last else { return };
    if n - last > FACT_WINDOW || facts.is_empty() {
        return;
    }
    for e in events.iter_mut().filter(|e| e.sentence == last) {
        for (k, f) in facts.iter().enumerate() {
            if !e.facts.contains(&(first + k)) {
                e.facts.push(first + k);
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

/// Split the article's blocks into numbered sentences, over one copy of the blocks' text.
/// Also returns where each block lies in that text.
pub fn sentences_of(article: &Article) -> (Sentences, Vec<std::ops::Range<usize>>) {
    let mut text = String::with_capacity(article.blocks.iter().map(|b| b.text.len()).sum());
    let mut blocks = Vec::with_capacity(article.blocks.len());
    let mut list = Vec::new();
    for (bi, block) in article.blocks.iter().enumerate() {
        let at = text.len();
        text.push_str(&block.text);
        blocks.push(at..text.len());
        for span in split_sentences(&block.text) {
            list.push(Sentence {
                n: list.len() + 1,
                block: bi,
                start: offset(at + span.start),
                end: offset(at + span.end),
            });
        }
    }
    (Sentences { text, list }, blocks)
}

/// "the base", "the garrison", "the outpost", "the airbase", "the facility" (not "a base").
fn find_anaphor(toks: &[Token<'_>]) -> Option<(usize, usize)> {
    toks.windows(2).find_map(|w| {
        (w[0].text.eq_ignore_ascii_case("the")
            && ["base", "garrison", "outpost", "airbase", "facility", "installation"]
                .iter()
                .any(|noun| w[1].text.eq_ignore_ascii_case(noun)))
        .then_some((w[0].start, w[1].end))
    })
}

/// A date right after a speech verb ("said Monday", "in a statement on Thursday", "spoke with
/// Shafaq News on Wednesday") dates the report, not the attack — unless it modifies an attack
/// noun ("last week's attacks").
fn date_role(text: &str, ws: &[LowerWord<'_>], e: &DateExpr) -> DateRole {
    let after = &text[e.end..];
    // A date ends at a word's end, so the words after it are the sentence's words from there.
    let after_words = &ws[ws.iter().position(|x| x.start >= e.end).unwrap_or(ws.len())..];
    let possessive = after.starts_with("'s") || after.starts_with("\u{2019}s");
    if possessive
        && after_words
            .get(1)
            .is_some_and(|x| ATTACK_CUES.contains(&x.w) || x.w == "attack")
    {
        return DateRole::Event;
    }
    let idx = ws.iter().position(|x| x.start >= e.start).unwrap_or(ws.len());
    // "On Monday, the group said its fighters had targeted…": an opening date followed by a
    // speech verb (before any attack word) dates the statement.
    if text[..e.start].trim().is_empty() && after.trim_start().starts_with(',') {
        for x in after_words.iter().take(10) {
            if SPEECH_CUES.contains(&x.w) {
                return DateRole::Report;
            }
            if ATTACK_CUES.contains(&x.w) {
                break;
            }
        }
    }
    let from = idx.saturating_sub(6);
    for x in ws[from..idx].iter().rev() {
        if ATTACK_CUES.contains(&x.w) && !SPEECH_CUES.contains(&x.w) {
            return DateRole::Event;
        }
        if SPEECH_CUES.contains(&x.w) {
            return DateRole::Report;
        }
    }
    DateRole::Event
}

/// A connective word lies between two byte offsets of the sentence.
fn connective_between(ws: &[LowerWord<'_>], a: usize, b: usize) -> bool {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    ws.iter()
        .any(|x| x.start > lo && x.start < hi && BACKGROUND_CONNECTIVES.contains(&x.w))
}

/// "…, following a drone attack that killed three soldiers at Tower 22": the place sits in a
/// clause introduced by a connective, so the attack is background to the sentence's news.
fn is_background(ws: &[LowerWord<'_>], place_at: usize) -> bool {
    let before = ws.iter().take_while(|x| x.start < place_at).count();
    let from = before.saturating_sub(20);
    (from..before).any(|i| {
        let next = ws.get(i + 1).map_or("", |x| x.w);
        match ws[i].w {
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

fn place_id(e: &EntityRef) -> Option<&str> {
    match e {
        EntityRef::Place(id) => Some(id),
        EntityRef::Group(_) => None,
    }
}

/// Whether folded sentence text reports an attack: an attack word, or a phrase such as
/// "opened fire" or "came under".
pub fn has_attack_cue(folded: &str) -> bool {
    SentenceCues::scan(folded).reports_attack()
}

/// The end of a dateline such as "BAGHDAD (Reuters) -" or "ERBIL, Iraq —" at the start of a
/// sentence: names before it say where the report was filed, not where the attack was.
fn dateline_end(text: &str) -> Option<usize> {
    let head = &text[..text.char_indices().nth(60).map_or(text.len(), |(i, _)| i)];
    // Every separator has a dash: most sentences have none and need no search.
    if !head.contains(['-', '\u{2014}', '\u{2013}']) {
        return None;
    }
    for sep in [" - ", " \u{2014} ", " \u{2013} ", " -- "] {
        if let Some(i) = head.find(sep) {
            let before = &head[..i];
            let first = before.split([' ', ',', '(']).next().unwrap_or("");
            let shouting = first.len() >= 3 && first.chars().all(|c| !c.is_alphabetic() || c.is_uppercase());
            if shouting && before.split_whitespace().count() <= 5 {
                return Some(i);
            }
        }
    }
    None
}

/// The dates that date the attack at a place: the first date after the place in the same
/// clause ("hit Tal Baydar on Thursday and Rmeilan on Friday"), else the nearest before it
/// when nothing separates them or when it opens the sentence — with the dates joined to it
/// ("on Wednesday and Thursday": two attacks).
fn dates_for_place<'d>(text: &str, dates: &[&'d DateMention], at: usize) -> Vec<&'d DateMention> {
    let boundary = |a: usize, b: usize| {
        let between = &text[a.min(b)..a.max(b)];
        between.contains(';')
            || between.contains(", and ")
            || between.contains(", but ")
            || between.contains(", while ")
    };
    let after = dates
        .iter()
        .filter(|d| d.expr.start > at && !boundary(at, d.expr.start))
        .min_by_key(|d| d.expr.start);
    let before = || {
        dates
            .iter()
            .filter(|d| d.expr.end <= at)
            .filter(|d| !boundary(d.expr.end, at) || text[..d.expr.start].trim().is_empty())
            .max_by_key(|d| d.expr.start)
    };
    let Some(pick) = after.or_else(before).copied() else {
        return Vec::new();
    };
    let joined = |a: &DateMention, b: &DateMention| {
        a.expr.end <= b.expr.start && matches!(text[a.expr.end..b.expr.start].trim(), "and" | "or" | "," | "to")
    };
    let mut group = vec![pick];
    while let Some(prev) = dates.iter().find(|d| joined(d, group[0])) {
        group.insert(0, prev);
    }
    while let Some(next) = dates.iter().find(|d| joined(group[group.len() - 1], d)) {
        group.push(next);
    }
    group
}

/// "Hours before the 19 October strikes": a date governed by a connective names another
/// event and dates nothing else in the sentence.
fn is_reference_date(ws: &[LowerWord<'_>], d: &DateExpr) -> bool {
    ws.iter()
        .filter(|x| x.end <= d.start)
        .rev()
        .take(3)
        .any(|x| BACKGROUND_CONNECTIVES.contains(&x.w))
}
