//! Checks the PHP the extension is built against, before anything else is
//! compiled against it, and records what `php --ri swoole_rs` shows about the
//! build: the PHP API version and the source revision.

use std::env;
use std::path::Path;
use std::process::{exit, Command};

/// The oldest PHP this extension is built and tested for (PHP_VERSION_ID).
const MIN_PHP_VERSION_ID: u32 = 80200;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // The sources too, so the revision's "-dirty" mark follows edits.
    for path in ["src", "engine/src", "Cargo.toml", "engine/Cargo.toml"] {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-env-changed=PHP_CONFIG");

    // ext-php-rs finds PHP the same way: $PHP_CONFIG, else php-config on PATH.
    let php_config = env::var("PHP_CONFIG").unwrap_or_else(|_| "php-config".to_string());
    let vernum = php_config_value(&php_config, "--vernum");
    let version = php_config_value(&php_config, "--version");
    let api = php_config_value(&php_config, "--phpapi");

    let id: u32 = vernum.parse().unwrap_or_else(|_| {
        fail(&format!(
            "`{php_config} --vernum` printed {vernum:?}, not a PHP version number"
        ))
    });
    if id < MIN_PHP_VERSION_ID {
        fail(&format!(
            "PHP {version} found (via {php_config}); swoole-rs needs PHP {}.{} or newer. \
             Install a newer PHP with its development headers, or point PHP_CONFIG at its php-config.",
            MIN_PHP_VERSION_ID / 10000,
            MIN_PHP_VERSION_ID / 100 % 100
        ));
    }

    println!("cargo:rustc-env=SWOOLE_RS_PHP_VERSION={version}");
    println!("cargo:rustc-env=SWOOLE_RS_PHP_API={api}");
    println!("cargo:rustc-env=SWOOLE_RS_REVISION={}", revision());
}

/// One line of php-config's output; stops the build with a clear message when
/// php-config cannot be run.
fn php_config_value(php_config: &str, flag: &str) -> String {
    match Command::new(php_config).arg(flag).output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        Ok(out) => fail(&format!(
            "`{php_config} {flag}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => fail(&format!(
            "cannot run `{php_config}` ({e}). swoole-rs is built against PHP's headers: install PHP \
             8.2+ with its development package (Debian: php8.2-dev), or set PHP_CONFIG to the path \
             of php-config."
        )),
    }
}

/// `git describe` of the source tree, or "unknown" outside git (a tarball).
fn revision() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    // Rebuild when HEAD moves (a commit, a checkout) so the revision stays true.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        let head = Path::new(&dir).join("HEAD");
        println!("cargo:rerun-if-changed={}", head.display());
        if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
            let common = git(&["rev-parse", "--git-common-dir"]).unwrap_or(dir);
            println!(
                "cargo:rerun-if-changed={}",
                Path::new(&common).join(reference).display()
            );
        }
    }
    git(&["describe", "--always", "--dirty", "--tags"]).unwrap_or_else(|| "unknown".to_string())
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    println!("cargo:warning={msg}");
    exit(1);
}
