//! The gazetteer: known armed groups and places, and one automaton that finds their names in
//! folded text (leftmost-longest, so "Kataib Hezbollah" wins over "Hezbollah").

use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind};
use serde::Serialize;

use crate::diagnostics::Diagnostic;
use crate::facts::SentenceCues;
use crate::text::{Folded, fold_key};

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: String,
    pub member_of: Vec<String>,
    pub country: Option<String>,
    pub description: String,
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Place {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: String,
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub within: Option<String>,
    pub description: String,
    pub path: String,
}

impl Place {
    /// Regions, governorates and countries name an area, not a site: a mention of one alone
    /// does not make an incident, but can join one at a site inside it.
    pub fn is_area(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "region" | "governorate" | "province" | "country" | "border-area" | "district"
        )
    }

    /// Sites an anaphor like "the base" can point back to.
    pub fn is_installation(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "base" | "oil-field" | "gas-field" | "airport" | "camp" | "outpost" | "site" | "embassy"
        )
    }
}

/// What a name in the text refers to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "type", content = "id", rename_all = "lowercase")]
/// The id is shared with the gazetteer's copy: an article names dozens of entities, and a
/// hundred thousand articles keep every mention for the whole build.
pub enum EntityRef {
    Group(std::sync::Arc<str>),
    Place(std::sync::Arc<str>),
}

/// A name found in text, as byte offsets into the original (unfolded) text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    pub entity: EntityRef,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone)]
pub struct Gazetteer {
    pub groups: BTreeMap<String, Group>,
    pub places: BTreeMap<String, Place>,
    automaton: Option<AhoCorasick>,
    /// The same names (without the space after) followed by every cue phrase, for the
    /// analyser's one pass over each sentence: see [`Gazetteer::read_sentence`]. A bare DFA,
    /// walked by our own loop: the crate's overlapping iterator costs several times the DFA's
    /// own step per byte.
    sentence_automaton: Option<aho_corasick::dfa::DFA>,
    /// Pattern index → entity.
    targets: Vec<EntityRef>,
    /// Place id → its enclosing places, nearest first (computed once: derive asks often).
    ancestors: BTreeMap<String, Vec<String>>,
}

