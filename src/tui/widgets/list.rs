//! One list widget's state: a window of rows in memory over a longer list in
//! the database (the open queue, the open deadlines), with a selection and
//! scrolling. Lists are windowed, never loaded whole.

use crate::tui::action::Action;

/// How many rows are held in memory around the selection.
pub const WINDOW: i64 = 200;

/// A list on screen: a window of rows over a longer list, with a selection.
#[derive(Debug, Clone)]
pub struct Window<T> {
    /// Rows in the whole list (visible to this user).
    pub total: i64,
    /// List position of `rows[0]`.
    pub offset: i64,
    pub rows: Vec<T>,
    /// Selected list position.
    pub selected: i64,
    /// First position drawn (scrolling).
    pub top: i64,
    /// A window request is on its way.
    pub loading: bool,
    /// The first load has arrived.
    pub loaded: bool,
    /// The positions are the rows' real places in the list. False while a
    /// window read around one row (the open queue's kept case, issue 21)
    /// waits for that row's place to be counted: the rows sit where the
    /// screen had them, so nothing moves, and the footer shows no number.
    pub exact: bool,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window {
            total: 0,
            offset: 0,
            rows: Vec::new(),
            selected: 0,
            top: 0,
            loading: false,
            loaded: false,
            exact: true,
        }
    }
}

impl<T> Window<T> {
    /// The loaded row at a list position.
    pub fn row(&self, pos: i64) -> Option<&T> {
        let i = pos.checked_sub(self.offset)?;
        usize::try_from(i).ok().and_then(|i| self.rows.get(i))
    }

    pub fn selected_row(&self) -> Option<&T> {
        self.row(self.selected)
    }

    /// Takes a freshly loaded window, keeping the selection in range.
    pub fn load(&mut self, total: i64, offset: i64, rows: Vec<T>) {
        self.total = total;
        self.offset = offset;
        self.rows = rows;
        self.loading = false;
        self.loaded = true;
        self.exact = true;
        self.selected = self.selected.clamp(0, (total - 1).max(0));
    }

    /// Moves every position by `delta` (the offset, the selection and the
    /// first row drawn together), so what is on screen stays where it is:
    /// a counted place replacing the one the rows were shown at.
    pub fn rebase(&mut self, delta: i64) {
        self.offset += delta;
        self.selected += delta;
        self.top += delta;
        self.exact = true;
    }

    /// Takes off the held rows `gone` picks (a case the user may no longer
    /// see, on a list that is not reloaded): the selection stays on its
    /// row, not its number, and what is drawn keeps its place, so a key
    /// never acts on a case other than the one it was on. When the selected
    /// row itself goes, the next row takes its place. Returns how many went.
    pub fn take_off(&mut self, gone: impl Fn(&T) -> bool) -> usize {
        let (selected, top) = (self.selected, self.top);
        let mut at = self.offset;
        let (mut above_selection, mut above_top, mut removed) = (0, 0, 0);
        self.rows.retain(|r| {
            let keep = !gone(r);
            if !keep {
                removed += 1;
                above_selection += i64::from(at < selected);
                above_top += i64::from(at < top);
            }
            at += 1;
            keep
        });
        self.total -= removed as i64;
        self.selected = (selected - above_selection).clamp(0, (self.total - 1).max(0));
        self.top = (top - above_top).max(0);
        removed
    }

    /// The list position of the loaded row `f` picks.
    pub fn position_of(&self, f: impl Fn(&T) -> bool) -> Option<i64> {
        self.rows.iter().position(f).map(|i| self.offset + i as i64)
    }

    /// Moves the selection for a movement action, `page` rows to a page.
    /// Returns true when the selection has left the rows in memory and
    /// another window must be loaded.
    pub fn step(&mut self, action: &Action, page: i64) -> bool {
        let page = page.max(1);
        let to = match action {
            Action::Up => self.selected - 1,
            Action::Down => self.selected + 1,
            Action::PageUp => self.selected - page,
            Action::PageDown => self.selected + page,
            Action::Top => 0,
            _ => self.total - 1,
        };
        let load = self.select(to);
        self.scroll_to(page);
        load
    }

    /// Selects list position `at` (within the list); whether its row must be loaded.
    pub fn select(&mut self, at: i64) -> bool {
        self.selected = at.clamp(0, (self.total - 1).max(0));
        self.missing()
    }

    /// Whether the selection is outside the rows in memory (and none are coming).
    pub fn missing(&self) -> bool {
        self.total > 0 && self.row(self.selected).is_none() && !self.loading
    }

    /// Scrolls so the selection is among the `height` rows drawn.
    pub fn scroll_to(&mut self, height: i64) {
        let h = height.max(1);
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + h {
            self.top = self.selected - h + 1;
        }
        self.top = self.top.clamp(0, (self.total - h).max(0));
    }

    /// Where a reload should start so the selection is in the window.
    pub fn around(&self) -> i64 {
        if self.loaded && (self.selected < self.offset || self.selected >= self.offset + WINDOW) {
            (self.selected - WINDOW / 2).max(0)
        } else {
            self.offset
        }
    }
}

/// A text's first line after a movement action, `page` lines to a page,
/// never past `max`: scrolling a record, the handover, an agenda, help.
pub fn scrolled(at: usize, action: &Action, page: usize, max: usize) -> usize {
    match action {
        Action::Up => at.saturating_sub(1),
        Action::Down => at + 1,
        Action::PageUp => at.saturating_sub(page),
        Action::PageDown => at + page,
        Action::Top => 0,
        _ => usize::MAX,
    }
    .min(max)
}

/// A plain selection in a list of `n` held in full (contacts, a picker).
pub fn moved(at: usize, action: &Action, n: usize, page: usize) -> usize {
    let last = n.saturating_sub(1);
    match action {
        Action::Up => at.saturating_sub(1),
        Action::Down => (at + 1).min(last),
        Action::PageUp => at.saturating_sub(page),
        Action::PageDown => (at + page).min(last),
        Action::Top => 0,
        _ => last,
    }
}
