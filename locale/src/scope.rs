//! The reader of the request being served, so rendering code and error messages need not
//! pass a language through every function.

use std::future::Future;

use crate::{Lang, Reader};

tokio::task_local! {
    static READER: Reader;
}

/// Runs `f` for `reader`: every `t!` and `reader()` inside it reads their language.
pub async fn scope<F: Future>(reader: Reader, f: F) -> F::Output {
    READER.scope(reader, f).await
}

/// `scope` for synchronous code (tests, one e-mail rendered for its recipient).
pub fn sync_scope<R>(reader: Reader, f: impl FnOnce() -> R) -> R {
    READER.sync_scope(reader, f)
}

/// The current reader; English and UTC outside any request (logs, background work).
pub fn reader() -> Reader {
    READER.try_with(|r| *r).unwrap_or_default()
}

pub fn lang() -> Lang {
    reader().lang
}

/// The message `key` in the current reader's language, with named values:
/// `t!("users-count", count = 3)`.
#[macro_export]
macro_rules! t {
    ($key:literal) => {
        $crate::text($crate::lang(), $key, &[])
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::text($crate::lang(), $key, &[$((stringify!($name), $crate::Arg::from($value))),+])
    };
}

/// The message `key` in a given language (an e-mail, in its recipient's).
#[macro_export]
macro_rules! tl {
    ($lang:expr, $key:literal) => {
        $crate::text($lang, $key, &[])
    };
    ($lang:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::text($lang, $key, &[$((stringify!($name), $crate::Arg::from($value))),+])
    };
}
