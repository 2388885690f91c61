# SPDX-License-Identifier: GPL-2.0-only
# heatmap.gp - the atlas at a glance: scenario points down, runs
# (kernels) across, each cell the extra copies per page written (white
# none, deep red one per page and more), the failing cells crossed out,
# grey where the point skipped or was not run, blank where it wrote
# nothing.
# Data: heatmap.tsv/.gp from `cowbench series --data-dir`.

load plotdir.'/common.gp'
load datadir.'/'.name.'.gp'
file = datadir.'/'.name.'.tsv'

maxlen = 0
do for [i = 1:npoints] { maxlen = max(maxlen, strlen(plabel[i])) }
W = max(720, int(200 + 7 * maxlen + 110 * nruns))
H = 180 + 22 * (npoints > 0 ? npoints : 1)
eval term_cmd(W, H)
set output out

# columns: 1 point, then per run r: 2r the value, 2r + 1 the verdict
# (0 pass, 1 skip, 2 FAIL, -1 not run)
vc(r) = 2 * r
fc(r) = 2 * r + 1
set xrange [0.5 : nruns + 0.5]
set yrange [npoints - 0.5 : -0.5]
xt = "set xtics scale 0 rotate by -25 ("
do for [r = 1:nruns] { xt = xt . sprintf('%s"%s" %d', r > 1 ? ", " : "", run_label[r], r) }
eval xt . ")"
yt = "set ytics scale 0 ("
do for [i = 1:npoints] { yt = yt . sprintf('%s"%s" %d', i > 1 ? ", " : "", plabel[i], i - 1) }
eval yt . ")"
set grid noxtics noytics
set palette defined (0 "white", 0.25 "#fcbba1", 0.5 "#fb6a4a", 1 "#a50f15")
set cbrange [0 : 1]
set cblabel "extra copies per page written (1 and more: deep red)"
set title sprintf("Extra copies per page written, %d points x %d runs%s", npoints, nruns, \
	nfail > 0 ? sprintf(" (%d failing cells crossed out; grey: skipped or not run)", nfail) : " (grey: skipped or not run)")
set key off
set bmargin 8

# a cell's x, NaN (not drawn) where it skipped or was not run: a NaN
# colour would still draw the box, in the palette's white
ran(r) = column(fc(r)) == -1 || column(fc(r)) == 1 ? NaN : r
cell(r) = column(vc(r)) > 1 ? 1 : column(vc(r))
# (a NaN read from the file makes gnuplot drop the row: test the text)
txt(r) = strcol(vc(r)) eq "NaN" || column(fc(r)) == 2 ? "" : \
	column(vc(r)) == 0 ? "0" : sprintf("%.2g", column(vc(r)))
plot \
	for [r = 1:nruns] file using (column(fc(r)) == -1 || column(fc(r)) == 1 ? r : NaN):($0):(0.5):(0.5) \
		with boxxyerror fs solid 1 noborder lc rgb "#c8c8c8" notitle, \
	for [r = 1:nruns] file using (ran(r)):($0):(0.5):(0.5):(cell(r)) \
		with boxxyerror fs solid 1 noborder lc palette notitle, \
	for [r = 1:nruns] file using (r):($0):(txt(r)) with labels font ",9" notitle, \
	for [r = 1:nruns] file using (column(fc(r)) == 2 ? r : NaN):($0) \
		with points pt 2 ps 2.2 lw 2 lc rgb "#202020" notitle
