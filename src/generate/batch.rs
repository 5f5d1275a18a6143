//! Multi-row `INSERT` statements for generated data, written with the values inline.
//!
//! The generator inserts millions of rows: one statement per 500 rows, sent as plain
//! SQL (no prepared statement, no per-value binding), is what makes that take minutes
//! rather than hours on both databases. Only the generator uses this, with values it
//! makes itself; text is still quoted properly ([`V::T`] doubles `'`), so any string
//! is stored as it is.

use std::fmt::Write;

/// Rows per statement: well under SQLite's and PostgreSQL's limits on statement size.
pub const ROWS_PER_STATEMENT: usize = 500;

/// One value of a row.
#[derive(Debug, Clone, Copy)]
pub enum V<'a> {
    I(i64),
    T(&'a str),
    Null,
}

impl V<'_> {
    fn write_to(self, out: &mut String) {
        match self {
            V::I(n) => {
                let _ = write!(out, "{n}");
            }
            V::T(text) => {
                out.push('\'');
                for c in text.chars().filter(|c| *c != '\0') {
                    if c == '\'' {
                        out.push('\'');
                    }
                    out.push(c);
                }
                out.push('\'');
            }
            V::Null => out.push_str("NULL"),
        }
    }
}

impl<'a> From<Option<&'a str>> for V<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(V::Null, V::T)
    }
}

impl From<Option<i64>> for V<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(V::Null, V::I)
    }
}

/// The rows waiting to be inserted into one table, as finished statements.
#[derive(Debug)]
pub struct Table {
    head: String,
    current: String,
    rows_in_current: usize,
    statements: Vec<String>,
    pub rows: u64,
}

impl Table {
    pub fn new(table: &str, columns: &[&str]) -> Self {
        Self {
            head: format!("INSERT INTO {table} ({}) VALUES ", columns.join(", ")),
            current: String::new(),
            rows_in_current: 0,
            statements: Vec::new(),
            rows: 0,
        }
    }

    pub fn push(&mut self, values: &[V<'_>]) {
        if self.rows_in_current == 0 {
            self.current.push_str(&self.head);
        } else {
            self.current.push_str(", ");
        }
        self.current.push('(');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.current.push_str(", ");
            }
            v.write_to(&mut self.current);
        }
        self.current.push(')');
        self.rows_in_current += 1;
        self.rows += 1;
        if self.rows_in_current == ROWS_PER_STATEMENT {
            self.finish_statement();
        }
    }

    fn finish_statement(&mut self) {
        if self.rows_in_current > 0 {
            self.statements.push(std::mem::take(&mut self.current));
            self.rows_in_current = 0;
        }
    }

    /// Every statement for the rows pushed since the last call.
    pub fn take(&mut self) -> Vec<String> {
        self.finish_statement();
        std::mem::take(&mut self.statements)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_quoted_multi_row_statements() {
        let mut t = Table::new("client", &["id", "name", "note"]);
        t.push(&[V::I(1), V::T("O'Brien & Sons"), V::Null]);
        t.push(&[V::I(-2), V::T("x\0y"), Some("n").into()]);
        assert_eq!(
            t.take(),
            vec![
                "INSERT INTO client (id, name, note) VALUES (1, 'O''Brien & Sons', NULL), (-2, 'xy', 'n')"
            ]
        );
        assert!(t.take().is_empty());
        assert_eq!(t.rows, 2);
    }

    #[test]
    fn a_statement_holds_at_most_the_row_limit() {
        let mut t = Table::new("t", &["id"]);
        for i in 0..(ROWS_PER_STATEMENT as i64 * 2 + 1) {
            t.push(&[V::I(i)]);
        }
        let statements = t.take();
        assert_eq!(statements.len(), 3);
        assert_eq!(statements[2], "INSERT INTO t (id) VALUES (1000)");
    }
}
