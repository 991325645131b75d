//! `switchboard export` and `import`: the log as gzip-compressed NDJSON, one event a line,
//! with a SHA-256 checksum file beside it (`sha256sum -c` reads it too).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use projections::Registered;
use sha2::{Digest, Sha256};
use store::transfer::{self, Exported};

use crate::{with_database, DataArgs};

/// Where the checksum of `file` goes: beside it, `.sha256` appended.
fn checksum_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// Passes bytes on, hashing them: the checksum is of the compressed file, computed as it
/// is written rather than by reading it back.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub async fn export(file: PathBuf, company: Option<uuid::Uuid>, data: DataArgs) -> Result<(), String> {
    let shown = file.display().to_string();
    if file.exists() {
        return Err(format!("{shown} already exists: remove it or choose another file"));
    }
    // Written under another name and renamed once complete, so a failed export never
    // leaves a file that looks whole.
    let mut partial = file.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let created = File::create(&partial).map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    let mut out = Some(GzEncoder::new(Hashing { inner: BufWriter::new(created), hasher: Sha256::new() }, flate2::Compression::default()));
    let result = with_database(&data, |config| async move {
        let pool = store::db::pool(&config, 2);
        let count = transfer::export(&pool, company, |event| {
            let out = out.as_mut().expect("open until the export ends");
            serde_json::to_writer(&mut *out, &event).map_err(|e| e.to_string())?;
            out.write_all(b"\n").map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| format!("cannot export: {e}"))?;
        if count == 0 {
            if let Some(company) = company {
                return Err(format!("no event is in the streams of company {company}"));
            }
        }
        let encoder = out.take().expect("open until the export ends");
        let mut hashing = encoder.finish().map_err(|e| e.to_string())?;
        hashing.inner.flush().map_err(|e| e.to_string())?;
        hashing.inner.get_ref().sync_all().map_err(|e| e.to_string())?;
        Ok((count, hex::encode(hashing.hasher.finalize())))
    })
    .await;
    let (count, digest) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| shown.clone());
    std::fs::write(checksum_path(&file), format!("{digest}  {name}\n")).map_err(|e| format!("cannot write the checksum file: {e}"))?;
    std::fs::rename(&partial, &file).map_err(|e| format!("cannot rename {} to {shown}: {e}", partial.display()))?;
    println!("exported {count} events to {shown} (SHA-256 {digest}, in {})", checksum_path(&file).display());
    Ok(())
}

/// Checks `file` against its checksum file before anything is imported.
fn check_checksum(file: &Path) -> Result<(), String> {
    let shown = file.display();
    let sums = checksum_path(file);
    let expected = std::fs::read_to_string(&sums).map_err(|e| format!("cannot read the checksum file {}: {e}", sums.display()))?;
    let expected = expected.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
    let mut input = File::open(file).map_err(|e| format!("cannot open {shown}: {e}"))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buffer).map_err(|e| format!("cannot read {shown}: {e}"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    if hex::encode(hasher.finalize()) != expected {
        return Err(format!("{shown} does not match its checksum in {}: the file is damaged or incomplete", sums.display()));
    }
    Ok(())
}

pub async fn import(file: PathBuf, data: DataArgs) -> Result<(), String> {
    check_checksum(&file)?;
    let shown = file.display().to_string();
    let input = File::open(&file).map_err(|e| format!("cannot open {shown}: {e}"))?;
    // Read line by line as the inserts go: memory stays flat whatever the file's size.
    let events = BufReader::new(GzDecoder::new(BufReader::new(input))).lines().enumerate().filter_map(move |(n, line)| match line {
        Ok(line) if line.trim().is_empty() => None,
        Ok(line) => Some(
            serde_json::from_str::<Exported>(&line).map_err(|_| format!("{shown} line {}: neither an exported event nor a visitor's key", n + 1)),
        ),
        Err(e) => Some(Err(format!("{shown} line {}: cannot read: {e}", n + 1))),
    });
    with_database(&data, |config| async move {
        let pool = store::db::pool(&config, 4);
        let count = transfer::import(&pool, events).await.map_err(|e| format!("cannot import: {e}"))?;
        println!("imported {count} events");
        let store = store::PgEventStore::new(pool.clone(), config);
        // Process managers (the invitation mailer) start at the end: what they did for the
        // source database, mail sent, must not happen again.
        let newest = store.newest().await.map_err(|e| e.to_string())?;
        for manager in Registered::ALL.iter().filter(|p| !p.rebuildable()) {
            projections::skip_to(&pool, manager.name(), newest).await.map_err(|e| e.to_string())?;
        }
        let result = crate::replay_all(&store, Registered::rebuildable_ones().collect()).await;
        store.close();
        result
    })
    .await
}
