//! Finding any case (issue 18): `/` on the dashboard. Type a reference, a
//! name or part of one, a date of birth or an area, Enter searches every case
//! you may see, open and closed, newest first. Filters narrow it (`m` mine,
//! `u` unassigned, `h` high risk, `s` awaiting sign-off, `r` restricted for
//! senior leads, `c` open/closed); Enter opens a result, `o` re-opens a
//! closed one. A search that finds nothing says so and keeps the words.
//! Each search a user runs is audited (its kind and filters, not its words).

use super::record::Record;
use super::verbs::{self, Pending};
use crate::domain::escalation::Status;
use crate::domain::search::{Filters, Found, Hit};
use crate::store::workbench::{WorkReply, WorkRequest};
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use crate::tui::update::Effect;
use crate::tui::views::{footer, header, truncate};
use crate::tui::widgets::text_input::{Edited, TextInput};
use crate::tui::workbench::WorkCmd;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

#[derive(Debug)]
pub struct Search {
    pub input: TextInput,
    /// Typing the words (`/`); else moving in the results.
    pub typing: bool,
    pub filters: Filters,
    /// The last results, and the words they answer.
    pub found: Option<(String, Found)>,
    pub selected: usize,
    /// Searches on their way (each answer is taken; the last is the latest).
    pub searching: u32,
    /// The latest search ran from the words typed (Enter), not from a
    /// filter: only then does finding nothing put the cursor back in the
    /// words. After a filter the keys stay filters (`s` then `m` toggles
    /// two filters, never types "sm").
    from_words: bool,
    /// The search on its way repeats the last one after a change (another
    /// session's, or a re-open): the selection stays on its case, or near
    /// where it was if the case has gone.
    refreshing: bool,
    /// Moves typed while a search the user ran is on its way (`h` then `G`
    /// at once): applied to the new results when they come, not the old.
    ahead: Vec<Action>,
    /// A record asked for from the results.
    opening: Option<i64>,
    pending: Pending,
}

impl Search {
    pub fn new() -> Search {
        Search {
            input: TextInput::line(200),
            typing: true,
            filters: Filters::default(),
            found: None,
            selected: 0,
            searching: 0,
            from_words: true,
            refreshing: false,
            ahead: Vec::new(),
            opening: None,
            pending: Pending::default(),
        }
    }

    /// `/` on the dashboard: the search, typing.
    pub fn open() -> Step {
        Step::push(Search::new())
    }

    fn run(&mut self, audit: bool) -> Step {
        self.searching += 1;
        self.from_words = self.typing;
        self.refreshing = !audit;
        Step::fx(Effect::Store(Request::Work(WorkRequest::Search {
            text: self.input.text(),
            filters: self.filters,
            audit,
        })))
    }

    fn hits(&self) -> &[Hit] {
        self.found.as_ref().map_or(&[], |(_, f)| f.hits.as_slice())
    }

    fn selected_hit(&self) -> Option<&Hit> {
        self.hits().get(self.selected)
    }

    /// How many results the search kept, summarised or still to come: the
    /// selection moves over all of them.
    fn count(&self) -> usize {
        self.found.as_ref().map_or(0, |(_, f)| f.count())
    }

    /// The case at result `i`, summarised or not.
    fn id_at(&self, i: usize) -> Option<i64> {
        let (_, f) = self.found.as_ref()?;
        f.hits
            .get(i)
            .map(|h| h.summary.id)
            .or_else(|| f.rest.get(i.checked_sub(f.hits.len())?).copied())
    }

    /// Where the selection goes when new results come: on the same case if
    /// they hold it (after a change or a filter), else near where it was
    /// after a change, else the top (new words).
    fn place(&self, was: Option<i64>, found: &Found) -> usize {
        let ids = found
            .hits
            .iter()
            .map(|h| h.summary.id)
            .chain(found.rest.iter().copied());
        let kept = was.and_then(|id| ids.clone().position(|x| x == id));
        match kept {
            Some(i) if self.refreshing || !self.from_words => i,
            _ if self.refreshing => self.selected.min(found.count().saturating_sub(1)),
            _ => 0,
        }
    }

