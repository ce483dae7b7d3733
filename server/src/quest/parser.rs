//! The EO+ grammar (EOSERV's): a `Main` block and `state` blocks; in a state `desc`, `action`,
//! `rule ... <action>`, `goal ... <action>`, `if`/`elseif`/`elif`/`else`, with `goto X` for
//! `SetState("x")` and `;` optional. Each function call is then checked against the actions and
//! rules EO+ knows (quest/functions.rs): an unknown one is an error, as is a wrong argument.

use super::ParseError;
use super::ast::{Action, Hidden, Quest, RuleEntry, State, Step, When};
use super::functions::{Arg, Call, action, rule};
use super::lexer::{Spanned, Token, lex};

/// Parses the text of quest `id`.
pub fn parse(id: u16, text: &str) -> Result<Quest, ParseError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        next: 0,
        last_line: 1,
    };
    let quest = parser.quest(id)?;
    check_gotos(&quest)?;
    Ok(quest)
}

struct Parser {
    tokens: Vec<Spanned>,
    next: usize,
    /// The line of the last token taken (errors at the end of the file name it).
    last_line: u32,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|s| &s.token)
    }

    /// The line of the next token (or of the last, at the end).
    fn line(&self) -> u32 {
        self.tokens
            .get(self.next)
            .map_or(self.last_line, |s| s.line)
    }

    fn take(&mut self) -> Option<Token> {
        let spanned = self.tokens.get(self.next)?.clone();
        self.next += 1;
        self.last_line = spanned.line;
        Some(spanned.token)
    }

    /// An error: `expected`, and what was found instead.
    fn expected(&self, expected: &str) -> ParseError {
        let found = self
            .peek()
            .map_or_else(|| "the end of the file".to_owned(), Token::describe);
        ParseError::new(self.line(), format!("{expected}; found {found}"))
    }

    fn symbol(&mut self, c: char, expected: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&Token::Symbol(c)) {
            self.take();
            Ok(())
        } else {
            Err(self.expected(expected))
        }
    }

    fn ident(&mut self, expected: &str) -> Result<String, ParseError> {
        match self.peek() {
            Some(Token::Ident(name)) => {
                let name = name.clone();
                self.take();
                Ok(name)
            }
            _ => Err(self.expected(expected)),
        }
    }

    fn string(&mut self, expected: &str) -> Result<String, ParseError> {
        match self.peek() {
            Some(Token::Str(text)) => {
                let text = text.clone();
                self.take();
                Ok(text)
            }
            _ => Err(self.expected(expected)),
        }
    }

    fn quest(&mut self, id: u16) -> Result<Quest, ParseError> {
        let mut main: Option<(String, u32, Hidden, bool)> = None;
        let mut states: Vec<State> = Vec::new();
        while let Some(token) = self.peek() {
            let line = self.line();
            match token {
                Token::Ident(word) if word == "main" => {
                    self.take();
                    if main.is_some() {
                        return Err(ParseError::new(line, "one Main block; this is a second"));
                    }
                    main = Some(self.main()?);
                }
                Token::Ident(word) if word == "state" => {
                    self.take();
                    let state = self.state()?;
                    if states.iter().any(|s| s.name == state.name) {
                        return Err(ParseError::new(
                            line,
                            format!("a new state name; state '{}' is defined twice", state.name),
                        ));
                    }
                    states.push(state);
                }
                _ => return Err(self.expected("'Main' or 'state'")),
            }
        }
        let Some((name, version, hidden, disabled)) = main else {
            return Err(ParseError::new(
                self.last_line,
                "a Main block; the file has none",
            ));
        };
        Ok(Quest {
            id,
            name,
            version,
            hidden,
            disabled,
            states,
        })
    }

    fn main(&mut self) -> Result<(String, u32, Hidden, bool), ParseError> {
        self.symbol('{', "'{' after 'Main'")?;
        let mut name = None;
        let mut version = None;
        let mut hidden = None;
        let mut disabled = false;
        loop {
            let line = self.line();
            let twice = |what: &str| ParseError::new(line, format!("one {what} in the Main block"));
            match self.take() {
                Some(Token::Symbol('}')) => break,
                Some(Token::Symbol(';')) => {}
                Some(Token::Ident(word)) => match word.as_str() {
                    "questname" => {
                        if name.is_some() {
                            return Err(twice("questname"));
                        }
                        name = Some(self.string("the quest's name (a string) after 'questname'")?);
                    }
                    "version" => {
                        if version.is_some() {
                            return Err(twice("version"));
                        }
                        version = Some(self.version()?);
                    }
                    "hidden" | "hidden_end" => {
                        if hidden.is_some() {
                            return Err(twice("hidden or hidden_end"));
                        }
                        hidden = Some(if word == "hidden" {
                            Hidden::Always
                        } else {
                            Hidden::AtEnd
                        });
                    }
                    "disabled" => {
                        if disabled {
                            return Err(twice("disabled"));
                        }
                        disabled = true;
                    }
                    _ => {
                        self.next -= 1;
                        return Err(self.expected(
                            "questname, version, hidden, hidden_end, disabled or '}' in the Main block",
                        ));
                    }
                },
                Some(_) => {
                    self.next -= 1;
                    return Err(self.expected(
                        "questname, version, hidden, hidden_end, disabled or '}' in the Main block",
                    ));
                }
                None => return Err(self.expected("'}' closing the Main block")),
            }
        }
        Ok((
            name.unwrap_or_default(),
            version.unwrap_or(0),
            hidden.unwrap_or_default(),
            disabled,
        ))
    }

    fn version(&mut self) -> Result<u32, ParseError> {
        let Some(Token::Int(major)) = self.peek().cloned() else {
            return Err(self.expected("a number after 'version'"));
        };
        self.take();
        let mut version = (u32::try_from(major).unwrap_or(u32::MAX) & 0xFFFF) << 16;
        if self.peek() == Some(&Token::Symbol('.')) {
            self.take();
            let Some(Token::Int(minor)) = self.peek().cloned() else {
                return Err(self.expected("a number after '.' in the version"));
            };
            self.take();
            version |= u32::try_from(minor).unwrap_or(u32::MAX) & 0xFFFF;
        }
        Ok(version)
    }

    fn state(&mut self) -> Result<State, ParseError> {
        let name = self.ident("the state's name after 'state'")?;
        self.symbol('{', &format!("'{{' after 'state {name}'"))?;
        let mut state = State {
            name,
            desc: String::new(),
            actions: Vec::new(),
            rules: Vec::new(),
            goal: None,
        };
        let mut has_desc = false;
        loop {
            let line = self.line();
            match self.take() {
                Some(Token::Symbol('}')) => return Ok(state),
                Some(Token::Symbol(';')) => {}
                Some(Token::Ident(word)) => match word.as_str() {
                    "desc" => {
                        if has_desc {
                            return Err(ParseError::new(
                                line,
                                format!("one desc in state '{}'", state.name),
                            ));
                        }
                        has_desc = true;
                        state.desc = self.string("the description (a string) after 'desc'")?;
                    }
                    "action" => {
                        let action = self.action()?;
                        state.actions.push(Step {
                            when: When::Always,
                            action,
                            line,
                        });
                    }
                    "rule" | "goal" => {
                        let entry = self.rule_entry(line)?;
                        if word == "goal" {
                            state.goal = Some(state.rules.len());
                        }
                        state.rules.push(entry);
                    }
                    "if" | "elseif" | "elif" => {
                        let rule_call = self.call("a rule after 'if'")?;
                        let condition = rule(&rule_call)?;
                        let action = self.action()?;
                        let when = if word == "if" {
                            When::If(condition)
                        } else {
                            if !follows_if(&state.actions) {
                                return Err(ParseError::new(
                                    line,
                                    format!("'{word}' after an 'if' or 'elseif'"),
                                ));
                            }
                            When::ElseIf(condition)
                        };
                        state.actions.push(Step { when, action, line });
                    }
                    "else" => {
                        if !follows_if(&state.actions) {
                            return Err(ParseError::new(line, "'else' after an 'if' or 'elseif'"));
                        }
                        let action = self.action()?;
                        state.actions.push(Step {
                            when: When::Else,
                            action,
                            line,
                        });
                    }
                    _ => {
                        self.next -= 1;
                        return Err(self.expected(&format!(
                            "desc, action, rule, goal, if, elseif, else or '}}' in state '{}'",
                            state.name
                        )));
                    }
                },
                Some(_) => {
                    self.next -= 1;
                    return Err(self.expected(&format!(
                        "desc, action, rule, goal, if, elseif, else or '}}' in state '{}'",
                        state.name
                    )));
                }
                None => {
                    return Err(self.expected(&format!("'}}' closing state '{}'", state.name)));
                }
            }
        }
    }

    fn rule_entry(&mut self, line: u32) -> Result<RuleEntry, ParseError> {
        let rule_call = self.call("a rule")?;
        let condition = rule(&rule_call)?;
        let action = self.action()?;
        Ok(RuleEntry {
            rule: condition,
            action,
            line,
        })
    }

    /// An action call, or `goto State`.
    fn action(&mut self) -> Result<Action, ParseError> {
        if self.peek() == Some(&Token::Ident("goto".into())) {
            self.take();
            let target = self.ident("a state name after 'goto'")?;
            return Ok(Action::SetState(target));
        }
        let call = self.call("an action or 'goto'")?;
        action(&call)
    }

    /// `Name(arg, ...)`; arguments are strings and numbers.
    fn call(&mut self, expected: &str) -> Result<Call, ParseError> {
        let line = self.line();
        let mut name = self.ident(expected)?;
        // EOSERV's scopes (`character.`, `map.`, `world.`, `npc.`): only the character's
        // own works there, so `character.X` is X and the others are refused.
        if self.peek() == Some(&Token::Symbol('.')) {
            if name != "character" {
                return Err(ParseError::new(
                    line,
                    format!("a function; the scope '{name}.' is not supported"),
                ));
            }
            self.take();
            name = self.ident("a function name after 'character.'")?;
        }
        if self.peek() != Some(&Token::Symbol('(')) {
            return Err(self.expected(&format!("'(' after '{name}'")));
        }
        self.take();
        let mut args = Vec::new();
        if self.peek() == Some(&Token::Symbol(')')) {
            self.take();
            return Ok(Call { name, args, line });
        }
        loop {
            match self.take() {
                Some(Token::Str(text)) => args.push(Arg::Str(text)),
                Some(Token::Int(n)) => args.push(Arg::Int(n)),
                _ => {
                    self.next = self.next.saturating_sub(1);
                    return Err(
                        self.expected(&format!("an argument of '{name}' (a string or number)"))
                    );
                }
            }
            match self.take() {
                Some(Token::Symbol(',')) => {}
                Some(Token::Symbol(')')) => return Ok(Call { name, args, line }),
                _ => {
                    self.next = self.next.saturating_sub(1);
                    return Err(self.expected(&format!("',' or ')' after an argument of '{name}'")));
                }
            }
        }
    }
}

/// Whether the last step opens or continues an if-chain.
fn follows_if(steps: &[Step]) -> bool {
    matches!(
        steps.last().map(|s| &s.when),
        Some(When::If(_) | When::ElseIf(_))
    )
}

/// Every `goto`/`SetState` of the quest names one of its states (or `end`/`done`).
fn check_gotos(quest: &Quest) -> Result<(), ParseError> {
    for state in &quest.states {
        let actions = state
            .actions
            .iter()
            .map(|s| (&s.action, s.line))
            .chain(state.rules.iter().map(|r| (&r.action, r.line)));
        for (action, line) in actions {
            if let Action::SetState(target) = action {
                let target = target.to_ascii_lowercase();
                let known = quest.state(&target).is_some()
                    || target == super::ast::END
                    || target == super::ast::DONE;
                if !known {
                    return Err(ParseError::new(
                        line,
                        format!(
                            "a state of this quest; '{target}' is none (in state '{}')",
                            state.name
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}
