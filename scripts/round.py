"""ape run round: the round job. One full market round (or several lottery rounds) on a local chain,
printed step by step; `make round` runs it."""

import click
from ape.cli import ConnectedProviderCommand, verbosity_option

from seqmarket.chain.local import TEST_ACCOUNTS
from seqmarket.chain.logs import ape_logs_to_stderr
from seqmarket.chain.reverts import describe_failure
from seqmarket.jobs.lottery import LotteryJob, run_lottery_job
from seqmarket.jobs.output import make_console, print_json
from seqmarket.jobs.report import JobReport, LotteryReport, SealedReport, StepLog
from seqmarket.jobs.results import lottery_document, sealed_document
from seqmarket.jobs.sealed import SealedJob, rule_name, run_sealed_job
from seqmarket.protocol.pricing import Curve
from seqmarket.protocol.rules import PaymentRule, SplitRule

CURVES = {curve.name.lower(): curve for curve in Curve}
SPLIT_RULES = {rule.name.lower().replace("_", "-"): rule for rule in SplitRule}
PAYMENT_RULES = {rule.name.lower().replace("_", "-"): rule for rule in PaymentRule}
LOTTERY_ONLY = ("curve", "rounds", "target")
SEALED_ONLY = ("payment_rule",)

ape_logs_to_stderr()


@click.command(cls=ConnectedProviderCommand, short_help="Run the round job on a local chain.")
@verbosity_option(default="WARNING")
@click.option(
    "--mechanism",
    type=click.Choice(["sealed", "lottery"]),
    default="sealed",
    show_default=True,
    help="Sealed bids on bundles, or lottery tickets per bundle.",
)
@click.option(
    "--rollups",
    type=click.IntRange(2, 16),
    help="Rollups on sale (up to 16 here). [default: sealed 6, lottery 4]",
)
@click.option(
    "--bidders", default=5, show_default=True, type=click.IntRange(1, 20), help="Sequencers bidding."
)
@click.option("--seed", default=7, show_default=True, type=int, help="Seed for valuations and reserves.")
@click.option(
    "--split-rule",
    type=click.Choice(list(SPLIT_RULES)),
    default="reserves",
    show_default=True,
    help="How a bundle's revenue is weighted among its rollups: by reserve (a rollup cannot raise its share "
    "by bidding on itself), or by max(singleton bid, reserve).",
)
@click.option(
    "--payment-rule",
    type=click.Choice(list(PAYMENT_RULES)),
    default="first-price",
    show_default=True,
    help="Sealed: what winners pay, their bid or VCG (verified on-chain through counterfactual claims).",
)
@click.option(
    "--curve",
    type=click.Choice([*CURVES, "all"]),
    default="all",
    show_default=True,
    help="Lottery: ticket price curve past 1.5T; 'all' runs one market per curve.",
)
@click.option(
    "--rounds", default=2, show_default=True, type=click.IntRange(1, 10), help="Lottery: rounds per market."
)
@click.option(
    "--target", default=10, show_default=True, type=click.IntRange(2, 1000), help="Lottery: target tickets T."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (docs/json.md), not tables.")
@click.pass_context
def cli(
    ctx,
    network,
    mechanism,
    rollups,
    bidders,
    seed,
    split_rule,
    payment_rule,
    curve,
    rounds,
    target,
    as_json,
):
    """The round job: deploy a market, let honest agents bid, clear the round off-chain and propose the
    optimal partition, settle, have everyone withdraw, and print each step.

    Sealed (default): sealed bids are committed and revealed, the partition is proposed (and under VCG
    every winner's W(-i) claimed), the round is finalized and collateral released. Lottery: one market per
    price curve; bidders buy tickets, the partition is cleared by ticket revenue, the draw reads RANDAO in
    its window, winners are paid out and losers refunded, and base prices move between rounds.

    Checks that the chain's result equals the off-chain one and that the market ends holding exactly zero
    wei; exits non-zero otherwise. Runs on a local chain only (it mines blocks to move through phases).
    With --json the tables give way to one JSON document on stdout; progress goes to stderr.
    """
    if not network.is_local:
        raise click.UsageError("the round job mines blocks to move through phases: use a local network")
    wrong = SEALED_ONLY if mechanism == "lottery" else LOTTERY_ONLY
    for name in wrong:
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
            option = "--" + name.replace("_", "-")
            raise click.UsageError(f"{option} does not apply to the {mechanism} mechanism")
    common = {"bidders": bidders, "seed": seed, "split_rule": SPLIT_RULES[split_rule]}
    if rollups is not None:
        common["rollups"] = rollups
    job: SealedJob | LotteryJob
    if mechanism == "sealed":
        job = SealedJob(**common, payment_rule=PAYMENT_RULES[payment_rule])
    else:
        job = LotteryJob(**common, rounds=rounds, target_tickets=target)
    if job.rollups + job.bidders + 1 > TEST_ACCOUNTS:
        raise click.BadParameter(f"rollups + bidders must be at most {TEST_ACCOUNTS - 1}")
    progress = StepLog(make_console(stderr=True)) if as_json else None
    console = make_console()
    try:
        if isinstance(job, SealedJob):
            report: JobReport = progress or SealedReport(console, rule_name(job.payment_rule))
            sealed = run_sealed_job(job, report)
            if as_json:
                print_json(sealed_document(sealed))
            return
        results = []
        for chosen in CURVES.values() if curve == "all" else [CURVES[curve]]:
            results.append(
                run_lottery_job(job, chosen, progress or LotteryReport(console, job.target_tickets))
            )
        if as_json:
            print_json(lottery_document(results))
    except Exception as err:  # every failure ends with a message and exit status 1, not a traceback
        raise click.ClickException(describe_failure(err)) from err
