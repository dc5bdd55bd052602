//! Synthetic briefing projects for benchmarks and scale tests (not part of the public API).
//!
//! [`generate`] writes a deterministic project — `site.toml`, `content/articles`,
//! `content/groups`, `content/places` — of N news-style articles about a few hundred
//! underlying incidents. The same options always give the same bytes: the only source of
//! variation is a small seeded PRNG (splitmix64); no clock, no hash-map order.
//!
//! The articles vary the way real reporting does: publishers and datelines, relative and
//! absolute date phrases ("on Monday", "Sunday night", "on 23 October", "last week"),
//! undated articles, spellings and aliases of groups and places, weapon counts ("three
//! drones", "a pair of drones", "multiple rockets"), claims, confirmations, denials,
//! casualties, background filler, repeated paragraphs and articles pasted twice, `.md` with
//! TOML or YAML front matter, unwrapped one-paragraph-per-line Markdown and `.txt` files.
//! Each article reports one to three incidents, so clustering and cross-links are exercised.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};

/// A small deterministic PRNG (splitmix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5EED_C0DE_D1CE_F00D)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub articles: usize,
    pub seed: u64,
    /// Underlying incidents; default `articles / 4`, between 10 and 400.
    pub incidents: Option<usize>,
}

impl GenOptions {
    pub fn new(articles: usize, seed: u64) -> Self {
        GenOptions {
            articles,
            seed,
            incidents: None,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub articles: usize,
    pub incidents: usize,
    pub groups: usize,
    pub places: usize,
    pub words: usize,
    pub bytes: usize,
}

// ---------------------------------------------------------------------------------------------
// Gazetteer. A fixed subset of the real one (names and aliases as in the repository's
// content/), embedded so the benchmark corpus does not change when the project's gazetteer does.

struct GroupDef {
    id: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
    kind: &'static str,
    member_of: &'static [&'static str],
    country: &'static str,
}

struct PlaceDef {
    id: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
    kind: &'static str,
    country: &'static str,
    lat: f64,
    lon: f64,
    within: &'static str,
}

const fn g(
    id: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
    kind: &'static str,
    member_of: &'static [&'static str],
    country: &'static str,
) -> GroupDef {
    GroupDef {
        id,
        name,
        aliases,
        kind,
        member_of,
        country,
    }
}

#[allow(clippy::too_many_arguments)]
const fn p(
    id: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
    kind: &'static str,
    country: &'static str,
    lat: f64,
    lon: f64,
    within: &'static str,
) -> PlaceDef {
    PlaceDef {
        id,
        name,
        aliases,
        kind,
        country,
        lat,
        lon,
        within,
    }
}

const GROUPS: &[GroupDef] = &[
    g(
        "axis-of-resistance",
        "Axis of Resistance",
        &["Resistance Axis"],
        "coalition",
        &[],
        "",
    ),
    g(
        "islamic-resistance-in-iraq",
        "Islamic Resistance in Iraq",
        &[
            "Islamic Resistance of Iraq",
            "Iraqi Islamic Resistance",
            "al-Muqawama al-Islamiya fi al-Iraq",
        ],
        "armed-group",
        &["axis-of-resistance"],
        "Iraq",
    ),
    g(
        "kataib-hezbollah",
        "Kataib Hezbollah",
        &[
            "Kataeb Hezbollah",
            "Kata'ib Hezbollah",
            "Kataib Hizballah",
            "Hezbollah Brigades",
        ],
        "armed-group",
        &["islamic-resistance-in-iraq"],
        "Iraq",
    ),
    g(
        "harakat-hezbollah-al-nujaba",
        "Harakat Hezbollah al-Nujaba",
        &["Hezbollah al-Nujaba", "al-Nujaba", "Nujaba Movement"],
        "armed-group",
        &["islamic-resistance-in-iraq"],
        "Iraq",
    ),
    g(
        "kataib-sayyid-al-shuhada",
        "Kataib Sayyid al-Shuhada",
        &["Kata'ib Sayyid al-Shuhada", "Kateb Sayyid Al-Shohadaa"],
        "armed-group",
        &["islamic-resistance-in-iraq"],
        "Iraq",
    ),
    g(
        "asaib-ahl-al-haq",
        "Asaib Ahl al-Haq",
        &["Asa'ib Ahl al-Haq", "League of the Righteous"],
        "armed-group",
        &[],
        "Iraq",
    ),
    g(
        "the-revolutionaries",
        "The Revolutionaries",
        &["al-Thawriyoun", "Thawriyoun"],
        "armed-group",
        &["islamic-resistance-in-iraq"],
        "Iraq",
    ),
    g(
        "saraya-awliya-al-dam",
        "Saraya Awliya al-Dam",
        &["Awliya al-Dam", "Guardians of Blood Brigades"],
        "armed-group",
        &[],
        "Iraq",
    ),
    g(
        "islamic-state",
        "Islamic State",
        &["ISIS", "ISIL", "Daesh"],
        "armed-group",
        &[],
        "",
    ),
    g(
        "houthis",
        "Houthis",
        &["Ansar Allah", "Houthi movement"],
        "armed-group",
        &["axis-of-resistance"],
        "Yemen",
    ),
    g(
        "us-military",
        "US military",
        &[
            "U.S. military",
            "US forces",
            "U.S. forces",
            "American forces",
            "US troops",
        ],
        "state-force",
        &[],
        "United States",
    ),
    g(
        "centcom",
        "US Central Command",
        &["U.S. Central Command", "CENTCOM", "US CENTCOM"],
        "state-force",
        &["us-military"],
        "United States",
    ),
    g(
        "pentagon",
        "Pentagon",
        &["the Pentagon", "US Department of Defense", "Defense Department"],
        "government",
        &[],
        "United States",
    ),
    g(
        "global-coalition",
        "Global Coalition",
        &[
            "US-led coalition",
            "U.S.-led coalition",
            "international coalition",
            "Coalition forces",
        ],
        "coalition",
        &[],
        "",
    ),
    g(
        "iraqi-security-forces",
        "Iraqi Security Forces",
        &["Iraqi security services", "ISF"],
        "state-force",
        &[],
        "Iraq",
    ),
    g(
        "syrian-democratic-forces",
        "Syrian Democratic Forces",
        &["SDF", "Kurdish-led SDF"],
        "state-force",
        &[],
        "Syria",
    ),
    g(
        "shafaq-news",
        "Shafaq News",
        &["Shafaq News Agency"],
        "media",
        &[],
        "Iraq",
    ),
    g("reuters", "Reuters", &["Reuters news agency"], "media", &[], ""),
    g(
        "associated-press",
        "Associated Press",
        &["AP", "The Associated Press"],
        "media",
        &[],
        "",
    ),
    g(
        "afp",
        "Agence France-Presse",
        &["AFP", "France-Presse"],
        "media",
        &[],
        "",
    ),
    g(
        "al-mayadeen",
        "Al Mayadeen",
        &["Al-Mayadeen", "Almayadeen"],
        "media",
        &[],
        "Lebanon",
    ),
    g("rudaw", "Rudaw", &["Rudaw Media Network"], "media", &[], "Iraq"),
    g("sabereen-news", "Sabereen News", &["Sabereen"], "media", &[], "Iraq"),
    g(
        "sohr",
        "Syrian Observatory for Human Rights",
        &["SOHR", "Syrian Observatory"],
        "monitor",
        &[],
        "",
    ),
];

