//! `portico generate` arguments: sizes that make sense, or a message saying which does
//! not and why.

/// The most clients one run makes.
pub const MAX_CLIENTS: u64 = 1_000_000;
/// The most invoices one client gets.
pub const MAX_INVOICES_PER_CLIENT: u64 = 10_000;
/// The most invoices one run makes (a few hours of loading, tens of GiB).
pub const MAX_INVOICES: u64 = 20_000_000;
/// Seeds are kept small so generated ids stay in a range of their own.
pub const MAX_SEED: u64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateArgs {
    pub clients: u64,
    pub invoices_per_client: u64,
    pub seed: u64,
    /// Load even though the database holds workspaces that were not generated.
    pub force: bool,
}

pub const USAGE: &str =
    "usage: portico generate --clients N --invoices-per-client M [--seed S] [--force]";

impl GenerateArgs {
    /// Parses the words after `generate`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut clients = None;
        let mut per_client = None;
        let mut seed = 1;
        let mut force = false;
        let mut words = args.iter();
        while let Some(word) = words.next() {
            let (flag, inline) = match word.split_once('=') {
                Some((f, v)) => (f, Some(v.to_string())),
                None => (word.as_str(), None),
            };
            if flag == "--force" && inline.is_none() {
                force = true;
                continue;
            }
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| words.next().cloned())
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag {
                "--clients" => clients = Some(number(flag, &value()?, 1, MAX_CLIENTS)?),
                "--invoices-per-client" => {
                    per_client = Some(number(flag, &value()?, 1, MAX_INVOICES_PER_CLIENT)?)
                }
                "--seed" => seed = number(flag, &value()?, 0, MAX_SEED)?,
                other => return Err(format!("unknown argument '{other}'")),
            }
        }
        let clients = clients.ok_or("--clients is required")?;
        let invoices_per_client = per_client.ok_or("--invoices-per-client is required")?;
        if clients.saturating_mul(invoices_per_client) > MAX_INVOICES {
            return Err(format!(
                "{clients} clients × {invoices_per_client} invoices is more than {MAX_INVOICES} invoices; \
                 make fewer"
            ));
        }
        Ok(Self {
            clients,
            invoices_per_client,
            seed,
            force,
        })
    }
}

fn number(flag: &str, text: &str, min: u64, max: u64) -> Result<u64, String> {
    let text = text.trim();
    let value = if text.starts_with('-') && text.len() > 1 {
        None
    } else {
        text.replace('_', "").parse::<u64>().ok()
    };
    match value {
        Some(v) if (min..=max).contains(&v) => Ok(v),
        Some(_) => Err(format!("{flag}: {text} is out of range ({min} to {max})")),
        None if text.starts_with('-') => Err(format!(
            "{flag}: {text} is negative; give a whole number from {min} to {max}"
        )),
        None => Err(format!(
            "{flag}: '{text}' is not a whole number from {min} to {max}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&str]) -> Result<GenerateArgs, String> {
        GenerateArgs::parse(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn sizes_and_seed_are_read_in_both_spellings() {
        assert_eq!(
            parse(&[
                "--clients",
                "10_000",
                "--invoices-per-client=100",
                "--seed",
                "7"
            ]),
            Ok(GenerateArgs {
                clients: 10_000,
                invoices_per_client: 100,
                seed: 7,
                force: false
            })
        );
        assert!(
            parse(&["--clients=1", "--invoices-per-client=1", "--force"])
                .unwrap()
                .force
        );
    }

    #[test]
    fn nonsense_sizes_are_refused_with_the_flag_named() {
        for (words, flag) in [
            (
                vec!["--clients", "0", "--invoices-per-client", "5"],
                "--clients",
            ),
            (
                vec!["--clients", "-3", "--invoices-per-client", "5"],
                "--clients",
            ),
            (
                vec!["--clients", "ten", "--invoices-per-client", "5"],
                "--clients",
            ),
            (
                vec!["--clients", "2000000", "--invoices-per-client", "5"],
                "--clients",
            ),
            (
                vec!["--clients", "5", "--invoices-per-client", "0"],
                "--invoices-per-client",
            ),
            (
                vec!["--clients", "5", "--invoices-per-client", "1e9"],
                "--invoices-per-client",
            ),
            (
                vec![
                    "--clients",
                    "5",
                    "--invoices-per-client",
                    "5",
                    "--seed",
                    "99999",
                ],
                "--seed",
            ),
            (vec!["--clients", "5"], "--invoices-per-client"),
            (vec!["--invoices-per-client", "5"], "--clients"),
            (vec!["--clients"], "--clients"),
            (vec!["--rows", "5"], "--rows"),
        ] {
            let err = parse(&words).unwrap_err();
            assert!(err.contains(flag), "{words:?}: {err}");
        }
        let err = parse(&["--clients", "1000000", "--invoices-per-client", "10000"]).unwrap_err();
        assert!(err.contains("more than"), "{err}");
    }
}
