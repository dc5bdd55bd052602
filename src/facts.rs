//! The facts one sentence states about an attack: weapon counts, outcome, casualties, who
//! claimed it, whether officials confirmed or denied it, and who reported it. Each fact keeps
//! the sentence it came from. Pure functions over one sentence; no context beyond it except
//! the last claimant (for "the group said…").

use serde::Serialize;

use crate::gazetteer::{EntityRef, Gazetteer};
use crate::text::{LowerWord, WordShapes, first_words};
use crate::weapons::{Count, Weapon, WeaponMention};

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
    /// The account changed within the source ("initially said it repelled the attack, …
    /// later reports of wounded soldiers").
    Revision,
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
            FactKind::Revision => "revision",
        }
    }
}

/// One thing a source says about an attack, tied to the sentence that says it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Fact {
    pub kind: FactKind,
    /// Normalised value ("2 drones", "intercepted", "no injuries", a group id…).
    pub value: String,
    /// For counts: the weapon; for claims: the channel; for confirmations: who.
    pub subject: Option<String>,
    pub sentence: usize,
    /// The words the fact was read from, where one phrase carries it.
    pub phrase: String,
}

/// A name found in the sentence, as the fact reader needs it.
pub struct Name<'a> {
    pub entity: &'a EntityRef,
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

/// Words of a sentence, lowercased, with byte positions.
type W<'a> = LowerWord<'a>;

/// Verbs by which a group says it attacked (as opposed to defending or being hit).
const OFFENSIVE: &[&str] = &[
    "targeted",
    "target",
    "targeting",
    "struck",
    "strike",
    "hit",
    "launched",
    "launch",
    "attacked",
    "attack",
    "fired",
    "carried",
    "conducted",
    "shelled",
    "bombed",
    "stormed",
    "used",
    "sent",
    "bombarded",
];

/// Words by which somebody says something.
const SPEECH_WORDS: [&str; 19] = [
    "said",
    "says",
    "say",
    "told",
    "stated",
    "announced",
    "confirmed",
    "confirm",
    "confirms",
    "reported",
    "revealed",
    "according",
    "statement",
    "added",
    "declared",
    "noted",
    "explained",
    "published",
    "posted",
];

/// Words by which an official does or does not comment ("declined to comment").
const COMMENT_WORDS: [&str; 2] = ["commented", "comment"];

/// Words a claim of responsibility is made with.
const CLAIM_WORDS: [&str; 4] = ["claimed", "claiming", "claims", "claim"];

/// Words for people killed or hurt, and which of the two each counts.
const CASUALTY_WORDS: [(&str, &str); 10] = [
    ("killed", "killed"),
    ("killing", "killed"),
    ("dead", "killed"),
    ("died", "killed"),
    ("injured", "injured"),
    ("injuring", "injured"),
    ("wounded", "injured"),
    ("wounding", "injured"),
    ("injuries", "injured"),
    ("hurt", "injured"),
];

/// The shapes of the words the per-word rules of [`sentence_facts`] start from: speech,
/// comment, claim and casualty words. One pass finds a sentence's few such words, and each
/// rule reads only those.
static KEY_WORD_SHAPES: WordShapes = {
    let mut shapes = WordShapes::EMPTY;
    shapes.admit_all(&SPEECH_WORDS, 0);
    shapes.admit_all(&COMMENT_WORDS, 0);
    shapes.admit_all(&CLAIM_WORDS, 0);
    shapes.admit_all(&first_words(&CASUALTY_WORDS), 0);
    shapes
};

/// Positions of the words of `ws` with the shape of a key word ([`KEY_WORD_SHAPES`]), in order.
fn key_words(ws: &[LowerWord<'_>]) -> Vec<usize> {
    (0..ws.len()).filter(|&i| KEY_WORD_SHAPES.admits(ws[i].w)).collect()
}

fn is_speech(w: &str) -> bool {
    SPEECH_WORDS.contains(&w)
}

const MODAL: &[&str] = &["would", "will", "could", "may", "might", "shall", "should"];

const HEDGES: &[&str] = &[
    "more", "than", "at", "least", "about", "some", "over", "nearly", "around", "up", "to", "the", "a", "an",
];

/// Words for people hurt or killed, after which a count is not a weapon count.
fn number(w: &str) -> Option<u32> {
    if let Ok(n) = w.parse::<u32>() {
        return (n < 100_000).then_some(n);
    }
    const WORDS: [&str; 21] = [
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
    match w {
        "a" | "an" => Some(1),
        "dozens" | "scores" => None,
        _ => WORDS.iter().position(|x| *x == w).map(|i| i as u32),
    }
}

fn kind_of<'g>(g: &'g Gazetteer, e: &EntityRef) -> &'g str {
    match e {
        EntityRef::Group(id) => g.groups.get(&**id).map_or("", |x| x.kind.as_str()),
        EntityRef::Place(_) => "",
    }
}

