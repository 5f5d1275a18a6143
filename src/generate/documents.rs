//! Generated quotes and invoices with their lines (amounts from the domain's line
//! rules), and payments for the invoices that are paid or part-paid.

use super::batch::{Table, V};
use super::rows::{mix, Generator, DAY_MS, TAX_BP, WORK};
use super::tables::Tables;
use crate::domain::lines::{compute, LineInput};

impl Generator {
    /// 1–3 lines of a quote or invoice `parent` into `t`; answers the document's
    /// subtotal, tax and total.
    pub(super) fn lines(
        &mut self,
        t: &mut Table,
        parent: i64,
        n: u64,
        h: u64,
    ) -> anyhow::Result<[i64; 3]> {
        let inputs: Vec<LineInput> = (0..n)
            .map(|p| {
                let x = mix(h, p, 0, 11);
                LineInput {
                    quantity_milli: 1000 * (1 + (x % 4) as i64),
                    unit_price_minor: 5_000 + ((x >> 8) % 200) as i64 * 250,
                    discount_bp: 0,
                    tax_rate_bp: TAX_BP,
                }
            })
            .collect();
        let (amounts, total) =
            compute(&inputs).map_err(|(i, e)| anyhow::anyhow!("generated line {i}: {e:?}"))?;
        for (p, (input, a)) in inputs.iter().zip(&amounts).enumerate() {
            let id = self.id();
            let what = WORK[(mix(h, p as u64, 1, 12) % WORK.len() as u64) as usize];
            t.push(&[
                V::I(id),
                V::I(self.ws),
                V::I(parent),
                V::I(p as i64 + 1),
                V::T(what),
                V::I(input.quantity_milli),
                V::I(input.unit_price_minor),
                V::I(0),
                V::I(TAX_BP),
                V::I(a.subtotal_minor),
                V::I(a.tax_minor),
                V::I(a.total_minor),
            ]);
        }
        Ok([total.subtotal_minor, total.tax_minor, total.total_minor])
    }

    /// `n` quotes of client `i`, spread over the history; recent ones still open.
    pub(super) fn quotes(
        &mut self,
        t: &mut Tables,
        client: i64,
        i: u64,
        n: u64,
    ) -> anyhow::Result<()> {
        for k in 0..n {
            let id = self.id();
            self.quote_no += 1;
            let number = format!("Q-{:07}", self.quote_no);
            let h = mix(self.seed, i, k, 6);
            let issue = Self::spread(k, n);
            let current = issue > -30;
            let status = match (current, h % 100) {
                (true, _) => "sent",
                (false, 0..=49) => "accepted",
                (false, 50..=79) => "declined",
                (false, 80..=89) => "sent",
                _ => "draft",
            };
            let [sub, tax, total] = self.lines(&mut t.quote_line, id, 1 + h % 2, h)?;
            let at = self.ms(issue, 10);
            let sent = (status != "draft").then_some(at);
            let decided = matches!(status, "accepted" | "declined").then(|| at + 3 * DAY_MS);
            let title = WORK[(h % 8) as usize];
            t.quote.push(&[
                V::I(id),
                V::I(self.ws),
                V::I(client),
                V::T(&number),
                V::T(title),
                V::T(status),
                V::T(self.day(issue)),
                V::T(self.day(issue + 30)),
                V::T("AED"),
                V::I(sub),
                V::I(tax),
                V::I(total),
                sent.into(),
                decided.into(),
                V::I(at),
                V::I(at),
            ]);
        }
        Ok(())
    }

    /// `n` invoices of client `i`, mostly paid, the newest tenth mostly still open.
    pub(super) fn invoices(
        &mut self,
        t: &mut Tables,
        client: i64,
        i: u64,
        n: u64,
    ) -> anyhow::Result<()> {
        for k in 0..n {
            let id = self.id();
            self.invoice_no += 1;
            let number = format!("INV-{:08}", self.invoice_no);
            let h = mix(self.seed, i, k, 7);
            let recent = k * 10 >= n * 9;
            let status = match (recent, h % 100) {
                (true, 0..=9) => "draft",
                (true, 10..=59) => "sent",
                (true, 60..=79) => "partially_paid",
                (true, _) => "paid",
                (false, 0..=2) => "draft",
                (false, 3..=5) => "void",
                (false, 6..=9) => "sent",
                (false, _) => "paid",
            };
            let [sub, tax, total] = self.lines(&mut t.invoice_line, id, 1 + h % 3, h)?;
            let paid = match status {
                "paid" => total,
                "partially_paid" => total / 2,
                _ => 0,
            };
            let issue = Self::spread(k, n);
            let at = self.ms(issue, 9);
            let sent = (status != "draft").then_some(at);
            let voided = (status == "void").then(|| at + DAY_MS);
            let title = WORK[(h % 8) as usize];
            t.invoice.push(&[
                V::I(id),
                V::I(self.ws),
                V::I(client),
                V::T(&number),
                V::T(title),
                V::T(status),
                V::T(self.day(issue)),
                V::T(self.day(issue + 30)),
                V::T("AED"),
                V::I(sub),
                V::I(tax),
                V::I(total),
                V::I(paid),
                sent.into(),
                voided.into(),
                V::I(at),
                V::I(at),
            ]);
            if paid > 0 {
                let payment = self.id();
                let received = at + 10 * DAY_MS;
                t.payment.push(&[
                    V::I(payment),
                    V::I(self.ws),
                    V::I(client),
                    V::I(id),
                    V::T("bank_transfer"),
                    V::T("succeeded"),
                    V::I(paid),
                    V::T("AED"),
                    V::I(received),
                    V::I(received),
                    V::I(received),
                ]);
            }
        }
        Ok(())
    }
}
