//! Generated projects with tasks, jobs with visits and a file record each, and requests.

use super::batch::V;
use super::rows::{file_key, mix, Generator, DAY_MS, WORK};
use super::tables::Tables;

impl Generator {
    pub(super) fn projects(
        &mut self,
        t: &mut Tables,
        client: i64,
        i: u64,
        n: u64,
    ) -> anyhow::Result<Vec<i64>> {
        let mut ids = Vec::new();
        for k in 0..n {
            let id = self.id();
            ids.push(id);
            let start = Self::spread(k, n) - 60;
            let active = k + 1 == n;
            let (status, pct) = if active {
                ("active", 40)
            } else {
                ("completed", 100)
            };
            let name = format!("Programme {} for client {}", k + 1, i + 1);
            let at = self.ms(start, 8);
            t.project.push(&[
                V::I(id),
                V::I(self.ws),
                V::I(client),
                V::T(&name),
                V::T(status),
                V::I(pct),
                V::T(self.day(start)),
                V::T(self.day(start + 120)),
                V::I(at),
                V::I(at),
            ]);
            for s in 0..3u64 {
                let task = self.id();
                let done = (!active || s == 0).then(|| self.ms(start + 30, 17));
                let title = format!(
                    "{} – step {}",
                    WORK[(mix(self.seed, i, k * 3 + s, 3) % 8) as usize],
                    s + 1
                );
                t.task.push(&[
                    V::I(task),
                    V::I(self.ws),
                    V::I(client),
                    V::I(id),
                    V::T(&title),
                    V::T(self.day(start + 30 * (s as i64 + 1))),
                    done.into(),
                    V::I(i64::from(s < 2)),
                    V::I(at),
                    V::I(at),
                ]);
            }
        }
        Ok(ids)
    }

    pub(super) fn jobs(
        &mut self,
        t: &mut Tables,
        client: i64,
        i: u64,
        n: u64,
        projects: &[i64],
    ) -> anyhow::Result<()> {
        for k in 0..n {
            let id = self.id();
            self.job_no += 1;
            let number = format!("J-{:07}", self.job_no);
            let future = k + 1 == n;
            let start = if future { 7 } else { Self::spread(k, n) };
            let status = match (future, k + 2 == n) {
                (true, _) => "scheduled",
                (false, true) => "in_progress",
                _ => "completed",
            };
            let title = WORK[(mix(self.seed, i, k, 4) % 8) as usize];
            let (from, to) = (self.ms(start, 8), self.ms(start, 12));
            let project = projects[(k as usize) % projects.len()];
            t.job.push(&[
                V::I(id),
                V::I(self.ws),
                V::I(client),
                V::I(project),
                V::T(&number),
                V::T(title),
                V::T(status),
                V::T("Site 1, Dubai"),
                V::I(from),
                V::I(to),
                V::I(from - DAY_MS),
                V::I(from - DAY_MS),
            ]);
            for v in 0..2 {
                let visit = self.id();
                let (s, e) = (from + v * 7 * DAY_MS, to + v * 7 * DAY_MS);
                let vs = if future { "scheduled" } else { "completed" };
                t.visit.push(&[
                    V::I(visit),
                    V::I(self.ws),
                    V::I(id),
                    V::I(s),
                    V::I(e),
                    V::T(vs),
                    V::I(from - DAY_MS),
                    V::I(from - DAY_MS),
                ]);
            }
            let file = self.id();
            let key = file_key(self.ws, file);
            let x = mix(self.seed, i, k, 5);
            let (size, name, sha) = if i == 0 && k == 0 {
                self.showcase_file = Some((file, key.clone()));
                let sha = crate::crypto::sha256_hex(&super::showcase_bytes());
                (
                    super::SHOWCASE_FILE_BYTES as i64,
                    "site-survey.pdf".to_string(),
                    sha,
                )
            } else {
                let sha = format!("{x:016x}{:016x}{:016x}{:016x}", x ^ 1, x ^ 2, x ^ 3);
                (
                    50_000 + (x % 400_000) as i64,
                    format!("{number}-report.pdf"),
                    sha,
                )
            };
            t.file.push(&[
                V::I(file),
                V::I(self.ws),
                V::I(client),
                V::I(id),
                V::T(&name),
                V::T("application/pdf"),
                V::I(size),
                V::T(&sha),
                V::T(&key),
                V::I(to),
            ]);
        }
        Ok(())
    }

    pub(super) fn requests(&mut self, t: &mut Tables, client: i64, contact: i64, i: u64, n: u64) {
        const STATUSES: [&str; 4] = ["new", "in_review", "converted", "closed"];
        for k in 0..n {
            let id = self.id();
            let h = mix(self.seed, i, k, 8);
            let at = self.ms(Self::spread(k, n), 11);
            let subject = WORK[(h % 8) as usize];
            t.request.push(&[
                V::I(id),
                V::I(self.ws),
                V::I(client),
                V::I(contact),
                V::T(subject),
                V::T("Please send someone this week."),
                V::T(STATUSES[(h % 4) as usize]),
                V::I(at),
                V::I(at),
            ]);
        }
    }
}