pub fn is_armed(kind: &str) -> bool {
    matches!(kind, "armed-group" | "militia" | "alliance")
}

pub fn is_official(kind: &str) -> bool {
    matches!(kind, "state-force" | "government" | "coalition")
}

pub fn is_press(kind: &str) -> bool {
    matches!(kind, "media" | "monitor")
}

fn group_id(e: &EntityRef) -> Option<&str> {
    match e {
        EntityRef::Group(id) => Some(id),
        EntityRef::Place(_) => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Cue phrases, matched on word boundaries in folded text. Every list is found in one pass per
// sentence (see [`SentenceCues`]), so asking about a list costs a few array reads.

/// Outcome: the attack was stopped.
const INTERCEPTED: &[&str] = &[
    "intercepted",
    "shot down",
    "downed",
    "repelled",
    "thwarted",
    "foiled",
    "destroying",
    "destroyed",
];

/// Outcome: the attack reached its target.
const HIT: &[&str] = &[
    "directly hit",
    "precisely hit",
    "managed to target",
    "successful strikes",
    "successful airstrikes",
];

const NO_DAMAGE: &[&str] = &[
    "no damage",
    "no injuries or damage",
    "no damage or injuries",
    "without causing damage",
    "without damage",
    "casualties or damages",
];

const DAMAGE: &[&str] = &[
    "severe damage",
    "material damage",
    "damaging",
    "caused damage",
    "causing damage",
    "damaged",
];

/// Casualty phrases and the value each gives, in the order they are reported.
const CASUALTY_PHRASES: &[(&str, &str)] = &[
    ("no information on casualties", "casualties unknown"),
    ("no immediate reports of casualties", "casualties unknown"),
    ("no immediate word on casualties", "casualties unknown"),
    ("no information about casualties", "casualties unknown"),
    ("no injuries", "no injuries"),
    ("no damage or injuries", "no injuries"),
    ("no one was injured", "no injuries"),
    ("no one was hurt", "no injuries"),
    ("preventing any casualties", "no casualties"),
    ("no casualties", "no casualties"),
    ("without casualties", "no casualties"),
    ("minor injuries", "minor injuries"),
];

/// The channel a claim came through, first match wins.
const CHANNELS: &[(&str, &str)] = &[("telegram", "Telegram"), ("video", "video"), ("statement", "statement")];

const DENIAL: &[&str] = &[
    "has not confirmed",
    "have not confirmed",
    "did not confirm",
    "no intelligence or operational reports",
    "no reports supporting",
    "denied",
];

const NO_STATEMENT: &[&str] = &[
    "not yet issued a statement",
    "has not issued a statement",
    "no statement",
    "declined to comment",
    "has not commented",
    "have not commented",
    "did not comment",
];

/// A changed account: "initially … repelled …, the official story changed to include…".
const REVISED: &[&str] = &[
    "initially",
    "at first",
    "first said",
    "story changed",
    "later revised",
    "changed to include",
    "later said",
    "was revised",
];

/// Phrases that report an attack without one of the attack words ("opened fire").
const ATTACK_PHRASES: &[&str] = &["opened fire", "came under", "shot down"];

/// The cue lists a sentence is scanned for.
#[derive(Debug, Clone, Copy)]
enum CueList {
    Intercepted,
    Hit,
    NoDamage,
    Damage,
    Casualty,
    Channel,
    Denial,
    NoStatement,
    Revised,
    /// [`crate::analyze::ATTACK_CUES`] (single words) and [`ATTACK_PHRASES`].
    Attack,
}

impl CueList {
    const ALL: [CueList; 10] = [
        CueList::Intercepted,
        CueList::Hit,
        CueList::NoDamage,
        CueList::Damage,
        CueList::Casualty,
        CueList::Channel,
        CueList::Denial,
        CueList::NoStatement,
        CueList::Revised,
        CueList::Attack,
    ];

    fn phrases(self) -> Vec<&'static str> {
        match self {
            CueList::Intercepted => INTERCEPTED.to_vec(),
            CueList::Hit => HIT.to_vec(),
            CueList::NoDamage => NO_DAMAGE.to_vec(),
            CueList::Damage => DAMAGE.to_vec(),
            CueList::Casualty => CASUALTY_PHRASES.iter().map(|(p, _)| *p).collect(),
            CueList::Channel => CHANNELS.iter().map(|(p, _)| *p).collect(),
            CueList::Denial => DENIAL.to_vec(),
            CueList::NoStatement => NO_STATEMENT.to_vec(),
            CueList::Revised => REVISED.to_vec(),
            CueList::Attack => crate::analyze::ATTACK_CUES
                .iter()
                .chain(ATTACK_PHRASES)
                .copied()
                .collect(),
        }
    }
}

/// One automaton over every cue phrase (each distinct phrase once), built on first use.
struct CueScanner {
    automaton: Option<aho_corasick::AhoCorasick>,
    /// Every distinct cue phrase, numbered.
    patterns: Vec<&'static str>,
    /// For each [`CueList`], the automaton's pattern number of each of its phrases.
    lists: Vec<Vec<usize>>,
    /// For each pattern, the lists it is in, one bit per [`CueList`] (by its number).
    lists_of: Vec<u16>,
}

static CUE_SCANNER: std::sync::LazyLock<CueScanner> = std::sync::LazyLock::new(|| {
    let mut patterns: Vec<&'static str> = Vec::new();
    let mut lists = Vec::new();
    for list in CueList::ALL {
        let ids = list
            .phrases()
            .into_iter()
            .map(|p| match patterns.iter().position(|q| *q == p) {
                Some(i) => i,
                None => {
                    patterns.push(p);
                    patterns.len() - 1
                }
            })
            .collect();
        lists.push(ids);
    }
    let mut lists_of = vec![0u16; patterns.len()];
    for (list, ids) in lists.iter().enumerate() {
        for &id in ids {
            if let Some(bits) = lists_of.get_mut(id) {
                *bits |= 1 << list;
            }
        }
    }
    CueScanner {
        automaton: aho_corasick::AhoCorasick::new(&patterns).ok(),
        patterns,
        lists,
        lists_of,
    }
});

/// Every distinct cue phrase, numbered as [`SentenceCues::found`] numbers them: the gazetteer
/// searches for them together with its names (see `Gazetteer::read_sentence`).
pub fn cue_phrases() -> &'static [&'static str] {
    &CUE_SCANNER.patterns
}

