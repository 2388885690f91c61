# SPDX-License-Identifier: GPL-2.0-only
# group.gp - one scenario family, base against the other run(s): a row per
# scenario point, ns/op (median, 95 % interval whisker) on the left, the
# copies the kernel made, the copies the semantics required and the extra
# copies on the right.  Data: group-FAMILY.tsv/.gp from compare --data-dir.

load plotdir.'/common.gp'
load datadir.'/vars.gp'
load datadir.'/'.name.'.gp'
file = datadir.'/'.name.'.tsv'

W = 960
rowh = 180
H = 60 + rowh * npoints
eval term_cmd(W, H)
set output out

# columns: 1 run, 2 letter, 3 median, 4 low, 5 high, 6 copied,
# 7 required, 8 extra, 9 verdict, 10 change (%), 11 class
bw = 0.7 / nruns
cx(k, r) = k + (r - (nruns - 1) / 2.0) * bw
verdict_word(v) = v == 2 ? "FAILS" : v == 1 ? "skipped" : v == -1 ? "absent" : ""
change_word(c, k) = isnan(c) ? "" : sprintf("%+.1f%%", c) . \
	(k == 3 ? " regression" : k == 2 ? " improvement" : k == 1 ? " significant" : " not significant")
change_colour(k) = k < 0 ? 0x202020 : k == 0 ? 0x707070 : class_colour(k)

# run letters as the only x tics of the ns/op panels
xtics_runs = "set xtics scale 0 ("
do for [r = 0:nruns - 1] {
	xtics_runs = xtics_runs . sprintf('%s"%s" %d', r ? ", " : "", run_label[r + 1][1:1], r)
}
xtics_runs = xtics_runs . ")"

set multiplot
set key off
set style fill solid 0.85 border -1
set grid noxtics ytics
top = 1 - 45.0 / H
rowf = (top - 8.0 / H) / npoints

# the runs, in their colours, above everything
do for [r = 1:nruns] {
	set label r sprintf("■ %s", run_label[r]) at screen 0.02 + (r - 1) * 0.98 / nruns, \
		screen 1 - 18.0 / H tc rgb run_colour(r - 1) font ",11"
}
set label 100 family." scenarios" at screen 0.98, screen 1 - 18.0 / H right font ",12"

do for [i = 1:npoints] {
	y1 = top - i * rowf

	# ns/op: a bar per run, whisker for the interval; the change on top
	set origin 0, y1
	set size 0.5, rowf
	set lmargin 10
	set rmargin 2
	set tmargin 2.2
	set bmargin 1.8
	set title plabel[i] . ": ns/op" font ",10"
	# stats honours the ranges the last panel set
	set autoscale xy
	stats file index (i - 1) using (max(nz($3), nz($5))) nooutput
	set xrange [-0.6 : nruns - 0.4]
	vmax = exists("STATS_max") ? STATS_max : 0
	# a third above the tallest whisker for the value and the change
	ytop = vmax > 0 ? vmax * 1.45 : 1
	eval y_tics_cmd
	set ylabel "ns/op"
	eval xtics_runs
	plot file index (i - 1) using 1:3:4:5:(0.6):(run_colour($1)) \
		with boxerrorbars lc rgb variable lw 1, \
	     '' index (i - 1) using 1:(nz($5)):(human($3)) with labels offset 0, 0.7, \
	     '' index (i - 1) using 1:($1 > 0 ? nz($5) : NaN):(change_word($10, $11)):(change_colour($11)) \
		with labels offset 0, 1.6 tc rgb variable, \
	     '' index (i - 1) using 1:(0):(verdict_word($9)) with labels offset 0, 1.2 tc rgb c_regress
	unset label

	# copies: for each kind a bar per run
	set autoscale xy
	stats file index (i - 1) using (max(nz($6), max(nz($7), nz($8)))) nooutput
	cmax = exists("STATS_max") ? STATS_max : 0
	set origin 0.5, y1
	set title "pages copied / required / extra" font ",10"
	set xrange [-0.6 : 2.6]
	ytop = cmax > 4 ? cmax * 1.3 : 5
	eval y_tics_cmd
	set ylabel "pages"
	set xtics scale 0 ("copied" 0, "required" 1, "extra" 2)
	plot for [k = 0:2] file index (i - 1) using (cx(k, $1)):(column(6 + k)):(bw * 0.9):(run_colour($1)) \
		with boxes lc rgb variable, \
	     for [k = 0:2] '' index (i - 1) using (cx(k, $1)):(nz(column(6 + k))):(human(column(6 + k))) \
		with labels offset 0, 0.7 font ",9", \
	     '' index (i - 1) every ::0::0 using (1):(2.5):(isnan($6) ? "not measured (not root)" : "") \
		with labels
}
unset multiplot
