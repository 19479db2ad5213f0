#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The own-kernel lab scenarios (ci/lab/scenarios/*.yaml) on fakesys, from the recordings of the
# kernels they passed on: ci/lab/own-vfio-open runs the same files in the lab kernels and
# compares the two; this keeps the fake side of that comparison in the default test run.
# usage: own-scenarios.sh PTHARNESS SCENARIO-DIR
set -eu
ptharness=$1
dir=$2
set -- "$dir"/*.yaml
[ -f "$1" ] || { echo "own-scenarios: no scenarios in $dir" >&2; exit 1; }
exec "$ptharness" run --target fake -j 1 "$@"
