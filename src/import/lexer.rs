//! Splitting one OpenDSS script line into tokens, and reading values.
//!
//! OpenDSS separates tokens with blanks or commas. A token is `value` (positional) or
//! `name=value` (blanks allowed around `=`). A value may be wrapped in `"…"`, `'…'`, `(…)`,
//! `[…]` or `{…}`; the wrapper is removed and the content kept as one value (a list, a matrix or
//! an RPN expression). `!` and `//` outside a wrapper start a comment.

/// One token of a command line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token<'a> {
    /// The property name before `=`, if any.
    pub name: Option<&'a str>,
    /// The value, without its wrapper.
    pub value: &'a str,
    /// The opening wrapper character (`(`, `[`, `{`, `"`, `'`), if the value was wrapped.
    pub wrapped: Option<u8>,
}

/// Why a line could not be split into tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LexError(pub String);

fn closing(open: u8) -> Option<u8> {
    match open {
        b'(' => Some(b')'),
        b'[' => Some(b']'),
        b'{' => Some(b'}'),
        b'"' => Some(b'"'),
        b'\'' => Some(b'\''),
        _ => None,
    }
}

fn is_separator(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b',' || b == b'\r' || b == b'\n' || b == 0x0c
}

fn starts_comment(bytes: &[u8], i: usize) -> bool {
    bytes[i] == b'!' || (bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'/'))
}

/// Splits `line` into tokens, stopping at a comment.
pub(crate) fn tokenize(line: &str) -> Result<Vec<Token<'_>>, LexError> {
    let bytes = line.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let skip_blanks = |mut i: usize| {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t' || bytes[i] == b'\r') {
            i += 1;
        }
        i
    };
    loop {
        while i < bytes.len() && is_separator(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() || starts_comment(bytes, i) {
            break;
        }
        let (word, wrapped, next) = read_word(line, i, false)?;
        i = skip_blanks(next);
        if wrapped.is_none() && i < bytes.len() && bytes[i] == b'=' {
            i = skip_blanks(i + 1);
            if i >= bytes.len() || starts_comment(bytes, i) || bytes[i] == b',' {
                tokens.push(Token { name: Some(word), value: "", wrapped: None });
                continue;
            }
            let (value, wrapped, next) = read_word(line, i, true)?;
            tokens.push(Token { name: Some(word), value, wrapped });
            i = next;
        } else {
            tokens.push(Token { name: None, value: word, wrapped });
        }
    }
    Ok(tokens)
}

/// Reads one word at `start`: a wrapped value or a bare run of characters.
/// Returns the word, its wrapper and the index after it.
fn read_word(
    line: &str,
    start: usize,
    is_value: bool,
) -> Result<(&str, Option<u8>, usize), LexError> {
    let bytes = line.as_bytes();
    if let Some(close) = closing(bytes[start]) {
        let open = bytes[start];
        let mut depth = 0usize;
        let mut j = start + 1;
        while j < bytes.len() {
            let b = bytes[j];
            if b == close && depth == 0 {
                return Ok((&line[start + 1..j], Some(open), j + 1));
            } else if b == close {
                depth -= 1;
            } else if b == open && open != close {
                depth += 1;
            }
            j += 1;
        }
        return Err(LexError(format!(
            "unbalanced `{}`: no closing `{}`",
            open as char, close as char
        )));
    }
    let mut j = start;
    while j < bytes.len() {
        let b = bytes[j];
        if is_separator(b) || starts_comment(bytes, j) || (!is_value && b == b'=') {
            break;
        }
        if matches!(b, b')' | b']' | b'}') {
            return Err(LexError(format!("unbalanced `{}`: no opening bracket", b as char)));
        }
        j += 1;
    }
    Ok((&line[start..j], None, j))
}

/// Reads a number: a plain decimal, or an RPN expression such as `(115 12.47 /)`.
/// Non-finite results are refused.
pub(crate) fn parse_number(value: &str) -> Option<f64> {
    let v = value.trim();
    let x = match v.parse::<f64>() {
        Ok(x) => x,
        Err(_) => eval_rpn(v)?,
    };
    x.is_finite().then_some(x)
}

