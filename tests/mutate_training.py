"""Mutation check of the training pieces: apply each mutation, run the training tests, revert.

    .venv/bin/python tests/mutate_training.py      # every line must say "caught by <test>"

Not collected by pytest (the name does not start with test_); it edits rnnlib/training/*.py
in place and restores each file afterwards, so run it on a clean tree only.
"""
import subprocess
import sys
import pathlib
root = pathlib.Path(__file__).resolve().parent.parent
M = [
 ("train.py", "fit: clipping removed", "        if clip is not None:\n            grads =", "        if False:\n            grads ="),
 ("train.py", "fit: elementwise mode clips by global norm", 'if clip_mode == "global_norm"\n', 'if True\n'),
 ("train.py", "fit: no update", "            sgd_step(params, grads, lr)\n", "            pass\n"),
 ("train.py", "fit: adagrad/adam ignored (always SGD)", "            opt.step(params, grads)\n", "            sgd_step(params, grads, lr)\n"),
 ("train.py", "fit: frozen ignored", "        grads = freeze(grads, frozen)\n", ""),
 ("train.py", "fit: blown-up parameters not detected", "            history.diverged = True     # the update blew", "            break\n            history.diverged = True     # the update blew"),
 ("train.py", "fit: options not passed on", "loss_and_grads(params, xs, targets, **options)", "loss_and_grads(params, xs, targets)"),
 ("train.py", "fit: non-finite loss not detected", "        if not (np.isfinite(loss) and np.isfinite(norm)):\n            history.diverged = True\n            break\n", ""),
 ("train.py", "fit: overflowing logits crash", '            if exc.argument != "o":', '            if True:'),
 ("train.py", "fit: bad data called divergence", '            if exc.argument != "o":', '            if False:'),
 ("train.py", "fit: norm recorded after clipping", "        history.grad_norm.append(norm)\n", ""),
 ("optim.py", "sgd_step: wrong sign", "        params[k] -= lr * grads[k]", "        params[k] += lr * grads[k]"),
 ("optim.py", "Adagrad: no memory", "            mem += grads[k] * grads[k]", "            mem[...] = grads[k] * grads[k]"),
 ("clipping.py", "clip_by_global_norm: no rescaling", "    scale = max_norm / norm if norm > max_norm else 1.0", "    scale = 1.0"),
 ("clipping.py", "clip_elementwise: no clamping", "np.clip(v, -limit, limit) if k in PARAM_KEYS else v", "v"),
 ("clipping.py", "global_norm counts h0 too", " for k in PARAM_KEYS if k in grads)", " for k in grads)"),
 ("clipping.py", "clip_by_global_norm also scales h0", "(v * scale if k in PARAM_KEYS else v)", "(v * scale)"),
 ("sampling.py", "sample: temperature ignored", "softmax(p[\"c\"] + p[\"V\"] @ h, temperature=temperature)", "softmax(p[\"c\"] + p[\"V\"] @ h)"),
 ("sampling.py", "sample: stop_id ignored", "        if token == stop_id:\n            break\n", ""),
 ("datasets.py", "recall_first: first token not the answer", "    xs[0] = targets\n", ""),
 ("datasets.py", "sine_windows: target is the last input", "values[T][:, None]", "values[T - 1][:, None]"),
]
# fit's norm mutation: record the clipped norm instead
M[10] = ("train.py", "fit: norm recorded after clipping",
        "        history.grad_norm.append(norm)\n", "        history.grad_norm.append(global_norm(grads) if clip is None else min(norm, clip))\n")
rows = []
SEL = [m for m in M if m[1] in ("fit: non-finite loss not detected", "Adagrad: no memory")] if "--two" in sys.argv else M
for fname, what, old, new in SEL:
    path = root / "rnnlib" / "training" / fname
    src = path.read_text()
    if old not in src:
        rows.append((what, "MUTATION NOT APPLIED")); continue
    path.write_text(src.replace(old, new, 1))
    try:
        r = subprocess.run([str(root / ".venv/bin/pytest"), "-q", "-x", "-p", "no:cacheprovider",
                            "tests/test_rnnlib_training.py", "tests/test_trainer_adam_forgetting.py"], cwd=root, capture_output=True, text=True)
        failed = [l.split("::")[-1].split(" ")[0] for l in r.stdout.splitlines() if l.startswith("FAILED")]
        rows.append((what, ("caught by " + ", ".join(failed)) if r.returncode else "NOT CAUGHT"))
    finally:
        path.write_text(src)
for what, res in rows:
    print(f"{what:45s} {res}")