impl Gazetteer {
    /// Build the gazetteer, checking references and names; problems become diagnostics.
    pub fn new(groups: Vec<Group>, places: Vec<Place>, diags: &mut Vec<Diagnostic>) -> Self {
        let groups: BTreeMap<String, Group> = groups.into_iter().map(|g| (g.id.clone(), g)).collect();
        let places: BTreeMap<String, Place> = places.into_iter().map(|p| (p.id.clone(), p)).collect();
        for g in groups.values() {
            for parent in &g.member_of {
                if !groups.contains_key(parent) {
                    diags.push(Diagnostic::error(
                        &g.path,
                        format!("`member_of` names `{parent}`, but there is no content/groups/{parent}.md"),
                    ));
                }
            }
        }
        for p in places.values() {
            if let Some(w) = &p.within
                && !places.contains_key(w)
            {
                diags.push(Diagnostic::error(
                    &p.path,
                    format!("`within` names `{w}`, but there is no content/places/{w}.md"),
                ));
            }
        }
        // One folded name → one entity; a clash is reported and the first (sorted) entity keeps it.
        let mut names: BTreeMap<String, (EntityRef, String)> = BTreeMap::new();
        let entries = groups
            .values()
            .map(|g| (EntityRef::Group(g.id.as_str().into()), &g.name, &g.aliases, &g.path))
            .chain(
                places
                    .values()
                    .map(|p| (EntityRef::Place(p.id.as_str().into()), &p.name, &p.aliases, &p.path)),
            );
        for (entity, name, aliases, path) in entries {
            for alias in std::iter::once(name).chain(aliases.iter()) {
                let key = fold_key(alias);
                if key.len() < 2 {
                    diags.push(Diagnostic::warning(
                        path,
                        format!("alias \"{alias}\" is too short to match safely and is ignored"),
                    ));
                    continue;
                }
                match names.get(&key) {
                    Some((other, other_path)) if *other != entity => {
                        diags.push(Diagnostic::warning(
                            path,
                            format!(
                                "alias \"{alias}\" also names {} ({other_path}); it keeps matching that one",
                                describe(other)
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        names.insert(key, (entity.clone(), path.clone()));
                    }
                }
            }
        }
        // Each pattern ends with a space and the text gets one at its end, so a match always
        // ends on a word boundary and "Harir bases" still finds "Harir", not "Harir base".
        let (patterns, targets): (Vec<String>, Vec<EntityRef>) =
            names.into_iter().map(|(k, (e, _))| (format!("{k} "), e)).unzip();
        let sentence_patterns: Vec<&str> = patterns
            .iter()
            .map(|p| p.trim_end_matches(' '))
            .chain(crate::facts::cue_phrases().iter().copied())
            .collect();
        // Overlapping matches, as cues need; the names' leftmost-longest is picked from them.
        // No prefilter, so only match states (and the dead state) are special in the walk. A
        // gazetteer too big for a DFA is read with the two separate searches instead.
        let sentence_automaton = aho_corasick::dfa::Builder::new()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .start_kind(aho_corasick::StartKind::Unanchored)
            .build(&sentence_patterns)
            .ok();
        let automaton = if patterns.is_empty() {
            None
        } else {
            // A DFA: every sentence of every article is searched, so search speed matters more
            // than the memory and build time; a gazetteer too big for one gets the default.
            let mut builder = AhoCorasickBuilder::new();
            builder.match_kind(MatchKind::LeftmostLongest);
            builder
                .clone()
                .kind(Some(AhoCorasickKind::DFA))
                .build(&patterns)
                .or_else(|_| builder.build(&patterns))
                .ok()
        };
        let mut gazetteer = Gazetteer {
            groups,
            places,
            automaton,
            sentence_automaton,
            targets,
            ancestors: BTreeMap::new(),
        };
        gazetteer.ancestors = gazetteer
            .places
            .keys()
            .map(|id| {
                (
                    id.clone(),
                    gazetteer.walk_enclosing(id).into_iter().map(str::to_string).collect(),
                )
            })
            .collect();
        gazetteer
    }

    /// An empty gazetteer (for analysing text without a project).
    pub fn empty() -> Self {
        Gazetteer::new(Vec::new(), Vec::new(), &mut Vec::new())
    }

    /// All names in `text`, leftmost-longest, on whole words only.
    pub fn find_names(&self, text: &str) -> Vec<NameMatch> {
        self.find_names_folded(&crate::text::fold(text))
    }

    /// [`find_names`](Self::find_names) on text already folded (the analyser folds each
    /// sentence once for every use).
    pub fn find_names_folded(&self, folded: &Folded) -> Vec<NameMatch> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let mut padded = String::with_capacity(folded.text.len() + 1);
        padded.push_str(&folded.text);
        padded.push(' ');
        let hay = padded.as_bytes();
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < hay.len() {
            let Some(m) = ac.find(Input::new(hay).span(pos..hay.len())) else {
                break;
            };
            if m.start() == 0 || hay[m.start() - 1] == b' ' {
                let (start, end) = folded.original_range(m.start(), m.end() - 1);
                out.push(NameMatch {
                    entity: self.targets[m.pattern().as_usize()].clone(),
                    start,
                    end,
                });
                pos = m.end();
            } else {
                // Inside a word: resume at the next word start after this match's start.
                pos = match hay[m.start()..].iter().position(|&b| b == b' ') {
                    Some(i) => m.start() + i + 1,
                    None => hay.len(),
                };
            }
        }
        out
    }

    /// The names of a folded sentence (as [`Gazetteer::find_names_folded`] finds them) and its
    /// cue phrases (as [`SentenceCues::scan`] finds them), in one pass over it.
    pub fn read_sentence(&self, folded: &Folded) -> (Vec<NameMatch>, SentenceCues) {
        let Some(ac) = &self.sentence_automaton else {
            return (self.find_names_folded(folded), SentenceCues::scan(&folded.text));
        };
        let bytes = folded.text.as_bytes();
        let mut cues = SentenceCues::none();
        // The longest name at each word it starts at: (start, end, name).
        let mut longest: Vec<(usize, usize, usize)> = Vec::new();
        let mut each_match = |start: usize, end: usize, k: usize| {
            let whole_words = (start == 0 || bytes[start - 1] == b' ') && (end == bytes.len() || bytes[end] == b' ');
            if !whole_words {
                return;
            }
            let Some(cue) = k.checked_sub(self.targets.len()) else {
                match longest.iter_mut().find(|l| l.0 == start) {
                    Some(l) if l.1 < end => *l = (start, end, k),
                    Some(_) => {}
                    None => longest.push((start, end, k)),
                }
                return;
            };
            cues.found(cue);
        };
        overlapping_matches(ac, bytes, &mut each_match);
        // Leftmost first; a name inside one already taken is not another.
        longest.sort_unstable();
        let mut names = Vec::new();
        let mut taken_to = 0;
        for (start, end, k) in longest {
            if start < taken_to {
                continue;
            }
            if let Some(entity) = self.targets.get(k) {
                let (from, to) = folded.original_range(start, end);
                names.push(NameMatch {
                    entity: entity.clone(),
                    start: from,
                    end: to,
                });
            }
            taken_to = end;
        }
        (names, cues)
    }

    pub fn group_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.groups.get(id).map_or(id, |g| g.name.as_str())
    }

    pub fn place_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.places.get(id).map_or(id, |p| p.name.as_str())
    }

