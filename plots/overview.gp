# SPDX-License-Identifier: GPL-2.0-only
# overview.gp - one run, no comparison: a row per scenario point, the
# median ns/op with its 95 % interval on a log axis (the points differ by
# orders of magnitude), and the copies made, required and extra.
# Data: overview.tsv/.gp from `cowbench compare --data-dir DIR RUN`.

load plotdir.'/common.gp'
load datadir.'/vars.gp'
load datadir.'/'.name.'.gp'
file = datadir.'/'.name.'.tsv'

rows = npoints > 0 ? npoints : 1
W = 1000
H = 150 + 34 * rows
eval term_cmd(W, H)
set output out

# columns: 1 point, 2 median, 3 low, 4 high, 5 copied, 6 required,
# 7 extra, 8 verdict (0 pass, 1 skip, 2 fail), 9 passing repetitions
verdict_colour(v) = v == 2 ? c_regress : v == 1 ? c_none : 0x1f77b4
verdict_word(v) = v == 2 ? "FAIL" : v == 1 ? "skipped" : ""

# extents first: stats honours the ranges set below
stats file using 2 nooutput
lo = exists("STATS_records") && STATS_records > 0 ? STATS_min : 1
stats file using 4 nooutput
hi = exists("STATS_records") && STATS_records > 0 ? STATS_max : 10
stats file using (max(nz($5), max(nz($6), nz($7)))) nooutput
cmax = exists("STATS_records") && STATS_records > 0 ? STATS_max : 0

set multiplot title title font ",12"
set key off
set yrange [rows - 0.5 : -0.5]
set ytics scale 0
set for [i = 1:npoints] ytics add (plabel[i] i - 1)
set grid noytics xtics mxtics
set tmargin 3.5
set bmargin 4

# left: ns/op, log scale, a dot with its interval, the value beside it
set logscale x
set xrange [10 ** floor(log10(lo) - 0.3) : 10 ** ceil(log10(hi) + 0.5)]
set format x "%.0s%c"
set xlabel "median ns/op (log scale), whisker: 95% interval"
set origin 0, 0
set size 0.62, 0.95
set lmargin 30
set rmargin 4
plot file using 2:0:3:4:(verdict_colour($8)) \
	with xerrorbars pt 7 ps 1.1 lw 1.2 lc rgb variable, \
     '' using (nz($4) > 0 ? $4 : $2):0:(human($2) . ($8 == 2 ? " FAIL" : "")) \
	with labels left offset 0.7, 0 font ",9", \
     '' using (sqrt(lo * hi)):0:(verdict_word($8) eq "skipped" ? "skipped" : "") \
	with labels tc rgb "#808080"

# right: pages copied, required and extra, bars side by side
unset logscale x
set format x "%.0s%c"
unset ytics
set xlabel "pages per repetition (median)"
set origin 0.62, 0
set size 0.38, 0.95
set lmargin 1
set rmargin 3
set xrange [0 : (cmax > 4 ? cmax * 1.35 : 5)]
bh = 0.26
set key at graph 1, graph 1.07 horizontal right samplen 1 font ",9"
plot for [k = 0:2] file using (column(5 + k) / 2.0):($0 + (k - 1) * bh):(column(5 + k) / 2.0):(bh / 2 * 0.9) \
	with boxxyerror lc rgb count_colour(k) fs solid 0.85 \
	title (k == 0 ? "copied" : k == 1 ? "required" : "extra"), \
     for [k = 0:2] '' using (nz(column(5 + k))):($0 + (k - 1) * bh):(isnan(column(5 + k)) ? "-" : human(column(5 + k))) \
	with labels left offset 0.4, 0 font ",8" notitle
unset multiplot