const PLACES: &[PlaceDef] = &[
    p(
        "iraq",
        "Iraq",
        &["Republic of Iraq"],
        "country",
        "Iraq",
        33.22,
        43.68,
        "",
    ),
    p(
        "syria",
        "Syria",
        &["Syrian Arab Republic"],
        "country",
        "Syria",
        35.0,
        38.5,
        "",
    ),
    p(
        "jordan",
        "Jordan",
        &["Kingdom of Jordan"],
        "country",
        "Jordan",
        31.28,
        37.13,
        "",
    ),
    p(
        "western-iraq",
        "western Iraq",
        &["west Iraq", "Iraq's western desert"],
        "region",
        "Iraq",
        33.4,
        41.6,
        "iraq",
    ),
    p(
        "northern-iraq",
        "northern Iraq",
        &["north Iraq"],
        "region",
        "Iraq",
        36.0,
        43.5,
        "iraq",
    ),
    p(
        "kurdistan-region",
        "Kurdistan Region",
        &["Iraqi Kurdistan", "Kurdistan Region of Iraq", "KRI"],
        "region",
        "Iraq",
        36.4,
        44.4,
        "northern-iraq",
    ),
    p(
        "eastern-syria",
        "eastern Syria",
        &["east Syria", "Syria's east"],
        "region",
        "Syria",
        35.0,
        40.3,
        "syria",
    ),
    p(
        "northeastern-syria",
        "northeastern Syria",
        &["northeast Syria", "north-east Syria", "Syria's northeast"],
        "region",
        "Syria",
        36.6,
        40.9,
        "eastern-syria",
    ),
    p(
        "southeastern-syria",
        "southeastern Syria",
        &["southeast Syria", "south-east Syria"],
        "region",
        "Syria",
        33.8,
        38.6,
        "eastern-syria",
    ),
    p(
        "anbar-governorate",
        "Anbar",
        &["Anbar Governorate", "Anbar province", "al-Anbar"],
        "governorate",
        "Iraq",
        33.0,
        41.8,
        "western-iraq",
    ),
    p(
        "erbil-governorate",
        "Erbil Governorate",
        &["Erbil province", "Arbil province"],
        "governorate",
        "Iraq",
        36.4,
        44.3,
        "kurdistan-region",
    ),
    p(
        "baghdad-governorate",
        "Baghdad Governorate",
        &["Baghdad province"],
        "governorate",
        "Iraq",
        33.3,
        44.4,
        "iraq",
    ),
    p(
        "deir-ez-zor-governorate",
        "Deir ez-Zor Governorate",
        &[
            "Deir ez-Zor province",
            "Deir Ezzor province",
            "Deir al-Zor province",
            "Deir ez-Zor countryside",
        ],
        "governorate",
        "Syria",
        35.0,
        40.4,
        "eastern-syria",
    ),
    p(
        "hasakah-governorate",
        "Hasakah Governorate",
        &["Hasakah province", "Hasakeh province", "al-Hasakah countryside"],
        "governorate",
        "Syria",
        36.5,
        40.9,
        "northeastern-syria",
    ),
    p(
        "mafraq-governorate",
        "Mafraq Governorate",
        &["Mafraq province"],
        "governorate",
        "Jordan",
        32.3,
        37.5,
        "jordan",
    ),
    p(
        "baghdad",
        "Baghdad",
        &["Baghdad city"],
        "city",
        "Iraq",
        33.3152,
        44.3661,
        "baghdad-governorate",
    ),
    // Sites: incidents happen here.
    p(
        "ain-al-asad",
        "Ain al-Asad",
        &[
            "Ain al-Asad air base",
            "Ain al-Asad airbase",
            "Ayn al-Asad",
            "Al-Asad Air Base",
            "Ain al-Assad",
            "Ein al-Asad",
        ],
        "base",
        "Iraq",
        33.7856,
        42.4411,
        "anbar-governorate",
    ),
    p(
        "harir",
        "Harir",
        &["Harir base", "Harir air base", "al-Harir", "Bashur airfield"],
        "base",
        "Iraq",
        36.537,
        44.341,
        "erbil-governorate",
    ),
    p(
        "erbil-air-base",
        "Erbil Air Base",
        &[
            "Erbil airport",
            "Erbil International Airport",
            "Erbil airbase",
            "Irbil airport",
        ],
        "base",
        "Iraq",
        36.2376,
        43.9632,
        "erbil-governorate",
    ),
    p(
        "al-tanf",
        "al-Tanf",
        &[
            "Al-Tanf",
            "al-Tanf garrison",
            "At Tanf",
            "Tanf",
            "al-Tanf base",
            "al-Tanf military outpost",
            "55-kilometre zone",
        ],
        "base",
        "Syria",
        33.5058,
        38.6178,
        "southeastern-syria",
    ),
    p(
        "tower-22",
        "Tower 22",
        &["Tower-22", "Tower 22 base", "Tower 22 outpost"],
        "base",
        "Jordan",
        33.319,
        38.698,
        "mafraq-governorate",
    ),
    p(
        "al-omar",
        "al-Omar",
        &[
            "al-Omar oil field",
            "al-Omar oilfield",
            "Omar oil field",
            "Green Village",
            "MSS Euphrates",
        ],
        "oil-field",
        "Syria",
        35.1517,
        40.5758,
        "deir-ez-zor-governorate",
    ),
    p(
        "conoco",
        "Conoco",
        &["Conoco gas field", "Conoco field", "Koniko gas field", "Conoco base"],
        "gas-field",
        "Syria",
        35.3361,
        40.3094,
        "deir-ez-zor-governorate",
    ),
    p(
        "al-shaddadi",
        "al-Shaddadi",
        &["Shaddadi", "al-Shaddadi base", "Ash Shaddadi", "Shadadi"],
        "base",
        "Syria",
        36.0561,
        40.7303,
        "hasakah-governorate",
    ),
    p(
        "rmeilan-landing-zone",
        "Rmeilan Landing Zone",
        &["Rmeilan", "Rumalyn Landing Zone", "Rmelan airfield", "Rumeilan base"],
        "base",
        "Syria",
        36.8978,
        41.9975,
        "hasakah-governorate",
    ),
    p(
        "kharab-al-jir",
        "Kharab al-Jir",
        &["Kharab al-Jair", "Khirbet al-Jir", "Kharab al-Jir airbase"],
        "base",
        "Syria",
        36.88,
        41.99,
        "hasakah-governorate",
    ),
    p(
        "tal-baydar",
        "Tal Baydar",
        &["Tell Baydar", "Tel Baydar", "Tal Baidar", "Tal Baydar base"],
        "base",
        "Syria",
        36.74,
        40.68,
        "hasakah-governorate",
    ),
    p(
        "qasrak",
        "Qasrak",
        &["Qasrak base", "Qasrek", "Tell Qasrak"],
        "base",
        "Syria",
        36.7062,
        40.512,
        "hasakah-governorate",
    ),
    p(
        "union-iii",
        "Union III",
        &["Union III base", "FOB Union III", "Union 3"],
        "base",
        "Iraq",
        33.305,
        44.39,
        "baghdad",
    ),
    p(
        "baghdad-international-airport",
        "Baghdad International Airport",
        &["Baghdad airport", "BIAP", "Victory Base Complex", "Camp Victory"],
        "airport",
        "Iraq",
        33.2625,
        44.2346,
        "baghdad-governorate",
    ),
];

