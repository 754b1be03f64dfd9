//! Choosing whom to assign an escalation to: type to filter, Enter picks.

use super::confirm::centred;
use super::verbs::act;
use crate::domain::staff::StaffMember;
use crate::store::worker::Verb;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use crate::tui::widgets::list::moved;
use crate::tui::widgets::text_input::TextInput;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

#[derive(Debug)]
pub struct Picker {
    pub target: Target,
    /// None until the list arrives.
    pub staff: Option<Vec<StaffMember>>,
    pub filter: TextInput,
    pub selected: usize,
}

impl Picker {
    pub fn new(target: Target) -> Picker {
        Picker {
            target,
            staff: None,
            filter: TextInput::line(100),
            selected: 0,
        }
    }

    /// The staff matching the filter (name or account, any case), in order.
    pub fn matches(&self) -> Vec<&StaffMember> {
        let f = self.filter.text().to_lowercase();
        self.staff
            .iter()
            .flatten()
            .filter(|s| {
                s.display_name.to_lowercase().contains(&f) || s.username.to_lowercase().contains(&f)
            })
            .collect()
    }
}

impl Layer for Picker {
    fn mode(&self) -> Mode {
        Mode::Picker
    }

    fn takes_text(&self) -> bool {
        true
    }

    fn on(&mut self, action: &Action, _ctx: &Ctx) -> Step {
        match action {
            Action::Up | Action::Down => {
                let n = self.matches().len();
                self.selected = moved(self.selected, action, n, 10);
                Step::none()
            }
            Action::Char(c) => {
                self.filter.insert(&c.to_string());
                self.selected = 0;
                Step::none()
            }
            Action::Paste(s) => {
                self.filter.insert(s);
                self.selected = 0;
                Step::none()
            }
            Action::Edit(op) => {
                self.filter.edit(*op);
                self.selected = 0;
                Step::none()
            }
            Action::Submit => match self.matches().get(self.selected) {
                Some(s) => {
                    Step::fx(act(&self.target, Verb::Assign(s.username.clone()))).and_close()
                }
                None => Step::error("Nobody matches: Backspace to widen the search"),
            },
            Action::Cancel => Step::close(),
            Action::AssignableLoaded(list) => {
                self.staff = Some(list.clone());
                self.selected = 0;
                Step::none()
            }
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        let t = &ctx.theme;
        let mut lines = vec![Line::from(vec![
            Span::raw("Find: "),
            Span::styled(format!("{}▏", self.filter.text()), t.key),
        ])];
        match &self.staff {
            None => lines.push(Line::from(Span::styled("loading…", t.muted))),
            Some(_) => {
                let m = self.matches();
                if m.is_empty() {
                    lines.push(Line::from(Span::styled("nobody matches", t.muted)));
                }
                let on_duty = ctx.desk.on_duty.as_deref();
                let first = self.selected.saturating_sub(11);
                for (i, s) in m.iter().enumerate().skip(first).take(12) {
                    let mark = if i == self.selected { "▶ " } else { "  " };
                    let duty = if Some(s.display_name.as_str()) == on_duty {
                        " · on duty"
                    } else {
                        ""
                    };
                    let text = format!(
                        "{mark}{} ({}, {}){duty}",
                        s.display_name,
                        s.username,
                        s.role.label()
                    );
                    lines.push(Line::from(Span::styled(
                        text,
                        if i == self.selected {
                            t.selected
                        } else {
                            t.base
                        },
                    )));
                }
            }
        }
        lines.push(crate::tui::views::hint_line(&ctx.hints, 58, t));
        let rect = centred(area, 60, lines.len() as u16 + 2);
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(lines).block(Block::new().borders(Borders::ALL).title(Span::styled(
                format!(" Assign {} (type to filter) ", self.target.reference),
                t.title,
            ))),
            rect,
        );
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        super::wheel(m)
    }

    crate::layer_any!();
}