    pub fn name_of<'a>(&'a self, e: &'a EntityRef) -> &'a str {
        match e {
            EntityRef::Group(id) => self.groups.get(&**id).map_or(&**id, |g| g.name.as_str()),
            EntityRef::Place(id) => self.places.get(&**id).map_or(&**id, |p| p.name.as_str()),
        }
    }

    /// The chain of enclosing places, nearest first.
    pub fn enclosing(&self, place: &str) -> Vec<&str> {
        match self.ancestors.get(place) {
            Some(list) => list.iter().map(String::as_str).collect(),
            None => self.walk_enclosing(place),
        }
    }

    /// Follow `within` links (guarded against cycles).
    fn walk_enclosing(&self, place: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut cur = self.places.get(place).and_then(|p| p.within.as_deref());
        while let Some(id) = cur {
            if !seen.insert(id) {
                break;
            }
            out.push(id);
            cur = self.places.get(id).and_then(|p| p.within.as_deref());
        }
        out
    }

    /// True when `inner` lies inside `area` (directly or through intermediate places).
    pub fn is_within(&self, inner: &str, area: &str) -> bool {
        self.ancestors
            .get(inner)
            .is_some_and(|list| list.iter().any(|a| a == area))
    }

    /// Groups that list `id` in their `member_of`.
    pub fn members_of(&self, id: &str) -> Vec<&Group> {
        self.groups
            .values()
            .filter(|g| g.member_of.iter().any(|m| m == id))
            .collect()
    }
}

fn describe(e: &EntityRef) -> String {
    match e {
        EntityRef::Group(id) => format!("group `{id}`"),
        EntityRef::Place(id) => format!("place `{id}`"),
    }
}