/// Where incidents happen: the places that are sites, not areas or cities.
fn site_indices() -> Vec<usize> {
    PLACES
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, "base" | "oil-field" | "gas-field" | "airport"))
        .map(|(i, _)| i)
        .collect()
}

fn group_index(id: &str) -> usize {
    GROUPS.iter().position(|g| g.id == id).expect("known group")
}

fn place_index(id: &str) -> usize {
    PLACES.iter().position(|p| p.id == id).expect("known place")
}

const CLAIMANTS: &[&str] = &[
    "islamic-resistance-in-iraq",
    "islamic-resistance-in-iraq",
    "islamic-resistance-in-iraq",
    "kataib-hezbollah",
    "harakat-hezbollah-al-nujaba",
    "kataib-sayyid-al-shuhada",
    "the-revolutionaries",
    "saraya-awliya-al-dam",
    "islamic-state",
];

const OFFICIALS: &[&str] = &[
    "centcom",
    "pentagon",
    "us-military",
    "global-coalition",
    "iraqi-security-forces",
];

// ---------------------------------------------------------------------------------------------
// Publishers.

struct Publisher {
    name: &'static str,
    domain: &'static str,
    /// Dateline style: 0 none, 1 "Shafaq News/ ", 2 "CITY (Reuters) - ", 3 "CITY — ".
    dateline: u8,
    authors: &'static [&'static str],
}

const PUBLISHERS: &[Publisher] = &[
    Publisher {
        name: "Shafaq News",
        domain: "shafaq.example",
        dateline: 1,
        authors: &[],
    },
    Publisher {
        name: "Reuters",
        domain: "reuters.example",
        dateline: 2,
        authors: &["Timour Azhari", "Phil Stewart", "Idrees Ali"],
    },
    Publisher {
        name: "Associated Press",
        domain: "apnews.example",
        dateline: 3,
        authors: &["Lolita C. Baldor", "Qassim Abdul-Zahra", "Bassem Mroue"],
    },
    Publisher {
        name: "Agence France-Presse",
        domain: "afp.example",
        dateline: 2,
        authors: &[],
    },
    Publisher {
        name: "Rudaw",
        domain: "rudaw.example",
        dateline: 0,
        authors: &["Rudaw staff"],
    },
    Publisher {
        name: "The National",
        domain: "thenational.example",
        dateline: 0,
        authors: &["Mina Aldroubi", "Sinan Mahmoud"],
    },
    Publisher {
        name: "Al-Monitor",
        domain: "al-monitor.example",
        dateline: 0,
        authors: &["Jared Szuba", "Adam Lucente"],
    },
    Publisher {
        name: "Defense Post",
        domain: "defensepost.example",
        dateline: 3,
        authors: &[],
    },
    Publisher {
        name: "Kurdistan 24",
        domain: "kurdistan24.example",
        dateline: 0,
        authors: &["Kurdistan 24"],
    },
    Publisher {
        name: "Enab Baladi",
        domain: "enabbaladi.example",
        dateline: 0,
        authors: &[],
    },
];

const DATELINE_CITIES: &[&str] = &["BAGHDAD", "WASHINGTON", "BEIRUT", "ERBIL", "DAMASCUS", "AMMAN"];

// ---------------------------------------------------------------------------------------------
// Incidents.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arm {
    Drone,
    Rocket,
    Missile,
    Mortar,
    Ied,
}

