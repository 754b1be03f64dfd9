//! The published report as one self-contained HTML file for a senior
//! management report (issue 20, point 5): the same figures as the Markdown
//! and CSV (written from [`Published`], so hidden counts stay hidden), with
//! tables and a bar chart per table drawn as inline SVG. No script, no
//! external style sheet, font or image: it opens offline, prints, and can be
//! attached to an e-mail. Every text is escaped. Meaning is never by colour
//! alone: bars carry their number, hidden counts read "[c]" and have no bar,
//! and each chart has a title and a text description for screen readers.
//!
//! Why hand-written SVG and not a plotting crate (plotters): plotters lays
//! out text with font metrics from system fonts (font-kit), which a headless
//! server often lacks, and its SVG carries no accessible titles; a bar chart
//! is a few rectangles and labels, laid out here in fixed units, with the
//! text left to the viewer's fonts.

use super::report::{Cell, HIDDEN, Published, PublishedTable};

/// `<`, `>`, `&`, `"` and `'` escaped, for text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:+.0}%")).unwrap_or_else(|| "-".into())
}

fn figure(v: Option<f64>, unit: &str) -> String {
    v.map(|x| format!("{x:.1}{unit}"))
        .unwrap_or_else(|| "n/a".into())
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #bbb}\
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #999;padding:.25rem .6rem}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th[scope=row]{text-align:left;font-weight:500}caption{text-align:left;font-weight:600;padding:.3rem 0}\
.note{color:#333;font-size:.9rem}svg{display:block;margin:.5rem 0 1.5rem;max-width:100%;height:auto}\
@media print{h2{break-after:avoid}svg,table{break-inside:avoid}}";

/// A horizontal bar chart of this period's counts (hidden ones labelled
/// "[c]", no bar), in fixed units the viewer scales. `id` makes the title
/// and description ids unique in the page.
pub fn bar_chart(id: &str, title: &str, bars: &[(String, Cell)]) -> String {
    let max = bars
        .iter()
        .filter_map(|(_, c)| match c {
            Cell::Shown(n) => Some(*n),
            Cell::Hidden => None,
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h, top) = (260.0, 380.0, 24.0, 8.0);
    let height = top * 2.0 + row_h * bars.len().max(1) as f64;
    let width = label_w + bar_w + 70.0;
    let desc = bars
        .iter()
        .map(|(k, c)| format!("{k}: {c}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" aria-labelledby=\"{id}-t {id}-d\">\
<title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(&desc)
    );
    for (i, (key, cell)) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let mid = y + row_h / 2.0 + 4.0;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{mid}\" text-anchor=\"end\" font-size=\"12\" fill=\"#1a1a1a\">{}</text>",
            label_w - 8.0,
            escape(key)
        ));
        match cell {
            Cell::Shown(0) => s.push_str(&format!(
                "<text x=\"{}\" y=\"{mid}\" font-size=\"12\" fill=\"#1a1a1a\">0</text>",
                label_w + 6.0
            )),
            Cell::Shown(n) => {
                let w = (*n as f64 / max as f64 * bar_w).max(2.0);
                s.push_str(&format!(
                    "<rect class=\"bar\" x=\"{label_w}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"#2f5d8a\"><title>{}: {n}</title></rect>\
<text x=\"{:.1}\" y=\"{mid}\" font-size=\"12\" fill=\"#1a1a1a\">{n}</text>",
                    y + 4.0,
                    row_h - 8.0,
                    escape(key),
                    label_w + w + 6.0
                ));
            }
            Cell::Hidden => s.push_str(&format!(
                "<text x=\"{}\" y=\"{mid}\" font-size=\"12\" fill=\"#1a1a1a\">{HIDDEN} (hidden)</text>",
                label_w + 6.0
            )),
        }
    }
    s.push_str("</svg>");
    s
}

fn table(t: &PublishedTable) -> String {
    let mut s = format!(
        "<table><caption>{}</caption><thead><tr><th scope=\"col\"></th><th scope=\"col\" class=\"n\">This period</th><th scope=\"col\" class=\"n\">Before</th><th scope=\"col\" class=\"n\">Change</th></tr></thead><tbody>",
        escape(t.title)
    );
    for r in &t.rows {
        s.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&r.key),
            r.now,
            r.before,
            pct(r.change)
        ));
    }
    s.push_str("</tbody></table>");
    s
}

