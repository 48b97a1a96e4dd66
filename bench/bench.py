"""The benchmark harness behind ``make bench`` (run by bench/run.sh).

``bench.py generate``: fills a database (account_relance and OCA's
account_credit_control installed) with the generated dataset and commits.

``bench.py run``: imports every ``bench/ops/*.py``, calls its
``register(bench)``, then times each registered call on the database, each in a
savepoint rolled back afterwards: wall seconds and SQL queries in a first pass,
peak Python memory (tracemalloc, which slows Python down) in a second pass.
Prints a table and, with ``--json FILE``, writes the same figures.

While it runs, an Odoo server serves the database over HTTP on a free port of
127.0.0.1 (``web.base.url`` and ``report.url`` point to it), as in
production: wkhtmltopdf fetches the reports' stylesheets and images from it on
both sides.  ``--no-http`` runs without it.

``bench.py slope SMALL.json LARGE.json``: the time and query ratios of every
operation between two runs at two scales (``--json FILE`` writes them).

An operation module::

    def register(bench):
        bench.add("behaviour_refresh", "account_relance", _refresh)
        bench.add("behaviour_refresh", "oca_credit_control", _oca)

    def _refresh(env):  # an Environment: superuser, main company
        env["relance.partner.behaviour"]._refresh_all()
"""

import argparse
import cProfile
import fnmatch
import importlib.util
import json
import os
import pstats
import resource
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REFERENCE_SYSTEM = "account_relance"


class Bench:
    """What bench/ops modules register their operations with."""

    def __init__(self):
        self.operations = []  # (name, system, func, setup, module)
        self._module = None

    def add(self, name, system, func, setup=None):
        """Register ``func(env)``, or ``func(env, setup(env))`` when a set-up
        is given: the set-up runs in the same savepoint but is not timed."""
        self.operations.append((name, system, func, setup, self._module))

    def load(self, ops_dir):
        # operations import what they share from bench/ops/_common.py
        sys.path.insert(0, str(ops_dir))
        for path in sorted(Path(ops_dir).glob("*.py")):
            if path.name.startswith("_"):
                continue
            spec = importlib.util.spec_from_file_location(
                f"account_relance_bench_ops.{path.stem}", path
            )
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            if not hasattr(module, "register"):
                print(
                    f"bench: {path.name} has no register(bench): skipped",
                    file=sys.stderr,
                )
                continue
            self._module = path.stem
            module.register(self)
        self._module = None


