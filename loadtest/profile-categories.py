#!/usr/bin/env python3
"""User-space samples of a `perf script` dump by category (for loadtest/profile.sh).

Usage: perf script -i perf.data | loadtest/profile-categories.py [BINARY_NAME]
Prints a Markdown table: the share of all samples spent in user space, then each category's share of that.
A sample counts in the first rule its own (innermost) frame matches; rules are ordered, most specific first.
"""
import collections
import re
import sys

BINARY = sys.argv[1] if len(sys.argv) > 1 else "fastgate"
RULES = [
    ("Pipelines", "System.IO.Pipelines (Pipe, its reader and writer)"),
    ("Monitor__", "Monitor (locks)"),
    ("TypeCast", "type casts and interface dispatch"),
    ("RhpInterfaceDispatch", "type casts and interface dispatch"),
    ("Rhp", "runtime helpers (write barriers, allocation)"),
    ("RhBulk", "runtime helpers (write barriers, allocation)"),
    ("ExecutionContext", "async machinery (builders, boxes, ExecutionContext, awaiters)"),
    ("AsyncMethodBuilder", "async machinery (builders, boxes, ExecutionContext, awaiters)"),
    ("AsyncTaskMethodBuilder", "async machinery (builders, boxes, ExecutionContext, awaiters)"),
    ("PooledValueTaskBuilder", "async machinery (builders, boxes, ExecutionContext, awaiters)"),
    ("ValueTaskAwaiter", "async machinery (builders, boxes, ExecutionContext, awaiters)"),
    ("ManualResetValueTaskSourceCore", "async machinery (builders, boxes, ExecutionContext, awaiters)"),
    ("ThreadPool", "thread pool"),
    ("MoveNext", "FastGate's async methods (their own code)"),
    ("FastGate_Http", "HTTP parsing and head scanning"),
    ("FastGate_Transport", "transport (event loop, SocketReader/Writer, blocks)"),
    ("SpanHelpers", "memmove, IndexOf and other span helpers"),
    ("Ascii", "memmove, IndexOf and other span helpers"),
    ("IndexOfAny", "memmove, IndexOf and other span helpers"),
    ("Concurrent", "concurrent collections (block pool)"),
    ("SemaphoreSlim", "SemaphoreSlim"),
    ("FastGate", "FastGate, other"),
]
FRAME = re.compile(r"\s*[0-9a-f]+ (.*) \((.*)\)$")


def category(symbol, dso):
    if dso != BINARY:
        return dso
    for key, name in RULES:
        if key in symbol:
            return name
    return "other runtime code"


def main():
    counts = collections.Counter()
    total = user = 0
    top = None
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            if top is not None:
                total += 1
                symbol, dso = top
                if dso == BINARY or dso.startswith("libc") or dso == "[vdso]":
                    user += 1
                    counts[category(symbol, dso)] += 1
            top = None
            continue
        if line[:1] in ("\t", " ") and top is None:
            m = FRAME.match(line)
            if m:
                top = (re.sub(r"\+0x[0-9a-f]+$", "", m.group(1)), m.group(2).split("/")[-1])
    if total == 0:
        print("no samples")
        return
    print(f"User space: {100 * user / total:.1f} % of {total} samples (the rest is the kernel).\n")
    print("| category | share of user time |")
    print("|---|---:|")
    for name, n in counts.most_common():
        print(f"| {name} | {100 * n / user:.1f} % |")


main()
