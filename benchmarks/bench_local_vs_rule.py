"""Does a community's own model beat its majority-class rule over a long run, and if not, why?

Runs a scenario (default: the status quo, 1,000 steps) and, after every step, for each
community deploying its own local model, compares that model with the community's
majority-class rule twice: on the records its pilot uses (its newest annotated records) and on
fresh people drawn with their true labels (a generator of its own, so the run is unchanged).
It splits the community-steps by the compute the community trains with (owned plus rented)
and says, for those with little, whether they trusted any provider enough to rent
(``exchange.rent_trust_floor``). Also prints how many firms operated and entered.

    .venv/bin/python benchmarks/bench_local_vs_rule.py [--seed 0 --steps 1000] [key=value ...]
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.learning.capacity import decision_scores_many
from hetsim.simulation.strategy import Pilot

FRESH = 4000  # people per community the true comparison is measured on
LITTLE = 50.0  # compute (records trainable a step) below which a community trains on little
BINS = (0.0, 25.0, 50.0, 100.0, 200.0, 400.0, np.inf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="status_quo")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    model = build_model(load_scenario(args.scenario, args.overrides), seed=args.seed)
    probe = np.random.default_rng(args.seed + 1_000_003)
    local = next(s.code for s in model.strategies if s.name == "local")
    floor = model.spec.exchange.rent_trust_floor
    rows, operating = [], []
    for step in range(args.steps):
        model.step()
        com, ent, led = model.community_arrays, model.entity_arrays, model.ledger
        pilot = Pilot(model)
        own = pilot.linear("own", com.coef[:, None], com.intercept[:, None]).accuracy[:, 0]
        people = model.population.draw(FRESH, probe)
        score = decision_scores_many(people.x, com.coef[:, None], com.intercept[:, None])[:, 0]
        true_own = ((score > 0) == (people.y == 1)).mean(axis=1)
        true_rule = (people.y == com.majority_class()[:, None]).mean(axis=1)
        providers = np.flatnonzero(ent.active)
        trusts = (led.trust[:, providers] >= floor).any(axis=1)
        compute = com.own_compute + model.spec.communities.public_compute + com.rented
        for c in np.flatnonzero(com.strategy == local):
            rule = pilot.rule_accuracy[c]
            rows.append(
                (
                    step,
                    own[c],
                    rule,
                    true_own[c],
                    true_rule[c],
                    compute[c],
                    trusts[c],
                    com.own_compute[c],
                )
            )
        operating.append(providers.size)
    r = np.array(rows, dtype=float)
    pilot_ok, true_ok, little = r[:, 1] >= r[:, 2], r[:, 3] >= r[:, 4], r[:, 5] < LITTLE
    metrics = model.recorder.metrics_table()
    print(f"{args.scenario}, seed {args.seed}, {args.steps} steps {args.overrides}")
    print(f"firms operating: min {min(operating)}, median {int(np.median(operating))}; ", end="")
    print(f"steps with none: {operating.count(0)}; entries: {int(metrics['entries'].sum())}")
    print(f"\nlocal community-steps: {len(r)}")
    print(f"own model >= rule on the pilot's newest annotated records: {pilot_ok.mean():.4f}")
    print(f"own model >= rule on {FRESH} fresh people, true labels: {true_ok.mean():.4f}")
    print(f"pilot failures truly at or above the rule: {(true_ok & ~pilot_ok).sum()}", end="")
    print(f" of {(~pilot_ok).sum()}\n")
    print("| compute | community-steps | true >= rule | pilot >= rule |\n|---|---|---|---|")
    for lo, hi in itertools.pairwise(BINS):
        sel = (r[:, 5] >= lo) & (r[:, 5] < hi)
        if sel.any():
            print(f"| [{lo:.0f}, {hi:.0f}) | {sel.sum()} | {true_ok[sel].mean():.4f} | ", end="")
            print(f"{pilot_ok[sel].mean():.4f} |")
    print(f"\ncompute < {LITTLE:.0f}: {little.sum()} community-steps; own compute median ", end="")
    print(f"{np.median(r[little, 7]):.1f} (all {np.median(r[:, 7]):.1f}); trusting no provider ")
    print(f"at or above the rent floor {floor}: {(little & (r[:, 6] == 0)).sum()}")
    print("\n| quarter of the run | true >= rule | compute < 50 | trusts a provider |")
    print("|---|---|---|---|")
    for q in range(4):
        sel = (r[:, 0] >= q * args.steps / 4) & (r[:, 0] < (q + 1) * args.steps / 4)
        print(f"| {q + 1} | {true_ok[sel].mean():.4f} | {little[sel].mean():.4f} | ", end="")
        print(f"{r[sel, 6].mean():.3f} |")


if __name__ == "__main__":
    main()
