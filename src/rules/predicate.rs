//! Scoping predicates (`when = "alive && age >= 14"`), parsed once and evaluated a
//! column at a time into a boolean mask, so a predicate costs a few passes over plain
//! slices instead of an interpreter call per row.
//!
//! Grammar: `or := and (("||"|"or") and)*`, `and := not (("&&"|"and") not)*`,
//! `not := ("!"|"not") not | cmp`, `cmp := operand (op operand)?`,
//! `operand := ident | number | "string" | ident "(" ident ")" | "(" or ")"`, with
//! `op` one of `== != < <= > >=`. Identifiers are facts (`alive`, `dead`, `age`, …)
//! or column names; `empty(col)` / `present(col)` test for blanks; text compares
//! folded (case and diacritics ignored).

use crate::model::{Column, Table};
use crate::normalize::text::fold_compact;

/// A parsed predicate.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Both.
    And(Box<Expr>, Box<Expr>),
    /// Either.
    Or(Box<Expr>, Box<Expr>),
    /// Negation.
    Not(Box<Expr>),
    /// Comparison.
    Compare(Operand, CompareOp, Operand),
    /// A boolean fact or function used on its own.
    Truth(Operand),
}

/// A leaf value.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// Fact or column name.
    Name(String),
    /// Number literal.
    Number(f64),
    /// String literal.
    Text(String),
    /// `empty(col)` or `present(col)`.
    Call(String, String),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Facts a predicate can use, as columns over a dataset's rows.
pub enum FactColumn<'a> {
    /// A yes/no fact.
    Bool(&'a [bool]),
    /// A numeric fact; `i16::MIN` means unknown (compares false).
    Int(&'a [i16]),
}

/// The kind of a name, for validation before any data is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A yes/no fact.
    BoolFact,
    /// A numeric fact.
    IntFact,
    /// A column.
    Column,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Number(f64),
    Text(String),
    Op(CompareOp),
    And,
    Or,
    Not,
    Open,
    Close,
}

