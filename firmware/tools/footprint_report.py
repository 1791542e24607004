#!/usr/bin/env python3
"""Footprint report for firmware/footprint.sh (issue 5, item 6); reads the
builds, QEMU outputs and traces that script leaves in WORK and prints
markdown tables. Standard library only."""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
from collections import OrderedDict, defaultdict


def demangle(names):
    if not names:
        return {}
    out = subprocess.run(["arm-none-eabi-c++filt"], input="\n".join(names), capture_output=True, text=True).stdout
    return dict(zip(names, out.splitlines()))


# ---- flash and RAM from the linker map --------------------------------------
RUNTIME_DIR = {}  # object file name -> runtime/src subdirectory


def part_of(obj):
    m = re.search(r"libearshot_runtime_fw\.a\((.+)\.obj\)", obj)
    if m:
        return "runtime/src/" + RUNTIME_DIR.get(m.group(1), "?") + "/"
    if "earshot_model.cc" in obj:
        return "model (generated)"
    if "recording.c" in obj:
        return "recording (test input)"
    if "main.cc" in obj or "startup.c" in obj:
        return "app (main, startup, UART)"
    return "C library (newlib, libm, libgcc)"


def kind_of(section):
    if section.startswith((".text", ".isr_vector", ".glue", ".vfp11", ".v4_bx", ".init", ".fini")):
        return "code"
    if section.startswith((".rodata", ".ARM.exidx", ".ARM.extab", ".init_array")):
        return "const"
    if section.startswith(".data"):
        return "data"
    if section.startswith((".bss", "COMMON")):
        return "bss"
    return None


def map_sizes(path):
    sizes = defaultdict(lambda: defaultdict(int))
    text = open(path).read()
    text = text[text.index("Linker script and memory map"):]
    lines = text.splitlines()
    pending = None
    for line in lines:
        m = re.match(r"^ (\.\S+|COMMON)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.+)$", line)
        if m:
            sec, addr, size, obj = m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4)
        elif pending is not None:
            m = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.+)$", line)
            sec, pending = pending, None
            if not m:
                continue
            addr, size, obj = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
        else:
            m = re.match(r"^ (\.\S+|COMMON)$", line)
            if m:
                pending = m.group(1)
            continue
        k = kind_of(sec)
        if k is None or size == 0 or "load address" in obj:
            continue
        sizes[part_of(obj)][k] += size
    return sizes


