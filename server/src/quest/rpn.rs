//! `StatRpn`'s expressions, evaluated as EOSERV does: tokens separated by spaces, read left to
//! right onto a stack; an operator takes its operands from the top of the stack, the top one
//! first. So `"level 10 >"` is `10 > level` (EOSERV's order, kept so its quest files mean the
//! same here). Names are the character's stats (`Stat::named`); numbers are numbers.

use super::ast::Stat;

/// An operator: its names and how many operands it takes.
struct Operator {
    names: &'static [&'static str],
    operands: usize,
    apply: fn(&[f64]) -> f64,
}

fn truth(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// EOSERV's tolerance when comparing.
const EPSILON: f64 = 0.000_01;

const OPERATORS: &[Operator] = &[
    Operator {
        names: &["+", "add"],
        operands: 2,
        apply: |a| a[0] + a[1],
    },
    Operator {
        names: &["-", "sub"],
        operands: 2,
        apply: |a| a[0] - a[1],
    },
    Operator {
        names: &["*", "mul"],
        operands: 2,
        apply: |a| a[0] * a[1],
    },
    Operator {
        names: &["/", "div"],
        operands: 2,
        apply: |a| if a[1] == 0.0 { 0.0 } else { a[0] / a[1] },
    },
    Operator {
        names: &["%", "mod"],
        operands: 2,
        apply: |a| {
            let (x, y) = (a[0] as i64, a[1] as i64);
            if y == 0 {
                0.0
            } else {
                x.wrapping_rem(y) as f64
            }
        },
    },
    Operator {
        names: &["&&", "and"],
        operands: 2,
        apply: |a| truth(a[0] != 0.0 && a[1] != 0.0),
    },
    Operator {
        names: &["||", "or"],
        operands: 2,
        apply: |a| truth(a[0] != 0.0 || a[1] != 0.0),
    },
    Operator {
        names: &["!", "not"],
        operands: 1,
        apply: |a| truth(a[0] == 0.0),
    },
    Operator {
        names: &["neg"],
        operands: 1,
        apply: |a| -a[0],
    },
    Operator {
        names: &["min"],
        operands: 2,
        apply: |a| a[0].min(a[1]),
    },
    Operator {
        names: &["max"],
        operands: 2,
        apply: |a| a[0].max(a[1]),
    },
    Operator {
        names: &["floor"],
        operands: 1,
        apply: |a| a[0].floor(),
    },
    Operator {
        names: &["ceil"],
        operands: 1,
        apply: |a| a[0].ceil(),
    },
    Operator {
        names: &["round"],
        operands: 1,
        apply: |a| (a[0] + 0.5).floor(),
    },
    Operator {
        names: &["<", "lt"],
        operands: 2,
        apply: |a| truth(a[0] < a[1] - EPSILON),
    },
    Operator {
        names: &["<=", "lte"],
        operands: 2,
        apply: |a| truth(a[0] <= a[1] + EPSILON),
    },
    Operator {
        names: &["=", "==", "eq"],
        operands: 2,
        apply: |a| truth((a[0] - a[1]).abs() <= EPSILON),
    },
    Operator {
        names: &["!=", "ne"],
        operands: 2,
        apply: |a| truth((a[0] - a[1]).abs() > EPSILON),
    },
    Operator {
        names: &[">=", "gte"],
        operands: 2,
        apply: |a| truth(a[0] >= a[1] - EPSILON),
    },
    Operator {
        names: &[">", "gt"],
        operands: 2,
        apply: |a| truth(a[0] > a[1] + EPSILON),
    },
    Operator {
        names: &["?", "iif"],
        operands: 3,
        apply: |a| if a[0] != 0.0 { a[1] } else { a[2] },
    },
];

fn operator(token: &str) -> Option<&'static Operator> {
    let lower = token.to_ascii_lowercase();
    OPERATORS.iter().find(|o| o.names.contains(&lower.as_str()))
}

/// What a token is.
enum Item {
    Op(&'static Operator),
    Value(Value),
}

enum Value {
    Number(f64),
    Stat(Stat),
}

fn item(token: &str) -> Result<Item, String> {
    if let Some(op) = operator(token) {
        return Ok(Item::Op(op));
    }
    if let Ok(n) = token.parse::<f64>()
        && n.is_finite()
    {
        return Ok(Item::Value(Value::Number(n)));
    }
    Stat::named(token)
        .map(|s| Item::Value(Value::Stat(s)))
        .ok_or_else(|| format!("a number, stat or operator in the expression; found \"{token}\""))
}

/// Evaluates `expression` with `stat` giving the character's values; `Err` if it is malformed
/// (a token that is none of the above, too few operands, nothing left).
pub fn eval(expression: &str, stat: &dyn Fn(Stat) -> i64) -> Result<f64, String> {
    let mut stack: Vec<f64> = Vec::new();
    for token in expression.split_whitespace() {
        match item(token)? {
            Item::Value(Value::Number(n)) => stack.push(n),
            Item::Value(Value::Stat(s)) => stack.push(stat(s) as f64),
            Item::Op(op) => {
                if stack.len() < op.operands {
                    return Err(format!("an operand for \"{token}\"; the stack is empty"));
                }
                let operands: Vec<f64> = (0..op.operands).filter_map(|_| stack.pop()).collect();
                stack.push((op.apply)(&operands));
            }
        }
    }
    stack
        .pop()
        .ok_or_else(|| "an expression; it is empty".to_owned())
}

/// Whether `expression` is well formed (evaluated with every stat 0).
pub fn check(expression: &str) -> Result<(), String> {
    eval(expression, &|_| 0).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level_12(stat: Stat) -> i64 {
        if stat == Stat::Level { 12 } else { 3 }
    }

    #[test]
    fn operands_come_off_the_top_first_as_in_eoserv() {
        assert_eq!(eval("level 10 >", &level_12), Ok(0.0));
        assert_eq!(eval("level 10 <", &level_12), Ok(1.0));
        assert_eq!(eval("10 level - 2 =", &level_12), Ok(1.0));
        assert_eq!(eval("str 3 == level 12 eq and", &level_12), Ok(1.0));
    }

    #[test]
    fn malformed_expressions_are_errors() {
        assert!(check("").is_err());
        assert!(check("level >").is_err());
        assert!(check("level bogus >").is_err());
        assert!(check("1 0 /").is_ok());
    }
}
