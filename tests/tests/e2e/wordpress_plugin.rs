//! The WordPress plugin (integrations/wordpress): PHP lint and a render test that checks it
//! prints exactly the installation snippet, and nothing hostile.

use std::path::Path;
use std::process::Command;

#[test]
fn the_wordpress_plugin_lints_and_prints_exactly_the_snippet() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../integrations/wordpress/tests/run.sh");
    let php = Command::new("php").arg("--version").output();
    assert!(
        php.is_ok_and(|o| o.status.success()),
        "PHP is needed to check the WordPress plugin: run the tests with ./dev test, which installs php-cli"
    );
    let out = Command::new("bash").arg(&script).output().expect("bash runs the plugin's tests");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("0 failed") && text.contains("No syntax errors detected in switchboard-chat/switchboard-chat.php"), "{text}");
}