#[derive(Debug, Clone)]
struct Incident {
    site: usize,
    date: NaiveDate,
    arm: Arm,
    count: u32,
    /// 0 unknown, 1 intercepted, 2 hit, 3 hit with damage.
    outcome: u8,
    claimant: Option<usize>,
    /// A second group also claims it (a contradiction some sources report).
    rival_claimant: Option<usize>,
    killed: u32,
    injured: u32,
    /// 0 nothing, 1 confirmed, 2 not confirmed.
    confirmation: u8,
}

fn make_incidents(rng: &mut Rng, n: usize) -> Vec<Incident> {
    let sites = site_indices();
    let start = NaiveDate::from_ymd_opt(2023, 10, 1).expect("date");
    let span = (n as i64 * 2).clamp(60, 640);
    let mut used = BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let site = rng.pick(&sites);
        let date = start + Duration::days(rng.below(span as usize) as i64);
        if !used.insert((site, date)) {
            continue;
        }
        let arm = match rng.below(100) {
            0..=54 => Arm::Drone,
            55..=79 => Arm::Rocket,
            80..=87 => Arm::Missile,
            88..=96 => Arm::Mortar,
            _ => Arm::Ied,
        };
        let count = match arm {
            Arm::Ied => 1,
            Arm::Missile => rng.range(1, 3) as u32,
            _ => rng.range(1, 6) as u32,
        };
        let claimant = rng.chance(70).then(|| group_index(rng.pick(CLAIMANTS)));
        let rival_claimant = if claimant.is_some() && rng.chance(8) {
            Some(group_index(rng.pick(CLAIMANTS)))
        } else {
            None
        };
        let (killed, injured) = match rng.below(100) {
            0..=59 => (0, 0),
            60..=84 => (0, rng.range(1, 8) as u32),
            85..=94 => (rng.range(1, 3) as u32, rng.range(2, 40) as u32),
            _ => (0, 0),
        };
        out.push(Incident {
            site,
            date,
            arm,
            count,
            outcome: rng.below(4) as u8,
            claimant,
            rival_claimant,
            killed,
            injured,
            confirmation: rng.below(3) as u8,
        });
    }
    out.sort_by_key(|i| (i.date, i.site));
    out
}

// ---------------------------------------------------------------------------------------------
// Words.

const NUMBERS: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
];

fn number_word(n: u32) -> String {
    NUMBERS
        .get(n as usize)
        .map_or_else(|| n.to_string(), |s| (*s).to_string())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn weapon_noun(arm: Arm, plural: bool, rng: &mut Rng) -> &'static str {
    match (arm, plural) {
        (Arm::Drone, false) => rng.pick(&["drone", "one-way attack drone", "explosive-laden drone", "drone"]),
        (Arm::Drone, true) => rng.pick(&["drones", "drones", "explosive-laden drones", "attack drones"]),
        (Arm::Rocket, false) => rng.pick(&["rocket", "Katyusha rocket"]),
        (Arm::Rocket, true) => rng.pick(&["rockets", "rockets", "Katyusha rockets", "Grad rockets"]),
        (Arm::Missile, false) => rng.pick(&["ballistic missile", "missile"]),
        (Arm::Missile, true) => rng.pick(&["missiles", "ballistic missiles"]),
        (Arm::Mortar, false) => rng.pick(&["mortar round", "mortar shell"]),
        (Arm::Mortar, true) => rng.pick(&["mortar rounds", "mortar shells"]),
        (Arm::Ied, _) => rng.pick(&["roadside bomb", "improvised explosive device"]),
    }
}

fn arm_label(arm: Arm) -> &'static str {
    match arm {
        Arm::Drone => "drone",
        Arm::Rocket => "rocket",
        Arm::Missile => "missile",
        Arm::Mortar => "mortar",
        Arm::Ied => "bomb",
    }
}

/// "three drones", "a pair of drones", "multiple rockets", "a drone".
fn count_phrase(arm: Arm, n: u32, rng: &mut Rng) -> String {
    if n == 1 {
        let noun = weapon_noun(arm, false, rng);
        let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return format!("{article} {noun}");
    }
    let noun = weapon_noun(arm, true, rng);
    match rng.below(10) {
        0 if n == 2 => format!("a pair of {noun}"),
        1 => format!("multiple {noun}"),
        2 => format!("several {noun}"),
        3 if n > 3 => format!("a barrage of {noun}"),
        4 if n < 10 => format!("{n} {noun}"),
        _ => format!("{} {noun}", number_word(n)),
    }
}

fn group_name(i: usize, rng: &mut Rng) -> String {
    let gr = &GROUPS[i];
    let name = if gr.aliases.is_empty() || rng.chance(55) {
        gr.name
    } else {
        rng.pick(gr.aliases)
    };
    if rng.chance(2) {
        name.to_uppercase()
    } else {
        name.to_string()
    }
}

fn place_name(i: usize, rng: &mut Rng) -> String {
    let pl = &PLACES[i];
    let name = if pl.aliases.is_empty() || rng.chance(45) {
        pl.name
    } else {
        rng.pick(pl.aliases)
    };
    let name = name.to_string();
    match pl.kind {
        "base" if !name.contains("base") && !name.contains("air") && rng.chance(40) => {
            format!("the {name} base")
        }
        "oil-field" | "gas-field" if !name.contains("field") && rng.chance(50) => format!("the {name} field"),
        _ => name,
    }
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTH_ABBR: [&str; 12] = [
    "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
];

/// A phrase dating `date` as seen from an article published on `published`.
fn date_phrase(date: NaiveDate, published: NaiveDate, rng: &mut Rng) -> String {
    let delta = (published - date).num_days();
    let wd = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
    let (d, m) = (date.day(), date.month0() as usize);
    let week = |x: NaiveDate| x - Duration::days(x.weekday().num_days_from_monday() as i64);
    if delta >= 7 && week(date) + Duration::days(7) == week(published) && rng.chance(60) {
        return rng.pick(&["last week", "earlier last week"]).to_string();
    }
    if delta == 1 && rng.chance(15) {
        return "yesterday".into();
    }
    if (0..=6).contains(&delta) && rng.chance(65) {
        return match rng.below(6) {
            0 | 1 => format!("on {wd}"),
            2 => format!("{wd} night"),
            3 => format!("earlier on {wd}"),
            4 => format!("late on {wd}"),
            _ => format!("on {wd} morning"),
        };
    }
    match rng.below(4) {
        0 => format!("on {d} {}", crate::dates::MONTH_NAMES[m]),
        1 => format!("on {} {d}", MONTH_ABBR[m]),
        2 => format!("on {} {d}", crate::dates::MONTH_NAMES[m]),
        _ => format!("on {d} {} {}", crate::dates::MONTH_NAMES[m], date.year()),
    }
}

// ---------------------------------------------------------------------------------------------
// Articles.

/// One paragraph; `Vec<String>` of sentences joined with spaces.
type Para = Vec<String>;

struct Ctx<'a> {
    rng: &'a mut Rng,
    published: NaiveDate,
    publisher: &'a Publisher,
}