fn tokenize(source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                tokens.push(Token::Open);
                i += 1
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1
            }
            '&' if next == Some('&') => {
                tokens.push(Token::And);
                i += 2
            }
            '|' if next == Some('|') => {
                tokens.push(Token::Or);
                i += 2
            }
            '=' if next == Some('=') => {
                tokens.push(Token::Op(CompareOp::Eq));
                i += 2
            }
            '!' if next == Some('=') => {
                tokens.push(Token::Op(CompareOp::Ne));
                i += 2
            }
            '!' => {
                tokens.push(Token::Not);
                i += 1
            }
            '<' | '>' => {
                let op = match (c, next == Some('=')) {
                    ('<', true) => CompareOp::Le,
                    ('<', false) => CompareOp::Lt,
                    (_, true) => CompareOp::Ge,
                    (_, false) => CompareOp::Gt,
                };
                tokens.push(Token::Op(op));
                i += if next == Some('=') { 2 } else { 1 };
            }
            '"' | '\'' => {
                let quote = c;
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && chars[end] != quote {
                    end += 1;
                }
                if end >= chars.len() {
                    return Err(format!(
                        "unterminated string starting at character {}",
                        i + 1
                    ));
                }
                tokens.push(Token::Text(chars[start..end].iter().collect()));
                i = end + 1;
            }
            c if c.is_ascii_digit() || (c == '-' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let value = text
                    .parse::<f64>()
                    .map_err(|_| format!("bad number \"{text}\""))?;
                tokens.push(Token::Number(value));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push(match word.as_str() {
                    "and" => Token::And,
                    "or" => Token::Or,
                    "not" => Token::Not,
                    _ => Token::Ident(word),
                });
            }
            other => return Err(format!("unexpected character '{other}' at {}", i + 1)),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.position += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.peek() == Some(&Token::And) {
            self.position += 1;
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.peek() == Some(&Token::Not) {
            self.position += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Expr, String> {
        if self.peek() == Some(&Token::Open) {
            self.position += 1;
            let inner = self.or()?;
            if self.next() != Some(Token::Close) {
                return Err("missing ')'".into());
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        if let Some(Token::Op(op)) = self.peek().cloned() {
            self.position += 1;
            let right = self.operand()?;
            return Ok(Expr::Compare(left, op, right));
        }
        Ok(Expr::Truth(left))
    }

    fn operand(&mut self) -> Result<Operand, String> {
        match self.next() {
            Some(Token::Ident(name)) => {
                if self.peek() == Some(&Token::Open) {
                    self.position += 1;
                    let Some(Token::Ident(argument)) = self.next() else {
                        return Err(format!("{name}(…) takes a column name"));
                    };
                    if self.next() != Some(Token::Close) {
                        return Err(format!("missing ')' after {name}({argument}"));
                    }
                    return Ok(Operand::Call(name, argument));
                }
                Ok(Operand::Name(name))
            }
            Some(Token::Number(n)) => Ok(Operand::Number(n)),
            Some(Token::Text(t)) => Ok(Operand::Text(t)),
            Some(other) => Err(format!("unexpected {other:?}")),
            None => Err("the expression ends too early".into()),
        }
    }
}

/// Parse a predicate and check every name with `kind_of`.
pub fn parse(source: &str, kind_of: &dyn Fn(&str) -> Option<NameKind>) -> Result<Expr, String> {
    let mut parser = Parser {
        tokens: tokenize(source)?,
        position: 0,
    };
    let expr = parser.or()?;
    if parser.position < parser.tokens.len() {
        return Err(format!(
            "unexpected {:?} after the end of the expression",
            parser.tokens[parser.position]
        ));
    }
    validate(&expr, kind_of)?;
    Ok(expr)
}

fn validate(expr: &Expr, kind_of: &dyn Fn(&str) -> Option<NameKind>) -> Result<(), String> {
    let unknown = |name: &str| format!("unknown fact or column \"{name}\"");
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => {
            validate(a, kind_of)?;
            validate(b, kind_of)
        }
        Expr::Not(a) => validate(a, kind_of),
        Expr::Truth(Operand::Name(name)) => match kind_of(name) {
            Some(NameKind::BoolFact) => Ok(()),
            Some(_) => Err(format!(
                "\"{name}\" is not a yes/no fact; compare it with a value"
            )),
            None => Err(unknown(name)),
        },
        Expr::Truth(Operand::Call(function, argument)) => {
            if function != "empty" && function != "present" {
                return Err(format!(
                    "unknown function {function}(); use empty() or present()"
                ));
            }
            match kind_of(argument) {
                Some(NameKind::Column) => Ok(()),
                _ => Err(format!(
                    "{function}() needs a column name, got \"{argument}\""
                )),
            }
        }
        Expr::Truth(other) => Err(format!("{other:?} is not a condition")),
        Expr::Compare(Operand::Name(name), _, right) => match (kind_of(name), right) {
            (Some(NameKind::IntFact), Operand::Number(_)) => Ok(()),
            (Some(NameKind::Column), Operand::Text(_)) => Ok(()),
            (Some(NameKind::IntFact), _) => Err(format!("compare \"{name}\" with a number")),
            (Some(NameKind::Column), _) => {
                Err(format!("compare column \"{name}\" with a \"text\""))
            }
            (Some(NameKind::BoolFact), _) => {
                Err(format!("\"{name}\" is yes/no: use it alone or with !"))
            }
            (None, _) => Err(unknown(name)),
        },
        Expr::Compare(left, _, _) => {
            Err(format!("put the fact or column on the left, not {left:?}"))
        }
    }
}

/// Names a predicate reads (facts included; callers ignore the ones that are not
/// columns).
pub fn columns_of(expr: &Expr, out: &mut Vec<String>) {
    let mut operand = |o: &Operand| match o {
        Operand::Name(name) | Operand::Call(_, name) => out.push(name.clone()),
        _ => {}
    };
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => {
            columns_of(a, out);
            columns_of(b, out);
        }
        Expr::Not(a) => columns_of(a, out),
        Expr::Compare(left, _, right) => {
            operand(left);
            operand(right);
        }
        Expr::Truth(o) => operand(o),
    }
}

/// Evaluate `expr` over `table`'s rows. `fact` resolves fact names.
pub fn evaluate<'a>(
    expr: &Expr,
    table: &'a Table,
    fact: &dyn Fn(&str) -> Option<FactColumn<'a>>,
) -> Vec<bool> {
    let rows = table.rows;
    match expr {
        Expr::And(a, b) => {
            let mut left = evaluate(a, table, fact);
            let right = evaluate(b, table, fact);
            left.iter_mut().zip(&right).for_each(|(l, &r)| *l &= r);
            left
        }
        Expr::Or(a, b) => {
            let mut left = evaluate(a, table, fact);
            let right = evaluate(b, table, fact);
            left.iter_mut().zip(&right).for_each(|(l, &r)| *l |= r);
            left
        }
        Expr::Not(a) => evaluate(a, table, fact).into_iter().map(|v| !v).collect(),
        Expr::Truth(Operand::Name(name)) => match fact(name) {
            Some(FactColumn::Bool(values)) => values.to_vec(),
            _ => vec![false; rows],
        },
        Expr::Truth(Operand::Call(function, column)) => {
            let want_empty = function == "empty";
            match table.column(column) {
                Some(c) => (0..rows).map(|row| c.is_blank(row) == want_empty).collect(),
                // An absent column is empty everywhere.
                None => vec![want_empty; rows],
            }
        }
        Expr::Compare(Operand::Name(name), op, Operand::Number(number)) => match fact(name) {
            Some(FactColumn::Int(values)) => values
                .iter()
                .map(|&v| v != i16::MIN && compare(f64::from(v), *op, *number))
                .collect(),
            _ => vec![false; rows],
        },
        Expr::Compare(Operand::Name(name), op, Operand::Text(text)) => {
            let wanted = fold_compact(text);
            let test = |value: &str| {
                let equal = fold_compact(value) == wanted;
                match op {
                    CompareOp::Eq => equal,
                    CompareOp::Ne => !equal,
                    _ => false,
                }
            };
            match table.column(name) {
                Some(Column::Dict(dict)) => {
                    let per_code: Vec<bool> = dict.values.iter().map(|v| test(v)).collect();
                    dict.codes.iter().map(|&c| per_code[c as usize]).collect()
                }
                Some(column) => (0..rows).map(|row| test(&column.display(row))).collect(),
                None => vec![test(""); rows],
            }
        }
        _ => vec![false; rows],
    }
}