    fn target(&self) -> Option<Target> {
        self.selected_hit().map(|h| Target {
            id: h.summary.id,
            reference: h.summary.reference.clone(),
            version: Some(h.summary.version),
        })
    }

    /// A filter changed: refused here when the viewer may not use it (the
    /// store refuses too), else the search runs again.
    fn refilter(&mut self, change: impl FnOnce(&mut Filters), ctx: &Ctx) -> Step {
        let mut f = self.filters;
        change(&mut f);
        if let Err(e) = f.check(ctx.me.role.sees_restricted()) {
            return Step::error(e);
        }
        self.filters = f;
        self.typing = false;
        self.run(true)
    }
}

impl Default for Search {
    fn default() -> Self {
        Search::new()
    }
}

/// Rows of results that fit.
fn rows_fit(ctx: &Ctx) -> usize {
    let [_, _, body, _] = areas(Rect::new(0, 0, ctx.width, ctx.height));
    usize::from(body.height.saturating_sub(2)).max(1)
}

impl Layer for Search {
    fn mode(&self) -> Mode {
        if self.typing {
            Mode::SearchInput
        } else {
            Mode::Search
        }
    }

    fn takes_text(&self) -> bool {
        self.typing
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        if let Some(s) = verbs::answer(action, &mut self.pending, ctx) {
            return s;
        }
        match action {
            // Typing.
            Action::Submit if self.typing => {
                let step = self.run(true);
                self.typing = false;
                step
            }
            Action::Cancel if self.typing => {
                if self.found.is_none() {
                    return Step::close();
                }
                self.typing = false;
                Step::none()
            }
            Action::Edit(op) if self.typing => {
                if *op == crate::tui::action::EditOp::Newline {
                    let step = self.run(true);
                    self.typing = false;
                    return step;
                }
                let _ = self.input.edit(*op);
                Step::none()
            }
            Action::Char(c) if self.typing => {
                let _ = self.input.insert(&c.to_string());
                Step::none()
            }
            Action::Paste(s) if self.typing => {
                if let Edited::Refused(why) = self.input.insert(&s.replace('\n', " ")) {
                    return Step::error(why);
                }
                Step::none()
            }
            Action::Down | Action::Up if self.typing => {
                self.typing = false;
                Step::none()
            }
            // The results.
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                if self.searching > 0 && !self.refreshing {
                    self.ahead.push(action.clone());
                    return Step::none();
                }
                let n = self.count();
                self.selected =
                    crate::tui::widgets::list::moved(self.selected, action, n, rows_fit(ctx));
                Step::none()
            }
            Action::Open => match self.id_at(self.selected) {
                Some(id) => {
                    self.opening = Some(id);
                    Step::fx(Effect::Store(Request::Detail { id }))
                }
                None => Step::none(),
            },
            Action::Reopen => {
                let Some(h) = self.selected_hit() else {
                    if self.id_at(self.selected).is_some() {
                        return Step::info(
                            "The rest of the results are on their way: press it again",
                        );
                    }
                    return Step::error("No case selected");
                };
                if h.summary.status != Status::Closed {
                    return Step::error(format!(
                        "{} is open: only a closed case is re-opened",
                        h.summary.reference
                    ));
                }
                let holder = h.summary.assignee.clone();
                verbs::on(
                    action,
                    self.target(),
                    holder.as_deref(),
                    None,
                    true,
                    &mut self.pending,
                    ctx,
                )
                .unwrap_or_else(Step::none)
            }
            Action::Work(WorkCmd::EditQuery) => {
                self.typing = true;
                Step::none()
            }
            Action::Work(WorkCmd::ToggleMine) => self.refilter(
                |f| {
                    f.mine = !f.mine;
                    f.unassigned &= !f.mine;
                },
                ctx,
            ),
            Action::Work(WorkCmd::ToggleUnassigned) => self.refilter(
                |f| {
                    f.unassigned = !f.unassigned;
                    f.mine &= !f.unassigned;
                },
                ctx,
            ),
            Action::Work(WorkCmd::ToggleHigh) => self.refilter(|f| f.high_risk = !f.high_risk, ctx),
            Action::Work(WorkCmd::ToggleSignoff) => self.refilter(
                |f| {
                    f.awaiting_signoff = !f.awaiting_signoff;
                    if f.awaiting_signoff && f.status == crate::domain::search::StatusFilter::Closed
                    {
                        f.status = crate::domain::search::StatusFilter::Any;
                    }
                },
                ctx,
            ),
            Action::Work(WorkCmd::ToggleRestricted) => {
                self.refilter(|f| f.restricted = !f.restricted, ctx)
            }
            Action::Work(WorkCmd::CycleStatus) => self.refilter(
                |f| {
                    f.status = f.status.next();
                    if f.status == crate::domain::search::StatusFilter::Closed {
                        f.awaiting_signoff = false;
                    }
                },
                ctx,
            ),
            Action::Back | Action::Cancel => Step::close(),
            Action::Send(req) => Step::fx(Effect::Store((**req).clone())).and_info("Saving…"),
            // News.
            Action::WorkLoaded(w) => match &**w {
                WorkReply::Found { text, found } => {
                    self.searching = self.searching.saturating_sub(1);
                    let was = self.id_at(self.selected);
                    self.selected = self.place(was, found);
                    if self.searching == 0 {
                        for a in std::mem::take(&mut self.ahead) {
                            self.selected = crate::tui::widgets::list::moved(
                                self.selected,
                                &a,
                                found.count(),
                                rows_fit(ctx),
                            );
                        }
                    }
                    let nothing = found.hits.is_empty();
                    let msg = found.nothing();
                    self.found = Some((text.clone(), found.clone()));
                    // The first screenful is drawn; the rest are asked for
                    // now and arrive before the next key (issue 18).
                    let rest = (!found.rest.is_empty()).then(|| {
                        Effect::Store(Request::Work(WorkRequest::SearchRest {
                            ids: found.rest.clone(),
                        }))
                    });
                    if nothing && self.refreshing {
                        // After a change: the title says so, and the status
                        // line keeps what the change was (a record closed).
                        return Step::none();
                    }
                    if nothing {
                        // The words stay in the box, ready to change; after
                        // a filter, the keys stay on the filters.
                        if self.from_words {
                            self.typing = true;
                        }
                        return Step::info(msg);
                    }
                    rest.map_or_else(Step::none, Step::fx)
                }
                // Taken only when no newer search is on its way (its own
                // rest follows it) and they are still what comes next.
                WorkReply::FoundRest { asked, hits } if self.searching == 0 => {
                    if let Some((_, found)) = &mut self.found {
                        found.take_rest(asked, hits.clone());
                        // A case hidden since it was found is dropped.
                        self.selected = self.selected.min(found.count().saturating_sub(1));
                    }
                    Step::none()
                }
                _ => Step::none(),
            },
            Action::StoreError(_) if self.searching > 0 => {
                self.searching -= 1;
                self.ahead.clear();
                if self.from_words {
                    self.typing = true;
                }
                Step::none()
            }
            Action::DetailLoaded(d) if self.opening == Some(d.summary.id) => {
                self.opening = None;
                Step::push(Record::new(d.clone()))
            }
            // Another session's change, or ours (a re-open): the same search
            // again, not audited again.
            Action::Changed | Action::Saved(_) if self.found.is_some() && self.searching == 0 => {
                self.run(false)
            }
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        draw(self, ctx, f, area);
    }

