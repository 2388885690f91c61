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

# columns: 1 run (1-based), 2 label, then per point k: 2k + 1 the value,
# 2k + 2 the value where it first changed (NaN elsewhere)
vc(k) = 2 * k + 1
fc(k) = 2 * k + 2

keyrows = int((npoints + 2) / 3)
W = max(960, 160 + 70 * nruns)
H = 460 + 18 * keyrows
eval term_cmd(W, H)
set output out

set title sprintf("%s across %d runs%s", metric, nruns, \
	nflat > 0 ? sprintf("  (%d point%s at 0 throughout not drawn)", nflat, nflat == 1 ? "" : "s") : "")
set xrange [0.5 : nruns + 0.5]
set xtics rotate by -30 scale 0
set xlabel "run, in the order given"
if (is_ns) {
	set ylabel "ns/op / the first run's"
	set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#808080"
} else {
	set ylabel "pages (median over the repetitions)"
	set yrange [0 : *]
}
set key below horizontal maxcols 3 Left reverse samplen 2 spacing 1.1 width -2
set bmargin 6 + keyrows

if (npoints == 0) {
	# gnuplot refuses a plot with no defined point: the zero line it is
	set yrange [0 : 1]
	set xtics 1
	set label 1 "no point measured it above 0 in any run" at graph 0.5, graph 0.5 center
	plot 0 lw 2 lc rgb "#808080" notitle
} else {
	plot \
		for [k = 1:npoints] file using 1:(column(vc(k))):xtic(2) \
			with linespoints lw 1.5 pt 7 ps 0.7 title plabel[k], \
		for [k = 1:(is_ns ? 0 : npoints)] file using 1:(column(fc(k))) \
			with points pt 6 ps 2.6 lw 2 lc rgb c_regress notitle, \
		for [i = 1:(is_ns ? 0 : 1)] NaN with points pt 6 ps 2.6 lw 2 \
			lc rgb c_regress title "first change of an exact count"
}
