//! The WordPress plugin (`integrations/wordpress/switchboard-chat`) as the zip WordPress's
//! Plugins → Add New → Upload Plugin takes: the folder `switchboard-chat/` and its files,
//! built into the binary. It holds nothing of any company (the admin pastes the address and
//! the key), so anyone may download it.

use std::io::{Cursor, Write};
use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use zip::write::SimpleFileOptions;

/// Every file of the plugin, as it sits in the zip. The real-WordPress test compares what
/// WordPress unpacked with the source folder, so a file added there and not here fails it.
const FILES: [(&str, &[u8]); 5] = [
    ("switchboard-chat.php", include_bytes!("../../integrations/wordpress/switchboard-chat/switchboard-chat.php")),
    ("uninstall.php", include_bytes!("../../integrations/wordpress/switchboard-chat/uninstall.php")),
    ("readme.txt", include_bytes!("../../integrations/wordpress/switchboard-chat/readme.txt")),
    ("languages/switchboard-chat-fr_FR.po", include_bytes!("../../integrations/wordpress/switchboard-chat/languages/switchboard-chat-fr_FR.po")),
    ("languages/switchboard-chat-fr_FR.mo", include_bytes!("../../integrations/wordpress/switchboard-chat/languages/switchboard-chat-fr_FR.mo")),
];

/// Built once, on the first download; the same bytes every time (the entries carry zip's
/// fixed default date, not the build's).
static ZIP: LazyLock<Vec<u8>> = LazyLock::new(|| build().expect("a zip written to memory"));

fn build() -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let folder = SimpleFileOptions::default().unix_permissions(0o755);
    let file = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).unix_permissions(0o644);
    zip.add_directory("switchboard-chat/", folder)?;
    zip.add_directory("switchboard-chat/languages/", folder)?;
    for (path, bytes) in FILES {
        zip.start_file(format!("switchboard-chat/{path}"), file)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

pub async fn plugin_zip() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/zip"), (header::CONTENT_DISPOSITION, "attachment; filename=\"switchboard-chat.zip\"")], ZIP.as_slice())
}
