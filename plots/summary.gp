# SPDX-License-Identifier: GPL-2.0-only
# summary.gp - the chart for a review: one horizontal bar per scenario,
# the relative change of the median ns/op against the base, its 95 %
# interval as a whisker, and the verdict as the bar's colour.  The title
# counts the bars of each colour; regressions of other metrics are counted
# on a line of their own and named after the scenario's name.  The axis
# follows the bars: a whisker reaching far beyond them is cut at the edge
# with an arrow head, and its end is written in the label.
# Data: summary.tsv/.gp from `cowbench compare --data-dir`.

load plotdir.'/common.gp'
load datadir.'/vars.gp'
load datadir.'/'.name.'.gp'
file = datadir.'/'.name.'.tsv'

rows = npoints > 0 ? npoints : 1
# wide enough for the longest name and a plot of ~600 pixels beside it
maxlen = 0
do for [i = 1:npoints] { maxlen = max(maxlen, strlen(plabel[i])) }
W = max(960, int(660 + 6.5 * maxlen))
H = 200 + 30 * rows * (nothers > 1 ? 0.7 * nothers : 1)
eval term_cmd(W, H)
set output out

# columns of other k (1-based): change, low, high, class, label, label x,
# label side (1 right, -1 left, 0 none), whisker as drawn (low, high),
# which whisker ends were cut at the axis (1 low, 2 high, 3 both); class
# 0 not significant, 1 significant, 2 improvement, 3 regression, 4 now
# fails (no change)
cc(k, j) = 1 + 10 * (k - 1) + j
bw = 0.8 / nothers
yoff(k) = (k - 1 - (nothers - 1) / 2.0) * bw

# x range: compare chose it (view_lo..view_hi: the bars, both thresholds,
# whiskers up to a quarter beyond), with room for the labels on the sides
# that have them (pad_lo, pad_hi: parts of the span)
span = view_hi - view_lo
set xrange [view_lo - pad_lo * span : view_hi + pad_hi * span]
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
do for [k = 1:nothers] { notes = notes . "\n" . note[k] . (strlen(drift[k]) ? "\n" . drift[k] : "") }
# a page title, centred on the chart rather than over the plot (which the
# names push right), above a plot one line lower per line of notes
if (nothers == 1) {
	ptitle = sprintf("Median ns/op of %s against %s%s%s", run_label[2], run_label[1], emulated, notes)
} else {
	ptitle = sprintf("Median ns/op against %s (letters: other runs)%s%s", run_label[1], emulated, notes)
}
set xlabel sprintf("change (%%)     ← faster · slower →     dashed: ±%g%% threshold", threshold)
set rmargin 3
set key below horizontal maxcols 3 Left reverse samplen 1.5 spacing 1.1 width -4

# Labels beyond the whisker, right of positive changes, left of negative
# ones.  Row 0 is always defined (with no text when it belongs to the
# other side): gnuplot 5.4 crashes on a label plot without a defined point.
lab_x(k, sd) = column(cc(k, 7)) == sd || $0 == 0 ? column(cc(k, 6)) : NaN
lab_t(k, sd) = column(cc(k, 7)) == sd ? stringcolumn(cc(k, 5)) : ""
half = 0.4
# the arrow heads marking a cut whisker: the shaft must be longer than
# the head, or gnuplot draws a bar
head = span / 12.0

set multiplot layout 1, 1 title ptitle
plot \
	for [k = 1:nothers] file using (0):($0 + yoff(k)):(min(0, column(cc(k, 1)))):(max(0, column(cc(k, 1)))):($0 + yoff(k) - half * bw):($0 + yoff(k) + half * bw):(class_colour(column(cc(k, 4)))) \
		with boxxyerror lc rgb variable notitle, \
	for [k = 1:nothers] file using (column(cc(k, 1))):($0 + yoff(k)):(column(cc(k, 8))):(column(cc(k, 9))) \
		with xerrorbars lc rgb "#202020" pt 7 ps 0.5 lw 1.2 notitle, \
	for [k = 1:(nclipped ? nothers : 0)] file using (int(column(cc(k, 10))) & 2 ? view_hi - head : NaN):($0 + yoff(k)):(head):(0) \
		with vectors head filled size screen 0.014, 25 lc rgb "#202020" lw 1.2 notitle, \
	for [k = 1:(nclipped ? nothers : 0)] file using (int(column(cc(k, 10))) & 1 ? view_lo + head : NaN):($0 + yoff(k)):(-head):(0) \
		with vectors head filled size screen 0.014, 25 lc rgb "#202020" lw 1.2 notitle, \
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
	NaN with lines lc rgb "#202020" lw 1.2 title "95% interval of the change", \
	for [k = 1:(nclipped ? 1 : 0)] NaN with vectors head filled lc rgb "#202020" lw 1.2 \
		title "interval beyond the axis"
unset multiplot
