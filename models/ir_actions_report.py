import contextlib
import io
import logging
import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import UserError
from odoo.http import request, root
from odoo.service import security
from odoo.tools import split_every
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from odoo.addons.base.models.ir_actions_report import _wkhtml

_logger = logging.getLogger(__name__)

# Letters rendered by chunks as ONE document per wkhtmltopdf call: Debian's
# unpatched wkhtmltopdf refuses several documents per call and drops separate
# headers and footers, so the letterhead stays in the body.
RELANCE_LETTER_REPORTS = (
    "account_relance.report_relance_reminder",
    "account_relance.report_relance_statement",
)
MARKER_RE = re.compile(r"^relance-letter:(\d+)$")
# Web fonts (Lato, the icon fonts, Odoo's Noto from its CDN), which wkhtmltopdf
# fetches over HTTP and renders four times slower than the server's own fonts.
FONT_FACE_RE = re.compile(r"@font-face\s*\{[^}]*\}")
LETTER_CHUNK = 25
LETTER_PROCESSES_PARAM = "account_relance.letter_processes"


def _run_letter_chunk(command, document):
    """Run one wkhtmltopdf process on one HTML document (in a thread: no
    environment, no cursor).  :return: (return code, stderr, pdf bytes)"""
    body_fd, body_path = tempfile.mkstemp(suffix=".html", prefix="relance.letters.")
    pdf_fd, pdf_path = tempfile.mkstemp(suffix=".pdf", prefix="relance.letters.")
    os.close(pdf_fd)
    try:
        with os.fdopen(body_fd, "wb") as body:
            body.write(document.encode())
        process = subprocess.run(
            [*command, body_path, pdf_path],
            capture_output=True,
            encoding="utf-8",
            check=False,
        )
        with open(pdf_path, "rb") as pdf:
            return process.returncode, process.stderr, pdf.read()
    finally:
        for path in (body_path, pdf_path):
            with contextlib.suppress(OSError):
                os.unlink(path)


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _relance_inline_css(self):
        """The report stylesheets, inlined so that a letter printed by a cron
        or a shell (no HTTP server to fetch them from) looks like one printed
        from the browser.  Without their web fonts: a letter is set in the
        server's own fonts (Lato if installed, else DejaVu Sans), whether an HTTP server
        answers wkhtmltopdf or not, and renders four times faster."""
        css = []
        for bundle_name in ("web.report_assets_common", "web.report_assets_pdf"):
            bundle = self.env["ir.qweb"]._get_asset_bundle(
                bundle_name, js=False, autoprefix=True
            )
            attachment = bundle.css()
            if attachment:
                css.append(FONT_FACE_RE.sub("", attachment.raw.decode()))
        # Lato when the server has it installed, else a sans-serif like it
        css.append(
            "body, body * { font-family: 'Lato', 'DejaVu Sans',"
            " 'Liberation Sans', Arial, sans-serif !important; }"
        )
        return "\n".join(css)

    def _relance_build_document(self, html, css=None):
        """One self-contained HTML document out of a rendered QWeb report."""
        root = lxml_html.fromstring(html, parser=lxml_html.HTMLParser(encoding="utf-8"))
        head = root.find("head")
        for node in head.xpath("link[@rel='stylesheet'] | script"):
            head.remove(node)
        base = etree.SubElement(head, "base")
        base.set("href", self._get_report_url())
        style = etree.SubElement(head, "style")
        style.text = self._relance_inline_css() if css is None else css
        for body in root.xpath("//body"):
            body.set("class", "o_body_pdf")
        for script in root.xpath("//body//script"):
            script.getparent().remove(script)
        return Markup(lxml_html.tostring(root, encoding="unicode"))

    def _relance_render_letters(self, report, res_ids):
        """Render the letters of ``res_ids`` in ONE wkhtmltopdf call
        (``_relance_render_letter_chunks`` with one chunk).

        :return: ``{res_id: pdf bytes}``
        """
        return self._relance_render_letter_chunks(report, [list(res_ids)])

    @api.model
    def _relance_letter_processes(self):
        """How many wkhtmltopdf processes print letters at once: the system
        parameter ``account_relance.letter_processes``, by default one per
        core of the server."""
        value = self.env["ir.config_parameter"].sudo().get_param(LETTER_PROCESSES_PARAM)
        try:
            processes = int(value or 0)
        except ValueError:
            _logger.warning("%s is not a number: %r", LETTER_PROCESSES_PARAM, value)
            processes = 0
        if processes < 1:
            try:
                processes = len(os.sched_getaffinity(0))
            except AttributeError:  # not on Linux
                processes = os.cpu_count() or 1
        return max(1, processes)

    @contextlib.contextmanager
    def _relance_wkhtmltopdf_cookie(self):
        """The arguments giving wkhtmltopdf the user's session, as Odoo's own
        ``_run_wkhtmltopdf`` does when printing from the browser (the
        images behind a login), for the time of the block."""
        if not (request and request.db):
            yield []
            return
        session = root.session_store.new()
        session.update({**request.session, "debug": "", "_trace_disable": True})
        if session.uid:
            session.session_token = security.compute_session_token(session, self.env)
        root.session_store.save(session)
        cookie_fd, cookie_path = tempfile.mkstemp(
            suffix=".txt", prefix="relance.cookie_jar."
        )
        try:
            domain = urlparse(self._get_report_url()).hostname
            cookie = f"session_id={session.sid}; HttpOnly; domain={domain}; path=/;"
            with os.fdopen(cookie_fd, "wb") as cookie_file:
                cookie_file.write(cookie.encode())
            yield ["--cookie-jar", cookie_path]
        finally:
            root.session_store.delete(session)
            with contextlib.suppress(OSError):
                os.unlink(cookie_path)

    def _relance_render_letter_chunks(
        self, report, chunks, processes=None, with_chunks=False
    ):
        """Render the letters of each chunk of ids in one wkhtmltopdf call,
        ``processes`` calls at a time (default: ``_relance_letter_processes``).

        The chunks' HTML is rendered here, one after the other, while the
        wkhtmltopdf processes of the chunks before run on the other cores;
        each letter starts on a new page and carries an invisible 1-pixel link
        ``relance-letter:<id>`` on its first page: the link annotations tell
        where each letter starts, to split each chunk's PDF per record.

        :return: ``{res_id: pdf bytes}``; with ``with_chunks``,
            ``({res_id: pdf bytes}, [each chunk's whole pdf bytes])``
        """
        report = self._get_report(report)
        chunks = [list(chunk) for chunk in chunks if chunk]
        if not chunks:
            return ({}, []) if with_chunks else {}
        processes = min(processes or self._relance_letter_processes(), len(chunks))
        css = report._relance_inline_css()
        args = self.with_context(relance_letter_rendering=True)._build_wkhtmltopdf_args(
            report.get_paperformat(), False
        )
        letters, chunk_pdfs = {}, []
        with (
            self._relance_wkhtmltopdf_cookie() as cookie_args,
            ThreadPoolExecutor(
                max_workers=processes, thread_name_prefix="relance-letters"
            ) as pool,
        ):
            command = [_wkhtml().bin, *args, *cookie_args]
            futures = []
            for chunk in chunks:
                html = self.with_context(debug=False)._render_qweb_html(
                    report, chunk, data={"report_type": "pdf", "debug": False}
                )[0]
                document = report._relance_build_document(html, css=css)
                futures.append(
                    (chunk, pool.submit(_run_letter_chunk, command, document))
                )
            for chunk, future in futures:
                returncode, error, pdf = future.result()
                if returncode not in (0, 1):
                    raise UserError(
                        self.env._(
                            "Wkhtmltopdf failed (error code: %(error_code)s). "
                            "Message: %(message)s",
                            error_code=returncode,
                            message=error[-1000:],
                        )
                    )
                if returncode == 1:
                    _logger.warning("wkhtmltopdf: %s", error)
                letters.update(self._relance_split_letters(pdf, chunk))
                chunk_pdfs.append(pdf)
        return (letters, chunk_pdfs) if with_chunks else letters

    def _relance_split_letters(self, pdf, res_ids):
        """``{res_id: pdf bytes}`` out of one chunk's PDF."""
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
        to_render = [
            res_id for res_id in dict.fromkeys(res_ids) if res_id not in stored
        ]
        streams = self._relance_render_letter_chunks(
            report, split_every(LETTER_CHUNK, to_render)
        )
        return {
            res_id: {
                "stream": io.BytesIO(
                    stored[res_id].raw if res_id in stored else streams[res_id]
                ),
                "attachment": None,
            }
            for res_id in dict.fromkeys(res_ids)
        }