/// Which cue phrases a folded sentence contains on word boundaries (both sides a space or an
/// end of the text), found in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceCues {
    found: Vec<bool>,
    /// The lists with a phrase found, one bit per [`CueList`]: asked many times per sentence.
    lists: u16,
}

impl SentenceCues {
    /// No cue found yet.
    pub fn none() -> Self {
        SentenceCues {
            found: vec![false; CUE_SCANNER.patterns.len()],
            lists: 0,
        }
    }

    /// Cue phrase `k` of [`cue_phrases`] was found.
    pub fn found(&mut self, k: usize) {
        if let Some(f) = self.found.get_mut(k) {
            *f = true;
            self.lists |= CUE_SCANNER.lists_of.get(k).copied().unwrap_or(0);
        }
    }

    pub fn scan(folded: &str) -> Self {
        let scanner = &*CUE_SCANNER;
        let mut cues = SentenceCues::none();
        let bytes = folded.as_bytes();
        if let Some(ac) = &scanner.automaton {
            // Overlapping: a phrase inside a longer one ("no damage" in "no damage or
            // injuries") is found too.
            for m in ac.find_overlapping_iter(folded) {
                let bounded = (m.start() == 0 || bytes[m.start() - 1] == b' ')
                    && (m.end() == bytes.len() || bytes[m.end()] == b' ');
                if bounded {
                    cues.found(m.pattern().as_usize());
                }
            }
        }
        cues
    }

