//! `switchboard bench`: performance measured against a baseline taken in the same run.

use crate::cli::DataArgs;

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// Event store appends (1 and 16 writers) and projection catch-up, against plain INSERTs.
    Store {
        /// Events per measurement.
        #[arg(long, default_value_t = 20_000)]
        events: usize,
    },
}

pub async fn run(command: BenchCommand, data: DataArgs) -> Result<(), String> {
    match command {
        BenchCommand::Store { events } => store_bench(events, data).await,
    }
}

async fn store_bench(_events: usize, _data: DataArgs) -> Result<(), String> {
    Err("not written yet".into())
}