/// Evaluates an OpenDSS postfix (RPN) expression: numbers, `+ - * / ^`, `sqr`, `sqrt`, `inv`,
/// `ln`, `exp`, `log10`, `pi`, `swap`, `rollup`/`rolldn` are not needed and refused.
/// The result is the top of the stack.
pub(crate) fn eval_rpn(expr: &str) -> Option<f64> {
    let mut stack: Vec<f64> = Vec::new();
    for item in expr.split(|c: char| c.is_whitespace() || c == ',').filter(|s| !s.is_empty()) {
        if let Ok(x) = item.parse::<f64>() {
            stack.push(x);
            continue;
        }
        let op = item.to_ascii_lowercase();
        match op.as_str() {
            "+" | "-" | "*" | "/" | "^" => {
                let x = stack.pop()?;
                let y = stack.pop()?;
                stack.push(match op.as_str() {
                    "+" => y + x,
                    "-" => y - x,
                    "*" => y * x,
                    "/" => y / x,
                    _ => y.powf(x),
                });
            }
            "sqr" | "sqrt" | "inv" | "ln" | "exp" | "log10" => {
                let x = stack.pop()?;
                stack.push(match op.as_str() {
                    "sqr" => x * x,
                    "sqrt" => x.sqrt(),
                    "inv" => 1.0 / x,
                    "ln" => x.ln(),
                    "exp" => x.exp(),
                    _ => x.log10(),
                });
            }
            "pi" => stack.push(std::f64::consts::PI),
            "swap" => {
                let x = stack.pop()?;
                let y = stack.pop()?;
                stack.push(x);
                stack.push(y);
            }
            _ => return None,
        }
    }
    stack.pop()
}

/// Splits a list value `a, b`, `a b` or `a | b` into its items, quotes removed.
pub(crate) fn split_list(value: &str) -> Vec<&str> {
    value
        .split(|c: char| c.is_whitespace() || c == ',' || c == '|')
        .map(|s| s.trim_matches(|c| c == '"' || c == '\''))
        .filter(|s| !s.is_empty())
        .collect()
}

/// OpenDSS yes/no: true when the value starts with `y` or `t` (`yes`, `true`, `y`).
pub(crate) fn parse_bool(value: &str) -> bool {
    matches!(value.trim().bytes().next(), Some(b'y' | b'Y' | b't' | b'T'))
}

/// The topological bus name: lower case, node suffix (`.1.2.3`) removed.
pub(crate) fn bus_name(reference: &str) -> String {
    let base = reference.split('.').next().unwrap_or(reference).trim();
    base.to_lowercase()
}

/// Length units of OpenDSS lines and line codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LengthUnit {
    /// `none`: no unit given.
    None,
    Miles,
    KiloFeet,
    Kilometres,
    Metres,
    Feet,
    Inches,
    Centimetres,
    Millimetres,
}

impl LengthUnit {
    /// Parses a unit as OpenDSS does (by its first letters); unknown words are `None`.
    pub(crate) fn parse(value: &str) -> LengthUnit {
        let v = value.trim().to_ascii_lowercase();
        if v == "m" || v.starts_with("me") {
            return LengthUnit::Metres;
        }
        match v.get(..2).unwrap_or(&v) {
            "mi" => LengthUnit::Miles,
            "kf" => LengthUnit::KiloFeet,
            "km" => LengthUnit::Kilometres,
            "ft" => LengthUnit::Feet,
            "in" => LengthUnit::Inches,
            "cm" => LengthUnit::Centimetres,
            "mm" => LengthUnit::Millimetres,
            _ => LengthUnit::None,
        }
    }

