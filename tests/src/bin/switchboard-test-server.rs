//! The switchboard binary, built inside the tests package so its tests can run it.

fn main() -> std::process::ExitCode {
    cli::main()
}