    fn opaque(&self) -> bool {
        true
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        super::wheel(m)
    }

    crate::layer_any!();
}

fn areas(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area)
}

/// "[x] m mine": a filter's state in text, never by colour alone.
fn flag(on: bool, key: &str, what: &str) -> String {
    format!("[{}] {key} {what}", if on { "x" } else { " " })
}

/// Every filter with its key and state, in `width` columns: in words when
/// they fit, else shorter ("[x]h high", "c:open") so that the last one, the
/// open/closed state, is never cut off at 80 columns.
fn filter_line(fl: &Filters, restricted: bool, width: usize) -> String {
    use crate::domain::search::StatusFilter;
    let full = {
        let mut v = vec![
            flag(fl.mine, "m", "mine"),
            flag(fl.unassigned, "u", "unassigned"),
            flag(fl.high_risk, "h", "high risk"),
            flag(fl.awaiting_signoff, "s", "sign-off"),
        ];
        if restricted {
            v.push(flag(fl.restricted, "r", "restricted"));
        }
        v.push(format!("c {}", fl.status.label()));
        format!(" {}", v.join("  "))
    };
    if unicode_width::UnicodeWidthStr::width(full.as_str()) <= width {
        return full;
    }
    let short =
        |on: bool, key: &str, what: &str| format!("[{}]{key} {what}", if on { "x" } else { " " });
    let mut v = vec![
        short(fl.mine, "m", "mine"),
        short(fl.unassigned, "u", "unassigned"),
        short(fl.high_risk, "h", "high"),
        short(fl.awaiting_signoff, "s", "sign-off"),
    ];
    if restricted {
        v.push(short(fl.restricted, "r", "restricted"));
    }
    v.push(format!(
        "c:{}",
        match fl.status {
            StatusFilter::Any => "all",
            StatusFilter::Open => "open",
            StatusFilter::Closed => "closed",
        }
    ));
    format!(" {}", v.join(" "))
}

