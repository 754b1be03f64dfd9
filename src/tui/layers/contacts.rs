//! The contacts screen: "who do I ring right now?". Each row says whether
//! the service is open this moment and, when it is closed, the number to
//! ring instead; Enter shows the whole record, `y` puts the number on the
//! clipboard, `/` searches as you type.

use crate::domain::contact::Answer;
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::forms::{self, FormKind};
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use crate::tui::update::Effect;
use crate::tui::views::{footer, header, truncate};
use crate::tui::widgets::list::moved;
use crate::tui::widgets::text_input::TextInput;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

#[derive(Debug)]
pub struct Contacts {
    pub query: TextInput,
    /// Typing into the search (after `/`).
    pub typing: bool,
    pub route: Option<String>,
    pub area: Option<String>,
    /// Set when opened from an escalation (`l`): its reference.
    pub for_escalation: Option<String>,
    pub answers: Vec<Answer>,
    /// Every contact (id, label): what a contact may fall back to.
    pub all: Vec<(i64, String)>,
    pub selected: usize,
    /// The full record of the selected contact is showing.
    pub open: bool,
    pub loading: bool,
}

impl Contacts {
    fn blank() -> Contacts {
        Contacts {
            query: TextInput::line(100),
            typing: false,
            route: None,
            area: None,
            for_escalation: None,
            answers: Vec::new(),
            all: Vec::new(),
            selected: 0,
            open: false,
            loading: true,
        }
    }

    /// Every contact, answered for now.
    pub fn open() -> Step {
        let c = Contacts::blank();
        let fx = c.request();
        Step::push(c).and_fx(fx)
    }

    /// The contacts for one escalation: its area, the routes that fit (the
    /// caller sends the look-up).
    pub fn for_escalation(t: &Target) -> Contacts {
        Contacts {
            for_escalation: Some(t.reference.clone()),
            ..Contacts::blank()
        }
    }

    /// The request for the screen's search and filters.
    fn request(&self) -> Effect {
        Effect::Store(Request::Contacts {
            query: self.query.text(),
            route: self.route.clone(),
            area: self.area.clone(),
        })
    }

    fn searched(&mut self) -> Step {
        self.selected = 0;
        self.for_escalation = None;
        Step::fx(self.request())
    }
}

/// The next value of a filter: none → first → ... → last → none.
fn cycle(options: Vec<String>, current: Option<String>) -> Option<String> {
    match current.and_then(|c| options.iter().position(|o| *o == c)) {
        None => options.first().cloned(),
        Some(i) => options.get(i + 1).cloned(),
    }
}

impl Layer for Contacts {
    fn mode(&self) -> Mode {
        if self.typing {
            Mode::ContactSearch
        } else {
            Mode::Contacts
        }
    }

    fn takes_text(&self) -> bool {
        self.typing
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                self.selected = moved(self.selected, action, self.answers.len(), 10);
                Step::none()
            }
            Action::Open => {
                self.open = !self.open;
                Step::none()
            }
            Action::Back if self.open => {
                self.open = false;
                Step::none()
            }
            Action::Back => Step::close(),
            Action::Search => {
                self.typing = true;
                Step::none()
            }
            Action::Char(c) if self.typing => {
                self.query.insert(&c.to_string());
                self.searched()
            }
            Action::Paste(s) if self.typing => {
                self.query.insert(s);
                self.searched()
            }
            Action::Edit(op) if self.typing => match self.query.edit(*op) {
                crate::tui::widgets::text_input::Edited::Changed => self.searched(),
                _ => Step::none(),
            },
            Action::Submit => {
                self.typing = false;
                Step::none()
            }
            Action::Cancel => {
                self.typing = false;
                self.query = TextInput::line(100);
                self.searched()
            }
            Action::CycleRoute => {
                // The routes as the domain lists them: one list everywhere.
                let routes = crate::domain::route::Route::ALL
                    .iter()
                    .map(|r| r.code().to_string())
                    .collect();
                self.route = cycle(routes, self.route.take());
                self.searched()
            }
            Action::CycleArea => {
                let mut areas: Vec<String> = self
                    .answers
                    .iter()
                    .filter_map(|a| a.contact.area.clone())
                    .chain(self.area.clone())
                    .collect();
                areas.sort();
                areas.dedup();
                self.area = cycle(areas, self.area.take());
                self.searched()
            }
            Action::Copy => {
                match self
                    .answers
                    .get(self.selected)
                    .and_then(|a| a.ring.clone().map(|r| (r, a.ring_service.clone())))
                {
                    Some((number, whose)) => Step::fx(Effect::Copy {
                        text: number.clone(),
                        what: format!("{number} ({whose})"),
                    }),
                    None => Step::error("No number to copy"),
                }
            }
            Action::AddContact | Action::EditContact => {
                if ctx.read_only || !ctx.me.role.manages_desk() {
                    return Step::error("Only a DSL or senior lead can change contacts");
                }
                let editing = if *action == Action::EditContact {
                    match self.answers.get(self.selected) {
                        Some(a) => Some(a.contact.clone()),
                        None => return Step::none(),
                    }
                } else {
                    None
                };
                let id = editing.as_ref().map(|c| c.id);
                let f = forms::contact(editing.as_ref(), &self.all);
                Step::push(super::form::FormLayer::new(FormKind::Contact(id), f))
            }
            Action::ContactsLoaded(list, all) => {
                self.answers = list.clone();
                self.all = all.clone();
                self.loading = false;
                self.selected = self.selected.min(self.answers.len().saturating_sub(1));
                Step::none()
            }
            // Open and closed change with the clock: ask again each minute.
            Action::Tick(now) => {
                use chrono::Timelike;
                if now.minute() != ctx.now.minute() && self.for_escalation.is_none() {
                    return Step::fx(self.request());
                }
                Step::none()
            }
            Action::Saved(_) if self.for_escalation.is_none() => Step::fx(self.request()),
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        draw_contacts(self, ctx, f, area);
    }

    fn opaque(&self) -> bool {
        true
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        super::wheel(m)
    }

    crate::layer_any!();
}

