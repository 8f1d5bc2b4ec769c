//! A throwaway PostgreSQL server for tests: a new cluster (`initdb`, `pg_ctl` from `PATH`) in
//! a temporary directory, on a free loopback port, trust authentication, removed when dropped.
//! `initdb` refuses to run as root, so as root (CI) the cluster runs as `nobody` (`runuser`),
//! with the directory handed to it.

use std::net::TcpListener;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A running throwaway cluster; stopped and deleted on drop.
#[derive(Debug)]
pub struct Cluster {
    root: PathBuf,
    data: PathBuf,
    port: u16,
    as_nobody: bool,
    /// Run with `fsync` on (benchmarks); tests run with it off.
    durable: bool,
}

fn run(as_nobody: bool, program: &str, args: &[&str]) -> std::io::Result<Output> {
    if as_nobody {
        Command::new("runuser")
            .args(["-u", "nobody", "--", program])
            .args(args)
            .output()
    } else {
        Command::new(program).args(args).output()
    }
}

fn check(what: &str, out: std::io::Result<Output>) -> Result<(), String> {
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )),
        Err(e) => Err(format!(
            "{what} could not run: {e} (is PostgreSQL's bin directory on PATH?)"
        )),
    }
}

impl Cluster {
    /// Starts a cluster with `fsync` off (tests: nothing in them needs a power cut survived);
    /// the error says what failed (a missing `initdb`, a busy port…).
    pub fn start() -> Result<Self, String> {
        Self::start_with(false)
    }

    /// Starts a cluster that syncs its writes to disk, as a production server does
    /// (benchmarks of write rates).
    pub fn start_durable() -> Result<Self, String> {
        Self::start_with(true)
    }

    fn start_with(durable: bool) -> Result<Self, String> {
        let as_nobody = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let root = std::env::temp_dir().join(format!(
            "roster-pg-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
        if as_nobody {
            // nobody:nogroup
            chown(&root, Some(65_534), Some(65_534)).map_err(|e| e.to_string())?;
            std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| e.to_string())?;
        }
        let data = root.join("data");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| e.to_string())?;
        let cluster = Self {
            root,
            data,
            port,
            as_nobody,
            durable,
        };
        let data = cluster.data.to_string_lossy().into_owned();
        check(
            "initdb",
            run(
                as_nobody,
                "initdb",
                &[
                    "-D",
                    &data,
                    "-U",
                    "roster",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
            ),
        )?;
        cluster.start_again()?;
        Ok(cluster)
    }

    /// Starts the server again after [`Cluster::stop`].
    pub fn start_again(&self) -> Result<(), String> {
        let data = self.data.to_string_lossy().into_owned();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync={}",
            self.port,
            self.root.display(),
            if self.durable { "on" } else { "off" }
        );
        let log = self.root.join("log").to_string_lossy().into_owned();
        check(
            "pg_ctl start",
            run(
                self.as_nobody,
                "pg_ctl",
                &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
            ),
        )
    }

    /// `postgres://roster@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://roster@127.0.0.1:{}/postgres", self.port)
    }

    /// The cluster's directory.
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// Stops the server at once (a database going away mid-work).
    pub fn stop(&self) {
        let data = self.data.to_string_lossy().into_owned();
        let _ = run(
            self.as_nobody,
            "pg_ctl",
            &["-D", &data, "-m", "immediate", "-w", "stop"],
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
