//! sitrep: turn a folder of news articles about armed attacks into a cross-linked briefing site.
//!
//! The pipeline has five stages, each plain data in and plain data out; only the first and the
//! last touch the disk:
//!
//! ```text
//! load     content/ + site.toml  -> Corpus
//! analyze  one article           -> Analysis   (per article, in parallel)
//! derive   all analyses          -> Briefing   (incidents, profiles)
//! render   Briefing + templates  -> pages      (path, bytes)
//! write    pages                 -> output dir (atomically)
//! ```

pub mod allocator;
pub mod analyze;
pub mod build;
pub mod checks;
pub mod console;
#[doc(hidden)]
pub mod corpus_gen;
pub mod dates;
pub mod derive;
pub mod diagnostics;
pub mod diff;
pub mod extract;
pub mod facts;
pub mod figures;
pub mod frontmatter;
pub mod fuzzing;
pub mod gazetteer;
pub mod links;
pub mod load;
pub mod pictures;
pub mod publish;
pub mod quotes;
pub mod redirects;
pub mod relations;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod session;
pub mod text;
pub mod weapons;
pub mod write;

/// Small blocks from mimalloc, large ones from the system: see [`allocator`].
#[global_allocator]
static ALLOCATOR: allocator::SizeSplit = allocator::SizeSplit;