fn draw_contacts(c: &Contacts, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let [head, search, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area);
    header(ctx, f, head);
    let scope = match &c.for_escalation {
        Some(r) => format!(" For {r}: its area and the routes that fit"),
        None => format!(
            " Search: {}   route: {}   area: {}",
            if c.typing {
                crate::tui::views::text::with_cursor(&c.query)
            } else {
                c.query.text()
            },
            c.route
                .as_deref()
                .map(crate::domain::route::short_of)
                .unwrap_or_else(|| "any".into()),
            c.area.as_deref().unwrap_or("any"),
        ),
    };
    f.render_widget(
        Paragraph::new(scope).style(if c.typing { t.key } else { t.base }),
        search,
    );

    let title = if c.loading {
        " Contacts: loading… ".to_string()
    } else {
        format!(" Contacts: {} ", c.answers.len())
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, t.title));
    let inner = block.inner(body);
    f.render_widget(block, body);
    if !c.loading && c.answers.is_empty() {
        f.render_widget(
            Paragraph::new("No contacts match. Esc clears the search.").style(t.muted),
            inner,
        );
    }
    if c.open {
        if let Some(a) = c.answers.get(c.selected) {
            let x = &a.contact;
            let mut lines = vec![
                Line::from(Span::styled(
                    format!("{} · {}", x.organisation, x.service),
                    t.title,
                )),
                Line::from(format!(
                    "Route {} · area {}",
                    crate::domain::route::label_of(&x.route),
                    x.area.as_deref().unwrap_or("any")
                )),
                Line::from(vec![
                    Span::raw("Phone "),
                    Span::styled(x.phone.clone().unwrap_or_default(), t.key),
                    Span::raw(format!("   {}", if a.open_now { "OPEN" } else { "CLOSED" })),
                    Span::raw(format!(" ({})", a.when)),
                ]),
            ];
            if !a.open_now && a.ring != x.phone {
                lines.push(Line::from(Span::styled(
                    format!(
                        "Now ring {} ({}), for {}",
                        a.ring.as_deref().unwrap_or("?"),
                        a.ring_service,
                        a.ring_for
                    ),
                    t.overdue,
                )));
            } else {
                lines.push(Line::from(format!("For {}", a.ring_for)));
            }
            lines.push(Line::from(format!(
                "Hours {}{}",
                if x.hours_text.is_empty() {
                    "none recorded"
                } else {
                    &x.hours_text
                },
                if x.hours.open_on_bank_holidays {
                    " (open on bank holidays)"
                } else {
                    " (closed on bank holidays)"
                }
            )));
            for (label, v) in [("E-mail", &x.email), ("Web", &x.web), ("Notes", &x.notes)] {
                if let Some(v) = v {
                    lines.push(Line::from(format!("{label} {v}")));
                }
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "y sends the number to ring now to your clipboard · Enter or Esc: back to the list",
                t.muted,
            )));
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
    } else {
        let h = inner.height as usize;
        let top = c.selected.saturating_sub(h.saturating_sub(1));
        let w = inner.width as usize;
        let lines: Vec<Line> = c
            .answers
            .iter()
            .enumerate()
            .skip(top)
            .take(h)
            .map(|(i, a)| {
                let x = &a.contact;
                let mark = if i == c.selected { "▶ " } else { "  " };
                let state = if a.open_now {
                    Span::styled("OPEN    ", t.ok)
                } else if a.ring != x.phone {
                    Span::styled("CLOSED →", t.overdue)
                } else {
                    Span::styled("CLOSED  ", t.overdue)
                };
                // The number to ring now always sits in the same column.
                // Whom the number is for comes right after it: an
                // out-of-hours line serves several services.
                let text = if !a.open_now && a.ring != x.phone {
                    format!(
                        " {:<14} for {}, instead of {}: {} · {}",
                        a.ring.as_deref().unwrap_or("?"),
                        a.ring_for,
                        x.phone.as_deref().unwrap_or("-"),
                        x.service,
                        x.organisation,
                    )
                } else {
                    format!(
                        " {:<14} for {}: {} · {} ({})",
                        x.phone.as_deref().unwrap_or("-"),
                        a.ring_for,
                        x.service,
                        x.organisation,
                        a.when
                    )
                };
                let style = if i == c.selected { t.selected } else { t.base };
                Line::from(vec![
                    Span::styled(mark, style),
                    state,
                    Span::styled(truncate(&text, w.saturating_sub(10)), style),
                ])
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
    footer(ctx, f, foot, "");
}
