"""Priority rules compared on simulated days shaped like the demo history (mpp/visits/demo.py):
arrivals from 08:00 with the demo's hourly weights, 8 % of visitors in the priority lane,
service times lognormal (median ~7.4 min, at least 1.5 min), one service with four counters,
a busy day (200 visitors: at the 09:00 peak the queue grows to about an hour).

Usage: python bench/priority_rules.py [--days 200] [--visitors 200] [--counters 4] [--seed 15]

For each rule it prints the p50/p90 wait of priority and of regular visitors (minutes). Rules:
- fifo: no priority at all;
- head start 15 min: today's rule (docs/decisions/0004): a priority ticket sorts as if it had
  arrived 15 minutes earlier;
- strict: a waiting priority visitor is always called first;
- every Kth call: when a priority visitor waits, at least every Kth call goes to them
  (the others in arrival order, as in fifo);
- wait limit L: arrival order, but a priority visitor who has waited L minutes goes first;
- head start + wait limit: today's rule, plus the bound.
Pure Python, no database: runs in seconds, deterministic for a seed."""

from __future__ import annotations

import argparse
import heapq
import random
from dataclasses import dataclass

HOUR_WEIGHTS = [0.16, 0.2, 0.18, 0.12, 0.06, 0.1, 0.1, 0.08]  # as in mpp/visits/demo.py
PRIORITY_SHARE = 0.08  # as in mpp/visits/demo.py


@dataclass
class Visitor:
    arrives: float  # minutes after opening
    priority: bool
    service: float  # minutes at the counter


def day(rng: random.Random, visitors: int) -> list[Visitor]:
    people = []
    for _ in range(visitors):
        hour = rng.choices(range(len(HOUR_WEIGHTS)), HOUR_WEIGHTS)[0]
        people.append(
            Visitor(
                arrives=hour * 60 + rng.random() * 60,
                priority=rng.random() < PRIORITY_SHARE,
                service=max(1.5, rng.lognormvariate(2.0, 0.5)),
            )
        )
    return sorted(people, key=lambda v: v.arrives)


def fifo(waiting, now, state):
    return min(waiting, key=lambda v: v.arrives)


def head_start(minutes):
    def pick(waiting, now, state):
        return min(waiting, key=lambda v: v.arrives - (minutes if v.priority else 0))

    return pick


def strict(waiting, now, state):
    return min(waiting, key=lambda v: (not v.priority, v.arrives))


def every_kth(k):
    def pick(waiting, now, state):
        priority = [v for v in waiting if v.priority]
        if priority and state.get("since_priority", 0) >= k - 1:
            return min(priority, key=lambda v: v.arrives)
        return min(waiting, key=lambda v: v.arrives)

    return pick


def wait_limit(limit, base=fifo):
    def pick(waiting, now, state):
        overdue = [v for v in waiting if v.priority and now - v.arrives >= limit]
        if overdue:
            return min(overdue, key=lambda v: v.arrives)
        return base(waiting, now, state)

    return pick


def simulate(people: list[Visitor], counters: int, rule) -> list[tuple[bool, float]]:
    """Counters call the next visitor chosen by `rule` whenever they are free."""
    free = [(0.0, n) for n in range(counters)]  # (free at, counter)
    heapq.heapify(free)
    waiting: list[Visitor] = []
    upcoming = list(people)
    waits = []
    state: dict = {}
    while upcoming or waiting:
        at, counter = heapq.heappop(free)
        if not waiting:  # nobody yet: the counter waits for the next arrival
            at = max(at, upcoming[0].arrives)
        while upcoming and upcoming[0].arrives <= at:
            waiting.append(upcoming.pop(0))
        chosen = rule(waiting, at, state)
        waiting.remove(chosen)
        state["since_priority"] = 0 if chosen.priority else state.get("since_priority", 0) + 1
        waits.append((chosen.priority, at - chosen.arrives))
        heapq.heappush(free, (at + chosen.service, counter))
    return waits


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--counters", type=int, default=4)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rules = [
        ("fifo (no priority)", fifo),
        ("head start 15 min (today)", head_start(15)),
        ("strict priority", strict),
        ("every 3rd call", every_kth(3)),
        ("every 5th call", every_kth(5)),
        ("wait limit 15 min", wait_limit(15)),
        ("head start 15 + wait limit 15", wait_limit(15, head_start(15))),
    ]
    rng = random.Random(args.seed)
    days = [day(rng, args.visitors) for _ in range(args.days)]
    print(
        f"\n{args.days} simulated days, {args.visitors} visitors a day, {args.counters} counters, "
        f"{PRIORITY_SHARE:.0%} priority, seed {args.seed} (waits in minutes)\n"
    )
    print("| rule | priority p50 | priority p90 | regular p50 | regular p90 | all p90 |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rule in rules:
        waits = [w for people in days for w in simulate(people, args.counters, rule)]
        prio = [w for p, w in waits if p]
        regular = [w for p, w in waits if not p]
        every = [w for _p, w in waits]
        print(
            f"| {name} | {pct(prio, 0.5):.0f} | {pct(prio, 0.9):.0f} | {pct(regular, 0.5):.0f} "
            f"| {pct(regular, 0.9):.0f} | {pct(every, 0.9):.0f} |"
        )


if __name__ == "__main__":
    main()
