# SPDX-License-Identifier: GPL-2.0-only
# summary.gp - the chart for a review: one horizontal bar per scenario,
# the relative change of the median ns/op against the base, its 95 %
# interval as a whisker, and the verdict as the bar's colour.
# Data: summary.tsv/.gp from `cowbench compare --data-dir`.

load plotdir.'/common.gp'
load datadir.'/vars.gp'
load datadir.'/'.name.'.gp'
file = datadir.'/'.name.'.tsv'

rows = npoints > 0 ? npoints : 1
W = 960
H = 200 + 30 * rows * (nothers > 1 ? 0.7 * nothers : 1)
eval term_cmd(W, H)
set output out

# columns of other k (1-based): change, low, high, class, label, label x,
# label side (1 right, -1 left, 0 none); class 0 not significant,
# 1 significant, 2 improvement, 3 regression, 4 now fails (no change)
cc(k, j) = 1 + 7 * (k - 1) + j
bw = 0.8 / nothers
yoff(k) = (k - 1 - (nothers - 1) / 2.0) * bw

# x range: every bar and whisker, and both thresholds with room for labels
xmin = -threshold
xmax = threshold
do for [k = 1:nothers] {
	stats file using (column(cc(k, 1))) nooutput
	if (exists("STATS_records") && STATS_records > 0) { xmin = min(xmin, STATS_min); xmax = max(xmax, STATS_max) }
	stats file using (column(cc(k, 2))) nooutput
	if (exists("STATS_records") && STATS_records > 0) { xmin = min(xmin, STATS_min) }
	stats file using (column(cc(k, 3))) nooutput
	if (exists("STATS_records") && STATS_records > 0) { xmax = max(xmax, STATS_max) }
}
span = xmax - xmin
set xrange [xmin - 0.22 * span : xmax + 0.22 * span]
set yrange [rows - 0.5 : -0.5]

# the points as the only y tics
yt = "set ytics scale 0 ("
do for [i = 1:npoints] { yt = yt . sprintf('%s"%s" %d', i > 1 ? ", " : "", plabel[i], i - 1) }
eval yt . ")"
set grid noytics
set xtics format "%+g%%"
set mxtics 2

set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "#202020" lw 1.5 front
set arrow 2 from threshold, graph 0 to threshold, graph 1 nohead dt 2 lc rgb "#808080" front
set arrow 3 from -threshold, graph 0 to -threshold, graph 1 nohead dt 2 lc rgb "#808080" front

notes = ""
do for [k = 1:nothers] { notes = notes . "\n" . note[k] }
if (nothers == 1) {
	set title sprintf("Median ns/op of %s against %s%s", run_label[2], run_label[1], notes)
} else {
	set title sprintf("Median ns/op against %s (letters: other runs)%s", run_label[1], notes)
}
set xlabel sprintf("change (%%)     ← faster · slower →     dashed: ±%g%% threshold", threshold)
set key below horizontal maxcols 3 Left reverse samplen 1.5 spacing 1.1 width -4

# Labels beyond the whisker, right of positive changes, left of negative
# ones.  Row 0 is always defined (with no text when it belongs to the
# other side): gnuplot 5.4 crashes on a label plot without a defined point.
lab_x(k, sd) = column(cc(k, 7)) == sd || $0 == 0 ? column(cc(k, 6)) : NaN
lab_t(k, sd) = column(cc(k, 7)) == sd ? stringcolumn(cc(k, 5)) : ""
half = 0.4

plot \
	for [k = 1:nothers] file using (0):($0 + yoff(k)):(min(0, column(cc(k, 1)))):(max(0, column(cc(k, 1)))):($0 + yoff(k) - half * bw):($0 + yoff(k) + half * bw):(class_colour(column(cc(k, 4)))) \
		with boxxyerror lc rgb variable notitle, \
	for [k = 1:nothers] file using (column(cc(k, 1))):($0 + yoff(k)):(column(cc(k, 2))):(column(cc(k, 3))) \
		with xerrorbars lc rgb "#202020" pt 7 ps 0.5 lw 1.2 notitle, \
	for [k = 1:nothers] file using (lab_x(k, 1)):($0 + yoff(k)):(lab_t(k, 1)) \
		with labels left offset 0.6, 0 notitle, \
	for [k = 1:nothers] file using (lab_x(k, -1)):($0 + yoff(k)):(lab_t(k, -1)) \
		with labels right offset -0.6, 0 notitle, \
	for [k = 1:(nfails > 0 ? nothers : 0)] file using (column(cc(k, 4)) == 4 ? 0 : NaN):($0 + yoff(k)):(stringcolumn(cc(k, 5))) \
		with labels left offset 1.2, 0 point pt 2 ps 1.8 lw 2 lc rgb c_regress tc rgb c_regress notitle, \
	NaN with boxes lc rgb c_regress title sprintf("regression (slower beyond %g%%, or fails)", threshold), \
	NaN with boxes lc rgb c_improve title sprintf("improvement (faster beyond %g%%)", threshold), \
	NaN with boxes lc rgb c_small title "significant, but not beyond the threshold", \
	NaN with boxes lc rgb c_none title "not significant", \
	NaN with lines lc rgb "#202020" lw 1.2 title "95% interval of the change"
