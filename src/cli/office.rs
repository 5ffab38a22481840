//! `gridbook office init|add-device|revoke-device`: the community office's
//! bare git repository and the ssh keys of its devices.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use gridbook_core::sync::office;

use crate::cli::{Env, Fail, out};

pub const OFFICE_EXAMPLES: &str = "Examples:
  gridbook office init /srv/gridbook.git --key-out community.key
  gridbook office add-device zhu-laptop --key zhu.pub --office /srv/gridbook.git
  gridbook office revoke-device zhu-laptop --office /srv/gridbook.git";

#[derive(Subcommand, Debug)]
pub enum OfficeCmd {
    /// Make the office: a bare git repository that takes each device's own
    /// branch only, fast-forward only, and writes the community key.
    Init {
        /// A new (or empty) folder for the repository.
        dir: PathBuf,
        /// Where to write the community's age key (0600); every laptop needs a copy.
        #[arg(long, value_name = "FILE")]
        key_out: Option<PathBuf>,
        /// Keep batches unencrypted (sync status says so on every laptop).
        #[arg(long)]
        plaintext: bool,
    },
    /// Let a device's ssh key push its own branch: an authorized_keys line
    /// pinned to git-shell and the device name.
    AddDevice {
        /// The device's name, as `sync init --device-name` or `sync status` shows it.
        name: String,
        /// The device's ssh public key (the .pub file).
        #[arg(long, value_name = "KEY.pub")]
        key: PathBuf,
        /// The office repository (default: the current folder).
        #[arg(long, value_name = "DIR", default_value = ".")]
        office: PathBuf,
        /// The authorized_keys file (default: ~/.ssh/authorized_keys).
        #[arg(long, value_name = "FILE")]
        authorized_keys: Option<PathBuf>,
    },
    /// Take a device's key away and refuse its pushes.
    RevokeDevice {
        /// The device's name, as `office add-device` was given it.
        name: String,
        /// The office repository (default: the current folder).
        #[arg(long, value_name = "DIR", default_value = ".")]
        office: PathBuf,
        /// The authorized_keys file (default: ~/.ssh/authorized_keys).
        #[arg(long, value_name = "FILE")]
        authorized_keys: Option<PathBuf>,
    },
}

fn authorized(flag: Option<PathBuf>) -> Result<PathBuf, Fail> {
    flag.or_else(office::default_authorized_keys)
        .ok_or_else(|| Fail::input("no HOME: give --authorized-keys FILE"))
}

pub fn run(env: &Env, what: OfficeCmd) -> Result<(), Fail> {
    let lang = env.lang;
    match what {
        OfficeCmd::Init {
            dir,
            key_out,
            plaintext,
        } => {
            let public = office::init(&dir, key_out.as_deref(), plaintext)?;
            let dir = dir.display().to_string();
            match (public, key_out) {
                (Some(p), Some(k)) => {
                    out::line(lang.f("sync.office_made", &[&dir, &k.display().to_string(), &p]))
                }
                _ => out::line(lang.f("sync.office_made_plain", &[&dir])),
            }
        }
        OfficeCmd::AddDevice {
            name,
            key,
            office: dir,
            authorized_keys,
        } => {
            let file = authorized(authorized_keys)?;
            office::add_device(&dir, &name, &key, &file)?;
            out::line(lang.f(
                "sync.device_added",
                &[&name, &file.display().to_string(), &branch_of(&name)],
            ))
        }
        OfficeCmd::RevokeDevice {
            name,
            office: dir,
            authorized_keys,
        } => {
            let file = authorized(authorized_keys)?;
            office::revoke_device(Path::new(&dir), &name, &file)?;
            out::line(lang.f("sync.device_revoked", &[&name]))
        }
    }
}

fn branch_of(name: &str) -> String {
    gridbook_core::sync::branch(name)
}
