//! Prometheus counters kept in atomics: requests by status class, and their total time.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    micros_total: AtomicU64,
}

impl Metrics {
    pub fn record(&self, status: u16, micros: u64) {
        let class = usize::from((status / 100).clamp(1, 5)) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        self.micros_total.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP portico_http_requests_total HTTP requests by status class.\n");
        out.push_str("# TYPE portico_http_requests_total counter\n");
        for (i, counter) in self.by_class.iter().enumerate() {
            let _ = writeln!(
                out,
                "portico_http_requests_total{{class=\"{}xx\"}} {}",
                i + 1,
                counter.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP portico_http_request_seconds_total Time spent answering requests.\n");
        out.push_str("# TYPE portico_http_request_seconds_total counter\n");
        let _ = writeln!(
            out,
            "portico_http_request_seconds_total {:.6}",
            self.micros_total.load(Ordering::Relaxed) as f64 / 1e6
        );
        out
    }
}
