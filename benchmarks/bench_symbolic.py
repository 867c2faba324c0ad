"""Goal 4: ``rnnlib.symbolic.loss_and_grads`` at T = 3, D = H = K = 3, B = 2 in under 5 s.

Cold: a fresh Python process imports rnnlib.symbolic (and so sympy) and makes the call; the
time is the whole of that, as a reader running it first would wait. Warm: the same call again
in a process that has already made it once. The result is checked against rnnlib's numeric
BPTT, so a fast wrong answer does not pass.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, median

TARGET_S = 5.0

# Runs in the fresh process: make the problem, time import + first call, then warm calls.
SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import rnnlib, rnnlib.symbolic
rng = np.random.default_rng(0)
T, B, D, H, K = 3, 2, 3, 3, 3
params = rnnlib.init_params(D, H, K, seed=0)
xs, targets = rng.normal(size=(T, B, D)), rng.integers(0, K, (T, B))
t1 = time.perf_counter()
loss, grads = rnnlib.symbolic.loss_and_grads(params, xs, targets)
t2 = time.perf_counter()
warm = []
for _ in range(int(sys.argv[1])):
    s = time.perf_counter()
    rnnlib.symbolic.loss_and_grads(params, xs, targets)
    warm.append(time.perf_counter() - s)
ref_loss, ref = rnnlib.loss_and_grads(params, xs, targets)
agree = abs(loss - ref_loss) <= 1e-9 * abs(ref_loss) and all(
    np.allclose(grads[k], ref[k], rtol=1e-8, atol=1e-12) for k in ref)
print(json.dumps({"import": t1 - t0, "first_call": t2 - t1, "warm": warm, "agree": bool(agree)}))
"""


def run(quick: bool = False) -> list[Row]:
    name = "4. rnnlib.symbolic.loss_and_grads (T=3, D=H=K=3, B=2)"
    if importlib.util.find_spec("rnnlib.symbolic") is None:
        return [Row(name, "skipped: rnnlib.symbolic not available", f"< {TARGET_S:g} s")]
    warm_reps = 3 if quick else 10
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(warm_reps)],
                          capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return [Row(name, f"error: {last}", f"< {TARGET_S:g} s", passed=False)]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    cold = r["import"] + r["first_call"]
    warm = median(r["warm"])
    agree = "" if r["agree"] else "; DISAGREES with rnnlib.loss_and_grads"
    return [
        Row(f"4a. {name[3:]} cold", f"{cold:.2f} s", f"< {TARGET_S:g} s", cold / TARGET_S,
            cold < TARGET_S and r["agree"],
            note=f"fresh process: imports {r['import']:.2f} s + first call {r['first_call']:.2f} s "
                 f"(process wall incl. interpreter start {wall:.2f} s){agree}"),
        Row(f"4b. {name[3:]} warm", f"{warm:.3f} s", f"< {TARGET_S:g} s", warm / TARGET_S,
            warm < TARGET_S and r["agree"],
            note=f"median of {warm_reps} repeat calls in that process{agree}"),
    ]


if __name__ == "__main__":
    # Run through run_all in a fresh interpreter, so threads are pinned before numpy loads.
    import os
    os.execv(sys.executable, [sys.executable, str(Path(__file__).with_name("run_all.py")),
                              "--only", "symbolic", *sys.argv[1:]])
