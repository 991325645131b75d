//! The event store contract (`store::contract`) run against PostgreSQL: a fresh database
//! per test, dropped with it.

use store::contract::Backend;
use store::PgEventStore;
use testkit::TestDb;

struct Postgres(TestDb);

impl Backend for Postgres {
    type Store = PgEventStore;

    async fn fresh() -> Self {
        Postgres(TestDb::new().await)
    }

    /// Its own pool and LISTEN connection, as another server process would have.
    fn open(&self) -> PgEventStore {
        self.0.store()
    }
}

store::contract_tests!(Postgres);