fn official_name(rng: &mut Rng) -> String {
    group_name(group_index(rng.pick(OFFICIALS)), rng)
}

fn media_name(rng: &mut Rng) -> String {
    let media = [
        "shafaq-news",
        "reuters",
        "associated-press",
        "afp",
        "al-mayadeen",
        "rudaw",
        "sabereen-news",
        "sohr",
    ];
    group_name(group_index(rng.pick(&media)), rng)
}

/// Paragraphs reporting one incident, in one of several styles.
fn incident_paras(inc: &Incident, cx: &mut Ctx<'_>, lead: bool) -> Vec<Para> {
    let rng = &mut *cx.rng;
    let place = place_name(inc.site, rng);
    let when = date_phrase(inc.date, cx.published, rng);
    // Sources disagree on counts now and then.
    let count = if rng.chance(15) {
        (inc.count as i64 + if rng.chance(50) { 1 } else { -1 }).max(1) as u32
    } else {
        inc.count
    };
    let what = count_phrase(inc.arm, count, rng);
    let official = official_name(rng);
    let claimant = inc.claimant.map(|c| group_name(c, rng));
    let mut paras = Vec::new();
    let mut first: Para = Vec::new();
    match (rng.below(6), &claimant) {
        (0, Some(c)) => first.push(format!(
            "{c} claimed responsibility for an attack on {place} {when} with {what}."
        )),
        (1, Some(c)) => first.push(format!(
            "{c} said on its Telegram channel that it attacked {place} {when} with {what}."
        )),
        (2, _) => first.push(format!("{what} targeted {place} {when}, {official} said.")),
        (3, _) => first.push(format!("{when}, {what} struck {place}, according to {official}.")),
        (4, _) => first.push(
            format!(
                "{place} came under attack {when} when {what} were launched at the base, a security source told {}.",
                cx.publisher.name
            )
            .replace("a drone were", "a drone was")
            .replace("a rocket were", "a rocket was"),
        ),
        _ => first.push(format!(
            "US and coalition forces at {place} were attacked {when} with {what}, two defence officials said."
        )),
    }
    if lead {
        first[0] = capitalise(&first[0]);
    }
    // Outcome.
    match inc.outcome {
        1 => first.push(
            rng.pick(&[
                "Air defences intercepted the projectiles before they reached the base.",
                "The coalition said the attack was repelled and that its forces shot down the incoming fire.",
                "All of them were intercepted, according to the statement.",
            ])
            .to_string(),
        ),
        2 => first.push(
            rng.pick(&[
                "The group said the strikes directly hit their targets.",
                "One of them managed to target the base, a source said.",
            ])
            .to_string(),
        ),
        3 => first.push(
            rng.pick(&[
                "The attack caused material damage to equipment at the base.",
                "The blast set fire to a hangar, damaging equipment, local media said.",
                "Witnesses reported severe damage to a storage area.",
            ])
            .to_string(),
        ),
        _ => {}
    }
    paras.push(first);

    // Casualties.
    let mut second: Para = Vec::new();
    if inc.killed > 0 {
        second.push(format!(
            "The attack killed {} soldiers and wounded {} others, {official} said.",
            number_word(inc.killed),
            inc.injured
        ));
    } else if inc.injured > 0 {
        let n = if rng.chance(20) { inc.injured + 1 } else { inc.injured };
        second.push(rng.pick(&[
            format!(
                "{} service members were injured in the attack.",
                capitalise(&number_word(n))
            ),
            format!("At least {n} personnel suffered minor injuries, officials said."),
            format!(
                "The strike injured {} troops, according to a US official.",
                number_word(n)
            ),
        ]));
    } else if rng.chance(60) {
        second.push(
            rng.pick(&[
                "No injuries were reported.",
                "There was no information on casualties.",
                "The attack caused no casualties, a spokesman said.",
                "There were no injuries or damage, officials said.",
            ])
            .to_string(),
        );
    }
    // Confirmation or denial.
    match inc.confirmation {
        1 => second.push(format!("A spokesman for {official} confirmed the attack on {place}.")),
        2 if rng.chance(70) => second.push(rng.pick(&[
            format!("{} has not confirmed the attack.", capitalise(&official)),
            "US officials did not confirm the claim.".to_string(),
            "The Pentagon declined to comment on the report.".to_string(),
        ])),
        _ => {}
    }
    if !second.is_empty() {
        paras.push(second);
    }
    // Claims and the reporting chain.
    let mut third: Para = Vec::new();
    if let Some(c) = &claimant
        && rng.chance(50)
    {
        let media = media_name(rng);
        third.push(rng.pick(&[
            format!(
                "In a statement posted on Telegram, {c} said the operation was a response to US support for Israel."
            ),
            format!(
                "The group later published a video it said showed the launch of the {}.",
                arm_label(inc.arm)
            ),
            format!("{c} claimed the attack in a short statement carried by {media}."),
        ]));
    }
    if let Some(r) = inc.rival_claimant
        && rng.chance(50)
    {
        third.push(format!(
            "{} also claimed responsibility for the attack in a separate statement.",
            group_name(r, rng)
        ));
    }
    if rng.chance(30) {
        third.push(format!(
            "{} reported the attack, citing security sources.",
            media_name(rng)
        ));
    }
    if !third.is_empty() {
        paras.push(third);
    }
    paras
}

