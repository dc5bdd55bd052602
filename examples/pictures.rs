//! Draw the pictures of a briefing into one HTML file, to look at them in a browser.
//!
//! ```sh
//! cargo run --example pictures -- [ROOT] [OUT.html] [GROUP_ID] [PLACE_ID]
//! ```

use std::path::PathBuf;

use sitrep::build::{BuildOptions, build_site};
use sitrep::figures::{group_figures, index_figures, place_figures};
use sitrep::pictures::CSS;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = args
        .first()
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let out = args.get(1).map_or("/tmp/x.html", String::as_str);
    let group = args.get(2).map_or("islamic-resistance-in-iraq", String::as_str);
    let place = args.get(3).map_or("al-tanf", String::as_str);
    let site = match build_site(&root, &BuildOptions::default()) {
        Ok(s) => s,
        Err(diags) => {
            eprintln!("{diags:#?}");
            std::process::exit(1);
        }
    };
    let b = &site.briefing;
    let mut html = format!(
        "<!doctype html><meta charset=utf-8><title>pictures</title><style>{}\n{CSS}</style><main>\n",
        include_str!("../static/style.css")
    );
    for (title, f) in [
        ("Index".to_string(), index_figures(b)),
        (format!("Group {group}"), group_figures(b, group)),
        (format!("Place {place}"), place_figures(b, place)),
    ] {
        html.push_str(&format!("<h2>{title}</h2>\n{}{}{}", f.timeline, f.map, f.network));
    }
    html.push_str("</main>\n");
    if let Err(e) = std::fs::write(out, html) {
        eprintln!("{out}: {e}");
        std::process::exit(1);
    }
    println!("wrote {out}");
}
