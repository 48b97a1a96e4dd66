import io
import logging
import re

from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import split_every
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

_logger = logging.getLogger(__name__)

# Letters rendered by chunks as ONE document per wkhtmltopdf call: Debian's
# unpatched wkhtmltopdf refuses several documents per call and drops separate
# headers and footers, so the letterhead stays in the body.
RELANCE_LETTER_REPORTS = (
    "account_relance.report_relance_reminder",
    "account_relance.report_relance_statement",
)
MARKER_RE = re.compile(r"^relance-letter:(\d+)$")


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _relance_inline_css(self):
        """The report stylesheets, inlined so that a letter printed by a cron
        or a shell (no HTTP server to fetch them from) looks like one printed
        from the browser."""
        css = []
        for bundle_name in ("web.report_assets_common", "web.report_assets_pdf"):
            bundle = self.env["ir.qweb"]._get_asset_bundle(
                bundle_name, js=False, autoprefix=True
            )
            attachment = bundle.css()
            if attachment:
                css.append(attachment.raw.decode())
        return "\n".join(css)

    def _relance_build_document(self, html):
        """One self-contained HTML document out of a rendered QWeb report."""
        root = lxml_html.fromstring(html, parser=lxml_html.HTMLParser(encoding="utf-8"))
        head = root.find("head")
        for node in head.xpath("link[@rel='stylesheet'] | script"):
            head.remove(node)
        base = etree.SubElement(head, "base")
        base.set("href", self._get_report_url())
        style = etree.SubElement(head, "style")
        style.text = self._relance_inline_css()
        for body in root.xpath("//body"):
            body.set("class", "o_body_pdf")
        for script in root.xpath("//body//script"):
            script.getparent().remove(script)
        return Markup(lxml_html.tostring(root, encoding="unicode"))

    def _relance_render_letters(self, report, res_ids):
        """Render the letters of ``res_ids`` in ONE wkhtmltopdf call.

        Each letter starts on a new page and carries an invisible 1-pixel link
        ``relance-letter:<id>`` on its first page: the link annotations tell
        where each letter starts, to split the PDF per record.

        :return: ``{res_id: pdf bytes}``
        """
        report = self._get_report(report)
        html = self.with_context(debug=False)._render_qweb_html(
            report, res_ids, data={"report_type": "pdf", "debug": False}
        )[0]
        document = report._relance_build_document(html)
        pdf = self.with_context(relance_letter_rendering=True)._run_wkhtmltopdf(
            [document], report_ref=report
        )
        reader = PdfFileReader(io.BytesIO(pdf))
        starts = []
        for index, page in enumerate(reader.pages):
            for annot in page.get("/Annots") or []:
                action = annot.get_object().get("/A") or {}
                match = MARKER_RE.match(str(action.get("/URI", "")))
                if match:
                    starts.append((index, int(match.group(1))))
                    break
        if [res_id for __, res_id in starts] != list(res_ids):
            _logger.warning(
                "Letters could not be split: expected %s, found %s",
                list(res_ids),
                [res_id for __, res_id in starts],
            )
            raise UserError(
                self.env._(
                    "The letters could not be split into one PDF per reminder. "
                    "Print them in smaller batches, or one by one."
                )
            )
        letters = {}
        for position, (first, res_id) in enumerate(starts):
            last = (
                starts[position + 1][0]
                if position + 1 < len(starts)
                else len(reader.pages)
            )
            writer = PdfFileWriter()
            for index in range(first, last):
                writer.addPage(reader.pages[index])
            stream = io.BytesIO()
            writer.write(stream)
            letters[res_id] = stream.getvalue()
        return letters

    @api.model
    def _relance_merge_pdfs(self, pdfs):
        """One PDF of the given PDFs (bytes), in their order."""
        writer = PdfFileWriter()
        for pdf in pdfs:
            writer.appendPagesFromReader(PdfFileReader(io.BytesIO(pdf)))
        stream = io.BytesIO()
        writer.write(stream)
        return stream.getvalue()

    @api.model
    def _build_wkhtmltopdf_args(
        self,
        paperformat_id,
        landscape,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        args = super()._build_wkhtmltopdf_args(
            paperformat_id,
            landscape,
            specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size,
        )
        if (
            self.env.context.get("relance_letter_rendering")
            and "--javascript-delay" in args
        ):
            # The letters carry no script: no need to wait for one.
            index = args.index("--javascript-delay")
            args[index + 1] = "0"
        return args

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        report = self._get_report(report_ref)
        if report.report_name not in RELANCE_LETTER_REPORTS or not res_ids:
            return super()._render_qweb_pdf_prepare_streams(
                report_ref, data, res_ids=res_ids
            )
        records = self.env[report.model].browse(res_ids)
        stored = {}
        if report.model == "relance.reminder":
            # A printed reminder reprints exactly the letter that was sent.
            stored = {
                rec.id: rec.letter_attachment_id
                for rec in records
                if rec.letter_attachment_id
            }
        streams = {}
        to_render = [
            res_id for res_id in dict.fromkeys(res_ids) if res_id not in stored
        ]
        for chunk in split_every(25, to_render):
            for res_id, pdf in self._relance_render_letters(
                report, list(chunk)
            ).items():
                streams[res_id] = pdf
        return {
            res_id: {
                "stream": io.BytesIO(
                    stored[res_id].raw if res_id in stored else streams[res_id]
                ),
                "attachment": None,
            }
            for res_id in dict.fromkeys(res_ids)
        }
