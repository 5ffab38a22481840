//! The command-line tests' shared estate: a data directory filled from a
//! roster and a members file through the binary, with the clock pinned.

#![allow(dead_code)]

use assert_cmd::Command;

pub const NOW: &str = "2026-12-01T06:30:00Z";

/// A data directory filled from a roster and a members file through the
/// command line, with the clock pinned.
pub struct Data {
    pub dir: tempfile::TempDir,
}

pub const ROSTER: &str = "小区,楼栋,单元,房号,姓名,电话,与户主关系\n\
胜利花苑,3栋,2,501,吕桂英,,户主\n\
胜利花苑,3栋,2,501,吕德,13805461234,子女\n\
胜利花苑,3栋,1,101,周海燕,13905460001,户主\n\
胜利花苑,3栋,1,601,欧阳娜娜,13905460002,户主\n\
胜利花苑,5栋,1,101,严建国,13905460003,户主\n";

pub const MEMBERS: &str = "姓名,电话,类型,标签,责任区,联系户,起始日期\n\
赵建国,13800000001,党员,,胜利花苑/3栋,,-100d\n\
孙丽,13800000002,党员,流动,,胜利花苑/3栋/2-501,-100d\n\
王强,13800000003,网格员,,,,-100d\n";

impl Data {
    pub fn new() -> Data {
        let dir = tempfile::tempdir().unwrap();
        let d = Data { dir };
        std::fs::write(d.dir.path().join("roster.csv"), ROSTER).unwrap();
        std::fs::write(d.dir.path().join("members.csv"), MEMBERS).unwrap();
        let roster = d.path("roster.csv");
        let members = d.path("members.csv");
        d.ok_at("2026-08-01T02:00:00Z", &["import", "roster", &roster]);
        d.ok_at("2026-08-01T02:00:00Z", &["import", "members", &members]);
        d
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    pub fn cmd(&self, now: &str, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("gridbook").unwrap();
        c.env("GRIDBOOK_NOW", now)
            .env("GRIDBOOK_TZ", "Asia/Shanghai")
            .env("GRIDBOOK_CONFIG", self.dir.path().join("config"))
            .env_remove("GRIDBOOK_DATA")
            .arg("--data")
            .arg(self.dir.path().join("data"))
            .args(args);
        c
    }

    pub fn ok_at(&self, now: &str, args: &[&str]) -> String {
        let out = self.cmd(now, args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_at(NOW, args)
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Runs expecting exit 2 and that nothing was written; returns stderr.
    pub fn bad(&self, args: &[&str]) -> String {
        let before = self.ok(&["export"]);
        let out = self.cmd(NOW, args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(self.ok(&["export"]), before, "{args:?} wrote something");
        err
    }
}
