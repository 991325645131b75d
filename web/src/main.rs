fn main() -> std::process::ExitCode {
    web::cli::main()
}