    fn ids(list: CueList) -> &'static [usize] {
        CUE_SCANNER.lists.get(list as usize).map_or(&[], Vec::as_slice)
    }

    /// Whether the sentence contains the `k`-th phrase of `list`.
    fn has(&self, list: CueList, k: usize) -> bool {
        self.any(list)
            && Self::ids(list)
                .get(k)
                .is_some_and(|&i| self.found.get(i).copied().unwrap_or(false))
    }

    /// Whether the sentence contains any phrase of `list`.
    fn any(&self, list: CueList) -> bool {
        self.lists & (1 << list as usize) != 0
    }

    /// An attack word ("struck", "blast") or phrase ("opened fire", "came under").
    pub fn reports_attack(&self) -> bool {
        self.any(CueList::Attack)
    }
}

/// The sentence as the fact reader needs it: its text, its lowercase words and its cues.
pub struct Reading<'a> {
    pub text: &'a str,
    pub words: &'a [LowerWord<'a>],
    pub cues: &'a SentenceCues,
}

/// Read the facts of sentence `n`.
pub fn sentence_facts(
    n: usize,
    sentence: &Reading<'_>,
    names: &[Name<'_>],
    g: &Gazetteer,
    weapons: &[WeaponMention],
    previous_claimant: Option<&str>,
) -> Vec<Fact> {
    let text = sentence.text;
    let ws = sentence.words;
    let cues = sentence.cues;
    let mut facts = Vec::new();

    // Counts: weapons, not attacks ("two drone attacks" counts attacks).
    for w in weapons {
        let last = w
            .phrase
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let counts_attacks =
            w.weapon != Weapon::Airstrike && matches!(last.as_str(), "attack" | "attacks" | "strike" | "strikes");
        if counts_attacks {
            continue;
        }
        let label = match w.count {
            Count::Exact(k) => format!("{k} {}", plural(w.weapon, k)),
            Count::Several => format!("several {}", plural(w.weapon, 2)),
            Count::Unknown => continue,
        };
        add(
            &mut facts,
            n,
            FactKind::Count,
            &label,
            Some(w.weapon.as_str()),
            &w.phrase,
        );
    }

    // Outcome.
    if cues.any(CueList::Intercepted) {
        add(&mut facts, n, FactKind::Outcome, "intercepted", None, "");
    }
    if weapon_hit(text, ws, weapons) || cues.any(CueList::Hit) {
        add(&mut facts, n, FactKind::Outcome, "hit", None, "");
    }
    let no_damage = cues.any(CueList::NoDamage);
    if no_damage {
        add(&mut facts, n, FactKind::Outcome, "no damage", None, "");
    } else if cues.any(CueList::Damage) {
        add(&mut facts, n, FactKind::Outcome, "damage", None, "");
    }

    // The few words the per-word rules below start from, in order.
    let keys = key_words(ws);

    for value in casualties(ws, &keys, cues) {
        add(&mut facts, n, FactKind::Casualties, &value, None, "");
    }

    // Who speaks: the first speech word, and the names around it. Each word is asked once
    // whether it is a speech word (or "comment(ed)", for officials who would not).
    let mut speech: Vec<usize> = Vec::new();
    let mut speaking: Vec<usize> = Vec::new();
    for &i in &keys {
        if is_speech(ws[i].w) {
            speech.push(i);
            speaking.push(i);
        } else if COMMENT_WORDS.contains(&ws[i].w) {
            speaking.push(i);
        }
    }
    let speech_at = speech.first().copied();
    let channel = CHANNELS
        .iter()
        .enumerate()
        .find(|(k, _)| cues.has(CueList::Channel, *k))
        .map(|(_, (_, channel))| *channel);
    let word_before = |start: usize| ws.iter().rev().find(|x| x.end <= start).map(|x| x.w);
    let armed: Vec<&Name<'_>> = names.iter().filter(|m| is_armed(kind_of(g, m.entity))).collect();
    // Asked for every speech word below: looked up in the gazetteer once.
    let officials: Vec<&Name<'_>> = names.iter().filter(|m| is_official(kind_of(g, m.entity))).collect();
    let mut claimed = false;
    let claim = |facts: &mut Vec<Fact>, m: &Name<'_>| {
        add(
            facts,
            n,
            FactKind::Claim,
            group_id(m.entity).unwrap_or(""),
            channel,
            m.text,
        );
    };

    // "claimed by X", "X claimed (responsibility)", "a statement from X claiming…".
    if let Some(i) = keys
        .iter()
        .copied()
        .find(|&i| ws[i].w == "claimed" && ws.get(i + 1).is_some_and(|x| x.w == "by"))
    {
        if let Some(m) = armed.iter().find(|m| m.start > ws[i].start) {
            claim(&mut facts, m);
            claimed = true;
        }
    } else if let Some(i) = keys.iter().copied().find(|&i| CLAIM_WORDS.contains(&ws[i].w)) {
        let cue = ws[i].start;
        let subject = armed.iter().rev().find(|m| {
            m.end <= cue
                && !matches!(
                    word_before(m.start),
                    Some("with" | "by" | "against" | "backed" | "of" | "to")
                )
        });
        if let Some(m) = subject {
            claim(&mut facts, m);
            claimed = true;
        }
    }
    // "X said (in a statement) that its fighters targeted…": a speech word, then the group's
    // own offensive act, not a defence ("repelled") or a denial ("not involved").
    if !claimed {
        for &si in &speech {
            let subject = armed.iter().rev().find(|m| {
                m.end <= ws[si].start
                    && !matches!(
                        word_before(m.start),
                        Some("with" | "by" | "against" | "backed" | "of" | "to" | "from")
                    )
            });
            let subject = subject.or_else(|| {
                // "In a statement, the Islamic Resistance said…": the subject follows the cue.
                (ws[si].w == "statement")
                    .then(|| armed.iter().find(|m| m.start > ws[si].start))
                    .flatten()
            });
            if let Some(m) = subject
                && agentive_offence(&ws[si + 1..])
            {
                claim(&mut facts, m);
                claimed = true;
                break;
            }
        }
    }
    // "The group said it targeted…" refers back to the last claimant.
    if !claimed
        && let Some(prev) = previous_claimant
        && let Some(si) = speech_at
        && ws[..si]
            .windows(2)
            .any(|p| p[0].w == "the" && matches!(p[1].w, "group" | "militia" | "faction"))
        && agentive_offence(&ws[si + 1..])
    {
        add(&mut facts, n, FactKind::Claim, prev, channel, "the group");
        claimed = true;
    }

    // Officials: confirmation, "no statement yet", or denial. The speaker is the official
    // named right by a speech word ("CENTCOM said", "according to the Pentagon") or an
    // official described in words ("a U.S. official said", "Iraqi police said").
    let denial = cues.any(CueList::Denial);
    let no_statement = cues.any(CueList::NoStatement);
    let reports_attack =
        !weapons.is_empty() || cues.reports_attack() || facts.iter().any(|f| f.kind == FactKind::Casualties);
    let mut speaker: Option<(Option<&str>, usize)> = None;
    for (si, x) in speaking.iter().map(|&i| (i, &ws[i])) {
        // Distance in lowercase words: titles and names ("Press Secretary Brig. Gen. Pat
        // Ryder") do not separate a speaker from its verb.
        let lower_gap = |a: usize, b: usize| {
            ws.iter()
                .filter(|y| y.start >= a && y.end <= b)
                .filter(|y| text[y.start..y.end].chars().next().is_some_and(char::is_lowercase))
                .count()
        };
        let near = |m: &&Name<'_>| {
            (m.end <= x.start && lower_gap(m.end, x.start) <= 2)
                || (m.start >= x.end
                    && (x.w == "according" || ws.iter().filter(|y| y.start >= x.end && y.end <= m.start).count() <= 1))
        };
        if let Some(m) = officials.iter().copied().find(near) {
            speaker = Some((group_id(m.entity), si));
            break;
        }
        // Described officials stand before the speech word ("a U.S. official said"), or after
        // "according to"; a short aside between them ("an official, speaking on condition of
        // anonymity, confirmed") is skipped.
        let before = text[..x.start].trim_end();
        let aside = before
            .strip_suffix(',')
            .and_then(|b| b.rfind(',').map(|c| (c, &b[c + 1..])))
            .filter(|(_, inner)| inner.split_whitespace().count() <= 8)
            .and_then(|(c, _)| ws.iter().position(|y| y.start > c));
        let subject_end = aside.unwrap_or(si);
        let lo = subject_end.saturating_sub(4);
        let hi = if x.w == "according" {
            (si + 6).min(ws.len())
        } else {
            subject_end
        };
        let described = ws[lo..hi].iter().enumerate().any(|(k, y)| {
            let official_word = matches!(
                y.w,
                "officials"
                    | "official"
                    | "spokesman"
                    | "spokesperson"
                    | "spokeswoman"
                    | "police"
                    | "authorities"
                    | "army"
                    | "military"
                    | "ministry"
                    | "government"
                    | "coalition"
                    | "secretary"
                    | "command"
                    | "counter"
            ) || (y.w == "forces" && ws.get(lo + k - 1).is_some_and(|p| p.w == "security"));
            if !official_word {
                return false;
            }
            // Words inside a name ("Syrian Free Army") describe nobody.
            let inside_name = names.iter().any(|m| m.start <= y.start && y.end <= m.end);
            // "Kataib Hezbollah's military spokesman" speaks for an armed group.
            let for_armed = || {
                armed.iter().any(|m| {
                    m.end <= y.start && ws.iter().filter(|z| z.start >= m.end && z.end <= y.start).count() <= 3
                })
            };
            !inside_name && !for_armed()
        });
        let sources = ws[lo..hi]
            .iter()
            .any(|y| matches!(y.w, "source" | "sources" | "witnesses" | "residents"));
        if described && !sources {
            speaker = Some((None, si));
            break;
        }
    }
    if no_statement && !denial {
        add(
            &mut facts,
            n,
            FactKind::Confirmation,
            "no statement yet",
            speaker.and_then(|s| s.0).or_else(|| first_official(names, g)),
            "",
        );
    } else if denial {
        add(
            &mut facts,
            n,
            FactKind::Denial,
            "not confirmed",
            speaker.and_then(|s| s.0).or_else(|| first_official(names, g)),
            "",
        );
    } else if !claimed
        && reports_attack
        && let Some((who, _)) = speaker
    {
        add(&mut facts, n, FactKind::Confirmation, "confirmed", who, "");
    }

    // A changed account: "initially … repelled …, the official story changed to include
    // reports of wounded soldiers".
    let revised = cues.any(CueList::Revised);
    if revised {
        let first = facts
            .iter()
            .find(|f| f.kind == FactKind::Outcome)
            .map(|f| f.value.clone());
        let later = facts
            .iter()
            .find(|f| f.kind == FactKind::Casualties)
            .map(|f| f.value.clone());
        if let (Some(first), Some(later)) = (first, later) {
            add(
                &mut facts,
                n,
                FactKind::Revision,
                &format!("first {first}, later {later}"),
                None,
                "",
            );
        }
    }

    // Reporting chain: the press named in the sentence.
    for m in names.iter().filter(|m| is_press(kind_of(g, m.entity))) {
        if let Some(id) = group_id(m.entity) {
            add(&mut facts, n, FactKind::Report, id, None, m.text);
        }
    }
    facts
}

