//! A small infix expression language for the formulas file: numbers, named variables,
//! `+ - * / % ^`, comparisons (`== != < <= > >=`, giving 1 or 0), parentheses and the
//! functions `min`, `max`, `floor`, `ceil`, `round`, `abs`, `sqrt`, `clamp(x, lo, hi)` and
//! `if(condition, then, else)` (a condition is true when it is not 0).
//!
//! Every value is an `f64`. An expression is compiled once, at start-up, against the list of
//! variables its formula may use, so an unknown name or a syntax error is reported then, never
//! while the game runs; evaluating cannot fail (a division by zero gives infinity or NaN, which
//! the callers clamp).

use std::fmt;

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    node: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Number(f64),
    Variable(usize),
    Negate(Box<Node>),
    Binary(BinaryOp, Box<Node>, Box<Node>),
    Call(Function, Vec<Node>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Min,
    Max,
    Floor,
    Ceil,
    Round,
    Abs,
    Sqrt,
    Clamp,
    If,
}

impl Function {
    fn named(name: &str) -> Option<Function> {
        Some(match name {
            "min" => Function::Min,
            "max" => Function::Max,
            "floor" => Function::Floor,
            "ceil" => Function::Ceil,
            "round" => Function::Round,
            "abs" => Function::Abs,
            "sqrt" => Function::Sqrt,
            "clamp" => Function::Clamp,
            "if" => Function::If,
            _ => return None,
        })
    }

    /// Whether `n` arguments are right for this function.
    fn takes(self, n: usize) -> bool {
        match self {
            Function::Min | Function::Max => n >= 2,
            Function::Floor | Function::Ceil | Function::Round | Function::Abs | Function::Sqrt => {
                n == 1
            }
            Function::Clamp | Function::If => n == 3,
        }
    }
}

