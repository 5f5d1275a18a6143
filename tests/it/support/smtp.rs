//! A small but real SMTP server for tests: it speaks the protocol (EHLO, MAIL, RCPT, DATA,
//! RSET, NOOP, QUIT) on 127.0.0.1 and keeps every message it receives.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mail_parser::MessageParser;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct Received {
    pub rcpt: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    pub fn subject(&self) -> String {
        MessageParser::default()
            .parse(&self.raw)
            .and_then(|m| m.subject().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn text(&self) -> String {
        MessageParser::default()
            .parse(&self.raw)
            .and_then(|m| m.body_text(0).map(|t| t.to_string()))
            .unwrap_or_default()
    }

    pub fn html(&self) -> String {
        MessageParser::default()
            .parse(&self.raw)
            .and_then(|m| m.body_html(0).map(|t| t.to_string()))
            .unwrap_or_default()
    }

    /// The first run of six digits in the plain-text body.
    pub fn code(&self) -> Option<String> {
        let text = self.text();
        let bytes: Vec<char> = text.chars().collect();
        bytes.windows(6).enumerate().find_map(|(i, w)| {
            let all_digits = w.iter().all(|c| c.is_ascii_digit());
            let before_ok = i == 0 || !bytes[i - 1].is_ascii_digit();
            let after_ok = bytes.get(i + 6).is_none_or(|c| !c.is_ascii_digit());
            (all_digits && before_ok && after_ok).then(|| w.iter().collect())
        })
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
    notify: Arc<Notify>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let notify = Arc::new(Notify::new());
        let (m, n) = (messages.clone(), notify.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (m, n) = (m.clone(), n.clone());
                tokio::spawn(async move {
                    let _ = session(stream, m, n).await;
                });
            }
        });
        Self {
            port,
            messages,
            notify,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn all(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }

    pub fn to(&self, addr: &str) -> Vec<Received> {
        let addr = addr.to_lowercase();
        self.all()
            .into_iter()
            .filter(|m| m.rcpt.iter().any(|r| r.to_lowercase() == addr))
            .collect()
    }

    /// Waits until `addr` has received `count` messages, and returns the newest.
    pub async fn wait_for(&self, addr: &str, count: usize) -> Received {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.to(addr);
            if got.len() >= count {
                return got.last().unwrap().clone();
            }
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "no message #{count} for {addr} within 15 s (have {})",
                    got.len()
                );
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), self.notify.notified()).await;
        }
    }

    /// Gives the mail queue time to deliver, then returns what `addr` has.
    pub async fn settle_and_get(&self, addr: &str) -> Vec<Received> {
        tokio::time::sleep(Duration::from_millis(400)).await;
        self.to(addr)
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    messages: Arc<Mutex<Vec<Received>>>,
    notify: Arc<Notify>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 test-smtp ESMTP ready\r\n").await?;
    let mut rcpt = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write
                .write_all(b"250-test-smtp\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                .await?;
        } else if upper.starts_with("HELO") {
            write.write_all(b"250 test-smtp\r\n").await?;
        } else if upper.starts_with("MAIL FROM") {
            rcpt.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO") {
            let addr = line
                .split_once('<')
                .and_then(|(_, r)| r.split_once('>'))
                .map(|(a, _)| a.to_string())
                .unwrap_or_default();
            rcpt.push(addr);
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("DATA") {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut raw = Vec::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let content = line
                    .strip_prefix('.')
                    .filter(|_| line.starts_with(".."))
                    .unwrap_or(&line);
                raw.extend_from_slice(content.as_bytes());
            }
            messages.lock().unwrap().push(Received {
                rcpt: std::mem::take(&mut rcpt),
                raw,
            });
            notify.notify_waiters();
            write.write_all(b"250 OK queued\r\n").await?;
        } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 Command not implemented\r\n").await?;
        }
    }
}
