//! Outgoing mail. With `PORTICO_SMTP_URL` messages go to that SMTP server (STARTTLS or
//! TLS, with credentials from the URL); without it they are written as `.eml` files to
//! `outbox/` in the data directory and logged (without their content), so the product
//! works offline. Sending happens on a background task, off the request path, so how
//! long a request takes never reveals whether a message was sent.

pub mod templates;

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::mpsc;

/// One message, rendered: subject, plain-text body and HTML body.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// What the message is, for logs (never its content): e.g. "login-code".
    pub kind: &'static str,
    /// A display name for the sender (the business), keeping the configured address.
    pub from_name: Option<String>,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn new(
        smtp_url: Option<&SecretString>,
        outbox: PathBuf,
        from: &str,
    ) -> anyhow::Result<Self> {
        let from: Mailbox = from.parse()?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "PORTICO_SMTP_URL could not be used (check scheme, host and port)"
                        )
                    })?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&outbox)?;
                Transport::Outbox(outbox)
            }
        };
        Ok(Self { transport, from })
    }

    /// Where mail goes, for the start-up banner.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "the SMTP server in PORTICO_SMTP_URL".to_string(),
            Transport::Outbox(dir) => format!("files in {}", dir.display()),
        }
    }

    fn build(&self, mail: &OutgoingMail) -> anyhow::Result<Message> {
        let to: Mailbox = mail.to.parse()?;
        let from = match &mail.from_name {
            Some(name) => Mailbox::new(Some(name.clone()), self.from.email.clone()),
            None => self.from.clone(),
        };
        Ok(Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject.clone())
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(mail.html.clone()),
                    ),
            )?)
    }

    pub async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<()> {
        let message = self.build(mail)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Outbox(dir) => {
                let name = format!(
                    "{}-{}.eml",
                    jiff::Timestamp::now().as_millisecond(),
                    crate::ids::new_id()
                );
                let path = dir.join(name);
                tokio::fs::write(&path, message.formatted()).await?;
                tracing::info!(kind = mail.kind, path = %path.display(), "mail written to outbox");
            }
        }
        Ok(())
    }
}

/// A handle for queueing mail; the worker behind it sends with retries.
#[derive(Clone)]
pub struct MailQueue {
    tx: mpsc::Sender<OutgoingMail>,
}

impl MailQueue {
    pub fn start(mailer: Mailer) -> Self {
        let (tx, mut rx) = mpsc::channel::<OutgoingMail>(1024);
        tokio::spawn(async move {
            while let Some(mail) = rx.recv().await {
                let mut delay = Duration::from_millis(200);
                for attempt in 1..=4 {
                    match mailer.send(&mail).await {
                        Ok(()) => {
                            tracing::info!(kind = mail.kind, "mail sent");
                            break;
                        }
                        Err(e) if attempt < 4 => {
                            tracing::warn!(kind = mail.kind, attempt, error = %e, "mail not sent, will retry");
                            tokio::time::sleep(delay).await;
                            delay *= 4;
                        }
                        Err(e) => {
                            tracing::error!(kind = mail.kind, error = %e, "mail dropped after retries")
                        }
                    }
                }
            }
        });
        Self { tx }
    }

    /// Queues without waiting. A full queue drops the message with an error log rather
    /// than slowing the request that asked for it.
    pub fn enqueue(&self, mail: OutgoingMail) {
        let kind = mail.kind;
        if self.tx.try_send(mail).is_err() {
            tracing::error!(kind, "mail queue full or closed; message dropped");
        }
    }
}
