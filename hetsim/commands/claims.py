"""``hetsim claims``: run every claim paired by seed, with its ablation; write docs/claims.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hetsim.options import add_overrides

COMMANDS = ("claims",)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the ``claims`` subcommand."""
    from hetsim.analysis.claims.model import FULL

    claims = sub.add_parser(
        "claims", help="run every claim with its ablation and write the claims table"
    )
    claims.add_argument(
        "--seeds", type=int, default=FULL["seeds"], help=f"seeds 0..N-1 (default {FULL['seeds']})"
    )
    claims.add_argument(
        "--steps", type=int, default=FULL["steps"], help=f"steps per run (default {FULL['steps']})"
    )
    add_overrides(
        claims,
        "world size for every arm, applied before the arm's own keys (default: "
        + " ".join(FULL["size"])
        + ")",
    )
    claims.add_argument(
        "--claim", dest="ids", action="append", default=[], metavar="ID",
        help="only this claim (repeatable; default: all)",
    )  # fmt: skip
    claims.add_argument("--workers", type=int, default=2, help="local processes (default 2)")
    claims.add_argument(
        "--cache",
        type=Path,
        default=Path("results/claims-cache"),
        help="folder of finished runs, reused by later calls (default results/claims-cache)",
    )
    claims.add_argument("--out", type=Path, help="write the Markdown table here (docs/claims.md)")
    claims.add_argument(
        "--readme",
        type=Path,
        help="also rewrite this README's generated verdict table from the claims table",
    )
    claims.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def handle(args: argparse.Namespace) -> int | None:
    """Run the command if it is ``claims``; else None."""
    if args.command not in COMMANDS:
        return None
    from hetsim.analysis.claims.model import FULL
    from hetsim.analysis.claims.suite import claims_document
    from hetsim.analysis.ensemble import make_executor
    from hetsim.options import check_out_flag, check_run_flag

    check_run_flag("steps", args.steps)
    if args.out is not None:
        check_out_flag(args.out.parent)
    size = tuple(args.overrides) or FULL["size"]
    command = f"hetsim claims --seeds {args.seeds} --steps {args.steps}"
    if args.overrides:
        command += "".join(f" --set {s}" for s in args.overrides)
    with make_executor(args.workers) as executor:
        verdicts, text = claims_document(
            seeds=args.seeds,
            steps=args.steps,
            size=size,
            ids=args.ids,
            executor=executor,
            cache_dir=args.cache,
            out=args.out,
            progress=not args.quiet,
            command=command + (f" --out {args.out}" if args.out else ""),
        )
    if args.readme is not None:
        from hetsim.analysis.claims.table import update_readme

        update_readme(args.readme, text)
    if args.out is None:
        print(text)
    elif not args.quiet:
        for v in verdicts:
            print(f"{v.verdict:<15} {v.claim.id}: {v.effect.text()}", file=sys.stderr)
        print(f"claims: {len(verdicts)} claims written to {args.out}", file=sys.stderr)
    return 0
