# SPDX-License-Identifier: GPL-2.0-only
# series-panel.gp - the plot of one metric across a series of runs, for
# series.gp (a chart of its own) and trend.gp (two panels): loaded with
# the metric's NAME.gp variables loaded and file set to its NAME.tsv.
# Leaves the labels and arrows it set unset, for the next panel.

# columns: 1 run (1-based), 2 label, then per point k: 2k + 1 the value,
# 2k + 2 the value where it first changed (NaN elsewhere)
vc(k) = 2 * k + 1
fc(k) = 2 * k + 2

set title sprintf("%s across %d runs, in their order%s", metric, nruns, \
	nflat > 0 ? sprintf("  (%d point%s at 0 throughout not drawn)", nflat, nflat == 1 ? "" : "s") : "")
set xrange [0.5 : nruns + 0.5]
set xtics rotate by -30 scale 0
# no x label: the rotated run labels take its place
unset xlabel
set autoscale y
if (is_ns) {
	set ylabel "ns/op / the first run's"
	set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#808080"
} else {
	set ylabel "pages (median over the repetitions)"
	set yrange [0 : *]
}
set key below horizontal maxcols 3 Left reverse samplen 2 spacing 1.1 width -2

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
unset label 1
unset arrow 1
