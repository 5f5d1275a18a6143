//! The PDF of a quote or invoice, written with `pdf-writer` in the standard Helvetica
//! font (every PDF reader has it, so no font file is embedded). Helvetica speaks
//! WinAnsi: a character it cannot show becomes `?` (an Arabic name, an emoji), never a
//! panic and never a broken file. Long descriptions wrap; many lines flow onto more pages.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use super::print::Printable;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const FONT: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Widths of Helvetica's printable ASCII characters (32..=126), in 1/1000 em, from the
/// font's standard metrics; other characters are taken as 556.
const WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// The WinAnsi byte for a character, or `?` when Helvetica cannot show it.
fn win_ansi(c: char) -> u8 {
    let code = c as u32;
    match c {
        ' '..='~' => code as u8,
        '\u{A0}'..='\u{FF}' => code as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '™' => 0x99,
        '\t' => b' ',
        _ => b'?',
    }
}

fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

/// Width of `text` at `size` points.
fn width(text: &str, size: f32) -> f32 {
    let units: u32 = encode(text)
        .iter()
        .map(|&b| match b {
            32..=126 => u32::from(WIDTHS[usize::from(b - 32)]),
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// Splits text into lines no wider than `max` (words longer than a line are cut).
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if width(&piece, size) > max {
                    piece.pop();
                    out.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// Pages of content, written top to bottom.
struct Writer {
    pages: Vec<Content>,
    y: f32,
}

impl Writer {
    fn new() -> Self {
        let mut w = Self {
            pages: Vec::new(),
            y: 0.0,
        };
        w.new_page();
        w
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN;
    }

    /// Room for `height` more points, or a new page.
    fn need(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, text: &str, size: f32, bold: bool) {
        if let Some(page) = self.pages.last_mut() {
            page.begin_text();
            page.set_font(if bold { BOLD } else { FONT }, size);
            page.next_line(x, self.y);
            page.show(Str(&encode(text)));
            page.end_text();
        }
    }

    fn right(&mut self, right_edge: f32, text: &str, size: f32, bold: bool) {
        let x = right_edge - width(text, size);
        self.text(x, text, size, bold);
    }

    fn rule(&mut self) {
        let y = self.y;
        if let Some(page) = self.pages.last_mut() {
            page.set_line_width(0.5);
            page.move_to(MARGIN, y);
            page.line_to(PAGE_W - MARGIN, y);
            page.stroke();
        }
    }
}

/// Column right edges: quantity, unit price, discount, tax, amount.
const COLS: [f32; 5] = [305.0, 385.0, 430.0, 470.0, PAGE_W - MARGIN];
const DESC_W: f32 = 210.0;

pub fn render(doc: &Printable) -> Vec<u8> {
    let mut w = Writer::new();
    let right = PAGE_W - MARGIN;
    w.text(MARGIN, &doc.business_name, 16.0, true);
    w.right(
        right,
        &format!("{} {}", doc.heading, doc.number),
        16.0,
        true,
    );
    w.y -= 16.0;
    for line in &doc.business_lines {
        for l in wrap(line, 9.0, 260.0) {
            w.text(MARGIN, &l, 9.0, false);
            w.y -= 12.0;
        }
    }
    w.right(right, &format!("Status: {}", doc.status), 10.0, false);
    w.y -= 14.0;
    w.right(right, &format!("Issued: {}", doc.issue_date), 10.0, false);
    w.y -= 14.0;
    w.right(
        right,
        &format!("{}: {}", doc.end_label, doc.end_date),
        10.0,
        false,
    );
    w.y -= 24.0;
    w.text(MARGIN, "For", 9.0, false);
    w.y -= 14.0;
    w.text(MARGIN, &doc.client_name, 11.0, true);
    w.y -= 14.0;
    for l in wrap(&doc.client_address, 9.0, 260.0) {
        if !l.is_empty() {
            w.text(MARGIN, &l, 9.0, false);
            w.y -= 12.0;
        }
    }
    if !doc.title.is_empty() {
        w.y -= 8.0;
        for l in wrap(&doc.title, 11.0, right - MARGIN) {
            w.need(14.0);
            w.text(MARGIN, &l, 11.0, false);
            w.y -= 14.0;
        }
    }
    w.y -= 10.0;
    let header = |w: &mut Writer| {
        w.text(MARGIN, "Description", 9.0, true);
        for (edge, label) in COLS
            .iter()
            .zip(["Qty", "Unit price", "Disc.", "Tax", "Amount"])
        {
            w.right(*edge, label, 9.0, true);
        }
        w.y -= 5.0;
        w.rule();
        w.y -= 12.0;
    };
    header(&mut w);
    for line in &doc.lines {
        let desc = wrap(&line.description, 9.0, DESC_W);
        let height = desc.len() as f32 * 11.0 + 4.0;
        if w.y - height < MARGIN {
            w.new_page();
            header(&mut w);
        }
        for (edge, value) in COLS.iter().zip([
            &line.quantity,
            &line.unit_price,
            &line.discount,
            &line.tax_rate,
            &line.amount,
        ]) {
            w.right(*edge, value, 9.0, false);
        }
        for d in &desc {
            w.text(MARGIN, d, 9.0, false);
            w.y -= 11.0;
        }
        w.y -= 4.0;
    }
    w.need(90.0);
    w.rule();
    w.y -= 14.0;
    let mut totals: Vec<(&str, &str, bool)> = vec![
        ("Subtotal", &doc.subtotal, false),
        ("Tax", &doc.tax, false),
        ("Total", &doc.total, true),
    ];
    if let Some(paid) = &doc.paid {
        totals.push(("Paid", paid, false));
    }
    if let Some(balance) = &doc.balance {
        totals.push((doc.balance_label, balance, true));
    }
    for (label, value, bold) in totals {
        w.right(COLS[3], label, 10.0, bold);
        w.right(right, value, 10.0, bold);
        w.y -= 14.0;
    }
    if !doc.notes.is_empty() {
        w.y -= 10.0;
        w.need(26.0);
        w.text(MARGIN, "Notes", 10.0, true);
        w.y -= 13.0;
        for l in wrap(&doc.notes, 9.0, right - MARGIN) {
            w.need(12.0);
            w.text(MARGIN, &l, 9.0, false);
            w.y -= 12.0;
        }
    }
    finish(w.pages, doc)
}

fn finish(pages: Vec<Content>, doc: &Printable) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    let count = pages.len();
    let page_refs: Vec<Ref> = (0..count)
        .map(|i| Ref::new(6 + 2 * i32::try_from(i).unwrap_or(0)))
        .collect();
    pdf.pages(tree)
        .kids(page_refs.iter().copied())
        .count(i32::try_from(count).unwrap_or(1));
    for (content, page_ref) in pages.into_iter().zip(&page_refs) {
        let content_ref = Ref::new(page_ref.get() + 1);
        let mut page = pdf.page(*page_ref);
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(content_ref);
        page.resources().fonts().pair(FONT, font).pair(BOLD, bold);
        page.finish();
        let data = content.finish();
        pdf.stream(content_ref, &data);
    }
    pdf.type1_font(font)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(pdf_writer::TextStr(&format!(
            "{} {}",
            doc.heading, doc.number
        )))
        .producer(pdf_writer::TextStr("Portico"));
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::super::print::{PrintLine, Printable};
    use super::*;

    fn doc(description: &str, lines: usize) -> Printable {
        Printable {
            heading: "Invoice",
            number: "INV-0042".into(),
            title: "Boiler (émergence) — service".into(),
            status: "Awaiting payment",
            business_name: "Cedar & Stone".into(),
            business_lines: vec!["1 Road, Dubai".into()],
            client_name: "شركة Acme (Pty) \\ Ltd".into(),
            client_address: "PO Box 1\nDubai".into(),
            issue_date: "1 Mar 2026".into(),
            end_label: "Due",
            end_date: "31 Mar 2026".into(),
            lines: (0..lines)
                .map(|_| PrintLine {
                    description: description.into(),
                    quantity: "2.5".into(),
                    unit_price: "AED 100.00".into(),
                    discount: String::new(),
                    tax_rate: "5%".into(),
                    amount: "AED 250.00".into(),
                })
                .collect(),
            subtotal: "AED 250.00".into(),
            tax: "AED 12.50".into(),
            total: "AED 262.50".into(),
            paid: Some("AED 0.00".into()),
            balance_label: "Balance due",
            balance: Some("AED 262.50".into()),
            notes: "Thank you 🙏".into(),
        }
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_pdf_names_the_number_and_total_and_survives_any_text() {
        let bytes = render(&doc("Service visit", 3));
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(contains(&bytes, b"(Invoice INV-0042)"));
        assert!(contains(&bytes, b"(AED 262.50)"));
        assert!(contains(&bytes, b"/Helvetica"));
        // Arabic and emoji degrade to '?'; a backslash is escaped.
        assert!(contains(&bytes, b"(???? Acme (Pty) \\\\ Ltd)"));
        assert!(contains(&bytes, b"(Thank you ?)"));
    }

    #[test]
    fn long_documents_flow_onto_more_pages() {
        let long = "word ".repeat(200);
        let bytes = render(&doc(&long, 30));
        let pages = bytes.windows(10).filter(|w| w == b"/Type /Pag").count();
        assert!(pages > 2, "several pages and a page tree");
        assert!(wrap(&"x".repeat(500), 9.0, 100.0).len() > 5);
        assert_eq!(wrap("", 9.0, 100.0), vec![String::new()]);
    }
}
