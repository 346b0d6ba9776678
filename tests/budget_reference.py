#!/usr/bin/env python3
"""Participatory-budget selections computed by pabutools, the reference implementation.

The Rust test tests/suite/budget_reference.rs writes random instances to a JSON file, runs

    python3 tests/budget_reference.py FILE

and checks that pnyx's `greedy` and `equal_shares` (src/decide/budget.rs) fund the same
projects, in the same order. Written for Python 3.11 and pabutools 1.2.3
(`pip install pabutools==1.2.3`).

Input: a JSON list of instances, each

    {"total": 100,
     "projects": [{"id": "p1", "cost": 40}, ...],
     "ballots": [{"approvals": [0, 2], "weight": 3}, ...]}

where approvals are indices into "projects" and a ballot of weight w stands for w voters.

Output, on standard output: a JSON list with, for each instance in the same order,

    {"greedy": ["p1", ...], "equal_shares": ["p4", ...]}

the ids of the funded projects in pabutools's selection order. As in pnyx, the instance is
restricted to the projects somebody approved (pabutools's greedy rule would otherwise fund
unapproved projects with the money left); every voter still counts, even one approving nothing.
"""

import json
import sys

from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)


def build(instance):
    """The pabutools Instance and ApprovalProfile of one JSON instance."""
    projects = instance["projects"]
    voters = []
    for ballot in instance["ballots"]:
        approved = sorted({i for i in ballot["approvals"] if 0 <= i < len(projects)})
        voters.extend([approved] * ballot["weight"])
    approved_somewhere = sorted({i for approved in voters for i in approved})
    by_index = {i: Project(projects[i]["id"], projects[i]["cost"]) for i in approved_somewhere}
    pb_instance = Instance(by_index.values(), budget_limit=instance["total"])
    profile = ApprovalProfile(
        [ApprovalBallot(by_index[i] for i in approved) for approved in voters],
        instance=pb_instance,
    )
    return pb_instance, profile


def greedy(pb_instance, profile):
    """The greedy rule: most approved first, each project that still fits."""
    return greedy_utilitarian_welfare(pb_instance, profile, sat_class=Cost_Sat)


def equal_shares(pb_instance, profile):
    """The method of equal shares with cost utilities, its per-voter budget raised one unit at
    a time while the outcome stays feasible and not exhaustive, then completed greedily."""
    return completion_by_rule_combination(
        pb_instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: budget_reference.py INSTANCES.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        instances = json.load(f)
    results = []
    for instance in instances:
        pb_instance, profile = build(instance)
        results.append(
            {
                "greedy": [p.name for p in greedy(pb_instance, profile)],
                "equal_shares": [p.name for p in equal_shares(pb_instance, profile)],
            }
        )
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