/// After a speech verb: "(that) it/its fighters/they (had) targeted…" — the speaker's own
/// attack, in the past, not negated.
fn agentive_offence(after: &[W]) -> bool {
    let window: Vec<&str> = after.iter().take(14).map(|x| x.w).collect();
    let Some(v) = window
        .iter()
        .enumerate()
        .position(|(k, w)| OFFENSIVE.contains(w) && (*w != "carried" || window.get(k + 1) == Some(&"out")))
    else {
        return false;
    };
    let before = &window[..v];
    let subject = before.iter().any(|w| {
        matches!(
            *w,
            "it" | "its"
                | "they"
                | "their"
                | "our"
                | "we"
                | "group"
                | "fighters"
                | "forces"
                | "drones"
                | "members"
                | "offensives"
                | "operations"
                | "attacks"
                | "strikes"
        )
    });
    let hedged = before.iter().any(|w| MODAL.contains(w) || *w == "not" || *w == "no");
    subject
        && !hedged
        && !window
            .iter()
            .any(|w| matches!(*w, "repelled" | "foiled" | "thwarted" | "intercepted"))
}

/// A weapon is the subject of "hit"/"struck" ("three rockets hit the base", "a drone struck"),
/// or the agent of a passive ("was hit by two rockets"); not when negated ("no drones hit").
fn weapon_hit(text: &str, ws: &[W], weapons: &[WeaponMention]) -> bool {
    let hit_verb = |w: &str| matches!(w, "hit" | "hits" | "struck" | "slammed" | "smashed");
    for wm in weapons {
        // Passive: "was hit by <weapon>" just before the weapon phrase.
        let mut before = ws.iter().filter(|x| x.end <= wm.start).rev();
        if let (Some(last), Some(second_last)) = (before.next(), before.next())
            && last.w == "by"
            && hit_verb(second_last.w)
        {
            return true;
        }
        let Some(i) = ws.iter().position(|x| x.start >= wm.end) else {
            continue;
        };
        let lead = text[..wm.start].trim_end();
        let negated = ends_with_ignore_ascii_case(lead, "no") || ends_with_ignore_ascii_case(lead, "none of the");
        // Active: the verb within three words, with only adverbs or auxiliaries between.
        let active = ws[i..].iter().take(6).position(|x| hit_verb(x.w)).is_some_and(|k| {
            ws[i..i + k].iter().all(|x| {
                matches!(
                    x.w,
                    "had"
                        | "have"
                        | "has"
                        | "reportedly"
                        | "directly"
                        | "also"
                        | "then"
                        | "later"
                        | "that"
                        | "which"
                        | "launched"
                        | "fired"
                        | "by"
                        | "its"
                        | "their"
                        | "the"
                        | "fighters"
                        | "militants"
                        | "group"
                )
            })
        });
        if active && !negated && !text[wm.end..ws[i].start].contains([',', ';']) {
            return true;
        }
    }
    // "the third hit the base", "one struck the living quarters".
    !weapons.is_empty()
        && ws
            .windows(2)
            .any(|p| matches!(p[0].w, "third" | "second" | "one" | "another") && hit_verb(p[1].w) && p[1].w != "hits")
}

