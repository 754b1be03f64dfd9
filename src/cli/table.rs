//! Plain tables for the terminal, aligned by display width (issue 20, point
//! 5): names in other scripts, wide (CJK) characters and emoji take the
//! columns they really take, which `format!("{:<16}")` (counting chars) got
//! wrong. comfy-table measures with unicode-width, as ratatui does.

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

/// A table with a header row and no borders, columns two spaces apart, every
/// cell cleaned of control characters; `right` lists the columns to align
/// right (numbers).
pub fn render(header: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let mut t = Table::new();
    t.load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().copied());
    for r in rows {
        t.add_row(r.iter().map(|c| crate::domain::text::clean_line(c)));
    }
    for i in right {
        if let Some(c) = t.column_mut(*i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    // comfy-table pads each cell with one space on each side; trim the
    // outer edges so lines start at column 0 and carry no trailing blanks.
    t.lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(&l).trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn wide_characters_keep_the_columns_aligned() {
        let out = super::render(
            &["ACCOUNT", "NAME", "ROLE"],
            &[
                vec!["jli".into(), "李静".into(), "dsl".into()],
                vec!["jbrennan".into(), "Jo Brennan".into(), "senior".into()],
            ],
            &[],
        );
        let lines: Vec<&str> = out.lines().collect();
        let col = |l: &str, word: &str| {
            unicode_width::UnicodeWidthStr::width(&l[..l.find(word).unwrap()])
        };
        assert_eq!(col(lines[1], "dsl"), col(lines[2], "senior"), "{out}");
        assert_eq!(col(lines[0], "ROLE"), col(lines[2], "senior"), "{out}");
    }
}