fn compare(left: f64, op: CompareOp, right: f64) -> bool {
    match op {
        CompareOp::Eq => left == right,
        CompareOp::Ne => left != right,
        CompareOp::Lt => left < right,
        CompareOp::Le => left <= right,
        CompareOp::Gt => left > right,
        CompareOp::Ge => left >= right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(name: &str) -> Option<NameKind> {
        match name {
            "alive" => Some(NameKind::BoolFact),
            "age" => Some(NameKind::IntFact),
            "residence_type" | "phone" => Some(NameKind::Column),
            _ => None,
        }
    }

    #[test]
    fn parses_precedence() {
        let e = parse("alive && age >= 14 || !alive", &kinds).unwrap();
        assert!(matches!(e, Expr::Or(_, _)));
        let e = parse(
            "alive and (age < 14 or residence_type == 'tam_tru')",
            &kinds,
        )
        .unwrap();
        assert!(matches!(e, Expr::And(_, _)));
        assert!(parse("empty(phone) && alive", &kinds).is_ok());
    }

    #[test]
    fn rejects_bad_predicates_with_reasons() {
        let err = parse("alive && agee >= 14", &kinds).unwrap_err();
        assert!(err.contains("agee"), "{err}");
        assert!(parse("age >= 'x'", &kinds).is_err());
        assert!(parse("alive &&", &kinds).is_err());
        assert!(parse("(alive", &kinds).is_err());
        assert!(parse("age", &kinds).is_err());
        assert!(parse("foo(phone)", &kinds).is_err());
    }
}
