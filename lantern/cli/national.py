"""``lantern estimate``, ``lantern report`` and ``lantern national export|import|run``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from lantern.cli.common import CliError, DbOption, JsonOption, console

app = typer.Typer(
    help="The national picture: compute area statistics, export the pseudonymised national "
    "return, and link returns at the national hub.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    root.command("estimate")(estimate)
    root.command("report")(report)


def _fmt(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "unbounded"
    return f"{value:,.0f}"


def estimate(
    counts: Annotated[Path, typer.Argument(
        help="Capture-history CSV: one 0/1 column per list, then `count` (cases seen on "
        "exactly that combination of lists). Unlisted patterns count 0.")],
    as_json: JsonOption = False,
    method: Annotated[str, typer.Option(
        help="Model selection: `stepwise` (SparseMSE: add pairwise interactions while their "
        "Poisson p-value < --pthresh) or `bic` (best BIC over hierarchical models).")] = "stepwise",
    interval: Annotated[str, typer.Option(
        help="95% interval: `profile` (profile likelihood of the chosen model), `bootstrap` "
        "(resamples, repeating the model selection) or `both` (the wider ends).")] = "profile",
    heterogeneity: Annotated[bool, typer.Option(
        "--heterogeneity/--no-heterogeneity",
        help="Include the capture-heterogeneity term (exchangeable association, Agresti 1994) "
        "that keeps intervals honest when some cases are visible to every list and others to "
        "none. This is what `lantern run` uses; --no-heterogeneity gives classical SparseMSE "
        "results.")] = True,
    pthresh: Annotated[float, typer.Option(help="p-value threshold for `stepwise`.")] = 0.02,
    boot: Annotated[int, typer.Option(help="Bootstrap resamples (with --interval "
                                           "bootstrap/both).")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed for the bootstrap.")] = 20140826,
) -> None:
    """Estimate the total number of cases, seen and hidden, from overlapping lists.

    Multiple systems estimation with log-linear Poisson models, model selection and
    existence/identifiability checks as in SparseMSE (Chan, Silverman and Vincent 2021).
    Prints the estimate, its 95% interval, the model and the number observed; says plainly
    when no estimate exists.
    """
    import pandas as pd

    from lantern.national.mse import CaptureTableError, Estimate, estimate_frame

    if method not in ("stepwise", "bic"):
        raise CliError("--method must be stepwise or bic")
    if interval not in ("profile", "bootstrap", "both"):
        raise CliError("--interval must be profile, bootstrap or both")
    try:
        frame = pd.read_csv(counts)
    except FileNotFoundError:
        raise CliError(f"{counts}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CliError(f"{counts}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    try:
        result = estimate_frame(frame, method=method, interval=interval,
                                heterogeneity=heterogeneity, pthresh=pthresh, n_boot=boot,
                                seed=seed)
    except CaptureTableError as exc:
        raise CliError(f"{counts}: {exc}") from None
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        if not isinstance(result, Estimate):
            raise typer.Exit(1)
        return
    if not isinstance(result, Estimate):
        raise CliError(f"{counts}: {result.reason} ({result.observed} cases observed)")
    console.print(
        f"estimate {_fmt(result.estimate)} (95% interval {_fmt(result.low)} to "
        f"{_fmt(result.high)}); observed {result.observed:,}, hidden {_fmt(result.hidden)}",
        highlight=False,
        markup=False,
    )
    console.print(f"model: {result.model} ({result.method}, {result.interval} interval)",
                  highlight=False, markup=False)


def report(
    out: Annotated[Path, typer.Option("--out", help="Where to write the HTML report.")] = Path(
        "report.html"),
    pdf: Annotated[Path | None, typer.Option(
        "--pdf", help="Where to write the PDF (default: next to the HTML, same name).")] = None,
    png_dir: Annotated[Path | None, typer.Option(
        "--png-dir", help="Also save each chart as a PNG in this folder.")] = None,
    db: DbOption = None,
) -> None:
    """Write the national report (HTML and PDF) from the latest run.

    Funnel plot, table of areas with intervals (never ranks alone), trends, data quality,
    hidden-victim estimates with intervals and a short methods section. Every table goes
    through statistical disclosure control. Run `lantern run` (or `lantern national run`)
    first.
    """
    from lantern.national.report import write_report
    from lantern.national.stage import read_area_stats, read_quality
    from lantern.store.db import open_store

    engine = open_store(db)
    stats = read_area_stats(engine)
    if stats.empty:
        raise CliError("no national statistics yet: run `lantern run` or `lantern national run`")
    pdf_path = pdf or out.with_suffix(".pdf")
    write_report(stats, read_quality(engine), html=out, pdf=pdf_path, png_dir=png_dir)
    console.print(f"wrote {out} and {pdf_path}", highlight=False)


@app.command("run")
def run_stage(db: DbOption = None) -> None:
    """Compute the area statistics, funnel flags, hidden-victim estimates and data quality.

    Needs resolved identities and screening results (`lantern run` does all stages).
    """
    from lantern.national.stage import run
    from lantern.store.db import open_store

    run(open_store(db), progress=True)


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the return into.")],
    deployment: Annotated[str, typer.Option(
        help="Name of this deployment, written in the manifest.")] = "local",
    secret_file: Annotated[Path | None, typer.Option(
        help="File holding this deployment's secret for person tokens "
        "(default: env LANTERN_SECRET).")] = None,
    linkage_key_file: Annotated[Path | None, typer.Option(
        help="File holding the linkage key shared by deployments (never by the hub) for the "
        "CLKs (default: env LANTERN_LINKAGE_KEY).")] = None,
    db: DbOption = None,
) -> None:
    """Write the pseudonymised national return for the hub.

    People become keyed tokens with Bloom-filter CLKs of name, date of birth and postcode;
    dates are coarsened to the month; no names, dates of birth, postcodes, addresses or free
    text leave; aggregate tables go through disclosure control.
    """
    from lantern.national.hub import build_people, write_return
    from lantern.national.pprl import SecretMissing, load_secret
    from lantern.national.stage import read_area_stats, read_inputs, read_quality
    from lantern.national.stats import identified_victims
    from lantern.store.db import open_store

    try:
        secret = load_secret("LANTERN_SECRET", secret_file)
        key = load_secret("LANTERN_LINKAGE_KEY", linkage_key_file)
    except (SecretMissing, OSError) as exc:
        raise CliError(str(exc)) from None
    engine = open_store(db)
    stats = read_area_stats(engine)
    if stats.empty:
        raise CliError("no national statistics yet: run `lantern run` or `lantern national run`")
    inputs = read_inputs(engine)
    victims = identified_victims(inputs.events, inputs.links, inputs.persons, inputs.identities)
    people = build_people(inputs.persons, inputs.identities, victims, inputs.risk,
                          secret=secret, linkage_key=key)
    written = write_return(out, people=people, area_stats=stats, quality=read_quality(engine),
                           deployment=deployment)
    console.print(f"wrote {out}: " + ", ".join(f"{k} {v} rows" for k, v in written.items()),
                  highlight=False)


@app.command("import")
def import_returns(
    folders: Annotated[list[Path], typer.Argument(help="Return folders from the deployments.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the national figures.")] = Path(
        "national"),
    threshold: Annotated[float, typer.Option(
        help="Dice similarity of CLKs at or above which two records are the same child.")] = 0.8,
) -> None:
    """Link returns across areas at the hub and compute the national figures.

    Records are linked by CLK Dice similarity (anonlink, blocked on birth year); national
    totals are rounded and small counts suppressed.
    """
    from lantern.national.hub import ReturnError, run_hub, write_hub

    try:
        result, returns = run_hub(folders, threshold=threshold)
    except ReturnError as exc:
        raise CliError(str(exc)) from None
    written = write_hub(out, result, returns)
    console.print(f"linked {len(returns)} returns: {len(result.links)} cross-area links; wrote "
                  + ", ".join(f"{k} ({v} rows)" for k, v in written.items()), highlight=False)