def _odoo_env(conf, db):
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.service import server  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", conf, "-d", db, "--log-level=warn", "--no-http"])
    server.load_server_wide_modules()
    registry = Registry(db)
    return registry


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_http_server(conf, db, timeout=180):
    """An Odoo server on a free port serving ``db``; returns (process, url)."""
    import odoo  # noqa: PLC0415

    odoo_bin = Path(next(iter(odoo.__path__))).resolve().parent / "odoo-bin"
    port = _free_port()
    log = Path(os.environ.get("RELANCE_BENCH_HTTP_LOG", os.devnull))
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and Odoo
        [
            sys.executable,
            str(odoo_bin),
            "-c",
            conf,
            "-d",
            db,
            f"--db-filter=^{db}$",
            "--http-interface=127.0.0.1",
            f"--http-port={port}",
            "--workers=0",
            "--max-cron-threads=0",
            "--log-level=" + os.environ.get("RELANCE_BENCH_HTTP_LOG_LEVEL", "warn"),
        ],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Odoo HTTP server stopped ({process.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/web/health", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return process, url
        except OSError:
            time.sleep(1)
    process.terminate()
    raise RuntimeError(f"the Odoo HTTP server did not answer on {url}")


def _stop_http_server(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _serve_reports_from(env, url):
    """Reports and links point to the bench's HTTP server; the report
    stylesheets exist before the operations (wkhtmltopdf's requests then
    read them, without waiting on the bench's transaction)."""
    params = env["ir.config_parameter"]
    params.set_param("web.base.url", url)
    params.set_param("web.base.url.freeze", "True")
    params.set_param("report.url", url)
    for bundle in ("web.report_assets_common", "web.report_assets_pdf"):
        env["ir.qweb"]._get_asset_bundle(bundle, js=False, autoprefix=True).css()
    env.cr.commit()
    for path in ("/web/health", "/web/login"):
        with urllib.request.urlopen(f"{url}{path}", timeout=60):  # noqa: S310
            pass


def _main_env(cr):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    env = api.Environment(cr, SUPERUSER_ID, {})
    company = env.ref("base.main_company")
    return env(
        context={
            "allowed_company_ids": [company.id],
            "tracking_disable": True,
            "lang": "en_US",
        }
    )


def dataset_size(env):
    from odoo.tools import SQL  # noqa: PLC0415

    env.flush_all()
    row = env.execute_query(
        SQL(
            """
            SELECT
              (SELECT COUNT(*) FROM account_move WHERE move_type = 'out_invoice'
                  AND state = 'posted'),
              (SELECT COUNT(*) FROM account_move WHERE move_type = 'out_refund'
                  AND state = 'posted'),
              (SELECT COUNT(*) FROM account_payment),
              (SELECT COUNT(*) FROM account_bank_statement_line),
              (SELECT COUNT(DISTINCT partner_id) FROM account_move
                WHERE move_type = 'out_invoice' AND state = 'posted'),
              (SELECT COUNT(*) FROM account_move_line aml
                 JOIN account_account acc ON acc.id = aml.account_id
                WHERE acc.account_type = 'asset_receivable'
                  AND aml.parent_state = 'posted' AND NOT aml.reconciled)
            """
        )
    )[0]
    keys = (
        "invoices",
        "credit_notes",
        "payments",
        "statement_lines",
        "customers",
        "open_receivable_lines",
    )
    return dict(zip(keys, row, strict=True))


def cmd_generate(args):
    registry = _odoo_env(args.conf, args.db)
    with registry.cursor() as cr:
        env = _main_env(cr)
        started = time.monotonic()
        from odoo.addons.account_relance.tools.dataset import generate  # noqa: PLC0415

        summary = generate(env, n_invoices=args.scale, seed=args.seed)
        summary["generation_seconds"] = round(time.monotonic() - started, 1)
        env["ir.config_parameter"].set_param(
            "account_relance.bench_dataset", json.dumps(summary, default=str)
        )
        cr.commit()
    print(json.dumps(summary, default=str))


def _measure(env, func, memory, setup=None, profile=0):
    """Run ``func(env)`` in a savepoint rolled back afterwards; a commit made
    by the operation (``_commit_progress`` outside a cron commits) only
    flushes, so that the rollback still undoes everything."""
    cr = env.cr
    env.invalidate_all()
    savepoint = cr.savepoint(flush=True)
    cr.commit = cr.flush
    error = None
    args = ()
    if setup is not None:
        try:
            args = (setup(env),)
            env.flush_all()
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            error = f"set-up: {type(exc).__name__}: {exc}"
    queries_before = cr.sql_log_count
    if memory:
        tracemalloc.start()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    try:
        if not error:
            if profiler:
                profiler.enable()
            func(env, *args)
            env.flush_all()
    except Exception as exc:  # noqa: BLE001 - reported, the run goes on
        error = f"{type(exc).__name__}: {exc}"
    wall = time.perf_counter() - started
    if profiler:
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)
    queries = cr.sql_log_count - queries_before
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    del cr.commit
    savepoint.close(rollback=True)
    env.invalidate_all()
    return wall, queries, peak, error


def cmd_run(args):
    bench = Bench()
    registry = _odoo_env(args.conf, args.db)
    bench.load(args.ops)

    def matches(op, patterns):
        # "name" or "name:system" patterns
        return any(
            fnmatch.fnmatch(op[0], pattern)
            or fnmatch.fnmatch(f"{op[0]}:{op[1]}", pattern)
            for pattern in patterns
        )

    operations = [
        op
        for op in bench.operations
        if (not args.only or matches(op, args.only))
        and not matches(op, args.skip or ())
    ]
    server, url = (
        (None, None) if args.no_http else _start_http_server(args.conf, args.db)
    )
    try:
        return _run(args, registry, operations, url)
    finally:
        if server:
            _stop_http_server(server)


def _run(args, registry, operations, url):
    results = []
    started = time.monotonic()
    load_before = os.getloadavg()
    with registry.cursor() as cr:
        env = _main_env(cr)
        if url:
            _serve_reports_from(env, url)
        size = dataset_size(env)
        generated = env["ir.config_parameter"].get_param(
            "account_relance.bench_dataset"
        )
        for name, system, func, setup, module in operations:
            print(f"bench: {name} [{system}] ...", file=sys.stderr, flush=True)
            walls, queries, error = [], None, None
            for _repeat in range(args.repeat):
                wall, queries, _peak, error = _measure(
                    env, func, memory=False, setup=setup
                )
                walls.append(wall)
                if error:
                    break
            if args.profile and not error:
                _measure(env, func, memory=False, setup=setup, profile=args.profile)
            peak = None
            if not error and not args.no_memory:
                _wall, _queries, peak, error = _measure(
                    env, func, memory=True, setup=setup
                )
            results.append(
                {
                    "operation": name,
                    "system": system,
                    "module": module,
                    "wall_s": round(min(walls), 4),
                    "walls_s": [round(wall, 4) for wall in walls],
                    "queries": queries,
                    "peak_mb": round(peak, 2) if peak is not None else None,
                    "error": error,
                }
            )
        cr.rollback()
    _add_ratios(results)
    _print_table(results, size, args.scale)
    machine = {
        "cpus": os.cpu_count(),
        "load_before": [round(load, 2) for load in load_before],
        "load_after": [round(load, 2) for load in os.getloadavg()],
        "peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "seconds": round(time.monotonic() - started, 1),
        "http_server": url,
    }
    print(
        f"bench: load {machine['load_before']} -> {machine['load_after']}, "
        f"peak RSS {machine['peak_rss_mb']} MB, {machine['seconds']} s, "
        f"HTTP server {url or 'none'}",
        file=sys.stderr,
    )
    if args.json:
        payload = {
            "scale": args.scale,
            "database": args.db,
            "dataset": size,
            "generation": json.loads(generated) if generated else None,
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "commit": os.environ.get("RELANCE_BENCH_COMMIT"),
            "repeat": args.repeat,
            "machine": machine,
            "results": results,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2, default=str) + "\n")
        print(f"bench: figures written to {args.json}", file=sys.stderr)
    return 1 if any(r["error"] for r in results) else 0


def _add_ratios(results):
    reference = {
        r["operation"]: r["wall_s"]
        for r in results
        if r["system"] == REFERENCE_SYSTEM and not r["error"]
    }
    for result in results:
        ref = reference.get(result["operation"])
        result["ratio"] = (
            round(result["wall_s"] / ref, 2)
            if ref and not result["error"] and result["wall_s"] is not None
            else None
        )


def _print_table(results, size, scale):
    print(
        f"\nDataset (scale {scale}): {size['invoices']} invoices, "
        f"{size['credit_notes']} credit notes, {size['payments']} payments, "
        f"{size['statement_lines']} bank statement lines, {size['customers']} customers"
    )
    header = ("operation", "system", "wall s", "queries", "peak MB", "ratio")
    rows = []
    for r in results:
        if r["error"]:
            rows.append(
                (
                    r["operation"],
                    r["system"],
                    "ERROR",
                    "",
                    "",
                    r["error"].splitlines()[0][:60],
                )
            )
            continue
        rows.append(
            (
                r["operation"],
                r["system"],
                f"{r['wall_s']:.3f}",
                str(r["queries"]),
                "" if r["peak_mb"] is None else f"{r['peak_mb']:.2f}",
                "" if r["ratio"] is None else f"{r['ratio']:.2f}x",
            )
        )
    widths = [
        max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))
    ]
    line = "  ".join(
        h.ljust(w) if i < 2 else h.rjust(w)
        for i, (h, w) in enumerate(zip(header, widths, strict=True))
    )
    print(line)
    print("-" * len(line))
    for row in rows:
        print(
            "  ".join(
                str(c).ljust(w) if i < 2 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print("ratio: wall time / account_relance's for the same operation\n")


def cmd_slope(args):
    """Time and query ratios of each operation between two scales."""
    small, large = (json.loads(Path(path).read_text()) for path in args.runs)

    def by_key(run):
        return {
            (r["operation"], r["system"]): r for r in run["results"] if not r["error"]
        }

    before, after = by_key(small), by_key(large)
    rows = []
    for key in before:
        if key not in after:
            continue
        one, two = before[key], after[key]
        rows.append(
            {
                "operation": key[0],
                "system": key[1],
                "small_s": one["wall_s"],
                "large_s": two["wall_s"],
                "slope": round(two["wall_s"] / one["wall_s"], 2)
                if one["wall_s"]
                else None,
                "small_queries": one["queries"],
                "large_queries": two["queries"],
            }
        )
    scale = (small["scale"], large["scale"])
    print(f"\nSlope {scale[0]} -> {scale[1]} invoices ({scale[1] / scale[0]:g}x data)")
    header = ("operation", "system", "small s", "large s", "slope", "queries")
    lines = [
        (
            r["operation"],
            r["system"],
            f"{r['small_s']:.3f}",
            f"{r['large_s']:.3f}",
            "" if r["slope"] is None else f"{r['slope']:.2f}x",
            f"{r['small_queries']} -> {r['large_queries']}",
        )
        for r in rows
    ]
    widths = [max(len(str(x[i])) for x in [header, *lines]) for i in range(6)]
    for line in [header, *lines]:
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"scales": scale, "slopes": rows}, indent=2) + "\n"
        )
        print(f"bench: slopes written to {args.json}", file=sys.stderr)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench.py")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("generate", "run"):
        p = sub.add_parser(name)
        p.add_argument("--conf", required=True)
        p.add_argument("--db", required=True)
        p.add_argument("--scale", type=int, default=2000)
        p.add_argument("--seed", type=int, default=42)
    run = sub.choices["run"]
    run.add_argument("--ops", default=str(BENCH_DIR / "ops"))
    run.add_argument("--json", help="write the figures to this JSON file")
    run.add_argument(
        "--only", action="append", help="operation name pattern (or NAME:SYSTEM)"
    )
    run.add_argument(
        "--skip",
        action="append",
        help="operation name pattern not to run (or NAME:SYSTEM)",
    )
    run.add_argument(
        "--no-http",
        action="store_true",
        help="no HTTP server during the run (wkhtmltopdf's requests then fail)",
    )
    run.add_argument(
        "--repeat", type=int, default=1, help="timed runs (the best is kept)"
    )
    run.add_argument(
        "--no-memory", action="store_true", help="skip the tracemalloc pass"
    )
    run.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="one more pass under cProfile: print its N costliest functions",
    )
    slope = sub.add_parser("slope")
    slope.add_argument("runs", nargs=2, metavar="RUN.json")
    slope.add_argument("--json", help="write the slopes to this JSON file")
    args = parser.parse_args(argv)
    if args.command == "generate":
        return cmd_generate(args)
    if args.command == "slope":
        return cmd_slope(args)
    return cmd_run(args)


if __name__ == "__main__":
    sys.exit(main())
