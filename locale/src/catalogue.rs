//! The catalogues, loaded once, and messages looked up in them.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::Lang;

mod files {
    include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));
}

/// A value put into a message (`{ $count }`): text or a number.
pub type Arg<'a> = FluentValue<'a>;

/// What starts a message the catalogue does not have, or could not fill in.
pub const MISSING: char = '⟦';

type Bundle = FluentBundle<FluentResource>;

fn files(lang: Lang) -> &'static [(&'static str, &'static str)] {
    match lang {
        Lang::En => files::EN,
        Lang::Fr => files::FR,
    }
}

/// The catalogues are part of the build; the tests parse them, so a broken one never ships.
fn load(lang: Lang) -> Bundle {
    let id = lang.code().parse().expect("a language identifier");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around placeables: pages and e-mails are not mixed-direction.
    bundle.set_use_isolating(false);
    for (name, source) in files(lang) {
        let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, e)| panic!("ftl/{lang}/{name} does not parse: {e:?}"));
        bundle.add_resource(resource).unwrap_or_else(|e| panic!("ftl/{lang}/{name} repeats a key: {e:?}"));
    }
    bundle
}

fn bundle(lang: Lang) -> &'static Bundle {
    static BUNDLES: OnceLock<[Bundle; 2]> = OnceLock::new();
    let bundles = BUNDLES.get_or_init(|| [load(Lang::En), load(Lang::Fr)]);
    &bundles[lang as usize]
}

/// The message `key` in `lang`, with `args` filled in; `⟦key⟧` when the catalogue lacks it,
/// `⟦key: …⟧` when it names a value that was not given.
pub fn text(lang: Lang, key: &str, args: &[(&str, Arg<'_>)]) -> String {
    let bundle = bundle(lang);
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return format!("{MISSING}{key}⟧");
    };
    let args = (!args.is_empty()).then(|| {
        let mut a = FluentArgs::new();
        for (name, value) in args {
            a.set(*name, value.clone());
        }
        a
    });
    let mut errors = Vec::new();
    let out = bundle.format_pattern(pattern, args.as_ref(), &mut errors);
    if errors.is_empty() {
        out.into_owned()
    } else {
        format!("{MISSING}{key}: {errors:?}⟧")
    }
}

/// The message `key` for a script to fill in: each `{ $name }` it uses is left as `{$name}`
/// (a plural chooses its default form). Pages hand these to their scripts.
pub fn template(lang: Lang, key: &str) -> String {
    let bundle = bundle(lang);
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return format!("{MISSING}{key}⟧");
    };
    let mut errors = Vec::new();
    // Values were left out on purpose: fluent writes each as `{$name}` and reports it.
    bundle.format_pattern(pattern, None, &mut errors).into_owned()
}

/// Whether `lang`'s catalogue has `key`.
pub fn has(lang: Lang, key: &str) -> bool {
    bundle(lang).has_message(key)
}

/// Every key of `lang`'s catalogue.
pub fn keys(lang: Lang) -> Vec<String> {
    let mut keys: Vec<String> = files(lang)
        .iter()
        .flat_map(|(_, source)| {
            let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| r);
            resource
                .entries()
                .filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_parse_and_hold_the_same_keys() {
        for lang in Lang::ALL {
            for (name, source) in files(lang) {
                if let Err((_, errors)) = FluentResource::try_new(source.to_string()) {
                    panic!("ftl/{lang}/{name}: {errors:?}");
                }
            }
        }
        let (en, fr) = (keys(Lang::En), keys(Lang::Fr));
        let only = |a: &[String], b: &[String]| a.iter().filter(|k| !b.contains(k)).cloned().collect::<Vec<_>>();
        assert!(only(&en, &fr).is_empty(), "missing from the French catalogue: {:?}", only(&en, &fr));
        assert!(only(&fr, &en).is_empty(), "missing from the English catalogue: {:?}", only(&fr, &en));
        assert!(!en.is_empty());
    }

    #[test]
    fn a_missing_key_or_value_is_marked_not_hidden() {
        assert_eq!(text(Lang::Fr, "no-such-key", &[]), "⟦no-such-key⟧");
        assert!(text(Lang::En, "count-users", &[]).starts_with(MISSING));
    }

    #[test]
    fn templates_leave_values_for_the_script() {
        assert_eq!(template(Lang::En, "count-users"), "{$count} users");
        assert_eq!(template(Lang::Fr, "nope"), "⟦nope⟧");
    }

    #[test]
    fn plurals_follow_each_language() {
        let users = |lang, n: i64| text(lang, "count-users", &[("count", n.into())]);
        assert_eq!(users(Lang::En, 1), "1 user");
        assert_eq!(users(Lang::En, 0), "0 users");
        assert_eq!(users(Lang::En, 2), "2 users");
        assert_eq!(users(Lang::Fr, 0), "0 utilisateur");
        assert_eq!(users(Lang::Fr, 1), "1 utilisateur");
        assert_eq!(users(Lang::Fr, 2), "2 utilisateurs");
    }
}
