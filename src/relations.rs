//! What sentences say about groups themselves: who belongs to which umbrella ("a coalition of
//! armed factions encompassing A, B and C", "X, an umbrella group of…", "affiliated with"),
//! and names the gazetteer does not know yet ("a group called X", "the X base"), kept as
//! candidates for an analyst to review rather than dropped.

use serde::Serialize;

use crate::gazetteer::{EntityRef, Gazetteer};
use crate::text::{LowerWord, Token, WordShapes, lower_words, words};

/// "member belongs to umbrella", as one sentence states it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Membership {
    pub member: String,
    pub umbrella: String,
    pub sentence: usize,
}

/// A name the gazetteer does not know, with the words that introduced it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Candidate {
    pub name: String,
    /// "group" or "place".
    pub kind: String,
    pub sentence: usize,
    pub phrase: String,
}

/// A group name found in the sentence: id and byte range.
pub struct GroupAt<'a> {
    pub id: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Membership statements in one sentence. `groups` are the armed groups named, in order.
pub fn memberships(n: usize, text: &str, groups: &[GroupAt<'_>]) -> Vec<Membership> {
    // Every statement pairs two different groups of the sentence; most sentences name fewer.
    if groups.len() < 2 {
        return Vec::new();
    }
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    // "X … encompassing / including / umbrella group of / coalition of … A, B and C": the first
    // group named before the cue is the umbrella, the groups after it are members.
    for cue in [
        "encompassing",
        "umbrella group of",
        "umbrella organisation of",
        "umbrella organization of",
        "involved in",
        "comprising",
        "made up of",
    ] {
        let Some(at) = lower.find(cue) else { continue };
        let (umbrella, members): (Vec<&GroupAt<'_>>, Vec<&GroupAt<'_>>) = if cue == "involved in" {
            // "groups are involved in X, including A, B": X follows the cue, members follow it.
            let after: Vec<&GroupAt<'_>> = groups.iter().filter(|g| g.start > at).collect();
            match after.split_first() {
                Some((u, rest)) if lower[at..].contains("including") => (vec![*u], rest.to_vec()),
                _ => continue,
            }
        } else {
            // The list of members ends where the sentence moves on ("…, said Monday that…").
            let list_end = [
                " said ",
                " says ",
                " stated ",
                " claimed ",
                " announced ",
                " that ",
                ";",
                ". ",
            ]
            .iter()
            .filter_map(|stop| lower[at..].find(stop).map(|i| at + i))
            .min()
            .unwrap_or(lower.len());
            let before: Vec<&GroupAt<'_>> = groups.iter().filter(|g| g.end <= at).collect();
            let after: Vec<&GroupAt<'_>> = groups.iter().filter(|g| g.start > at && g.end <= list_end).collect();
            (before.into_iter().take(1).collect(), after)
        };
        if let Some(u) = umbrella.first() {
            for m in members.iter().filter(|m| m.id != u.id) {
                out.push(Membership {
                    member: m.id.to_string(),
                    umbrella: u.id.to_string(),
                    sentence: n,
                });
            }
        }
    }
    // "X, affiliated with Y" / "X, a member of Y": the group before is the member.
    for cue in [
        "affiliated with",
        "a member of",
        "part of",
        "a faction of",
        "an arm of",
        "a wing of",
    ] {
        let Some(at) = lower.find(cue) else { continue };
        let member = groups.iter().rev().find(|g| g.end <= at);
        let umbrella = groups.iter().find(|g| g.start > at);
        if let (Some(m), Some(u)) = (member, umbrella)
            && m.id != u.id
        {
            out.push(Membership {
                member: m.id.to_string(),
                umbrella: u.id.to_string(),
                sentence: n,
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Names introduced as names ("a group called X", "calling itself X", "known as X",
/// "X (al-Y)", "the X base") that the gazetteer does not match.
pub fn candidates(n: usize, text: &str, g: &Gazetteer) -> Vec<Candidate> {
    let toks = words(text);
    let mut buf = String::new();
    let lower = lower_words(text, &toks, &mut buf);
    candidates_in(n, text, &toks, &lower, g)
}

/// Words after which a group is named ("called", "calling itself", "known as", "named").
const NAMING_WORDS: [&str; 4] = ["called", "named", "calling", "known"];

/// Words a site's name comes before ("the Harir base", "the Tower 22 outpost").
const SITE_WORDS: [&str; 6] = ["base", "garrison", "airbase", "airfield", "outpost", "camp"];

/// The shapes of [`NAMING_WORDS`] and [`SITE_WORDS`]: every other word is passed over at once.
static CUE_WORD_SHAPES: WordShapes = {
    let mut shapes = WordShapes::EMPTY;
    shapes.admit_all(&NAMING_WORDS, 0);
    shapes.admit_all(&SITE_WORDS, 0);
    shapes
};

/// [`candidates`] with the sentence's words already split, and lowercased (`lower`, one for
/// each of `toks`).
pub fn candidates_in(
    n: usize,
    text: &str,
    toks: &[Token<'_>],
    lower: &[LowerWord<'_>],
    g: &Gazetteer,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let known = |name: &str| !g.find_names(name).is_empty() || !g.find_names(&format!("the {name}")).is_empty();
    let capital = |i: usize| {
        toks.get(i)
            .is_some_and(|t| t.text.chars().next().is_some_and(char::is_uppercase))
    };
    // The capitalised run starting at token i ("Saraya al-Mithal", "the Revolutionaries").
    let run = |mut i: usize| -> Option<(usize, usize)> {
        if toks.get(i).is_some_and(|t| t.text.eq_ignore_ascii_case("the")) {
            i += 1;
        }
        if !capital(i) {
            return None;
        }
        let start = i;
        let mut end = i;
        while end + 1 < toks.len()
            && end - start < 5
            && (capital(end + 1) || matches!(toks[end + 1].text, "al" | "el" | "ad" | "ar" | "as" | "of" | "bin"))
            && text[toks[end].end..toks[end + 1].start]
                .chars()
                .all(|c| c == ' ' || c == '-' || c == '\'' || c == '\u{2019}')
        {
            end += 1;
        }
        Some((start, end))
    };
    let mut push = |kind: &str, start: usize, end: usize, cue_start: usize| {
        let name = text[toks[start].start..toks[end].end].to_string();
        if name.chars().count() >= 3 && !known(&name) && !out.iter().any(|c: &Candidate| c.name == name) {
            let phrase = text[cue_start..toks[end].end].to_string();
            out.push(Candidate {
                name,
                kind: kind.to_string(),
                sentence: n,
                phrase,
            });
        }
    };
    for (i, (t, w)) in toks.iter().zip(lower).enumerate() {
        let w = w.w;
        if !CUE_WORD_SHAPES.admits(w) {
            continue;
        }
        // "called X", "calling itself X", "known as X", "named X": a group's name.
        let after = match w {
            "called" | "named" => Some(i + 1),
            "calling" if toks.get(i + 1).is_some_and(|x| x.text.eq_ignore_ascii_case("itself")) => Some(i + 2),
            "known" if toks.get(i + 1).is_some_and(|x| x.text.eq_ignore_ascii_case("as")) => Some(i + 2),
            _ => None,
        };
        if let Some(a) = after
            && let Some((s, e)) = run(a)
        {
            push("group", s, e, t.start);
        }
        // "the X base", "the X air base", "the X garrison": a site's name.
        if SITE_WORDS.contains(&w) && i >= 2 {
            let mut s = i;
            while s > 0 && capital(s - 1) && i - s < 4 {
                s -= 1;
            }
            let introduced = s > 0 && toks[s - 1].text.eq_ignore_ascii_case("the");
            if s < i && introduced {
                let e = if toks[i - 1].text.eq_ignore_ascii_case("air") {
                    i - 2
                } else {
                    i - 1
                };
                if e >= s
                    && !matches!(
                        toks[s].text,
                        "US" | "U" | "American" | "Iraqi" | "Syrian" | "Coalition" | "Russian" | "Israeli" | "Iranian"
                    )
                {
                    push("place", s, e, toks[s - 1].start);
                }
            }
        }
    }
    // "X (al-Y)": a transliteration in brackets names the same thing as the words before it.
    // (Most sentences have no bracket at all: nothing to search.)
    let mut rest = if text.contains('(') { text } else { "" };
    let mut offset = 0;
    while let Some(open) = rest.find(" (") {
        let inner_start = offset + open + 2;
        let Some(close) = text[inner_start..].find(')') else {
            break;
        };
        let inner = &text[inner_start..inner_start + close];
        if inner.to_ascii_lowercase().starts_with("al-") && inner.split_whitespace().count() <= 3 && !known(inner) {
            out.push(Candidate {
                name: inner.to_string(),
                kind: "group".into(),
                sentence: n,
                phrase: format!("({inner})"),
            });
        }
        offset = inner_start + close;
        rest = &text[offset..];
    }
    out
}

/// Group names in a sentence's mentions, as `GroupAt`s.
pub fn groups_at<'a>(mentions: impl Iterator<Item = (&'a EntityRef, usize, usize)>, g: &Gazetteer) -> Vec<GroupAt<'a>> {
    mentions
        .filter_map(|(e, start, end)| match e {
            EntityRef::Group(id) if g.groups.get(&**id).is_some_and(|x| crate::facts::is_armed(&x.kind)) => {
                Some(GroupAt { id, start, end })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &str, id: &'a str, name: &str) -> GroupAt<'a> {
        let start = text.find(name).unwrap();
        GroupAt {
            id,
            start,
            end: start + name.len(),
        }
    }

    #[test]
    fn an_umbrella_and_its_members() {
        let t = "The Islamic Resistance in Iraq is a broad term encompassing various factions, mainly Kataib Hezbollah and Badr.";
        let g = [
            at(t, "iri", "Islamic Resistance in Iraq"),
            at(t, "kh", "Kataib Hezbollah"),
            at(t, "badr", "Badr"),
        ];
        let m = memberships(2, t, &g);
        assert_eq!(
            m.iter()
                .map(|x| (x.member.as_str(), x.umbrella.as_str()))
                .collect::<Vec<_>>(),
            vec![("badr", "iri"), ("kh", "iri")]
        );
    }

    #[test]
    fn affiliated_with() {
        let t = "The Revolutionaries, affiliated with the Islamic Resistance in Iraq, claimed it.";
        let g = [
            at(t, "rev", "Revolutionaries"),
            at(t, "iri", "Islamic Resistance in Iraq"),
        ];
        let m = memberships(1, t, &g);
        assert_eq!(
            m,
            vec![Membership {
                member: "rev".into(),
                umbrella: "iri".into(),
                sentence: 1
            }]
        );
    }

    #[test]
    fn unknown_names_become_candidates() {
        let g = Gazetteer::empty();
        let c = candidates(
            3,
            "A new group calling itself Saraya Awliya al-Mithal claimed the attack on the Qarat base.",
            &g,
        );
        let names: Vec<(&str, &str)> = c.iter().map(|x| (x.name.as_str(), x.kind.as_str())).collect();
        assert_eq!(names, vec![("Saraya Awliya al-Mithal", "group"), ("Qarat", "place")]);
        let c = candidates(1, "The group, called the Revolutionaries (al-Thawrayoun), said so.", &g);
        assert_eq!(
            c.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
            vec!["Revolutionaries", "al-Thawrayoun"]
        );
        let t =
            "The Islamic Resistance in Iraq, an umbrella group of militias, said its forces sent weapons to Hezbollah.";
        let g = [
            at(t, "iri", "Islamic Resistance in Iraq"),
            at(t, "hezbollah", "Hezbollah"),
        ];
        assert!(memberships(1, t, &g).is_empty(), "the list of members ends at \"said\"");
    }

    /// Every naming word and every site word introduces a name, whatever its case.
    #[test]
    fn every_cue_word_introduces_a_name() {
        let g = Gazetteer::empty();
        // The first candidate's name and kind.
        let first = |text: &str| candidates(1, text, &g).into_iter().next().map(|c| (c.name, c.kind));
        let naming = NAMING_WORDS.iter().map(|w| match *w {
            "calling" => "calling itself",
            "known" => "known as",
            other => other,
        });
        for cue in naming {
            for written in [cue.to_string(), cue.to_uppercase()] {
                let text = format!("A faction {written} Saraya Qaf said so.");
                assert_eq!(first(&text), Some(("Saraya Qaf".into(), "group".into())), "{text}");
            }
        }
        for site in SITE_WORDS {
            let text = format!("Rockets hit the Qarat {site} on Monday.");
            assert_eq!(first(&text), Some(("Qarat".into(), "place".into())), "{text}");
        }
    }
}
