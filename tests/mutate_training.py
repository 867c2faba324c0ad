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
 ("train.py", "fit: no update", "        opt.step(params, freeze(grads, frozen))\n", "        pass\n"),
 ("train.py", "fit: adagrad/adam ignored (always SGD)", "    return _OPTIMIZER_CLASSES[name](", "    return _OPTIMIZER_CLASSES['sgd']("),
 ("train.py", "fit: frozen ignored", "opt.step(params, freeze(grads, frozen))", "opt.step(params, grads)"),
 ("train.py", "fit: blown-up parameters not detected", "            history.diverged = True     # the update blew", "            break\n            history.diverged = True     # the update blew"),
 ("train.py", "fit: options not passed on", "**{**options, **state})", "**state)"),
 ("train.py", "fit: non-finite loss not detected", "        if not (np.isfinite(loss) and np.isfinite(norm)):\n            history.diverged = True\n", "        if False:\n            history.diverged = True\n"),
 ("train.py", "fit: overflowing logits crash", '            if exc.argument != "o":', '            if True:'),
 ("train.py", "fit: bad data called divergence", '            if exc.argument != "o":', '            if False:'),
 ("train.py", "fit: norm recorded after clipping", "        history.grad_norm.append(norm)\n",
  "        history.grad_norm.append(norm if clip is None else min(norm, clip))\n"),
 ("optim.py", "SGD: wrong sign", "            p -= self.lr * g\n", "            p += self.lr * g\n"),
 ("optim.py", "Adagrad: no memory", "            mem += g * g", "            mem[...] = g * g"),
 ("clipping.py", "clip_by_global_norm: no rescaling", "    scale = max_norm / norm if norm > max_norm else 1.0", "    scale = 1.0"),
 ("clipping.py", "clip_elementwise: no clamping", "lambda g: np.clip(g, -limit, limit)", "lambda g: g"),
 ("tree.py", "global_norm counts h0 too", 'STATE_KEYS = ("h0", "s0")', 'STATE_KEYS = ()'),
 ("sampling.py", "sample: temperature ignored", "softmax(p[\"c\"] + p[\"V\"] @ h, temperature=temperature)", "softmax(p[\"c\"] + p[\"V\"] @ h)"),
 ("sampling.py", "sample: stop_id ignored", "            if token == stop_id:\n                break\n", ""),
]
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