fn draw(s: &Search, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let [head, top, body, foot] = areas(area);
    header(ctx, f, head);
    let w = usize::from(area.width.saturating_sub(2));
    let mut lines = vec![];
    let mut q = vec![Span::styled(" Search: ", t.title)];
    if s.typing {
        q.extend(
            crate::tui::views::text::rows(&s.input, true, w.saturating_sub(10), 1, t)
                .into_iter()
                .flat_map(|l| l.spans),
        );
    } else {
        q.push(Span::raw(s.input.text()));
        q.push(Span::styled("  (/ to change the words)", t.muted));
    }
    lines.push(Line::from(q));
    lines.push(Line::from(Span::raw(truncate(
        &filter_line(&s.filters, ctx.me.role.sees_restricted(), w),
        w,
    ))));
    let help = if s.typing {
        format!(
            " Reference, name, date of birth (02/03/2014) or area; {} searches open and closed cases",
            ctx.key("search_input", &Action::Submit)
        )
    } else {
        format!(
            " {} opens · {} re-opens a closed case · newest first",
            ctx.key("search", &Action::Open),
            ctx.key("search", &Action::Reopen)
        )
    };
    lines.push(Line::from(Span::styled(truncate(&help, w), t.muted)));
    f.render_widget(Paragraph::new(lines), top);

    let title = match (&s.found, s.searching > 0) {
        (_, true) => " Searching… ".to_string(),
        (None, _) => " Results ".to_string(),
        (Some((_, found)), _) if found.hits.is_empty() => " Nothing found ".to_string(),
        (Some((_, found)), _) if found.more => format!(
            " {} shown, more match: add a word or a filter ",
            found.count()
        ),
        (Some((_, found)), _) => format!(" {} found ", found.count()),
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, t.title));
    let inner = block.inner(body);
    f.render_widget(block, body);
    match &s.found {
        Some((_, found)) if found.hits.is_empty() => {
            let text = crate::tui::views::wrap(&found.nothing(), usize::from(inner.width));
            f.render_widget(
                Paragraph::new(text.into_iter().map(Line::from).collect::<Vec<_>>()).style(t.muted),
                inner,
            );
        }
        Some((_, found)) => results(s, found, ctx, f, inner),
        None => {}
    }
    let pos = match &s.found {
        Some((_, found)) if !found.hits.is_empty() => {
            format!("{} of {} ", s.selected + 1, found.count())
        }
        _ => String::new(),
    };
    footer(ctx, f, foot, &pos);
}