    /// Metres per unit; `None` for [`LengthUnit::None`].
    pub(crate) fn metres(self) -> Option<f64> {
        Some(match self {
            LengthUnit::None => return None,
            LengthUnit::Miles => 1609.344,
            LengthUnit::KiloFeet => 304.8,
            LengthUnit::Kilometres => 1000.0,
            LengthUnit::Metres => 1.0,
            LengthUnit::Feet => 0.3048,
            LengthUnit::Inches => 0.0254,
            LengthUnit::Centimetres => 0.01,
            LengthUnit::Millimetres => 0.001,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(line: &str) -> Vec<(Option<String>, String)> {
        tokenize(line)
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.name.map(str::to_string), t.value.to_string()))
            .collect()
    }

    #[test]
    fn a_new_command_splits_into_verb_object_and_properties() {
        let t = pairs("New Line.L1  Bus1=1.2 Bus2 = 2.2, Length=0.175 units=kft ! comment");
        assert_eq!(t.len(), 6);
        assert_eq!(t[0], (None, "New".into()));
        assert_eq!(t[1], (None, "Line.L1".into()));
        assert_eq!(t[3], (Some("Bus2".into()), "2.2".into()));
        assert_eq!(t[5], (Some("units".into()), "kft".into()));
    }

    #[test]
    fn wrapped_values_keep_their_content() {
        let t = tokenize("~ buses=(a, b) kvs=[7.2 0.12] x=(1 2 +) s=\"p q\" n={1 2 *}")
            .unwrap_or_default();
        assert_eq!(t[1].value, "a, b");
        assert_eq!(t[1].wrapped, Some(b'('));
        assert_eq!(t[2].value, "7.2 0.12");
        assert_eq!(t[4].value, "p q");
        assert_eq!(t[5].value, "1 2 *");
    }

    #[test]
    fn a_tab_after_the_equals_sign_is_allowed() {
        let t = pairs("New\tLine.X\tSwitch=\tyes\tphases=1");
        assert_eq!(t[2], (Some("Switch".into()), "yes".into()));
    }

    #[test]
    fn comments_end_the_line_outside_wrappers_only() {
        assert_eq!(pairs("kw=5!x").len(), 1);
        assert_eq!(pairs("// New Line.X").len(), 0);
        assert_eq!(pairs("a=2/0_acsr").first().map(|p| p.1.clone()), Some("2/0_acsr".into()));
        assert_eq!(pairs("mult=(file=x!y.txt)")[0].1, "file=x!y.txt");
    }

    #[test]
    fn unbalanced_wrappers_are_errors() {
        assert!(tokenize("x=(1 2").is_err());
        assert!(tokenize("x=\"abc").is_err());
        assert!(tokenize("x=1)").is_err());
        assert!(tokenize("x=[1 2)").is_err());
    }

    #[test]
    fn rpn_expressions_evaluate() {
        assert_eq!(parse_number("(8 1000 /)".trim_matches(|c| c == '(' || c == ')')), Some(0.008));
        assert_eq!(parse_number("2475"), Some(2475.0));
        assert_eq!(parse_number("3 sqr"), Some(9.0));
        assert_eq!(parse_number("1 +"), None);
        assert_eq!(parse_number("nan"), None);
        assert_eq!(parse_number("1 0 /"), None);
    }

    #[test]
    fn bus_references_lose_their_nodes() {
        assert_eq!(bus_name("X2804253A.1.0"), "x2804253a");
        assert_eq!(bus_name("SourceBus"), "sourcebus");
    }

    #[test]
    fn units_and_booleans_follow_opendss() {
        assert_eq!(LengthUnit::parse("kft").metres(), Some(304.8));
        assert_eq!(LengthUnit::parse("m").metres(), Some(1.0));
        assert_eq!(LengthUnit::parse("meter").metres(), Some(1.0));
        assert_eq!(LengthUnit::parse("mi").metres(), Some(1609.344));
        assert_eq!(LengthUnit::parse("none").metres(), None);
        assert!(parse_bool("Yes") && parse_bool("true") && parse_bool("y"));
        assert!(!parse_bool("False") && !parse_bool("n") && !parse_bool("no") && !parse_bool(""));
        assert_eq!(split_list("L2804253.1 X.1.0, \"Y\""), vec!["L2804253.1", "X.1.0", "Y"]);
    }
}
