# SPDX-License-Identifier: GPL-2.0-only
# sweep.gp - size sweeps (`--full`): median ns/op against the region size
# on log axes, a line per run with the 95 % interval as whiskers, a panel
# per scenario.  Data: sweep-FAMILY.tsv/.gp from compare --data-dir; block
# number sweep * nruns + run, rows size, median, low, high.

load plotdir.'/common.gp'
load datadir.'/vars.gp'
load datadir.'/'.name.'.gp'
file = datadir.'/'.name.'.tsv'

cols = nsweeps > 1 ? 2 : 1
rows = (nsweeps + cols - 1) / cols
W = 960
H = 80 + 300 * rows
eval term_cmd(W, H)
set output out

# binary sizes as the runs name them
set xtics ("4k" 4096, "16k" 16384, "64k" 65536, "256k" 262144, "1M" 1048576, \
	"4M" 4194304, "16M" 16777216, "64M" 67108864, "256M" 268435456, \
	"1G" 1073741824, "4G" 4294967296., "16G" 17179869184.)
set logscale xy
set format y "%.0s%c"
set grid xtics ytics mytics
set xlabel "region size"
set ylabel "median ns/op"
set autoscale xfix
set offsets graph 0.06, graph 0.06, 0, 0
set key top left Left reverse samplen 2 font ",9"

set multiplot layout rows, cols title sprintf("%s scenarios: ns/op against size", family) font ",12"
do for [s = 1:nsweeps] {
	set title slabel[s] font ",10"
	plot for [r = 0:nruns - 1] file index ((s - 1) * nruns + r) using 1:2:3:4 \
		with yerrorlines lc rgb run_colour(r) lw 2 pt 7 ps 0.8 \
		title run_label[r + 1]
}
unset multiplot
