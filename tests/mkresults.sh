# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
# mkresults.sh - write small synthetic results.json files for the compare
# and plot tests; sourced, not run.
#
# mkresults DIR [KEY=VALUE...] <<EOF
# SCENARIO SIZE VERDICT OPS NS,NS,... COPIED REQUIRED EXTRA [METRIC=V,V,...]
# EOF
# One sample per NS value; COPIED, REQUIRED and EXTRA are "-" for null or
# a single count, or one count per sample separated by commas.  A METRIC
# named kernel_wpcopy_delay_ns sets that field instead of a metric.  The
# KEY=VALUEs set meta: tool (tool_version), release, thp (knobs.thp.enabled),
# partial (true/false), host (hostname), prec (each sample's point reached
# +-prec, a fraction, against a target of 0.02: met when prec <= 0.02).
mkresults() {
	dir=$1
	shift
	tool=test-1 release=6.18.0-test thp=always partial=false host=test
	prec=
	for kv in "$@"; do
		case $kv in
		tool=*) tool=${kv#tool=} ;;
		release=*) release=${kv#release=} ;;
		thp=*) thp=${kv#thp=} ;;
		partial=*) partial=${kv#partial=} ;;
		host=*) host=${kv#host=} ;;
		prec=*) prec=${kv#prec=} ;;
		esac
	done
	mkdir -p "$dir"
	awk -v tool="$tool" -v release="$release" -v thp="$thp" \
	    -v partial="$partial" -v host="$host" -v prec="$prec" '
	function cnt(list, i,   a, n) {
		if (list == "-")
			return "null"
		n = split(list, a, ",")
		return a[i <= n ? i : n]
	}
	BEGIN {
		printf "{\n \"meta\": {\"tool_version\": \"%s\", ", tool
		printf "\"command_line\": \"cowbench --quick --out x all\", "
		printf "\"start\": \"2026-11-25T20:00:00Z\", "
		printf "\"end\": \"2026-11-25T20:01:00Z\", \"partial\": %s, ", partial
		printf "\"uname\": {\"sysname\": \"Linux\", \"release\": \"%s\", ", release
		printf "\"version\": \"#1\", \"machine\": \"x86_64\"}, "
		printf "\"hostname\": \"%s\", \"kernel_cmdline\": \"quiet\", ", host
		printf "\"cpu_model\": \"Test CPU\", \"nr_cpus\": 2, "
		printf "\"numa_nodes\": 1, \"page_size\": 4096, "
		printf "\"knobs\": {\"thp.enabled\": \"%s\", ", thp
		printf "\"ksm.full_scans\": \"%d\"}, \"events\": []},\n", NR + int(rand() * 1000)
		printf " \"samples\": ["
		first = 1
	}
	/^[ \t]*(#|$)/ { next }
	{
		n = split($5, ns, ",")
		for (i = 1; i <= n; i++) {
			metrics = ""
			delay = "null"
			for (f = 9; f <= NF; f++) {
				split($f, kv, "=")
				m = split(kv[2], mv, ",")
				if (kv[1] == "kernel_wpcopy_delay_ns") {
					delay = mv[i <= m ? i : m]
					continue
				}
				metrics = metrics (metrics == "" ? "" : ", ") \
					  "\"" kv[1] "\": " mv[i <= m ? i : m]
			}
			printf "%s\n  {\"scenario\": \"%s\", \"params\": {\"size\": %s}, ", \
				first ? "" : ",", $1, $2
			printf "\"rep\": %d, \"ns\": %s, \"ops\": %s, ", i - 1, ns[i], $4
			printf "\"ns_per_op\": %s, \"faults_minor\": %s, ", ns[i] / $4, $4
			printf "\"faults_major\": 0, \"pages_written\": %s, ", $4
			printf "\"pages_copied\": %s, \"pages_required\": %s, ", cnt($6, i), cnt($7, i)
			printf "\"extra_copies\": %s, \"copies_missing\": 0, ", cnt($8, i)
			printf "\"kernel_wpcopy\": %s, ", cnt($6, i)
			printf "\"kernel_wpcopy_delay_ns\": %s, ", delay
			printf "\"kernel_wpcopy_reason\": \"test\", \"vmstat\": {}, "
			printf "\"events\": {}, \"metrics\": {%s}, ", metrics
			printf "\"verdict\": \"%s\", \"reason\": \"%s\"", $3, \
				$3 == "pass" ? "" : "the " $1 " check said " $3
			if (prec != "")
				printf ", \"point\": {\"reps\": %d, \"timed\": %d, \"precision_target\": 0.02, \"interval\": [1, 2], \"interval_rel\": %s, \"met\": %s, \"stop\": \"%s\", \"time_ns\": {\"wall\": 4, \"setup\": 1, \"measured\": 1, \"checks\": 1}}", \
					n, n, prec, prec <= 0.02 ? "true" : "false", \
					prec <= 0.02 ? "precision" : "max_reps"
			printf "}"
			first = 0
		}
	}
	END { printf "\n ]\n}\n" }' >"$dir/results.json"
}
