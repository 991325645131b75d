//! `replay --verify`: the log replayed into scratch tables and compared with the live read
//! models, table by table, then row by row where they differ.

use deadpool_postgres::{Pool, Transaction};
use store::{EventStore, Keyring, Position};

use crate::runner::{create_scratch, drop_scratch, load_checkpoint, quoted, Replay};
use crate::{Progress, Projection, ProjectionError};

/// What `verify` found for one table of a projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCheck {
    pub table: &'static str,
    pub live_rows: i64,
    pub rebuilt_rows: i64,
    /// Empty when the checksums match; otherwise the first differing rows, by key.
    pub differences: Vec<RowDifference>,
    /// How many rows differ in all (more than `differences` holds when there are many).
    pub differing_rows: i64,
}

impl TableCheck {
    pub fn same(&self) -> bool {
        self.differing_rows == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowDifference {
    /// The primary key, as `column=value, …` (the whole row when the table has no key).
    pub key: String,
    pub kind: Difference,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// In the live table only: the log does not make this row.
    OnlyLive,
    /// Made by the log but missing from the live table.
    OnlyRebuilt,
    /// In both with different values in these columns.
    Changed { columns: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub events: u64,
    /// The live checkpoint both sides were compared at.
    pub position: Position,
    pub tables: Vec<TableCheck>,
}

impl Verification {
    pub fn same(&self) -> bool {
        self.tables.iter().all(TableCheck::same)
    }
}

/// How many differing rows `verify` lists per table.
const LISTED: i64 = 20;

/// Replays the log into scratch tables, without swapping them in, and compares them with
/// the live ones at the live checkpoint. The scratch schema is dropped whatever happens.
pub async fn verify<S: EventStore, P: Projection>(
    store: &S,
    pool: &Pool,
    keyring: &Keyring,
    projection: &P,
    progress: &mut dyn Progress,
) -> Result<Verification, ProjectionError> {
    // Not `rebuild_…`: a verify must not trample a rebuild running beside it.
    let schema = quoted(&format!("verify_{}", P::NAME));
    let result = async {
        create_scratch(pool, &schema, P::TABLES).await?;
        compare(store, pool, keyring, projection, &schema, progress).await
    }
    .await;
    drop_scratch(pool, &schema).await;
    result
}

async fn compare<S: EventStore, P: Projection>(
    store: &S,
    pool: &Pool,
    keyring: &Keyring,
    projection: &P,
    schema: &str,
    progress: &mut dyn Progress,
) -> Result<Verification, ProjectionError> {
    let total = store.count().await?.unwrap_or(0);
    progress.replayed(0, total);
    let mut replay = Replay::new(keyring, total);
    // The live tables are as of their checkpoint, which may be behind the log: replay
    // exactly that far, not to the end.
    let first = load_checkpoint(pool, P::NAME).await?;
    replay.catch_up(store, pool, projection, schema, Some(first), progress).await?;
    // A repeatable-read snapshot sees the live rows and their checkpoint as one commit made
    // them (a runner writes both in one transaction), without holding the runners off.
    let mut client = pool.get().await?;
    let tx = client.build_transaction().isolation_level(tokio_postgres::IsolationLevel::RepeatableRead).start().await?;
    let row = tx.query_one("SELECT tx, pos FROM projection_checkpoints WHERE name = $1", &[&P::NAME]).await?;
    let position = Position { tx: row.get::<_, i64>(0) as u64, seq: row.get::<_, i64>(1) as u64 };
    tx.batch_execute(&format!("SET LOCAL search_path = {schema}, public")).await?;
    replay.finish(store, &tx, projection, Some(position), progress).await?;
    let mut tables = Vec::with_capacity(P::TABLES.len());
    for table in P::TABLES {
        tables.push(compare_table(&tx, schema, table).await?);
    }
    tx.rollback().await?;
    Ok(Verification { events: replay.events, position, tables })
}

async fn compare_table(tx: &Transaction<'_>, schema: &str, table: &'static str) -> Result<TableCheck, ProjectionError> {
    let name = quoted(table);
    // An order-free checksum: the sum of each row's hash. No sort, and no table-sized
    // string in the server's memory as string_agg would build. Both tables have the same
    // columns in the same order (LIKE), so a row's text is comparable.
    let checksum =
        |relation: String| format!("SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint), 0)::text FROM {relation} t");
    let live = tx.query_one(&checksum(format!("public.{name}")), &[]).await?;
    let rebuilt = tx.query_one(&checksum(format!("{schema}.{name}")), &[]).await?;
    let (live_rows, rebuilt_rows): (i64, i64) = (live.get(0), rebuilt.get(0));
    let mut check = TableCheck { table, live_rows, rebuilt_rows, differences: Vec::new(), differing_rows: 0 };
    if live_rows == rebuilt_rows && live.get::<_, String>(1) == rebuilt.get::<_, String>(1) {
        return Ok(check);
    }
    let keys: Vec<String> = tx
        .query(
            "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) \
             WHERE i.indrelid = $1::text::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)",
            &[&format!("public.{name}")],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let sql = if keys.is_empty() {
        // No key: rows are told apart by their whole text, duplicates counted.
        format!(
            "SELECT key, kind, NULL::text[], count(*) OVER () FROM ( \
               (SELECT t::text AS key, 'live' AS kind FROM public.{name} t EXCEPT ALL SELECT t::text, 'live' FROM {schema}.{name} t) \
               UNION ALL \
               (SELECT t::text, 'rebuilt' FROM {schema}.{name} t EXCEPT ALL SELECT t::text, 'rebuilt' FROM public.{name} t) \
             ) d ORDER BY key LIMIT {LISTED}"
        )
    } else {
        let first = quoted(&keys[0]);
        let on: Vec<String> = keys.iter().map(|k| format!("l.{k} = r.{k}", k = quoted(k))).collect();
        let key: Vec<String> = keys.iter().map(|k| format!("{}, coalesce(l.{q}, r.{q})::text", literal(&format!("{k}=")), q = quoted(k))).collect();
        format!(
            "SELECT concat({key}), \
               CASE WHEN r.{first} IS NULL THEN 'live' WHEN l.{first} IS NULL THEN 'rebuilt' ELSE 'changed' END, \
               ARRAY(SELECT c.key FROM jsonb_each(to_jsonb(l)) c WHERE c.value IS DISTINCT FROM to_jsonb(r) -> c.key ORDER BY c.key), \
               count(*) OVER () \
             FROM public.{name} l FULL JOIN {schema}.{name} r ON {on} \
             WHERE l.{first} IS NULL OR r.{first} IS NULL OR l::text <> r::text \
             ORDER BY 1 LIMIT {LISTED}",
            key = key.join(", ', ', "),
            on = on.join(" AND "),
        )
    };
    for row in tx.query(&sql, &[]).await? {
        check.differing_rows = row.get(3);
        let kind = match row.get::<_, &str>(1) {
            "live" => Difference::OnlyLive,
            "rebuilt" => Difference::OnlyRebuilt,
            _ => Difference::Changed { columns: row.get::<_, Option<Vec<String>>>(2).unwrap_or_default() },
        };
        check.differences.push(RowDifference { key: row.get(0), kind });
    }
    // Same rows by key yet different checksums cannot happen; say so rather than "same".
    check.differing_rows = check.differing_rows.max(1);
    Ok(check)
}

/// `text` as a quoted SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