/// The whole page. `org` is the organisation's name for the heading.
pub fn page(p: &Published, org: &str) -> String {
    let title = format!("Safeguarding report: {org}, {} to {}", p.from, p.to);
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&title)
    );
    s.push_str(&format!(
        "<h1>{}</h1><p>{} to {} (a {}), compared with the {} before: {} to {}.</p>",
        escape(&format!("Safeguarding report: {org}")),
        p.from,
        p.to,
        escape(&p.kind),
        escape(&p.kind),
        p.before_from,
        p.before_to
    ));
    let c = &p.conversion;
    s.push_str("<h2>Summary</h2><table><tbody>");
    for (k, v) in [
        (
            "Concerns raised",
            format!(
                "{} (before: {}, {})",
                p.total,
                p.total_before,
                pct(p.total_change)
            ),
        ),
        ("Led to a referral", figure(p.referred_share, "%")),
        (
            "Median time to assignment",
            figure(p.median_hours_to_assign, " hours"),
        ),
        (
            "Median time to referral",
            figure(p.median_hours_to_refer, " hours"),
        ),
        ("Deadlines met on time", figure(p.deadlines_on_time, "%")),
        (
            "Adult concerns and s42 enquiries",
            format!(
                "{} adult concerns (before: {}); {} referred to adult safeguarding; {} s42 enquiries (before: {}); conversion {}",
                c.adult_concerns,
                c.adult_concerns_before,
                c.referred_to_adults,
                c.s42_enquiries,
                c.s42_enquiries_before,
                figure(c.conversion_percent, "%")
            ),
        ),
    ] {
        s.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(k),
            escape(&v)
        ));
    }
    s.push_str("</tbody></table>");
    s.push_str(&format!("<p class=\"note\">{}</p>", escape(&p.scope)));
    if let Some(u) = p.suppressed_under {
        s.push_str(&format!(
            "<p class=\"note\">{HIDDEN}: hidden, being fewer than {u} or a count from which one fewer than {u} could be worked out, so that no person can be identified. Changes and percentages built on hidden counts are left out.</p>"
        ));
    }
    s.push_str("<h2>Timeliness by rule</h2><table><thead><tr><th scope=\"col\">Rule</th><th scope=\"col\" class=\"n\">Due</th><th scope=\"col\" class=\"n\">On time</th><th scope=\"col\" class=\"n\">%</th><th scope=\"col\" class=\"n\">Due before</th><th scope=\"col\" class=\"n\">On time before</th></tr></thead><tbody>");
    for t in &p.timeliness {
        s.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&t.rule),
            t.due,
            t.on_time,
            t.on_time_percent
                .map(|x| format!("{x:.0}%"))
                .unwrap_or_else(|| "-".into()),
            t.due_before,
            t.on_time_before
        ));
    }
    s.push_str("</tbody></table>");
    for (i, t) in p.tables.iter().enumerate() {
        s.push_str(&format!("<h2>{}</h2>", escape(t.title)));
        let bars: Vec<(String, Cell)> = t.rows.iter().map(|r| (r.key.clone(), r.now)).collect();
        s.push_str(&bar_chart(
            &format!("chart{i}"),
            &format!("{}: this period", t.title),
            &bars,
        ));
        s.push_str(&table(t));
    }
    s.push_str("<h2>By month</h2>");
    s.push_str(&bar_chart(
        "chart-monthly",
        "Concerns raised by month",
        &p.monthly,
    ));
    s.push_str("<table><caption>Concerns raised by month</caption><thead><tr><th scope=\"col\">Month</th><th scope=\"col\" class=\"n\">Concerns</th></tr></thead><tbody>");
    for (m, n) in &p.monthly {
        s.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{n}</td></tr>",
            escape(m)
        ));
    }
    s.push_str("</tbody></table></body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_hidden_counts_get_no_bar() {
        assert_eq!(escape("<b>&\"x'"), "&lt;b&gt;&amp;&quot;x&#39;");
        let svg = bar_chart(
            "c",
            "Area <x>",
            &[
                ("Rutland".into(), Cell::Shown(12)),
                ("<script>".into(), Cell::Hidden),
            ],
        );
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        assert_eq!(svg.matches("class=\"bar\"").count(), 1);
        assert!(svg.contains("[c] (hidden)"));
        assert!(svg.contains("<title id=\"c-t\">Area &lt;x&gt;</title>"));
    }
}