/// Why an expression did not compile: what, and where (a character offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub at: usize,
    pub problem: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.problem, self.at + 1)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Name(String),
    Op(&'static str),
    Open,
    Close,
    Comma,
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ExprError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b.is_ascii_digit() || b == b'.' {
            while bytes
                .get(i)
                .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
            {
                i += 1;
            }
            let literal = &text[start..i];
            let value = literal.parse::<f64>().map_err(|_| ExprError {
                at: start,
                problem: format!("`{literal}` is not a number"),
            })?;
            tokens.push((start, Token::Number(value)));
            continue;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            while bytes
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                i += 1;
            }
            tokens.push((start, Token::Name(text[start..i].to_owned())));
            continue;
        }
        let two = text.get(i..i + 2);
        let op = match two {
            Some("==") => Some("=="),
            Some("!=") => Some("!="),
            Some("<=") => Some("<="),
            Some(">=") => Some(">="),
            _ => None,
        };
        if let Some(op) = op {
            tokens.push((start, Token::Op(op)));
            i += 2;
            continue;
        }
        let token = match b {
            b'+' => Token::Op("+"),
            b'-' => Token::Op("-"),
            b'*' => Token::Op("*"),
            b'/' => Token::Op("/"),
            b'%' => Token::Op("%"),
            b'^' => Token::Op("^"),
            b'<' => Token::Op("<"),
            b'>' => Token::Op(">"),
            b'(' => Token::Open,
            b')' => Token::Close,
            b',' => Token::Comma,
            _ => {
                let c = text[start..].chars().next().unwrap_or('?');
                return Err(ExprError {
                    at: start,
                    problem: format!("unexpected character `{c}`"),
                });
            }
        };
        tokens.push((start, token));
        i += 1;
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<(usize, Token)>,
    next: usize,
    variables: &'a [&'a str],
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(at, _)| *at)
    }

    fn error<T>(&self, problem: impl Into<String>) -> Result<T, ExprError> {
        Err(ExprError {
            at: self.at(),
            problem: problem.into(),
        })
    }

    fn eat_op(&mut self, ops: &[&'static str]) -> Option<&'static str> {
        match self.peek() {
            Some(Token::Op(op)) if ops.contains(op) => {
                let op = *op;
                self.next += 1;
                Some(op)
            }
            _ => None,
        }
    }

    fn comparison(&mut self) -> Result<Node, ExprError> {
        let left = self.sum()?;
        let Some(op) = self.eat_op(&["==", "!=", "<", "<=", ">", ">="]) else {
            return Ok(left);
        };
        let right = self.sum()?;
        let op = match op {
            "==" => BinaryOp::Eq,
            "!=" => BinaryOp::Ne,
            "<" => BinaryOp::Lt,
            "<=" => BinaryOp::Le,
            ">" => BinaryOp::Gt,
            _ => BinaryOp::Ge,
        };
        Ok(Node::Binary(op, Box::new(left), Box::new(right)))
    }

    fn sum(&mut self) -> Result<Node, ExprError> {
        let mut left = self.product()?;
        while let Some(op) = self.eat_op(&["+", "-"]) {
            let right = self.product()?;
            let op = if op == "+" {
                BinaryOp::Add
            } else {
                BinaryOp::Sub
            };
            left = Node::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn product(&mut self) -> Result<Node, ExprError> {
        let mut left = self.unary()?;
        while let Some(op) = self.eat_op(&["*", "/", "%"]) {
            let right = self.unary()?;
            let op = match op {
                "*" => BinaryOp::Mul,
                "/" => BinaryOp::Div,
                _ => BinaryOp::Rem,
            };
            left = Node::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Node, ExprError> {
        if self.eat_op(&["-"]).is_some() {
            return Ok(Node::Negate(Box::new(self.unary()?)));
        }
        if self.eat_op(&["+"]).is_some() {
            return self.unary();
        }
        self.power()
    }

    /// `^` binds tighter than unary minus on its left and is right-associative.
    fn power(&mut self) -> Result<Node, ExprError> {
        let base = self.primary()?;
        if self.eat_op(&["^"]).is_some() {
            let exponent = self.unary()?;
            return Ok(Node::Binary(
                BinaryOp::Pow,
                Box::new(base),
                Box::new(exponent),
            ));
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<Node, ExprError> {
        let at = self.at();
        match self.tokens.get(self.next).map(|(_, t)| t.clone()) {
            Some(Token::Number(value)) => {
                self.next += 1;
                Ok(Node::Number(value))
            }
            Some(Token::Open) => {
                self.next += 1;
                let inner = self.comparison()?;
                if self.peek() != Some(&Token::Close) {
                    return self.error("expected `)`");
                }
                self.next += 1;
                Ok(inner)
            }
            Some(Token::Name(name)) => {
                self.next += 1;
                if self.peek() == Some(&Token::Open) {
                    self.next += 1;
                    return self.call(&name, at);
                }
                match self.variables.iter().position(|v| *v == name) {
                    Some(index) => Ok(Node::Variable(index)),
                    None => Err(ExprError {
                        at,
                        problem: format!(
                            "unknown variable `{name}` (this formula may use: {})",
                            self.variables.join(", ")
                        ),
                    }),
                }
            }
            Some(_) => self.error("expected a number, a variable, a function or `(`"),
            None => self.error("the formula ends too soon"),
        }
    }

    fn call(&mut self, name: &str, at: usize) -> Result<Node, ExprError> {
        let Some(function) = Function::named(name) else {
            return Err(ExprError {
                at,
                problem: format!(
                    "unknown function `{name}` (functions: min, max, floor, ceil, round, abs, sqrt, clamp, if)"
                ),
            });
        };
        let mut arguments = Vec::new();
        if self.peek() != Some(&Token::Close) {
            loop {
                arguments.push(self.comparison()?);
                match self.peek() {
                    Some(Token::Comma) => self.next += 1,
                    Some(Token::Close) => break,
                    _ => return self.error("expected `,` or `)`"),
                }
            }
        }
        self.next += 1;
        if !function.takes(arguments.len()) {
            return Err(ExprError {
                at,
                problem: format!("`{name}` does not take {} arguments", arguments.len()),
            });
        }
        Ok(Node::Call(function, arguments))
    }
}

impl Expr {
    /// Compiles `text`; `variables` are the names it may use, in the order their values are
    /// given to [`Expr::eval`].
    pub fn compile(text: &str, variables: &[&str]) -> Result<Expr, ExprError> {
        let tokens = tokenize(text)?;
        if tokens.is_empty() {
            return Err(ExprError {
                at: 0,
                problem: "the formula is empty".into(),
            });
        }
        let mut parser = Parser {
            tokens,
            next: 0,
            variables,
            end: text.len(),
        };
        let node = parser.comparison()?;
        if parser.next < parser.tokens.len() {
            return parser.error("unexpected text after the end of the formula");
        }
        Ok(Expr { node })
    }

    /// The value with `values[i]` for the i-th variable given to [`Expr::compile`]; a missing
    /// value counts as 0.
    pub fn eval(&self, values: &[f64]) -> f64 {
        eval(&self.node, values)
    }
}

fn truth(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

fn eval(node: &Node, values: &[f64]) -> f64 {
    match node {
        Node::Number(value) => *value,
        Node::Variable(index) => values.get(*index).copied().unwrap_or(0.0),
        Node::Negate(inner) => -eval(inner, values),
        Node::Binary(op, left, right) => {
            let (a, b) = (eval(left, values), eval(right, values));
            match op {
                BinaryOp::Add => a + b,
                BinaryOp::Sub => a - b,
                BinaryOp::Mul => a * b,
                BinaryOp::Div => a / b,
                BinaryOp::Rem => a % b,
                BinaryOp::Pow => a.powf(b),
                BinaryOp::Eq => truth(a == b),
                BinaryOp::Ne => truth(a != b),
                BinaryOp::Lt => truth(a < b),
                BinaryOp::Le => truth(a <= b),
                BinaryOp::Gt => truth(a > b),
                BinaryOp::Ge => truth(a >= b),
            }
        }
        Node::Call(function, arguments) => {
            let arg = |i: usize| arguments.get(i).map_or(0.0, |n| eval(n, values));
            match function {
                Function::Min => arguments
                    .iter()
                    .map(|n| eval(n, values))
                    .fold(f64::INFINITY, f64::min),
                Function::Max => arguments
                    .iter()
                    .map(|n| eval(n, values))
                    .fold(f64::NEG_INFINITY, f64::max),
                Function::Floor => arg(0).floor(),
                Function::Ceil => arg(0).ceil(),
                Function::Round => arg(0).round(),
                Function::Abs => arg(0).abs(),
                Function::Sqrt => arg(0).sqrt(),
                Function::Clamp => arg(0).max(arg(1)).min(arg(2)),
                // Only the chosen branch is evaluated.
                Function::If => {
                    if arg(0) != 0.0 {
                        arg(1)
                    } else {
                        arg(2)
                    }
                }
            }
        }
    }
}

/// Converts a formula's value to an integer in `0..=max`: NaN counts as 0, fractions are cut
/// (as EOSERV's formulas do).
pub fn to_bounded(value: f64, max: u32) -> u32 {
    if value.is_nan() || value <= 0.0 {
        return 0;
    }
    let max_f = f64::from(max);
    if value >= max_f {
        return max;
    }
    value.floor() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, variables: &[&str], values: &[f64]) -> f64 {
        Expr::compile(text, variables).unwrap().eval(values)
    }

    #[test]
    fn arithmetic_follows_precedence() {
        assert_eq!(value("1 + 2 * 3", &[], &[]), 7.0);
        assert_eq!(value("(1 + 2) * 3", &[], &[]), 9.0);
        assert_eq!(value("2 ^ 3 ^ 2", &[], &[]), 512.0);
        assert_eq!(value("-2 ^ 2", &[], &[]), -4.0);
        assert_eq!(value("10 - 4 - 3", &[], &[]), 3.0);
        assert_eq!(value("7 % 4 + 1.5", &[], &[]), 4.5);
        assert_eq!(value("3 < 4", &[], &[]), 1.0);
        assert_eq!(value("3 >= 4", &[], &[]), 0.0);
    }

    #[test]
    fn variables_and_functions() {
        let vars = ["level", "con"];
        assert_eq!(
            value("10 + 2.5 * level + 2.5 * con", &vars, &[4.0, 2.0]),
            25.0
        );
        assert_eq!(value("min(0.8, max(0.5, level / 10))", &vars, &[9.0]), 0.8);
        assert_eq!(value("if(con == 0, 1, level)", &vars, &[5.0, 0.0]), 1.0);
        assert_eq!(value("if(con, 1, level)", &vars, &[5.0, 3.0]), 1.0);
        assert_eq!(value("round(level ^ 3 * 133.1)", &vars, &[2.0]), 1065.0);
        assert_eq!(value("clamp(level, 1, 3)", &vars, &[9.0]), 3.0);
        assert_eq!(value("floor(7 / 2) + ceil(0.1) + abs(-1)", &vars, &[]), 5.0);
    }

    #[test]
    fn errors_say_what_and_where() {
        let error = Expr::compile("10 + strr", &["str"]).unwrap_err();
        assert_eq!(error.at, 5);
        assert!(error.problem.contains("unknown variable `strr`"), "{error}");
        assert!(error.problem.contains("str"));
        for bad in [
            "", "1 +", "(1", "1 2", "foo(1)", "min(1)", "if(1, 2)", "1 $ 2", "1..2",
        ] {
            assert!(Expr::compile(bad, &[]).is_err(), "{bad:?} compiled");
        }
    }

    #[test]
    fn bounded_conversion_never_overflows() {
        assert_eq!(to_bounded(f64::NAN, 10), 0);
        assert_eq!(to_bounded(-5.0, 10), 0);
        assert_eq!(to_bounded(f64::INFINITY, 10), 10);
        assert_eq!(to_bounded(7.9, 10), 7);
        assert_eq!(value("1 / 0", &[], &[]), f64::INFINITY);
    }
}
