# Sourced by the bin/ scripts: pick the Node runtime the project pins (package.json devDependency
# "node", installed by `npm ci` into node_modules/.bin), falling back to a system node >= 24.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -x "$here/node_modules/.bin/node" ]; then
  NODE="$here/node_modules/.bin/node"
elif command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 24 ]; then
  NODE=node
else
  echo "meshscope: Node.js >= 24 is required; run 'npm ci' in $here to install the pinned runtime" >&2
  exit 1
fi
