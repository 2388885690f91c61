# SPDX-License-Identifier: GPL-2.0-only
# trend.gp - a series read at a glance (scripts/nightly --trend): the
# median ns/op of every point relative to its first run above, the extra
# copies with their first changes ringed below, the runs (nights) in
# their order along x.  Each panel is as tall as its own key needs.
# Data: series-ns_per_op and series-extra_copies from `cowbench series
# --data-dir`.

load plotdir.'/common.gp'

load datadir.'/series-ns_per_op.gp'
rows_ns = int((npoints + 2) / 3)
load datadir.'/series-extra_copies.gp'
rows_ex = int((npoints + 2) / 3)
W = max(960, 160 + 70 * nruns)
h_ns = 420 + 18 * rows_ns
h_ex = 420 + 18 * rows_ex
H = h_ns + h_ex
eval term_cmd(W, H)
set output out

set multiplot
set size 1, 1.0 * h_ns / H
set origin 0, 1.0 * h_ex / H
set bmargin 8 + rows_ns
load datadir.'/series-ns_per_op.gp'
file = datadir.'/series-ns_per_op.tsv'
load plotdir.'/series-panel.gp'

set size 1, 1.0 * h_ex / H
set origin 0, 0
set bmargin 8 + rows_ex
load datadir.'/series-extra_copies.gp'
file = datadir.'/series-extra_copies.tsv'
load plotdir.'/series-panel.gp'
unset multiplot
