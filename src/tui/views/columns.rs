//! Column widths that follow what the rows hold.

/// The width of a reference column: wide enough for the longest reference
/// among the rows drawn (at least 12: "SG-2026-0042"), so a desk past
/// 9,999 cases a year never shows "SG-2026-2621" for both SG-2026-262158
/// and SG-2026-262160 (references are what people read out on the phone).
/// At most 20 columns.
pub fn reference_width<'a>(refs: impl Iterator<Item = &'a str>) -> u16 {
    refs.map(|r| unicode_width::UnicodeWidthStr::width(r) as u16)
        .max()
        .unwrap_or(0)
        .clamp(12, 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_column_fits_the_longest_reference_drawn() {
        assert_eq!(reference_width(["SG-2026-0042"].into_iter()), 12);
        assert_eq!(
            reference_width(["SG-2026-0042", "SG-2026-262158"].into_iter()),
            14
        );
        assert_eq!(reference_width(std::iter::empty()), 12);
    }
}