/// `s` ends with `suffix`, ASCII case ignored (no lowercased copy of `s`).
fn ends_with_ignore_ascii_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len() && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// The first official group named, for statements without a speech word near it.
fn first_official<'a>(names: &'a [Name<'_>], g: &Gazetteer) -> Option<&'a str> {
    names
        .iter()
        .find(|m| is_official(kind_of(g, m.entity)))
        .and_then(|m| group_id(m.entity))
}

fn add(facts: &mut Vec<Fact>, n: usize, kind: FactKind, value: &str, subject: Option<&str>, phrase: &str) {
    let f = Fact {
        kind,
        value: value.to_string(),
        subject: subject.map(str::to_string),
        sentence: n,
        phrase: phrase.to_string(),
    };
    if !facts.contains(&f) {
        facts.push(f);
    }
}

/// Casualties, killed and injured apart.
fn casualties(ws: &[W], keys: &[usize], cues: &SentenceCues) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |_: FactKind, v: &str, _: Option<&str>, _: &str| {
        if !out.iter().any(|x| x == v) {
            out.push(v.to_string());
        }
    };
    let mut said_none = false;
    let minor_injuries = CASUALTY_PHRASES.iter().position(|(p, _)| *p == "minor injuries");
    let has_minor_injuries = minor_injuries.is_some_and(|k| cues.has(CueList::Casualty, k));
    for (k, &(_, value)) in CASUALTY_PHRASES.iter().enumerate() {
        if cues.has(CueList::Casualty, k) {
            push(FactKind::Casualties, value, None, "");
            said_none |= value.starts_with("no ") || value == "casualties unknown";
        }
    }
    let mut counted_hurt = false;
    for &i in keys {
        let x = &ws[i];
        let Some(&(_, kind)) = CASUALTY_WORDS.iter().find(|(w, _)| *w == x.w) else {
            continue;
        };
        let found = count_near(ws, i);
        match found {
            Some((k, hedged)) => {
                let v = if hedged {
                    format!("{kind} {k}+")
                } else {
                    format!("{kind} {k}")
                };
                push(FactKind::Casualties, &v, None, "");
                counted_hurt |= kind == "injured";
            }
            None if kind == "injured" && x.w != "injuries" && !said_none && !counted_hurt && !has_minor_injuries => {
                push(FactKind::Casualties, "wounded", None, "");
            }
            None => {}
        }
    }
    out
}