def nm_sizes(elf):
    out = subprocess.run(["arm-none-eabi-nm", "-S", "--size-sort", elf], capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4:
            syms[f[3]] = (int(f[1], 16), f[2])
    return syms


# ---- stack from -fcallgraph-info ---------------------------------------------
def worst_stack(build, root):
    nodes, edges = {}, defaultdict(set)
    for ci in glob.glob(os.path.join(build, "**", "*.ci"), recursive=True):
        for line in open(ci):
            m = re.match(r'node: \{ title: "([^"]+)" label: "([^"]*)"', line)
            if m:
                b = re.search(r"\\n(\d+) bytes \(([^)]*)\)", m.group(2))
                if b:
                    nodes[m.group(1)] = (int(b.group(1)), b.group(2), m.group(2).split("\\n")[0])
                else:
                    nodes.setdefault(m.group(1), None)
                continue
            m = re.match(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', line)
            if m:
                edges[m.group(1)].add(m.group(2))
    # Indirect calls in this firmware: the model's init/invoke (through
    # rt::CompiledModel) and the detector's output sink.
    indirect = {t for t in nodes if re.search(r"model_(init|invoke)|on_output", t)}
    edges["__indirect_call"] = indirect
    memo, unknown, cyclic = {}, set(), []

    def cost(n, path):
        if n in memo:
            return memo[n]
        if n in path:
            cyclic.append(n)
            return (0, [])
        info = nodes.get(n)
        own = info[0] if info else 0
        if info is None and n != "__indirect_call":
            unknown.add(n)
        best = (0, [])
        for t in edges.get(n, ()):
            c = cost(t, path | {n})
            if c[0] > best[0]:
                best = c
        memo[n] = (own + best[0], [n] + best[1])
        return memo[n]

    total, chain = cost(root, frozenset())
    dynamic = [nodes[n][2] for n in chain if nodes.get(n) and nodes[n][1] != "static"]
    return total, chain, nodes, sorted(unknown), cyclic, dynamic


# ---- instructions per op from the single-step trace ------------------------
def per_op(trace):
    counts = OrderedDict()
    callee = {}
    own = 0
    inside = False
    last = None
    for line in open(trace):
        m = re.match(r"Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/[0-9a-f]+/[0-9a-f]+\] (\S*)", line)
        if not m:
            continue
        pc, sym = int(m.group(1), 16), m.group(2)
        if "model_invoke" in sym:
            inside = True
            own += 1
            last = pc
            continue
        if not inside:
            continue
        if sym == "main":
            break
        if last not in counts:
            counts[last] = 0
            callee[last] = sym
        counts[last] += 1
    return own, [(callee[k], counts[k]) for k in counts]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--memory", required=True)
    ap.add_argument("--export-json", help="export.json of the --format cpp export (incremental MACs per hop)")
    ap.add_argument("--tflm")
    ap.add_argument("--tflite")
    a = ap.parse_args()
    for f in glob.glob(os.path.join(a.root, "runtime", "src", "*", "*.cc")):
        RUNTIME_DIR[os.path.basename(f)] = os.path.basename(os.path.dirname(f))
    os.chdir(a.work)
    mem = json.load(open(a.memory))
    macs = mem["total"]["macs"]
    kernel_ops = [o for o in mem["ops"] if o["op"] not in ("QUANTIZE", "DEQUANTIZE", "RESHAPE")]

    print("## Flash (bytes; -Os = MinSizeRel, as the cortex-m4 preset)\n")
    flash = {}
    for tag in ("Os", "O2"):
        flash[tag] = map_sizes(f"fw-{tag}/earshot_fw.map")
    print("| part | code -Os | constants -Os | .data init -Os | flash -Os | flash -O2 |")
    print("|---|---:|---:|---:|---:|---:|")
    parts = sorted(p for p in flash["Os"] if p.startswith("runtime/")) + [
        "model (generated)", "app (main, startup, UART)", "C library (newlib, libm, libgcc)"]
    tot = {"Os": 0, "O2": 0}
    for p in parts + ["recording (test input)"]:
        s = flash["Os"][p]
        f_os = s["code"] + s["const"] + s["data"]
        s2 = flash["O2"][p]
        f_o2 = s2["code"] + s2["const"] + s2["data"]
        if p in parts:
            tot["Os"] += f_os
            tot["O2"] += f_o2
        print(f"| {p} | {s['code']:,} | {s['const']:,} | {s['data']:,} | {f_os:,} | {f_o2:,} |")
    print(f"| **total without the recording** | | | | **{tot['Os']:,}** | **{tot['O2']:,}** |")
    def fl(tag, p):
        return sum(flash[tag][p][k] for k in ("code", "const", "data"))
    infer = [p for p in parts if p in ("runtime/src/ops/", "runtime/src/core/", "model (generated)")]
    print(f"\nInference alone (runtime/src/ops + runtime/src/core + generated model): "
          f"{sum(fl('Os', p) for p in infer):,} bytes -Os, {sum(fl('O2', p) for p in infer):,} bytes -O2; "
          f"runtime/ + model: {sum(fl('Os', p) for p in parts if p.startswith('runtime/') or p.startswith('model')):,} bytes -Os. "
          f"The model's weights and biases: {mem['total']['weight_bytes']:,} bytes (memory.json).")
    syms = nm_sizes("fw-Os/earshot_fw.elf")

    print("\n## RAM (bytes)\n")
    run = open("run-Os.txt").read()
    head = dict(re.findall(r"(\w+) (\d+)", run.splitlines()[0]))
    summ = dict(re.findall(r"(\w+) (\d+)", next(l for l in run.splitlines() if l.startswith("summary"))))
    pool = next((s for n, (s, t) in syms.items() if "g_pool" in n), 0)
    sizes = subprocess.run(["arm-none-eabi-size", "-A", "fw-Os/earshot_fw.elf"], capture_output=True, text=True).stdout
    sec = {f[0]: int(f[1]) for f in (l.split() for l in sizes.splitlines()) if len(f) == 3 and f[1].isdigit()}
    total, chain, nodes, unknown, cyclic, dynamic = worst_stack("fw-Os", "Reset_Handler")
    push_total, push_chain = worst_stack("fw-Os", "_ZN7earshot2rt8Detector4pushEPKsj")[:2]
    det = int(head["detector_bytes"])
    arena = int(head["arena_bytes"])
    fe = mem.get("frontend", {}).get("state_bytes")
    print("| what | bytes |")
    print("|---|---:|")
    print(f"| detector memory (`Detector::required_bytes`): frontend, frame, int8 ring, output, model arena | {det:,} |")
    if fe:
        print(f"| of which frontend state (memory.json) | {fe:,} |")
    print(f"| of which model arena (activations + op data, `earshot_model.arena_bytes`) | {arena:,} |")
    print(f"| .data + .bss without the static pool ({pool:,} bytes provisioned for the detector and the benchmark's arena) | {sec.get('.data', 0) + sec.get('.bss', 0) - pool:,} |")
    print(f"| stack, measured high-water mark (painted stack, whole run) | {int(summ['stack_used']):,} |")
    print(f"| stack, worst case from -fcallgraph-info (-Os; library functions counted as 0) | {total:,} |")
    print(f"| stack, worst case below `Detector::push` (steady state: frontend, FFT, model) | {push_total:,} |")
    print(f"| **detector + .data/.bss + measured stack** | **{det + sec.get('.data', 0) + sec.get('.bss', 0) - pool + int(summ['stack_used']):,}** |")
    def short(n):
        return n.split(":")[-1] if n.startswith("/") else n
    names = demangle([short(n) for n in chain + push_chain])
    for title, ch in (("Deepest call chain", chain), ("Deepest chain below Detector::push", push_chain)):
        print(f"\n{title} (-Os, bytes per frame): " + " → ".join(
            f"{names.get(short(n), n).replace('(anonymous namespace)::', '').split('(')[0].replace('earshot::rt::', '')} {nodes[n][0] if nodes.get(n) else 0}"
            for n in ch))
    if cyclic:
        print(f"\nRecursion in the call graph (not counted around the cycle): {sorted(set(cyclic))}")
    if dynamic:
        print(f"\nFunctions on that chain with dynamic frames: {dynamic}")

    print("\n## Compute (QEMU -icount shift=0; instructions, not cycles)\n")
    hop_macs = None
    if a.export_json:
        inc = json.load(open(a.export_json)).get("incremental")
        hop_macs = inc["macs_per_hop"] if inc else None
    print("| build | instructions, first (whole) window | MACs | MACs per instruction | instructions per hop (incremental) | MACs per hop | MACs per instruction |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    ipi = {}
    for tag in ("Os", "O2"):
        txt = open(f"run-{tag}.txt").read()
        b = dict(re.findall(r"(\w+) (\d+)", next(l for l in txt.splitlines() if l.startswith("bench"))))
        per_tick = int(b["calib_insns"]) / int(b["calib_ticks"])
        ipi[tag] = int(b["first_ticks"]) * per_tick
        hop = int(b["hop_ticks"]) * per_tick / int(b["hops"])
        hop_cells = (f"{hop:,.0f} | {hop_macs:,} | {hop_macs / hop:.3f}" if hop_macs else f"{hop:,.0f} | | ")
        print(f"| -{tag} | {ipi[tag]:,.0f} | {macs:,} | {macs / ipi[tag]:.3f} | {hop_cells} |")
    print("\nSysTick ticks at 40 instructions each: the first window's figure is coarse (±40).")
    for tag in ("Os", "O2"):
        own, calls = per_op(f"trace-{tag}.log")
        cn = demangle([c for c, _ in calls])
        traced = own + sum(n for _, n in calls)
        print(f"\nPer op, -{tag} (single-step trace of one inference: {traced:,} instructions, "
              f"{traced / ipi[tag] * 100:.1f} % of the SysTick figure):\n")
        print("| # | op | kernel | MACs | instructions | MACs per instruction |")
        print("|---|---|---|---:|---:|---:|")
        k = 0
        for i, (c, n) in enumerate(calls):
            name = cn.get(c, c).split("(")[0].replace("earshot::rt::", "")
            op, m = "", ""
            if "_eval_" in name and k < len(kernel_ops):
                op = kernel_ops[k]["op"]
                m = kernel_ops[k]["macs"]
                k += 1
            ratio = f"{m / n:.3f}" if m else ""
            print(f"| {i} | {op or '(copy)'} | {name} | {m if m != '' else ''} | {n:,} | {ratio} |")
        print(f"| | | model_invoke itself | | {own:,} | |")

    if a.tflm:
        t = json.load(open(a.tflm))
        tf = t["tflm"]
        headb = next(int(l.split()[-2]) for l in tf["allocations"] if "allocation head" in l)
        print("\n## TFLite Micro, same model (.tflite, int8 in/out)\n")
        print(f"- .tflite: {t['model_bytes']:,} bytes; TFLite Micro arena: head (planned activations) {headb:,}, "
              f"smallest working arena {tf['min_arena_bytes']:,} bytes; versions {t.get('versions')}")
        print(f"- earshot: model arena {arena:,} bytes (activations + op data)")


if __name__ == "__main__":
    main()
