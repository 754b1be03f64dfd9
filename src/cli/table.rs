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

/// A table written as its rows come, in bounded memory (issue 21: `list`
/// over a decade of cases held every row to measure the columns, 2.9 GB at
/// a million). The caller gives each column's widest possible cell (display
/// columns) up front, so every chunk of rows is laid out by comfy-table at
/// the same widths and the columns line up from the first row to the last;
/// the last column is never padded. Rows go out [`CHUNK`] at a time.
pub struct Streamed<W: std::io::Write> {
    out: W,
    header: Vec<String>,
    widths: Vec<u16>,
    right: Vec<usize>,
    rows: Vec<Vec<String>>,
    started: bool,
    written: usize,
}

/// Rows laid out together by [`Streamed`].
pub const CHUNK: usize = 500;

impl<W: std::io::Write> Streamed<W> {
    /// `widths[i]`: the widest cell column `i` can hold (0 for "no bound":
    /// only sensible for the last column); `right`: columns aligned right.
    pub fn new(out: W, header: &[&str], widths: &[u16], right: &[usize]) -> Self {
        let widths = header
            .iter()
            .zip(widths)
            .map(|(h, w)| (*w).max(unicode_width::UnicodeWidthStr::width(*h) as u16))
            .collect();
        Streamed {
            out,
            header: header.iter().map(|h| h.to_string()).collect(),
            widths,
            right: right.to_vec(),
            rows: Vec::with_capacity(CHUNK),
            started: false,
            written: 0,
        }
    }

    /// One row, written with the chunk it completes.
    pub fn row(&mut self, cells: Vec<String>) -> std::io::Result<()> {
        self.rows.push(cells);
        if self.rows.len() >= CHUNK {
            self.written += self.rows.len();
            self.flush_rows()?;
        }
        Ok(())
    }

    fn flush_rows(&mut self) -> std::io::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        use comfy_table::{ColumnConstraint, Width};
        let mut t = Table::new();
        t.load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
        if !self.started {
            t.set_header(self.header.iter());
        }
        for r in self.rows.drain(..) {
            t.add_row(r.iter().map(|c| crate::domain::text::clean_line(c)));
        }
        let last = self.widths.len().saturating_sub(1);
        for (i, w) in self.widths.iter().enumerate() {
            if let Some(c) = t.column_mut(i) {
                if i < last {
                    // comfy-table's width includes its one-space padding
                    // on each side.
                    c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(w + 2)));
                }
                if self.right.contains(&i) {
                    c.set_cell_alignment(CellAlignment::Right);
                }
            }
        }
        for l in t.lines() {
            writeln!(self.out, "{}", l.strip_prefix(' ').unwrap_or(&l).trim_end())?;
        }
        self.started = true;
        Ok(())
    }

    /// Writes what is left; how many rows were written in all (0: nothing,
    /// not even the header, was written).
    pub fn finish(mut self) -> std::io::Result<usize> {
        self.written += self.rows.len();
        let n = self.written;
        self.flush_rows()?;
        self.out.flush()?;
        Ok(n)
    }
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

    #[test]
    fn a_streamed_table_keeps_its_columns_from_chunk_to_chunk() {
        let rows: Vec<Vec<String>> = (0..(super::CHUNK * 2 + 7))
            .map(|i| {
                vec![
                    format!("SG-2026-{i}"),
                    if i % 3 == 0 { "李静" } else { "Jo" }.to_string(),
                    "tail".repeat(i % 4),
                ]
            })
            .collect();
        let mut out = Vec::new();
        let mut t = super::Streamed::new(&mut out, &["REF", "NAME", "NEXT"], &[12, 4, 0], &[]);
        for r in &rows {
            t.row(r.clone()).unwrap();
        }
        assert_eq!(t.finish().unwrap(), rows.len());
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), rows.len() + 1, "one header, then every row");
        assert!(lines[0].starts_with("REF") && lines[0].contains("NAME"));
        // The second column starts at the same display column in every
        // chunk, wide characters included; the whole table as one agrees.
        let col = |l: &str| {
            let i = l.find("Jo").or_else(|| l.find('李')).unwrap();
            unicode_width::UnicodeWidthStr::width(&l[..i])
        };
        let at = col(lines[1]);
        assert!(lines[1..].iter().all(|l| col(l) == at), "{text}");
        let whole = super::render(&["REF", "NAME", "NEXT"], &rows, &[]);
        assert_eq!(col(whole.lines().nth(1).unwrap()), at);
        // Nothing to write: nothing, not even the header.
        let mut none = Vec::new();
        let t = super::Streamed::new(&mut none, &["REF"], &[4], &[]);
        assert_eq!(t.finish().unwrap(), 0);
        assert!(none.is_empty());
    }
}
