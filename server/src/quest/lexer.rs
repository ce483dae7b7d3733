//! The EO+ lexer: a quest file's text as tokens, each with its line. Identifiers are lower-cased
//! (EO+ compares keywords, function and state names without regard to case); strings keep their
//! case. `//` starts a comment to the end of the line.

use super::ParseError;

/// One token of a quest file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// A name, lower-cased.
    Ident(String),
    /// A quoted string, its escapes resolved (a backslash keeps the next character as is).
    Str(String),
    /// A whole number (EO+ has no negative literals; very large ones saturate).
    Int(i64),
    /// One of `{ } ( ) , ; .`.
    Symbol(char),
    /// An operator EO+ reserves (`= < > ! & | + - * / %`) with no use in quest files.
    Operator(String),
}

impl Token {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Token::Ident(name) => format!("identifier '{name}'"),
            Token::Str(text) => {
                let short: String = text.chars().take(16).collect();
                if short.len() < text.len() {
                    format!("string \"{short}...\"")
                } else {
                    format!("string \"{short}\"")
                }
            }
            Token::Int(n) => format!("number {n}"),
            Token::Symbol(c) => format!("'{c}'"),
            Token::Operator(op) => format!("operator '{op}'"),
        }
    }
}

/// A token and the line (from 1) it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned {
    pub token: Token,
    pub line: u32,
}

fn ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$'
}

fn ident_rest(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The tokens of `text`, or the first character that starts none.
pub fn lex(text: &str) -> Result<Vec<Spanned>, ParseError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line: u32 = 1;
    while let Some(&c) = chars.peek() {
        let start = line;
        match c {
            '\n' => {
                line = line.saturating_add(1);
                chars.next();
            }
            c if c.is_whitespace() => {
                chars.next();
            }
            '/' => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    while chars.peek().is_some_and(|&c| c != '\n') {
                        chars.next();
                    }
                } else {
                    tokens.push(Spanned {
                        token: Token::Operator("/".into()),
                        line: start,
                    });
                }
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => match chars.next() {
                            Some('\n') | None => break,
                            Some(escaped) => text.push(escaped),
                        },
                        '\n' => break,
                        other => text.push(other),
                    }
                }
                if !closed {
                    return Err(ParseError::new(start, "a string ended by '\"' on its line"));
                }
                tokens.push(Spanned {
                    token: Token::Str(text),
                    line: start,
                });
            }
            c if c.is_ascii_digit() => {
                let mut n: i64 = 0;
                while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                    n = n.saturating_mul(10).saturating_add(i64::from(d));
                    chars.next();
                }
                tokens.push(Spanned {
                    token: Token::Int(n),
                    line: start,
                });
            }
            c if ident_start(c) => {
                let mut name = String::new();
                name.push(c.to_ascii_lowercase());
                chars.next();
                while let Some(&c) = chars.peek().filter(|c| ident_rest(**c)) {
                    name.push(c.to_ascii_lowercase());
                    chars.next();
                }
                tokens.push(Spanned {
                    token: Token::Ident(name),
                    line: start,
                });
            }
            '{' | '}' | '(' | ')' | ',' | ';' | '.' => {
                chars.next();
                tokens.push(Spanned {
                    token: Token::Symbol(c),
                    line: start,
                });
            }
            '=' | '<' | '>' | '!' | '&' | '|' | '+' | '-' | '*' | '%' => {
                chars.next();
                let mut op = String::from(c);
                if let Some(&next) = chars.peek().filter(|n| matches!(n, '=' | '&' | '|')) {
                    op.push(next);
                    chars.next();
                }
                tokens.push(Spanned {
                    token: Token::Operator(op),
                    line: start,
                });
            }
            other => {
                return Err(ParseError::new(
                    start,
                    format!("a name, number, string or symbol; found the character {other:?}"),
                ));
            }
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Token> {
        lex(text).unwrap().into_iter().map(|s| s.token).collect()
    }

    #[test]
    fn names_are_lower_cased_and_strings_kept() {
        assert_eq!(
            kinds("Main { QuestName \"Rat Hunt\" }"),
            [
                Token::Ident("main".into()),
                Token::Symbol('{'),
                Token::Ident("questname".into()),
                Token::Str("Rat Hunt".into()),
                Token::Symbol('}'),
            ]
        );
    }

    #[test]
    fn comments_lines_and_escapes() {
        let tokens = lex("a // b \"c\n  \"x\\\"y\" 12").unwrap();
        assert_eq!(tokens.len(), 3);
        assert_eq!(tokens[1].token, Token::Str("x\"y".into()));
        assert_eq!(tokens[1].line, 2);
        assert_eq!(tokens[2].token, Token::Int(12));
    }

    #[test]
    fn an_unterminated_string_names_its_line() {
        let error = lex("a\n\"open\nb").unwrap_err();
        assert_eq!(error.line, 2);
    }

    #[test]
    fn numbers_saturate() {
        assert_eq!(kinds("99999999999999999999999"), [Token::Int(i64::MAX)]);
    }

    #[test]
    fn an_unknown_character_is_an_error() {
        assert_eq!(lex("a\n\n #").unwrap_err().line, 3);
    }
}
