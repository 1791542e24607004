#!/usr/bin/env python3
"""Compares the firmware's UART output (out/event lines) with
`earshot detect RUN AUDIO --json`: every raw int8 output and every event
(onset and offset in samples, label, peak as float32 bits) must be equal.
    compare_firmware.py FIRMWARE_OUTPUT.txt HOST.json"""
import json, struct, sys
fw_lines = open(sys.argv[1]).read().splitlines()
host = json.load(open(sys.argv[2]))
outs, events, summary = [], [], None
for line in fw_lines:
    f = line.split()
    if not f:
        continue
    if f[0] == "out":
        if int(f[1]) != len(outs):
            sys.exit(f"check_firmware: firmware output line for window {f[1]} out of order")
        outs.append([int(v) for v in f[2:]])
    elif f[0] == "event":
        peak = struct.unpack("<f", bytes.fromhex(f[4])[::-1])[0]
        events.append((int(f[1]), int(f[2]), f[5], peak, f[4]))
    elif f[0] == "summary":
        summary = f
    elif f[0] == "error":
        sys.exit("check_firmware: firmware reported: " + line)
if summary is None:
    sys.exit("check_firmware: no summary line from the firmware")
if not outs:
    sys.exit("check_firmware: the firmware ran the model on no window")
bad = 0
h_outs = host["outputs"]
if len(outs) != len(h_outs):
    print(f"windows: firmware {len(outs)}, host {len(h_outs)}")
    bad += 1
diff = [w for w in range(min(len(outs), len(h_outs))) if outs[w] != h_outs[w]]
for w in diff[:10]:
    print(f"window {w}: firmware {outs[w]}, host {h_outs[w]}")
bad += len(diff)
h_events = host["events"]
if len(events) != len(h_events):
    print(f"events: firmware {len(events)}, host {len(h_events)}")
    bad += 1
for k, (fe, he) in enumerate(zip(events, h_events)):
    hp = struct.unpack("<f", struct.pack("<f", he["peak"]))[0]  # the host's float, as printed in double
    if (fe[0], fe[1], fe[2], fe[3]) != (he["onset_sample"], he["offset_sample"], he["label"], hp):
        print(f"event {k}: firmware {fe[:4]}, host {(he['onset_sample'], he['offset_sample'], he['label'], hp)}")
        bad += 1
n_out = sum(len(o) for o in outs)
print(f"firmware vs host: {len(outs)} windows ({n_out} raw int8 outputs), {len(events)} events; "
      f"{'all equal' if bad == 0 else f'{bad} differences'}")
for e in events:
    print(f"  event {e[2]} samples {e[0]}..{e[1]} peak {e[3]:.6f}")
sys.exit(1 if bad else 0)