/// The number of people a casualty word speaks of: after it ("killed three soldiers",
/// "wounded at least 34") or before it ("two soldiers were injured"), with a hedge flag.
fn count_near(ws: &[W], i: usize) -> Option<(u32, bool)> {
    // After: only hedges between the verb and the number.
    let mut k = i + 1;
    let mut hedged = false;
    while k < ws.len() && k <= i + 4 {
        let w = ws[k].w;
        if let Some(n) = number(w).filter(|_| w != "a" || ws.get(k + 1).is_some_and(|x| !x.w.ends_with('s'))) {
            let people = ws
                .get(k + 1)
                .is_some_and(|x| !matches!(x.w, "drone" | "drones" | "rocket" | "rockets" | "attack"));
            if people && ws[i].w != "injuries" {
                return Some((n, hedged));
            }
            break;
        }
        if !HEDGES.contains(&w) {
            break;
        }
        hedged |= matches!(w, "least" | "more" | "over");
        k += 1;
    }
    // Before: "Three U.S. soldiers were killed", "at least six people were injured".
    let from = i.saturating_sub(7);
    for k in (from..i).rev() {
        let w = ws[k].w;
        if matches!(w, "and" | "but" | "when" | "after" | "killing" | "killed" | "wounding") && k + 1 < i {
            // "killed and more than 40 were wounded": a count in the second clause only.
            if let Some(n) = (k + 1..i).find_map(|j| number(ws[j].w).filter(|_| ws[j].w != "a")) {
                let hedged = (k + 1..i).any(|j| matches!(ws[j].w, "least" | "more" | "over"));
                return Some((n, hedged));
            }
            return None;
        }
        if let Some(n) = number(w).filter(|_| w != "a" && w != "an") {
            let hedged = ws[k.saturating_sub(2)..k]
                .iter()
                .any(|x| matches!(x.w, "least" | "more" | "over" | "than"));
            return Some((n, hedged));
        }
    }
    None
}