/// Every match of the DFA's patterns in `text`, overlapping ones included, as (start, end,
/// pattern): what `find_overlapping_iter` reports (in another order), found by plain walks of
/// the transition table. Unanchored and without a prefilter, a walk never meets a start state
/// as special and never dies (a dead state would only stop its reports).
///
/// A walk is a chain of table reads, each waiting for the one before; most of its time is that
/// wait. So a long text is read by two walks side by side, one from its start and one from
/// its middle, which the processor runs in parallel. A walk from the middle finds exactly the
/// matches starting there or later; the first walk runs on past the middle far enough to end
/// every match that starts before it, and reports only those.
fn overlapping_matches(dfa: &aho_corasick::dfa::DFA, text: &[u8], each_match: &mut impl FnMut(usize, usize, usize)) {
    use aho_corasick::Anchored;
    use aho_corasick::automaton::Automaton;
    let Ok(start) = dfa.start_state(Anchored::No) else {
        return;
    };
    let mut report = |state, end: usize, before: usize| {
        if dfa.is_match(state) {
            for i in 0..dfa.match_len(state) {
                let pattern = dfa.match_pattern(state, i);
                let from = end - dfa.pattern_len(pattern);
                if from < before {
                    each_match(from, end, pattern.as_usize());
                }
            }
        }
    };
    let longest = dfa.max_pattern_len();
    let middle = text.len() / 2;
    // Too short to be worth two walks: one walk over all of it.
    let (first, second) = if middle > longest {
        text.split_at(middle)
    } else {
        (text, &text[text.len()..])
    };
    let first_end = (first.len() + longest.saturating_sub(1)).min(text.len());
    let first_walk = &text[..first_end];
    let (mut a, mut b) = (start, start);
    let side_by_side = first_walk.len().min(second.len());
    for (at, (&x, &y)) in first_walk.iter().zip(second).enumerate() {
        a = dfa.next_state(Anchored::No, a, x);
        b = dfa.next_state(Anchored::No, b, y);
        if dfa.is_special(a) {
            report(a, at + 1, first.len());
        }
        if dfa.is_special(b) {
            report(b, first.len() + at + 1, usize::MAX);
        }
    }
    for (at, &x) in first_walk.iter().enumerate().skip(side_by_side) {
        a = dfa.next_state(Anchored::No, a, x);
        if dfa.is_special(a) {
            report(a, at + 1, first.len());
        }
    }
    for (at, &y) in second.iter().enumerate().skip(side_by_side) {
        b = dfa.next_state(Anchored::No, b, y);
        if dfa.is_special(b) {
            report(b, first.len() + at + 1, usize::MAX);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, name: &str, aliases: &[&str]) -> Group {
        Group {
            id: id.into(),
            name: name.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            kind: "armed-group".into(),
            member_of: vec![],
            country: None,
            description: String::new(),
            path: format!("content/groups/{id}.md"),
        }
    }

    #[test]
    fn longest_name_wins_and_words_are_whole() {
        let g = Gazetteer::new(
            vec![
                group("kataib-hezbollah", "Kataib Hezbollah", &["Kataeb Hezbollah"]),
                group("hezbollah", "Hezbollah", &[]),
                group("islamic-state", "Islamic State", &["ISIS"]),
            ],
            vec![],
            &mut Vec::new(),
        );
        let text = "Kata'ib Hezbollah, not Hezbollah; a crisis, not ISIS.";
        let found: Vec<(&str, String)> = g
            .find_names(text)
            .into_iter()
            .map(|m| (&text[m.start..m.end], format!("{:?}", m.entity)))
            .collect();
        assert_eq!(
            found,
            vec![
                ("Kata'ib Hezbollah", "Group(\"kataib-hezbollah\")".to_string()),
                ("Hezbollah", "Group(\"hezbollah\")".to_string()),
                ("ISIS", "Group(\"islamic-state\")".to_string()),
            ]
        );
    }

    #[test]
    fn clashing_alias_is_reported() {
        let mut d = Vec::new();
        Gazetteer::new(
            vec![group("a", "Alpha", &["Shared"]), group("b", "Beta", &["shared"])],
            vec![],
            &mut d,
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("also names group `a`"));
    }

    /// Words of the sentences read below: names, parts of names, cue words and others.
    const SENTENCE_WORDS: &[&str] = &[
        "Kataib",
        "Hezbollah",
        "Kataeb",
        "Islamic",
        "State",
        "ISIS",
        "al",
        "Tanf",
        "al-Tanf",
        "garrison",
        "no",
        "damage",
        "shot",
        "down",
        "opened",
        "fire",
        "claimed",
        "the",
        "Tower",
        "22",
        "base's",
        "Kata'ib",
        "injuries",
        "or",
        "x",
    ];

    /// The two-walk scan finds every overlapping match the crate's iterator finds, each once,
    /// wherever a match sits against the middle of the text: the longest pattern is put at
    /// every offset of fillers of many lengths, around shorter patterns that overlap it.
    #[test]
    fn two_walks_find_every_overlapping_match_once() {
        let patterns = ["al asad air base", "asad", "air base", "base", "sad air", "a"];
        let dfa = aho_corasick::dfa::Builder::new()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(patterns)
            .unwrap();
        let reference = AhoCorasick::new(patterns).unwrap();
        for filler_len in 0..60 {
            let filler: String = "xy z".chars().cycle().take(filler_len).collect();
            for at in 0..=filler_len {
                let text = format!("{}al asad air base{}", &filler[..at], &filler[at..]);
                let mut found = Vec::new();
                overlapping_matches(&dfa, text.as_bytes(), &mut |start, end, k| found.push((start, end, k)));
                found.sort_unstable();
                let mut expected: Vec<(usize, usize, usize)> = reference
                    .find_overlapping_iter(&text)
                    .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                    .collect();
                expected.sort_unstable();
                assert_eq!(found, expected, "{text:?}");
            }
        }
    }

    proptest::proptest! {
        /// One pass for names and cues finds what the two separate searches find.
        #[test]
        fn reading_a_sentence_finds_the_names_and_cues_of_two_searches(
            text in crate::text::test_sentences(SENTENCE_WORDS.to_vec(), vec![" ", ", ", "-", ". ", "'"], 16),
        ) {
            let place = |id: &str, name: &str, aliases: &[&str]| Place {
                id: id.into(),
                name: name.into(),
                aliases: aliases.iter().map(|s| s.to_string()).collect(),
                kind: "base".into(),
                country: None,
                lat: None,
                lon: None,
                within: None,
                description: String::new(),
                path: format!("content/places/{id}.md"),
            };
            let g = Gazetteer::new(
                vec![
                    group("kataib-hezbollah", "Kataib Hezbollah", &["Kataeb Hezbollah"]),
                    group("hezbollah", "Hezbollah", &[]),
                    group("islamic-state", "Islamic State", &["ISIS", "State"]),
                ],
                vec![place("al-tanf", "Al-Tanf", &["Tanf", "al Tanf garrison"]), place("tower-22", "Tower 22", &[])],
                &mut Vec::new(),
            );
            let folded = crate::text::fold(&text);
            let (names, cues) = g.read_sentence(&folded);
            proptest::prop_assert_eq!(names, g.find_names_folded(&folded));
            proptest::prop_assert_eq!(cues, SentenceCues::scan(&folded.text));
        }
    }
}
