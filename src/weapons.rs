//! Weapons named in a sentence, with how many: "three drones", "a pair of drones",
//! "two missiles", "multiple rockets", "a one-way attack drone".

use serde::Serialize;

use crate::text::{Token, WordShapes, ascii_lower, words};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weapon {
    Drone,
    Rocket,
    Missile,
    Mortar,
    SmallArms,
    Ied,
    Artillery,
    Airstrike,
}

impl Weapon {
    pub fn as_str(self) -> &'static str {
        match self {
            Weapon::Drone => "drone",
            Weapon::Rocket => "rocket",
            Weapon::Missile => "missile",
            Weapon::Mortar => "mortar",
            Weapon::SmallArms => "small-arms",
            Weapon::Ied => "ied",
            Weapon::Artillery => "artillery",
            Weapon::Airstrike => "airstrike",
        }
    }
}

/// How many of a weapon a sentence gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "value")]
pub enum Count {
    Exact(u32),
    /// "several", "multiple", "dozens of", "a barrage of".
    Several,
    /// No number given ("drones hit the base").
    Unknown,
}

impl Count {
    pub fn label(self) -> String {
        match self {
            Count::Exact(n) => n.to_string(),
            Count::Several => "several".into(),
            Count::Unknown => "?".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeaponMention {
    pub weapon: Weapon,
    pub count: Count,
    /// The words as written, count included ("a pair of drones").
    pub phrase: String,
    pub start: usize,
    pub end: usize,
}

/// Weapon names as word sequences (singular; a plural "s"/"es" also matches), longest first
/// within each head word so that "ballistic missile" is one mention.
const LEXICON: &[(&[&str], Weapon)] = &[
    (&["one", "way", "attack", "drone"], Weapon::Drone),
    (&["unmanned", "aerial", "vehicle"], Weapon::Drone),
    (&["explosive", "laden", "drone"], Weapon::Drone),
    (&["bomb", "laden", "drone"], Weapon::Drone),
    (&["attack", "drone"], Weapon::Drone),
    (&["kamikaze", "drone"], Weapon::Drone),
    (&["suicide", "drone"], Weapon::Drone),
    (&["drone", "attack"], Weapon::Drone),
    (&["drone", "strike"], Weapon::Drone),
    (&["drone"], Weapon::Drone),
    (&["uav"], Weapon::Drone),
    (&["quadcopter"], Weapon::Drone),
    (&["katyusha", "rocket"], Weapon::Rocket),
    (&["grad", "rocket"], Weapon::Rocket),
    (&["katyusha"], Weapon::Rocket),
    (&["rocket", "attack"], Weapon::Rocket),
    (&["rocket"], Weapon::Rocket),
    (&["short", "range", "ballistic", "missile"], Weapon::Missile),
    (&["ballistic", "missile"], Weapon::Missile),
    (&["cruise", "missile"], Weapon::Missile),
    (&["missile", "attack"], Weapon::Missile),
    (&["missile", "strike"], Weapon::Missile),
    (&["missile"], Weapon::Missile),
    (&["mortar", "round"], Weapon::Mortar),
    (&["mortar", "shell"], Weapon::Mortar),
    (&["mortar", "bomb"], Weapon::Mortar),
    (&["mortar", "attack"], Weapon::Mortar),
    (&["mortar"], Weapon::Mortar),
    (&["small", "arms", "fire"], Weapon::SmallArms),
    (&["machine", "gun", "fire"], Weapon::SmallArms),
    (&["sniper", "fire"], Weapon::SmallArms),
    (&["gunfire"], Weapon::SmallArms),
    (&["sniper"], Weapon::SmallArms),
    (&["improvised", "explosive", "device"], Weapon::Ied),
    (&["roadside", "bomb"], Weapon::Ied),
    (&["car", "bomb"], Weapon::Ied),
    (&["explosive", "device"], Weapon::Ied),
    (&["ied"], Weapon::Ied),
    (&["artillery", "shell"], Weapon::Artillery),
    (&["artillery", "fire"], Weapon::Artillery),
    (&["artillery"], Weapon::Artillery),
    (&["shelling"], Weapon::Artillery),
    (&["airstrike"], Weapon::Airstrike),
    (&["air", "strike"], Weapon::Airstrike),
    (&["warplane"], Weapon::Airstrike),
];

/// Words that may stand between a count and the weapon ("three Iranian-made drones").
#[rustfmt::skip]
const MODIFIERS: &[&str] = &[
    "explosive", "explosives", "laden", "armed", "small", "iranian", "made", "hostile", "enemy", "more", "additional",
    "heavy", "guided", "long", "medium", "suspected", "unidentified", "unknown", "fixed", "wing", "loitering",
    "large", "new", "separate", "precision", "successive", "simultaneous", "further", "other", "successful",
    "precise", "coordinated", "deadly", "fresh", "retaliatory", "israeli", "american", "u", "s", "us", "turkish",
    "russian", "syrian", "iraqi", "jordanian", "coalition", "unmanned",
];

const NUMBER_WORDS: &[(&str, u32)] = &[
    ("a", 1),
    ("an", 1),
    ("one", 1),
    ("single", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("hundred", 100),
];

const VAGUE: &[&str] = &[
    "several", "multiple", "numerous", "many", "dozens", "scores", "hundreds", "various", "some",
];

fn number_word(w: &str) -> Option<u32> {
    let w = w.to_ascii_lowercase();
    NUMBER_WORDS.iter().find(|(n, _)| *n == w).map(|(_, v)| *v)
}

/// A word of the sentence matches a lexicon word, singular or plural, ignoring ASCII case.
/// No allocation: this runs for every word of every article.
fn word_matches(token: &str, word: &str) -> bool {
    if token.eq_ignore_ascii_case(word) {
        return true;
    }
    let Some(head) = token.get(..word.len()) else {
        return false;
    };
    if !head.eq_ignore_ascii_case(word) {
        return false;
    }
    let tail = &token[word.len()..];
    tail.eq_ignore_ascii_case("s") || tail.eq_ignore_ascii_case("es")
}

fn gap<'a>(s: &'a str, toks: &[Token<'_>], a: usize) -> &'a str {
    &s[toks[a].end..toks[a + 1].start]
}

/// The shapes of the lexicon's first words, singular or plural ("es"): most words of a
/// sentence ("the", "said", "base") are no weapon and stop at this test, before any hashing.
static FIRST_WORD_SHAPES: WordShapes = {
    let mut shapes = WordShapes::EMPTY;
    let mut k = 0;
    while k < LEXICON.len() {
        shapes.admit(LEXICON[k].0[0], 2);
        k += 1;
    }
    shapes
};

/// Lexicon entries by first word, so most words are dismissed with one lookup.
fn patterns_starting_with(token: &str) -> Option<&'static [usize]> {
    use std::sync::LazyLock;
    // Keyed by short ASCII words, looked up for every word: a cheap hash beats SipHash here.
    type ByFirst = crate::text::FastMap<&'static str, Vec<usize>>;
    static BY_FIRST: LazyLock<ByFirst> = LazyLock::new(|| {
        let mut map = ByFirst::default();
        for (k, (pattern, _)) in LEXICON.iter().enumerate() {
            map.entry(pattern[0]).or_default().push(k);
        }
        map
    });
    // Lowercase into a small buffer: no allocation for the many words that are no weapon.
    let mut buf = [0u8; 24];
    if token.len() > buf.len() || !token.is_ascii() {
        return None;
    }
    let lower = ascii_lower(token, &mut buf);
    let singular = [Some(lower), lower.strip_suffix("es"), lower.strip_suffix('s')];
    singular
        .into_iter()
        .flatten()
        .find_map(|w| BY_FIRST.get(w))
        .map(Vec::as_slice)
}

/// Find every weapon mention in `sentence`, in order.
pub fn find_weapons(sentence: &str) -> Vec<WeaponMention> {
    find_weapons_in(sentence, &words(sentence))
}

/// [`find_weapons`] with the sentence's words already split.
pub fn find_weapons_in(sentence: &str, toks: &[Token<'_>]) -> Vec<WeaponMention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let Some(candidates) = Some(toks[i].text)
            .filter(|w| FIRST_WORD_SHAPES.admits(w))
            .and_then(patterns_starting_with)
        else {
            i += 1;
            continue;
        };
        let hit = candidates.iter().map(|&k| &LEXICON[k]).find(|(pattern, _)| {
            pattern.len() + i <= toks.len()
                && pattern.iter().enumerate().all(|(k, w)| {
                    let tok = toks[i + k].text;
                    // Inner words must be exact, only the last may be plural ("drone attacks").
                    if k + 1 == pattern.len() {
                        word_matches(tok, w)
                    } else {
                        tok.eq_ignore_ascii_case(w) || word_matches(tok, w)
                    }
                })
                && (1..pattern.len()).all(|k| !gap(sentence, toks, i + k - 1).contains([',', ';', '.']))
        });
        let Some((pattern, weapon)) = hit else {
            i += 1;
            continue;
        };
        let last = i + pattern.len() - 1;
        let (count, first) = count_before(sentence, toks, i);
        let (start, end) = (toks[first].start, toks[last].end);
        out.push(WeaponMention {
            weapon: *weapon,
            count,
            phrase: sentence[start..end].to_string(),
            start,
            end,
        });
        i = last + 1;
    }
    out
}

/// The count standing before token `i`, skipping modifiers; returns it and the first token
/// of the phrase.
fn count_before(s: &str, toks: &[Token<'_>], i: usize) -> (Count, usize) {
    let mut k = i;
    // Step back over modifiers, but never across punctuation.
    while k > 0 {
        let g = gap(s, toks, k - 1);
        let joined = g.trim().is_empty() || g == "-";
        if joined && MODIFIERS.contains(&toks[k - 1].text.to_ascii_lowercase().as_str()) {
            k -= 1;
        } else {
            break;
        }
    }
    if k == 0 {
        return (Count::Unknown, i);
    }
    let c = k - 1;
    let w = toks[c].text.to_ascii_lowercase();
    let before = |n: usize| {
        if c >= n {
            Some(toks[c - n].text.to_ascii_lowercase())
        } else {
            None
        }
    };
    let joined = gap(s, toks, c).trim().is_empty() || gap(s, toks, c) == "-";
    if !joined {
        return (Count::Unknown, i);
    }
    if w == "of" {
        match (before(1).as_deref(), before(2).as_deref()) {
            (Some("pair" | "couple"), Some("a")) => return (Count::Exact(2), c - 2),
            (Some("number" | "barrage" | "salvo" | "volley" | "wave" | "series" | "swarm"), Some("a")) => {
                return (Count::Several, c - 2);
            }
            (Some("dozens" | "scores" | "hundreds" | "tens"), _) => return (Count::Several, c - 1),
            _ => return (Count::Unknown, i),
        }
    }
    if w == "dozen" {
        return match before(1).as_deref().and_then(number_word) {
            Some(n) => (Count::Exact(n * 12), c - 1),
            None => (Count::Exact(12), c),
        };
    }
    if VAGUE.contains(&w.as_str()) {
        return (Count::Several, c);
    }
    if let Some(n) = number_word(&w) {
        return (Count::Exact(n), c);
    }
    if w.chars().all(|ch| ch.is_ascii_digit()) && w.len() <= 4 {
        // "Tower 22 drone attack": a number that ends a proper name is no count.
        let part_of_name = before(1).is_some_and(|_| {
            let t = toks[c - 1].text;
            t.chars().next().is_some_and(char::is_uppercase) && gap(s, toks, c - 1).trim().is_empty()
        });
        let after_comma = c > 0 && gap(s, toks, c - 1) == ",";
        if !part_of_name
            && !after_comma
            && let Ok(n) = w.parse::<u32>()
        {
            return (Count::Exact(n), c);
        }
    }
    (Count::Unknown, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_words_and_pairs() {
        let m = find_weapons("They used a pair of drones and two missiles.");
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].weapon, m[0].count, m[0].phrase.as_str()),
            (Weapon::Drone, Count::Exact(2), "a pair of drones")
        );
        assert_eq!((m[1].weapon, m[1].count), (Weapon::Missile, Count::Exact(2)));
    }

    /// Every phrase of the lexicon is found, in the singular and plural, whatever its case: the
    /// quick test on first words turns none away.
    #[test]
    fn every_lexicon_phrase_is_found() {
        for (pattern, weapon) in LEXICON {
            let phrase = pattern.join(" ");
            let plural = if phrase.ends_with(['s', 'h']) { "es" } else { "s" };
            for written in [phrase.clone(), format!("{phrase}{plural}"), phrase.to_uppercase()] {
                let sentence = format!("Witnesses reported {written} near the base.");
                let found = find_weapons(&sentence);
                assert!(
                    found
                        .iter()
                        .any(|m| m.weapon == *weapon && m.phrase.ends_with(&written)),
                    "{sentence:?}: {found:?}"
                );
            }
        }
    }
}