const FILLER: &[&str] = &[
    "Iran-aligned factions have stepped up attacks on bases hosting US forces in {region} since the war in Gaza began in October 2023.",
    "About 2,500 US troops are deployed in Iraq and some 900 in Syria as part of the coalition fighting remnants of the Islamic State group.",
    "Analysts say the campaign is meant to push Washington to withdraw its forces, a demand repeated by several Iraqi political blocs.",
    "Iraqi Prime Minister Mohammed Shia al-Sudani has called for a timetable for the departure of the {coalition}, while warning the factions against dragging the country into a wider war.",
    "{group} is one of several groups that describe themselves as part of the {axis}, a loose alliance backed by Tehran.",
    "The United States has responded with strikes on facilities it says are used by {group} and the Islamic Revolutionary Guard Corps.",
    "Residents of {region} said they heard aircraft overhead for much of the night and that the roads to the base were closed until morning.",
    "The base sits in a desert area used for years by the coalition to train local forces and to support operations against the militants.",
    "Washington holds Tehran responsible for the actions of the factions, a charge Iranian officials reject.",
    "Officials in Baghdad have repeatedly said they will not allow Iraqi territory to be used as a launching pad against neighbouring countries.",
    "The escalation comes as negotiations between Baghdad and Washington over the future of the coalition mission continue.",
    "Most of the projectiles fired in recent months have been intercepted, according to figures released by the Pentagon.",
    "A senior defence official told reporters that the military would respond at a time and place of its choosing.",
    "Local tribal leaders in {region} called for calm and urged both sides to keep civilians out of the conflict.",
    "The factions have also targeted shipping and sites in Israel, saying they act in solidarity with Palestinians in Gaza.",
    "In January 2024, following a drone attack that killed three US soldiers at Tower 22 in Jordan, Washington struck more than 85 targets in Iraq and Syria.",
    "Prices of fuel and food in the area rose sharply as traders worried about the closure of the border crossing.",
    "Security analysts note that cheap drones have changed the balance of power, allowing small groups to threaten well-defended installations.",
    "The {coalition} was formed in 2014 to fight the Islamic State group, which at its height controlled large parts of Iraq and Syria.",
    "Lawmakers in Washington have asked the administration to explain the legal basis for the continued deployment.",
    "A spokesman for the {group_any} did not respond to a request for comment.",
    "The attacks have declined in frequency since February, but have not stopped, monitors say.",
    "The government in Damascus considers the US presence in the northeast an occupation and has demanded its withdrawal.",
    "Several factions have threatened to escalate further if the coalition does not leave by the end of the year.",
    "Diplomats in the region say a ceasefire in Gaza would likely reduce the pressure on US troops, though not end it entirely.",
    "The region's oil fields have changed hands several times during the war, and control of them remains a source of friction.",
    "Since mid-October, US forces have been attacked at least {n} times in Iraq and Syria, according to the Pentagon.",
    "The statement did not say how many people were at the site at the time, nor whether any aircraft were damaged.",
    "Footage shared on social media purported to show flashes of light and plumes of smoke in the night sky, though it could not be verified independently.",
    "The {media} said it had obtained a copy of the statement, which was signed by a spokesman using a nom de guerre.",
];

fn filler_sentence(rng: &mut Rng) -> String {
    let t = rng.pick(FILLER);
    let regions = [
        "western Iraq",
        "eastern Syria",
        "northeast Syria",
        "the Kurdistan Region",
        "Anbar province",
    ];
    let mut s = t.to_string();
    if s.contains("{region}") {
        s = s.replace("{region}", rng.pick(&regions));
    }
    if s.contains("{group}") {
        s = s.replace("{group}", &group_name(group_index(rng.pick(CLAIMANTS)), rng));
    }
    if s.contains("{group_any}") {
        let i = rng.below(GROUPS.len());
        s = s.replace("{group_any}", &group_name(i, rng));
    }
    if s.contains("{coalition}") {
        s = s.replace("{coalition}", &group_name(group_index("global-coalition"), rng));
    }
    if s.contains("{axis}") {
        s = s.replace("{axis}", &group_name(group_index("axis-of-resistance"), rng));
    }
    if s.contains("{media}") {
        s = s.replace("{media}", &media_name(rng));
    }
    if s.contains("{n}") {
        s = s.replace("{n}", &rng.range(40, 180).to_string());
    }
    s
}

fn words_in(paras: &[Para]) -> usize {
    paras.iter().flatten().map(|s| s.split_whitespace().count()).sum()
}

struct Article {
    file: String,
    text: String,
    words: usize,
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-')
        .chars()
        .take(60)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

fn headline(inc: &Incident, rng: &mut Rng) -> String {
    let place = PLACES[inc.site].name;
    let arm = arm_label(inc.arm);
    match (rng.below(4), inc.claimant) {
        (0, Some(c)) => format!("{} claims {arm} attack on {place}", GROUPS[c].name),
        (1, _) => format!(
            "{} {arm}s target US forces at {place}",
            capitalise(&number_word(inc.count.max(2)))
        ),
        (2, _) => format!(
            "US base in {} comes under {arm} attack",
            PLACES[place_index(region_of(inc.site))].name
        ),
        _ => format!("Attack reported on {place} as tensions rise"),
    }
}

/// The nearest enclosing region (or country) of a site, for headlines.
fn region_of(site: usize) -> &'static str {
    let mut cur = PLACES[site].within;
    while let Some(pl) = PLACES.iter().find(|x| x.id == cur) {
        if matches!(pl.kind, "region" | "country") {
            return pl.id;
        }
        cur = pl.within;
    }
    "iraq"
}