/// `needle` occurs in `folded` on word boundaries (both are folded: words joined by single
/// spaces). No allocation.
pub fn contains_words(folded: &str, needle: &str) -> bool {
    let bytes = folded.as_bytes();
    folded.match_indices(needle).any(|(at, _)| {
        let end = at + needle.len();
        (at == 0 || bytes[at - 1] == b' ') && (end == bytes.len() || bytes[end] == b' ')
    })
}

fn plural(w: Weapon, n: u32) -> String {
    let base = w.as_str();
    if n == 1 || matches!(w, Weapon::SmallArms | Weapon::Artillery) {
        base.to_string()
    } else {
        format!("{base}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every word a per-word rule starts from gets past the quick test on shapes.
    #[test]
    fn every_key_word_has_an_admitted_shape() {
        let words = SPEECH_WORDS
            .iter()
            .chain(&COMMENT_WORDS)
            .chain(&CLAIM_WORDS)
            .chain(CASUALTY_WORDS.iter().map(|(w, _)| w));
        for word in words {
            assert!(KEY_WORD_SHAPES.admits(word), "{word}");
        }
    }

    /// A list has a phrase found exactly when one of its phrases was found.
    #[test]
    fn a_list_is_found_when_one_of_its_phrases_is() {
        let phrases = cue_phrases();
        for (k, phrase) in phrases.iter().enumerate() {
            let cues = SentenceCues::scan(&format!("then {phrase} there"));
            assert!(cues.found.get(k).copied().unwrap_or(false), "{phrase}");
            for list in CueList::ALL {
                let by_phrase = SentenceCues::ids(list)
                    .iter()
                    .any(|&i| cues.found.get(i).copied().unwrap_or(false));
                assert_eq!(cues.any(list), by_phrase, "{phrase} in {list:?}");
                assert!(!SentenceCues::none().any(list));
            }
        }
    }

    /// Each casualty word, with a count after it, gives that count of its kind.
    #[test]
    fn every_casualty_word_counts() {
        for (word, kind) in CASUALTY_WORDS {
            let ws = vec![
                LowerWord {
                    w: "it",
                    start: 0,
                    end: 2,
                },
                LowerWord {
                    w: word,
                    start: 3,
                    end: 3 + word.len(),
                },
                LowerWord {
                    w: "three",
                    start: 4 + word.len(),
                    end: 9 + word.len(),
                },
                LowerWord {
                    w: "soldiers",
                    start: 10 + word.len(),
                    end: 18 + word.len(),
                },
            ];
            let keys = key_words(&ws);
            let expected = if word == "injuries" {
                Vec::<String>::new()
            } else {
                vec![format!("{kind} 3")]
            };
            let cues = SentenceCues::scan("");
            let found: Vec<String> = casualties(&ws, &keys, &cues)
                .into_iter()
                .filter(|v| v != "wounded")
                .collect();
            assert_eq!(found, expected, "{word}");
        }
    }
}
