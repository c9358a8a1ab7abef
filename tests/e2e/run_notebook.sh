#!/usr/bin/env bash
# Execute an analysis notebook headless against a fresh trace.
#
#   run_notebook.sh NOTEBOOK CONFIG WORKDIR [SUBCOMMAND [ARG...]]
#
# With KUBESIM set (path to the kubesim binary) the trace is WORKDIR/trace.h5 from
# `$KUBESIM SUBCOMMAND CONFIG ARG... -q -o WORKDIR/trace.h5`, SUBCOMMAND being `run` by default
# (`compare --seeds 3` for a comparison notebook); with KUBESIM unset or empty a synthetic run
# trace comes from tests/e2e/make_fake_trace.py and CONFIG is not used (`run` only).
# Then the loader is checked (analysis/kubesim.py on the trace) and the notebook is executed
# with nbconvert into WORKDIR (figures also saved to WORKDIR/figures).  Any failure, including
# an error in any cell, exits non-zero.  Uses Debian's /usr/bin/python3 only.
set -euo pipefail

if [[ $# -lt 3 ]]; then
  echo "usage: $0 NOTEBOOK CONFIG WORKDIR [SUBCOMMAND [ARG...]]" >&2
  exit 2
fi
NOTEBOOK=$1 CONFIG=$2 WORKDIR=$3
shift 3
SUBCOMMAND=${1:-run}
[[ $# -gt 0 ]] && shift
ARGS=("$@")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3

# Debian's python has h5py/pandas/matplotlib/nbconvert/ipykernel; a pyenv python3 earlier on PATH does not.
export PATH="/usr/bin:/bin:$PATH"
unset PYTHONHOME PYTHONPATH
export PYDEVD_DISABLE_FILE_VALIDATION=1  # quiets ipykernel's debugger warning about frozen modules

[[ -f $NOTEBOOK ]] || { echo "$0: no such notebook: $NOTEBOOK" >&2; exit 2; }
mkdir -p "$WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
TRACE=$WORKDIR/trace.h5
rm -f "$TRACE"

if [[ -n ${KUBESIM:-} ]]; then
  echo "== trace: $KUBESIM $SUBCOMMAND $CONFIG ${ARGS[*]} -q -o $TRACE"
  "$KUBESIM" "$SUBCOMMAND" "$CONFIG" "${ARGS[@]}" -q -o "$TRACE"
elif [[ $SUBCOMMAND != run ]]; then
  echo "$0: KUBESIM must be set for \`$SUBCOMMAND\` (the synthetic trace is a run trace)" >&2
  exit 2
else
  echo "== trace: KUBESIM unset, writing a synthetic trace to $TRACE"
  "$PY" "$ROOT/tests/e2e/make_fake_trace.py" "$TRACE"
fi
[[ -s $TRACE ]] || { echo "$0: no trace at $TRACE" >&2; exit 1; }

echo "== loader check"
"$PY" "$ROOT/analysis/kubesim.py" "$TRACE"

# The kernel must be Debian's python too.  Use a private kernelspec named python3 that runs
# /usr/bin/python3 -m ipykernel_launcher; JUPYTER_PATH is searched before user and system dirs,
# so a kernelspec left behind by another python cannot take its place.
KDIR=$WORKDIR/jupyter/kernels/python3
mkdir -p "$KDIR"
cat >"$KDIR/kernel.json" <<EOF
{"argv": ["$PY", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
 "display_name": "Python 3 (Debian)", "language": "python"}
EOF
export JUPYTER_PATH="$WORKDIR/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
KARGV=$("$PY" -c 'from jupyter_client.kernelspec import KernelSpecManager as K; print(K().get_kernel_spec("python3").argv[0])')
if [[ $KARGV != "$PY" ]]; then
  echo "$0: kernel python3 runs $KARGV, not $PY" >&2
  exit 1
fi

echo "== executing $NOTEBOOK"
export KUBESIM_TRACE=$TRACE
export KUBESIM_ANALYSIS_DIR=$ROOT/analysis
export KUBESIM_FIG_DIR=$WORKDIR/figures
export MPLBACKEND=Agg  # the notebook switches to inline itself; nothing may try to open a display
rm -rf "$KUBESIM_FIG_DIR"
"$PY" -m nbconvert --to notebook --execute \
  --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.kernel_name=python3 \
  --output-dir "$WORKDIR" "$NOTEBOOK"

OUT=$WORKDIR/$(basename "$NOTEBOOK")
"$PY" - "$OUT" <<'EOF'
import sys
import nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
outs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
errors = [o for o in outs if o.output_type == "error"]
images = sum("image/png" in o.get("data", {}) for o in outs)
print(f"== {sys.argv[1]}: {len(outs)} outputs, {images} images, {len(errors)} errors")
sys.exit(1 if errors else 0)
EOF
echo "== ok: executed notebook $OUT, figures in $KUBESIM_FIG_DIR"