fn make_article(index: usize, incidents: &[Incident], rng: &mut Rng) -> Article {
    // One to three incidents, close together in time (a roundup reports recent attacks).
    let k = rng.below(incidents.len());
    let extra = match rng.below(10) {
        0..=5 => 0,
        6..=8 => 1,
        _ => 2,
    };
    let mut chosen = vec![k];
    for _ in 0..extra {
        let j = (k as i64 + rng.range(0, 8) as i64 - 4).clamp(0, incidents.len() as i64 - 1) as usize;
        if !chosen.contains(&j) {
            chosen.push(j);
        }
    }
    let latest = chosen.iter().map(|&i| incidents[i].date).max().expect("one incident");
    let lag = match rng.below(20) {
        0..=7 => 0,
        8..=13 => 1,
        14..=16 => rng.range(2, 4),
        _ => rng.range(7, 10),
    };
    let published = latest + Duration::days(lag as i64);
    let publisher = &PUBLISHERS[rng.below(PUBLISHERS.len())];
    let undated = rng.chance(4);
    let lead = &incidents[chosen[0]];
    let title = headline(lead, rng);

    let mut cx = Ctx {
        rng,
        published,
        publisher,
    };
    let mut paras: Vec<Para> = Vec::new();
    for (n, &i) in chosen.iter().enumerate() {
        let mut ps = incident_paras(&incidents[i], &mut cx, n == 0);
        if n > 0 {
            ps[0].insert(
                0,
                cx.rng
                    .pick(&["In a separate incident,", "Separately,", "Earlier,", "Meanwhile,"])
                    .to_string(),
            );
            let joined = ps[0][..2].join(" ");
            ps[0].splice(0..2, [joined]);
        }
        paras.extend(ps);
    }
    let rng = cx.rng;
    // Dateline on the first sentence.
    let dateline = match publisher.dateline {
        1 => format!("{}/ ", publisher.name),
        2 => format!(
            "{} ({}) - ",
            rng.pick(DATELINE_CITIES),
            publisher.name.split_whitespace().next().unwrap_or("")
        ),
        3 => format!("{} — ", rng.pick(DATELINE_CITIES)),
        _ => String::new(),
    };
    paras[0][0] = format!("{dateline}{}", paras[0][0]);

    // Background filler up to 400–900 words, in paragraphs of one to four sentences.
    let target = rng.range(400, 900);
    let event_paras = paras.len();
    while words_in(&paras) < target {
        let n = rng.range(1, 4);
        let para: Para = (0..n).map(|_| filler_sentence(rng)).collect();
        // Background goes between and after the reports.
        let at = if rng.chance(70) {
            paras.len()
        } else {
            rng.range(1, event_paras.min(paras.len()))
        };
        paras.insert(at, para);
    }
    // Scraping artefacts: one paragraph repeated, or the whole article pasted twice.
    if rng.chance(8) {
        let i = rng.below(paras.len());
        let dup = paras[i].clone();
        paras.push(dup);
    }
    if rng.chance(4) {
        let copy = paras.clone();
        paras.extend(copy);
    }
    let words = words_in(&paras);

    // Format.
    let format = rng.below(100);
    let ext = if format < 8 { "txt" } else { "md" };
    let url = format!(
        "https://{}/{}/{:02}/{}-{index}",
        publisher.domain,
        published.year(),
        published.month(),
        slug(&title)
    );
    let author = if publisher.authors.is_empty() || rng.chance(30) {
        None
    } else {
        Some(rng.pick(publisher.authors))
    };
    let give_title = rng.chance(75);
    let mut text = String::new();
    let yaml = (8..18).contains(&format);
    if yaml {
        text.push_str("---\n");
        if give_title {
            let _ = writeln!(text, "title: {:?}", title);
        }
        if !undated {
            let _ = writeln!(text, "date: {published}");
        }
        let _ = writeln!(text, "publisher: {:?}", publisher.name);
        let _ = writeln!(text, "url: {:?}", url);
        if let Some(a) = author {
            let _ = writeln!(text, "author: {:?}", a);
        }
        text.push_str("---\n");
    } else {
        text.push_str("+++\n");
        if give_title {
            let _ = writeln!(text, "title = {:?}", title);
        }
        if !undated {
            let _ = writeln!(text, "date = {published}");
        }
        let _ = writeln!(text, "publisher = {:?}", publisher.name);
        let _ = writeln!(text, "url = {:?}", url);
        if let Some(a) = author {
            let _ = writeln!(text, "author = {:?}", a);
        }
        if rng.chance(30) {
            let _ = writeln!(
                text,
                "tags = [\"{}\", \"{}\"]",
                arm_label(lead.arm),
                PLACES[lead.site].id
            );
        }
        text.push_str("+++\n");
    }
    if !give_title {
        // A headline as the first line.
        text.push_str(&title);
        text.push_str(if ext == "txt" { "\n" } else { "\n\n" });
    }
    let unwrapped = ext == "md" && rng.chance(12);
    for para in &paras {
        text.push_str(&para.join(" "));
        text.push('\n');
        if ext == "md" && !unwrapped {
            text.push('\n');
        }
    }
    let file = format!("{index:06}-{}.{ext}", slug(&title));
    Article { file, text, words }
}

fn toml_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

fn group_file(gr: &GroupDef) -> String {
    let mut s = String::from("+++\n");
    let _ = writeln!(s, "name = {:?}", gr.name);
    let _ = writeln!(s, "aliases = {}", toml_list(gr.aliases));
    let _ = writeln!(s, "kind = {:?}", gr.kind);
    let _ = writeln!(s, "member_of = {}", toml_list(gr.member_of));
    if !gr.country.is_empty() {
        let _ = writeln!(s, "country = {:?}", gr.country);
    }
    let _ = writeln!(
        s,
        "+++\n{} is listed in this synthetic gazetteer as a {} ({}).",
        gr.name,
        gr.kind.replace('-', " "),
        if gr.country.is_empty() {
            "international"
        } else {
            gr.country
        }
    );
    s
}

fn place_file(pl: &PlaceDef) -> String {
    let mut s = String::from("+++\n");
    let _ = writeln!(s, "name = {:?}", pl.name);
    let _ = writeln!(s, "aliases = {}", toml_list(pl.aliases));
    let _ = writeln!(s, "kind = {:?}", pl.kind);
    let _ = writeln!(s, "country = {:?}", pl.country);
    let _ = writeln!(s, "lat = {:?}", pl.lat);
    let _ = writeln!(s, "lon = {:?}", pl.lon);
    if !pl.within.is_empty() {
        let _ = writeln!(s, "within = {:?}", pl.within);
    }
    let _ = writeln!(
        s,
        "+++\n{} is a {} in {}, part of this synthetic gazetteer.",
        pl.name,
        pl.kind.replace('-', " "),
        pl.country
    );
    s
}

