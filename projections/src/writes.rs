//! The SQL writes of a batch of events, pipelined in one transaction.

use std::borrow::Cow;
use std::collections::HashMap;

use deadpool_postgres::Transaction;
use futures_util::future::try_join_all;
use tokio_postgres::types::ToSql;

pub type Param = Box<dyn ToSql + Send + Sync>;

/// The statements an event makes, executed in the order pushed.
#[derive(Default)]
pub struct Writes {
    items: Vec<(Cow<'static, str>, Vec<Param>)>,
}

impl Writes {
    pub fn push(&mut self, sql: impl Into<Cow<'static, str>>, params: Vec<Param>) {
        self.items.push((sql.into(), params));
    }

    /// Adds `other`'s writes after these.
    pub fn append(&mut self, mut other: Writes) {
        self.items.append(&mut other.items);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Runs every write in `tx`, in order: runs of the same plain `INSERT … VALUES (…)`
    /// become multi-row inserts, each distinct statement is prepared once, and all are sent
    /// without waiting for one another (tokio-postgres sends them in the order first polled).
    pub(crate) async fn execute(self, tx: &Transaction<'_>) -> Result<(), tokio_postgres::Error> {
        let mut plan: Vec<(String, Vec<&Param>)> = Vec::new();
        let mut i = 0;
        while i < self.items.len() {
            let (sql, _) = &self.items[i];
            let run = self.items[i..].iter().take_while(|(other, _)| other == sql).count();
            match multi_row_insert(sql) {
                Some((head, tuple)) if run > 1 => {
                    let mut done = 0;
                    for &chunk in &INSERT_CHUNKS {
                        while run - done >= chunk {
                            let rows = &self.items[i + done..i + done + chunk];
                            let params_per_row = rows[0].1.len();
                            let tuples: Vec<String> = (0..chunk).map(|r| renumber(tuple, r * params_per_row)).collect();
                            let params = rows.iter().flat_map(|(_, p)| p.iter()).collect();
                            plan.push((format!("{head} {}", tuples.join(", ")), params));
                            done += chunk;
                        }
                    }
                }
                _ => {
                    for (sql, params) in &self.items[i..i + run] {
                        plan.push((sql.to_string(), params.iter().collect()));
                    }
                }
            }
            i += run;
        }
        let mut statements: HashMap<&str, tokio_postgres::Statement> = HashMap::new();
        for (sql, _) in &plan {
            if !statements.contains_key(sql.as_str()) {
                statements.insert(sql.as_str(), tx.prepare_cached(sql).await?);
            }
        }
        let pending = plan.iter().map(|(sql, params)| {
            let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &***p as &(dyn ToSql + Sync)).collect();
            let statement = &statements[sql.as_str()];
            async move { tx.execute(statement, &params).await }
        });
        try_join_all(pending).await?;
        Ok(())
    }
}

/// Rows per merged insert; few sizes, so few prepared statements.
const INSERT_CHUNKS: [usize; 4] = [64, 16, 4, 1];

/// For `INSERT INTO t (…) VALUES (…)` with nothing after the values: the part up to and
/// including `VALUES`, and the tuple. Anything else (ON CONFLICT, RETURNING, SELECT) is
/// not merged.
fn multi_row_insert(sql: &str) -> Option<(&str, &str)> {
    let trimmed = sql.trim();
    if !trimmed.get(..6)?.eq_ignore_ascii_case("insert") {
        return None;
    }
    let at = trimmed.to_ascii_uppercase().rfind("VALUES")? + "VALUES".len();
    let (head, tuple) = trimmed.split_at(at);
    let tuple = tuple.trim();
    let mut depth = 0i32;
    for (k, c) in tuple.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && k != tuple.len() - 1 {
                    return None;
                }
            }
            '\'' => return None,
            _ => {}
        }
    }
    (tuple.starts_with('(') && depth == 0).then_some((head, tuple))
}

/// `($1, $2)` shifted by `offset`: `($3, $4)` for an offset of 2.
fn renumber(tuple: &str, offset: usize) -> String {
    let mut out = String::with_capacity(tuple.len() + 8);
    let mut chars = tuple.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '$' {
            let mut n = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(*d);
                chars.next();
            }
            let n: usize = n.parse().unwrap_or(0);
            out.push_str(&(n + offset).to_string());
        }
    }
    out
}

/// Boxes query parameters for `Writes::push`.
#[macro_export]
macro_rules! params {
    ($($p:expr),* $(,)?) => { vec![$(Box::new($p) as $crate::Param),*] };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_value_inserts_are_merged() {
        assert_eq!(multi_row_insert("INSERT INTO t (a, b) VALUES ($1, now())"), Some(("INSERT INTO t (a, b) VALUES", "($1, now())")));
        assert_eq!(multi_row_insert("insert into t values ($1, lower($2))"), Some(("insert into t values", "($1, lower($2))")));
        assert_eq!(multi_row_insert("INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING"), None);
        assert_eq!(multi_row_insert("INSERT INTO t (a) VALUES ($1) RETURNING a"), None);
        assert_eq!(multi_row_insert("INSERT INTO t (a) SELECT $1"), None);
        assert_eq!(multi_row_insert("INSERT INTO t (a) VALUES ('x)')"), None);
        assert_eq!(multi_row_insert("UPDATE t SET a = $1"), None);
    }

    #[test]
    fn parameters_are_shifted_row_by_row() {
        assert_eq!(renumber("($1, $2, $10, $1)", 11), "($12, $13, $21, $12)");
    }
}