fn results(s: &Search, found: &Found, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let hits = found.hits.as_slice();
    let wide = area.width >= 120;
    let height = usize::from(area.height.saturating_sub(1)).max(1);
    let top = s.selected.saturating_sub(height - 1);
    // Results not summarised yet (they follow the first screenful within
    // milliseconds) hold their place as a muted row.
    let waiting = found
        .rest
        .len()
        .min((top + height).saturating_sub(hits.len()));
    let ref_width = crate::tui::views::columns::reference_width(
        hits.iter()
            .skip(top)
            .take(height)
            .map(|h| h.summary.reference.as_str()),
    );
    let area_width: u16 = if wide { 16 } else { 12 };
    let mut widths = vec![
        Constraint::Length(ref_width),
        Constraint::Length(8),
        Constraint::Length(6),
        Constraint::Length(5),
        Constraint::Min(12),
        Constraint::Length(10),
        Constraint::Length(area_width),
    ];
    let mut head = vec!["Ref", "Status", "Risk", "Subj", "Name", "Born", "Area"];
    if wide {
        widths.push(Constraint::Length(30));
        head.push("Categories");
    }
    // The fixed columns, the gaps between columns and the selection mark
    // (2) leave the name its room; a name or area cut says so with "…".
    let fixed: u16 = widths
        .iter()
        .map(|c| match c {
            Constraint::Length(n) => *n,
            _ => 0,
        })
        .sum();
    let gaps = widths.len() as u16 - 1;
    let name_width = usize::from(area.width.saturating_sub(2 + fixed + gaps).max(12));
    let rows: Vec<Row> = hits
        .iter()
        .map(Some)
        .chain(std::iter::repeat_n(None, waiting))
        .skip(top)
        .take(height)
        .map(|h| {
            let Some(h) = h else {
                return Row::new(vec![Cell::from("…")]).style(t.muted);
            };
            let e = &h.summary;
            let status = if e.awaiting_signoff {
                "sign-off".to_string()
            } else if e.status == Status::Closed {
                "closed".to_string()
            } else {
                match e.status {
                    Status::AwaitingOutcome => "awaiting".into(),
                    other => other.label().to_string(),
                }
            };
            let mut flags = String::new();
            if e.restricted {
                flags.push_str(crate::tui::views::symbols::RESTRICTED);
                flags.push(' ');
            }
            if e.repeat() {
                flags.push_str(&format!(
                    "{}{} ",
                    crate::tui::views::symbols::REPEAT,
                    e.linked_12m + 1
                ));
            }
            let mut cells = vec![
                Cell::from(e.reference.clone()),
                Cell::from(status),
                Cell::from(Span::styled(
                    e.risk.badge(),
                    if e.risk == crate::domain::escalation::Risk::High {
                        t.high_risk
                    } else {
                        t.base
                    },
                )),
                Cell::from(e.subject_kind.short()),
                Cell::from(truncate(
                    &format!("{flags}{}", h.subject_name.as_deref().unwrap_or("(hidden)")),
                    name_width,
                )),
                Cell::from(h.subject_dob.clone().unwrap_or_else(|| "—".into())),
                Cell::from(truncate(&h.area, usize::from(area_width))),
            ];
            if wide {
                cells.push(Cell::from(truncate(&e.categories.join(", "), 30)));
            }
            Row::new(cells)
        })
        .collect();
    let mut state = TableState::default();
    if !hits.is_empty() && !s.typing {
        state.select(Some(s.selected.saturating_sub(top)));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(head).style(t.title))
        .column_spacing(1)
        .row_highlight_style(t.selected)
        .highlight_symbol("▶ ")
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    f.render_stateful_widget(table, area, &mut state);
}