/// Write a project of `options.articles` articles into `out` (created if missing; existing
/// files of the same names are overwritten, others left alone).
pub fn generate(out: &Path, options: &GenOptions) -> io::Result<Summary> {
    let mut rng = Rng::new(options.seed);
    let n_incidents = options
        .incidents
        .unwrap_or((options.articles / 4).clamp(10, 400))
        .max(1);
    let incidents = make_incidents(&mut rng, n_incidents);
    let content = out.join("content");
    for sub in ["articles", "groups", "places"] {
        fs::create_dir_all(content.join(sub))?;
    }
    let mut summary = Summary {
        incidents: incidents.len(),
        groups: GROUPS.len(),
        places: PLACES.len(),
        ..Summary::default()
    };
    let site = format!(
        "# Generated by sitrep's corpus generator (seed {}, {} articles).\ntitle = \"Synthetic briefing: {} articles\"\ndescription = \"A generated corpus for benchmarks.\"\nbase_url = \"\"\nlanguage = \"en\"\noutput_dir = \"public\"\n\n[extraction]\nattach_window_days = 7\ncarry_sentences = 8\n",
        options.seed, options.articles, options.articles
    );
    fs::write(out.join("site.toml"), site)?;
    for gr in GROUPS {
        fs::write(content.join("groups").join(format!("{}.md", gr.id)), group_file(gr))?;
    }
    for pl in PLACES {
        fs::write(content.join("places").join(format!("{}.md", pl.id)), place_file(pl))?;
    }
    let dir = content.join("articles");
    for i in 0..options.articles {
        let a = make_article(i, &incidents, &mut rng);
        summary.words += a.words;
        summary.bytes += a.text.len();
        fs::write(dir.join(&a.file), &a.text)?;
        summary.articles += 1;
    }
    Ok(summary)
}

/// Convert the articles of a generated project into a minimal Hugo site of plain pages (one
/// page per article, a trivial layout), for comparing build times. Returns the page count.
pub fn hugo_site(project: &Path, out: &Path) -> io::Result<usize> {
    let posts = out.join("content").join("posts");
    let layouts = out.join("layouts").join("_default");
    fs::create_dir_all(&posts)?;
    fs::create_dir_all(&layouts)?;
    fs::write(
        out.join("config.toml"),
        "baseURL = \"http://example.org/\"\ntitle = \"Synthetic briefing (Hugo)\"\ndisableKinds = [\"taxonomy\", \"term\"]\n",
    )?;
    let base = "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\n<body>\n{{ block \"main\" . }}{{ end }}\n</body>\n</html>\n";
    fs::write(layouts.join("baseof.html"), base)?;
    fs::write(
        layouts.join("single.html"),
        "{{ define \"main\" }}<article>\n<h1>{{ .Title }}</h1>\n<p>{{ .Date.Format \"2 January 2006\" }} · {{ .Params.publisher }}</p>\n{{ .Content }}\n</article>{{ end }}\n",
    )?;
    fs::write(
        layouts.join("list.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>\n<ul>\n{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>\n{{ end }}</ul>{{ end }}\n",
    )?;
    let mut entries: Vec<_> = fs::read_dir(project.join("content").join("articles"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut n = 0;
    for path in entries {
        let text = fs::read_to_string(&path)?;
        let (front, body) = split_front(&text);
        let field = |key: &str| {
            front.lines().find_map(|l| {
                let l = l.trim();
                let rest = l.strip_prefix(key)?.trim_start();
                let rest = rest.strip_prefix('=').or_else(|| rest.strip_prefix(':'))?.trim();
                Some(rest.trim_matches('"').to_string())
            })
        };
        let is_txt = path.extension().is_some_and(|e| e == "txt");
        let mut body = body.to_string();
        let title = match field("title") {
            Some(t) => t,
            None => {
                let first = body.lines().next().unwrap_or("Untitled").to_string();
                body = body.lines().skip(1).collect::<Vec<_>>().join("\n");
                first
            }
        };
        if is_txt {
            body = body
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n\n");
        }
        let mut page = String::from("+++\n");
        let _ = writeln!(page, "title = {title:?}");
        if let Some(d) = field("date") {
            let _ = writeln!(page, "date = {d}");
        }
        if let Some(p) = field("publisher") {
            let _ = writeln!(page, "publisher = {p:?}");
        }
        page.push_str("+++\n");
        page.push_str(&body);
        let stem = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        fs::write(posts.join(format!("{stem}.md")), page)?;
        n += 1;
    }
    Ok(n)
}

fn split_front(text: &str) -> (&str, &str) {
    for fence in ["+++\n", "---\n"] {
        if let Some(rest) = text.strip_prefix(fence)
            && let Some(end) = rest.find(fence)
        {
            return (&rest[..end], &rest[end + fence.len()..]);
        }
    }
    ("", text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic_and_spread() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mut r = Rng::new(1);
        let mut seen = [0usize; 4];
        for _ in 0..4000 {
            seen[r.below(4)] += 1;
        }
        assert!(seen.iter().all(|&n| n > 800), "{seen:?}");
    }

    #[test]
    fn gazetteer_references_are_closed() {
        for gr in GROUPS {
            for m in gr.member_of {
                assert!(GROUPS.iter().any(|x| x.id == *m), "{} member_of {m}", gr.id);
            }
        }
        for pl in PLACES {
            assert!(
                pl.within.is_empty() || PLACES.iter().any(|x| x.id == pl.within),
                "{}",
                pl.id
            );
        }
    }

    #[test]
    fn date_phrases_resolve_to_the_incident_date() {
        let mut rng = Rng::new(3);
        let published = NaiveDate::from_ymd_opt(2024, 10, 28).unwrap();
        for back in 0..7 {
            let date = published - Duration::days(back);
            for _ in 0..20 {
                let phrase = date_phrase(date, published, &mut rng);
                let sentence = format!("Three drones targeted the base {phrase}.");
                let found = crate::dates::find_dates(&sentence, Some(published));
                assert_eq!(found.len(), 1, "{sentence}");
                assert_eq!(found[0].date, Some(date), "{sentence}");
            }
        }
    }
}
