# SPDX-License-Identifier: GPL-2.0-only
# series.gp - one metric across an ordered list of runs (nights, kernels):
# a line per scenario point, the runs in their order along x, and a red
# ring where an exact count first changed along the series.  ns/op is
# drawn relative to each point's first run, so points of a microsecond
# and of a millisecond share the axis; a count that is 0 in every run is
# left out (counted in the title).
# Data: series-METRIC.tsv/.gp from `cowbench series --data-dir`.

load plotdir.'/common.gp'
load datadir.'/'.name.'.gp'
file = datadir.'/'.name.'.tsv'

# the key below: three names a row
keyrows = int((npoints + 2) / 3)
W = max(960, 160 + 70 * nruns)
H = 460 + 18 * keyrows
eval term_cmd(W, H)
set output out
set bmargin 8 + keyrows

load plotdir.'/series-panel.gp'
