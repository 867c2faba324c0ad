#!/usr/bin/env bash
# Copy the JavaScript the built book serves itself from tools/vendor/node_modules (filled by
# `npm ci` from the pinned package-lock.json) into _vendor/, which _config.yml publishes
# as _build/html/_static/. Only the files the pages load are copied.
set -euo pipefail
cd "$(dirname "$0")"
nm=node_modules
out=../../_vendor
rm -rf "$out"
mkdir -p "$out/mathjax" "$out/mermaid" "$out/html-manager" "$out/requirejs"

# MathJax 3: the tex-chtml component plus what it loads on demand (fonts, TeX extensions, menu).
cp -r "$nm/mathjax/es5/." "$out/mathjax/"

# Mermaid: the ES module sphinxcontrib-mermaid imports, and the chunks it imports in turn.
cp "$nm/mermaid/dist/mermaid.esm.min.mjs" "$out/mermaid/"
mkdir -p "$out/mermaid/chunks"
cp -r "$nm/mermaid/dist/chunks/mermaid.esm.min" "$out/mermaid/chunks/"

# ipywidgets on static pages: require.js and the AMD embed bundle (+ the chunks and fonts it loads).
cp "$nm/requirejs/require.js" "$out/requirejs/"
find "$nm/@jupyter-widgets/html-manager/dist" -maxdepth 1 -type f ! -name '*.map' ! -name '*.d.ts' \
    -exec cp {} "$out/html-manager/" \;
cp widgets-assets-path.js "$out/html-manager/assets-path.js"

node -e '
for (const p of ["mathjax", "mermaid", "requirejs", "@jupyter-widgets/html-manager"])
  console.log(p + "@" + require("./node_modules/" + p + "/package.json").version);
' > "$out/VERSIONS.txt"
echo "JavaScript assets copied to _vendor/:"
sed 's/^/  /' "$out/VERSIONS.txt"
