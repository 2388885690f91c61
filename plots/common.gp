# SPDX-License-Identifier: GPL-2.0-only
# common.gp - what every cowbench chart shares: the terminal, colours and
# data format.  Loaded by the other templates; scripts/plot sets
#   fmt ('png' or 'svg'), out (the file), datadir (cowbench compare
#   --data-dir), name (the data file's name without .tsv/.gp).
# Sizes are in pixels at a mail client's natural size: charts are meant to
# be read attached to a review without zooming.

set datafile separator "\t"
set datafile commentschars "#"
set encoding utf8

# (No enhanced text: scenario names have underscores and dots.)
term_cmd(w, h) = fmt eq 'svg' ? \
	sprintf('set terminal svg size %d,%d fixed noenhanced font "DejaVu Sans,12" background "white"', w, h) : \
	sprintf('set terminal pngcairo size %d,%d noenhanced font "DejaVu Sans,10" background "white"', w, h)

# Verdicts and classes: red is bad, green good, amber "real but small",
# grey "nothing shown".
c_regress = 0xd62728
c_improve = 0x2ca02c
c_small = 0xe8a33a
c_none = 0xb4b4b4
class_colour(c) = c >= 3 ? c_regress : c == 2 ? c_improve : c == 1 ? c_small : c_none

# Runs: the base in dark grey, the others in distinct hues.
run_colour(r) = r == 0 ? 0x6b6b6b : r == 1 ? 0x1f77b4 : r == 2 ? 0xff7f0e : \
	r == 3 ? 0x9467bd : r == 4 ? 0x8c564b : 0x17becf
# Counts: copied, required, extra.
count_colour(k) = k == 0 ? 0x1f77b4 : k == 1 ? 0x9ecae1 : c_regress

isnan(x) = x != x
nz(x) = isnan(x) ? 0 : x
max(a, b) = a > b ? a : b
min(a, b) = a < b ? a : b

# 16384 -> "16384", 2496.88 -> "2497", 27081140 -> "27.1M": short labels.
human(x) = isnan(x) ? "-" : abs(x) >= 1e9 ? sprintf("%.3gG", x / 1e9) : \
	abs(x) >= 1e6 ? sprintf("%.3gM", x / 1e6) : \
	abs(x) >= 1e5 ? sprintf("%.0fk", x / 1e3) : \
	abs(x) >= 100 || x == int(x) ? sprintf("%.0f", x) : sprintf("%.3g", x)

# Tick labels of a linear axis from 0 to top, in one unit for the axis:
# 200000 -> "200k", 1500000 -> "1.5M" (gnuplot's "%.1s%c" would say
# "200.0k", "%.0s%c" "2M").
tic_label(x, top) = x == 0 ? "0" : top >= 1e9 ? sprintf("%gG", x / 1e9) : \
	top >= 1e6 ? sprintf("%gM", x / 1e6) : \
	top >= 1e4 ? sprintf("%gk", x / 1e3) : sprintf("%g", x)
# A step of 1, 2, 2.5 or 5 times a power of ten, about x.
nice_step(x) = (ns_e = 10 ** floor(log10(x)), ns_f = x / ns_e, \
	(ns_f <= 1 ? 1 : ns_f <= 2 ? 2 : ns_f <= 2.5 ? 2.5 : ns_f <= 5 ? 5 : 10) * ns_e)
# eval y_tics_cmd: y from 0 to about ytop (> 0) in 4-6 steps, labelled with
# tic_label; sets ymax, the top of the last step.
y_tics_cmd = 'ystep = nice_step(ytop / 5.0); ymax = ystep * ceil(ytop / ystep - 1e-9); ' . \
	'set yrange [0 : ymax]; ts = "set ytics ("; ' . \
	'do for [ti = 0:int(ymax / ystep + 0.5)] { ts = ts . sprintf("%s\"%s\" %.15g", ti ? ", " : "", tic_label(ti * ystep, ymax), ti * ystep) }; ' . \
	'eval ts . ")"'

set style fill solid 0.85 border -1
set grid xtics ytics lc rgb "#e0e0e0" lw 1 dt 1
set border lc rgb "#404040"
